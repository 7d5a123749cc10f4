/**
 * `vendguard doctor` against the sandbox: every check passes on the deployed sandbox, and each one
 * fails, naming what is wrong, once that part of the organization is broken.
 */
import { CloudTrailClient, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  PutPermissionCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-eventbridge';
import {
  AttachPolicyCommand,
  DetachPolicyCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  ListPoliciesCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { formatReport } from '../../../cli/commands/doctor';
import { busStatementProblem, type DoctorReport, runDoctor } from '../../../cli/doctor';
import { ORGANIZATION_TRAIL_NAME, STACKSETS_SERVICE_PRINCIPAL } from '../../../config/organization-services';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
const org = () => sb.client(OrganizationsClient, { region: 'us-east-1' });

beforeAll(async () => {
  sb = await startTestSandbox();
}, 60_000);
afterAll(() => sb?.stop());

function doctor(preDeploy = false): Promise<DoctorReport> {
  return runDoctor(
    { org: org(), cloudtrail: sb.client(CloudTrailClient), events: sb.client(EventBridgeClient) },
    { config: sb.runtime.config, scpDocuments: sb.runtime.loaded.scpDocuments, preDeploy },
  );
}

const failed = (report: DoctorReport) => report.checks.filter((c) => !c.ok).map((c) => [c.check, c.detail]);

describe('vendguard doctor', () => {
  it('passes every check on the deployed sandbox, one line each', async () => {
    const report = await doctor();
    expect(failed(report)).toEqual([]);
    expect(report.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'organization:all-features',
        'organization:scp-policy-type',
        `trusted-access:${STACKSETS_SERVICE_PRINCIPAL}`,
        'trusted-access:cloudtrail.amazonaws.com',
        'organization-trail',
        'bus-policy',
        'scp:vendguard-deny-internet-gateway',
        'rules',
      ]),
    );
    const text = formatReport(report);
    expect(text.split('\n')).toHaveLength(report.checks.length + 1);
    expect(text).toMatch(/all \d+ checks passed$/);
  });

  it('runs only the prerequisites with --pre-deploy', async () => {
    const report = await doctor(true);
    expect(report.checks.every((c) => c.phase === 'pre')).toBe(true);
    expect(report.checks.some((c) => c.check === 'bus-policy')).toBe(false);
  });

  it('fails each check whose part of the organization is broken, and says how to fix it', async () => {
    const events = sb.client(EventBridgeClient);
    const trails = sb.client(CloudTrailClient);
    const policies = await org().send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const PolicyId = policies.Policies?.find((p) => p.Name === 'vendguard-deny-internet-gateway')?.Id as string;
    const TargetId = sb.accountId('network');
    await org().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: STACKSETS_SERVICE_PRINCIPAL }));
    await trails.send(new StopLoggingCommand({ Name: ORGANIZATION_TRAIL_NAME }));
    await org().send(new DetachPolicyCommand({ PolicyId, TargetId }));
    await events.send(new DisableRuleCommand({ Name: 'vendguard-igw-created', EventBusName: 'vendguard' }));
    await events.send(
      new PutPermissionCommand({
        EventBusName: 'vendguard',
        Action: 'events:PutEvents',
        Principal: sb.accountId('egress'),
        StatementId: 'mistake',
      }),
    );
    try {
      expect(failed(await doctor())).toEqual([
        [
          `trusted-access:${STACKSETS_SERVICE_PRINCIPAL}`,
          expect.stringContaining('aws organizations enable-aws-service-access'),
        ],
        [
          'organization-trail',
          `organization trail ${ORGANIZATION_TRAIL_NAME} is not logging (aws cloudtrail start-logging)`,
        ],
        [
          'bus-policy',
          `mistake admits arn:aws:iam::${sb.accountId('egress')}:root, not in vending.requesters.accounts`,
        ],
        ['scp:vendguard-deny-internet-gateway', 'vendguard-deny-internet-gateway is not attached to account network'],
        ['rules', 'not enabled: vendguard-igw-created'],
      ]);
    } finally {
      await org().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: STACKSETS_SERVICE_PRINCIPAL }));
      await trails.send(new StartLoggingCommand({ Name: ORGANIZATION_TRAIL_NAME }));
      await org().send(new AttachPolicyCommand({ PolicyId, TargetId }));
      await events.send(new EnableRuleCommand({ Name: 'vendguard-igw-created', EventBusName: 'vendguard' }));
      await events.send(new RemovePermissionCommand({ EventBusName: 'vendguard', StatementId: 'mistake' }));
    }
    expect(failed(await doctor())).toEqual([]);
  }, 30_000);
});

describe('the bus policy check', () => {
  const org = 'o-abcdefghij';
  it('refuses an organization-wide grant without the forwarding-role condition', () => {
    expect(
      busStatementProblem(
        {
          Sid: 'AllowOrg',
          Effect: 'Allow',
          Principal: '*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': org } },
        },
        org,
        [],
      ),
    ).toMatch(/admits every principal of the organization/);
    expect(
      busStatementProblem(
        {
          Effect: 'Allow',
          Principal: '*',
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': org },
            ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/vendguard-event-forwarder-*' },
          },
        },
        org,
        [],
      ),
    ).toBeUndefined();
    expect(
      busStatementProblem({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222233334444:root' } }, org, [
        '222233334444',
      ]),
    ).toBeUndefined();
  });
});
