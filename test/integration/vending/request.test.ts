import { ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runRequest } from '../../../cli/commands/request';
import { organizationConfig } from '../../../functions/shared/config';
import { waitForAlert } from '../../helpers/alerts';
import type { TestSandbox } from '../../helpers/sandbox';
import {
  accountsWithEmail,
  approveWhenAsked,
  clients,
  executionArnOf,
  parentOf,
  policiesOf,
  startVendingSandbox,
  tagsOf,
  waitForExecution,
} from './harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
});
afterAll(() => sb?.stop());

const SM_EXEC = executionArnOf;

describe('one account request', () => {
  it('once approved, ends SUCCEEDED with the account in its OU, tagged, baselined in every planned region, released from quarantine', async () => {
    const result = await runRequest(
      {
        name: 'payments-prod',
        email: 'aws-payments-prod@acme.example',
        ou: 'Workloads/Prod',
        owner: 'team-payments',
        costCenter: 'CC-1042',
        json: true,
        requestId: 'req-one',
      },
      { events: c.events, sfn: c.sfn },
    );
    expect(result.status).toBe('SENT');
    // Workloads/Prod is approval: required
    await approveWhenAsked(sb, 'req-one');
    const execution = await waitForExecution(c.sfn, SM_EXEC('req-one'));
    expect([execution.status, execution.error, execution.cause]).toEqual(['SUCCEEDED', undefined, undefined]);

    const [account] = await accountsWithEmail(c.org, 'aws-payments-prod@acme.example');
    const accountId = account?.Id as string;
    expect(accountId).toMatch(/^\d{12}$/);
    expect(await parentOf(c.org, accountId)).toBe(sb.runtime.organizations.ouIdByPath('Workloads/Prod'));
    expect(await tagsOf(c.org, accountId)).toMatchObject({
      'vendguard:request-id': 'req-one',
      'vendguard:owner': 'team-payments',
      'vendguard:cost-center': 'CC-1042',
      'vendguard:environment': 'prod',
    });
    const policies = await policiesOf(c.org, accountId);
    expect(policies).not.toContain('vendguard-quarantine');

    const config = organizationConfig();
    // the network baseline's management ports admit the bastion's range only (network.bastionCidr)
    const ec2 = sb.client(EC2Client, { accountId, region: 'eu-west-1' });
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['vendguard-management'] }] }),
    );
    expect(
      (SecurityGroups?.[0]?.IpPermissions ?? []).map((p) => [p.FromPort, (p.IpRanges ?? []).map((r) => r.CidrIp)]),
    ).toEqual([
      [22, [config.network?.bastionCidr]],
      [3389, [config.network?.bastionCidr]],
    ]);

    for (const set of config.baselines.stackSets.filter((s) => s.ous.includes('Workloads/Prod'))) {
      const regions = set.regions === 'all' ? config.organization.allowedRegions : set.regions;
      const out = await c.cfn.send(
        new ListStackInstancesCommand({ StackSetName: set.name, StackInstanceAccount: accountId, CallAs: 'SELF' }),
      );
      const instances = out.Summaries ?? [];
      expect(instances.map((i) => i.Region).sort()).toEqual([...regions].sort());
      for (const i of instances)
        expect([set.name, i.Region, i.StackInstanceStatus?.DetailedStatus ?? i.Status]).toEqual([
          set.name,
          i.Region,
          expect.stringMatching(/SUCCEEDED|CURRENT/),
        ]);
    }
  });
});

describe('the figures the operator sees', () => {
  it('Slack reports the duration vendguard executions reports (Step Functions time, not the function clock)', async () => {
    await runRequest(
      {
        name: 'ledger-dev',
        email: 'aws-ledger-dev@acme.example',
        ou: 'Workloads/Dev',
        owner: 'team-ledger',
        json: true,
        requestId: 'req-duration',
      },
      { events: c.events, sfn: c.sfn },
    );
    const execution = await waitForExecution(c.sfn, SM_EXEC('req-duration'));
    expect(execution.status).toBe('SUCCEEDED');
    const seconds = ((execution.stopDate?.getTime() ?? 0) - (execution.startDate?.getTime() ?? 0)) / 1000;
    // vending waits minutes of simulated time for the account and the baseline
    expect(seconds).toBeGreaterThan(60);
    const vended = await waitForAlert(
      sb.endpoint,
      (a) => a.kind === 'vended' && a.rendered.includes('req-duration'),
      'the Account Vended message',
    );
    const shown = /Duration: (?:(\d+)h )?(?:(\d+)m )?(\d+)s/.exec(vended.rendered);
    expect(shown).not.toBeNull();
    const [, h = '0', m = '0', s = '0'] = shown as RegExpExecArray;
    const reported = Number(h) * 3600 + Number(m) * 60 + Number(s);
    // AnnounceSuccess is entered a moment before the execution stops
    expect(Math.abs(reported - seconds)).toBeLessThanOrEqual(2);
  });
});
