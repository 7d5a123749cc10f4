import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { MAX_PUT_EVENTS_BYTES } from '../../../sandbox/services/eventbridge';
import { MANAGEMENT_CANNOT_LEAVE_MESSAGE } from '../../../sandbox/services/organizations/membership';
import {
  type AwsCli as Cli,
  type CliResult,
  errorLine,
  installedAwsClis,
  runAws,
  sessionEnv,
  TEST_KEY_ENV,
} from '../../helpers/aws-cli';
import { moveToRoot, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const clis: Cli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;
let scratch: string;
/** A member account moved to the root (no OU SCP) per CLI, for it to leave. */
const leavers = new Map<string, string>();

const TEST_KEY = TEST_KEY_ENV;
const sessionOf = sessionEnv;
const aws = (cli: Cli, args: string[], env: Readonly<Record<string, string>> = TEST_KEY): Promise<CliResult> =>
  runAws(cli.path, sb.endpoint, args, env);

beforeAll(async () => {
  sb = await startTestSandbox();
  scratch = mkdtempSync(join(tmpdir(), 'vendguard-edge-cli-'));
  const _org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  const names = ['eks-shared', 'bastion', 'network'];
  for (const [i, cli] of clis.entries()) {
    const accountId = await moveToRoot(sb, names[i] as string);
    leavers.set(cli.path, accountId);
  }
}, 30_000);
afterAll(async () => {
  await sb?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describeClis('$path (v$major)', (cli) => {
  it("serves describe-trails, get-trail-status and lookup-events under the CLI's own target prefix", async () => {
    const [trails, status, events] = await Promise.all([
      aws(cli, ['cloudtrail', 'describe-trails'], TEST_KEY),
      aws(cli, ['cloudtrail', 'get-trail-status', '--name', 'management-events'], TEST_KEY),
      aws(cli, ['cloudtrail', 'lookup-events', '--max-results', '3'], TEST_KEY),
    ]);
    expect(JSON.parse(trails.stdout).trailList[0]).toMatchObject({
      Name: 'management-events',
      HomeRegion: 'eu-west-1',
    });
    expect(JSON.parse(status.stdout)).toMatchObject({ IsLogging: true });
    const list = JSON.parse(events.stdout).Events as { EventTime: unknown; CloudTrailEvent: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const e of list) {
      const second = Date.parse(JSON.parse(e.CloudTrailEvent).eventTime) / 1000;
      if (cli.major === 1) {
        // v1 prints the timestamp as it came (cli_timestamp_format none): epoch seconds
        expect(e.EventTime).toBe(second);
      } else {
        // v2 prints ISO 8601 (cli_timestamp_format iso8601), without fractions for whole seconds
        expect(e.EventTime).toBe(new Date(second * 1000).toISOString().replace('.000Z', '+00:00'));
      }
    }
  });

  it('leave-organization: refused to the management account and by the SCP, done by a member in the root', async () => {
    const leaver = leavers.get(cli.path) as string;
    const [management, denied, left] = await Promise.all([
      aws(cli, ['organizations', 'leave-organization']),
      aws(
        cli,
        ['organizations', 'leave-organization'],
        sessionOf(sb.credentials({ accountId: sb.accountId('egress') })),
      ),
      aws(cli, ['organizations', 'leave-organization'], sessionOf(sb.credentials({ accountId: leaver }))),
    ]);
    expect(errorLine(management)).toBe(
      `An error occurred (MasterCannotLeaveOrganizationException) when calling the LeaveOrganization operation: ${MANAGEMENT_CANNOT_LEAVE_MESSAGE}`,
    );
    expect(denied.stderr).toContain('(AccessDeniedException)');
    expect(denied.stderr).toContain('explicit deny in a service control policy');
    expect(left).toMatchObject({ code: 0, stderr: '' });
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const accounts = (await org.send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Id);
    expect(accounts).not.toContain(leaver);
    expect(accounts).toContain(sb.accountId('egress'));
  });

  it('stepfunctions: ValidationException for a bad status filter or page size, InvalidArn, StateMachineDoesNotExist', async () => {
    const sfn = sb.client(SFNClient);
    const arn = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.[0]?.stateMachineArn as string;
    const [status, size, unknown, execution] = await Promise.all([
      aws(cli, ['stepfunctions', 'list-executions', '--state-machine-arn', arn, '--status-filter', 'DONE']),
      aws(cli, ['stepfunctions', 'list-executions', '--state-machine-arn', arn, '--page-size', '1001']),
      aws(cli, ['stepfunctions', 'list-executions', '--state-machine-arn', `${arn}-gone`]),
      aws(cli, ['stepfunctions', 'describe-execution', '--execution-arn', 'not-an-arn']),
    ]);
    expect(errorLine(status)).toBe(
      "An error occurred (ValidationException) when calling the ListExecutions operation: 1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    expect(errorLine(size)).toBe(
      "An error occurred (ValidationException) when calling the ListExecutions operation: 1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(errorLine(unknown)).toBe(
      `An error occurred (StateMachineDoesNotExist) when calling the ListExecutions operation: State Machine Does Not Exist: '${arn}-gone'`,
    );
    expect(errorLine(execution)).toBe(
      "An error occurred (InvalidArn) when calling the DescribeExecution operation: Invalid Arn: 'Invalid ARN prefix: not-an-arn'",
    );
  });

  it('events put-events: ValidationException for entries over 1 MB together', async () => {
    const file = join(scratch, `entries-v${cli.major}.json`);
    const pad = 'x'.repeat(MAX_PUT_EVENTS_BYTES / 2);
    const entry = {
      Source: 'vendguard.edge',
      DetailType: 'Size',
      Detail: JSON.stringify({ pad }),
      EventBusName: 'vendguard',
    };
    writeFileSync(file, JSON.stringify([entry, entry]));
    const out = await aws(cli, ['events', 'put-events', '--entries', `file://${file}`]);
    expect(errorLine(out)).toBe(
      'An error occurred (ValidationException) when calling the PutEvents operation: Total size of the entries in the request is over the limit.',
    );
  });
});
