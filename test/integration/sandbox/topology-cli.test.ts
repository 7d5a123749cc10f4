/**
 * The topology through the real AWS CLI (v1 and v2 where installed): a member account's own buses and
 * tables, the hub bus's policy as `describe-event-bus` shows it, and `put-permission` /
 * `remove-permission` on a member's own bus.
 */
import { type AwsCli as Cli, installedAwsClis, runAws, sessionEnv, TEST_KEY_ENV } from '../../helpers/aws-cli';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const clis: Cli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;
let member: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  member = await createAccountIn(sb, 'topology-cli');
}, 30_000);
afterAll(() => sb?.stop());

const json = async (cli: Cli, args: string[], env: Readonly<Record<string, string>>) => {
  const out = await runAws(cli.path, sb.endpoint, [...args, '--region', 'eu-west-1'], env);
  if (out.code !== 0) throw new Error(`aws ${args.join(' ')}: ${out.stderr}`);
  return JSON.parse(out.stdout || '{}');
};

describeClis('$path (v$major)', (cli) => {
  it('shows a member its own default bus and tables, and the hub its bus with the policy admitting the members forwarders', async () => {
    const asMember = sessionEnv(sb.credentials({ accountId: member }));
    const buses = await json(cli, ['events', 'list-event-buses'], asMember);
    expect(buses.EventBuses.map((b: { Arn: string }) => b.Arn)).toEqual([
      `arn:aws:events:eu-west-1:${member}:event-bus/default`,
    ]);
    expect((await json(cli, ['dynamodb', 'list-tables'], asMember)).TableNames).toEqual([]);
    const central = await json(cli, ['events', 'describe-event-bus', '--name', 'vendguard'], TEST_KEY_ENV);
    expect(JSON.parse(central.Policy).Statement[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': sb.runtime.organizations.organizationId },
      ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/vendguard-event-forwarder-*' },
    });
  });

  it("grants and revokes another account's puts on a member's own default bus", async () => {
    const asMember = sessionEnv(sb.credentials({ accountId: member }));
    const sid = `cli-v${cli.major}`;
    await json(
      cli,
      [
        'events',
        'put-permission',
        '--action',
        'events:PutEvents',
        '--principal',
        sb.runtime.managementAccountId,
        '--statement-id',
        sid,
      ],
      asMember,
    );
    const granted = await json(cli, ['events', 'describe-event-bus'], asMember);
    expect(JSON.parse(granted.Policy).Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: sid,
          Principal: { AWS: `arn:aws:iam::${sb.runtime.managementAccountId}:root` },
          Resource: `arn:aws:events:eu-west-1:${member}:event-bus/default`,
        }),
      ]),
    );
    await json(cli, ['events', 'remove-permission', '--statement-id', sid], asMember);
    const revoked = await json(cli, ['events', 'describe-event-bus'], asMember);
    expect(revoked.Policy ?? '').not.toContain(sid);
  });
});
