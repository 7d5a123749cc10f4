import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import type { TestSandbox } from '../../helpers/sandbox';
import { findings, settle, startGuardrailSandbox, trail, waitFor } from './harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let serviceAccount: string;

beforeAll(async () => {
  ({ sb, serviceAccount } = await startGuardrailSandbox());
}, 30_000);
afterAll(() => sb?.stop());

const developer = (accountId: string) =>
  sb.client(EC2Client, { accountId, role: 'Developer', session: 'jane', region: REGION });

describe('ModifySecurityGroupRules against the sandbox', () => {
  it('revokes a rule a developer opens to 0.0.0.0/0 with ModifySecurityGroupRules, and only that rule', async () => {
    const ec2 = developer(serviceAccount);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }))).Vpc?.VpcId as string;
    const groupId = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'api', Description: 'api', VpcId: vpcId }))
    ).GroupId as string;
    const authorized = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      }),
    );
    const [https, other] = (authorized.SecurityGroupRules ?? []).map((r) => r.SecurityGroupRuleId as string);
    await settle(sb);
    expect(findings(sb).filter((f) => f.resource === groupId)).toHaveLength(0);

    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: groupId,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: https,
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' },
          },
        ],
      }),
    );
    const finding = await waitFor('the security group finding', () => findings(sb).find((f) => f.resource === groupId));
    await settle(sb);

    expect(finding).toMatchObject({
      rule: 'sg-open-ingress',
      outcome: 'remediated',
      eventName: 'ModifySecurityGroupRules',
      actor: `arn:aws:sts::${serviceAccount}:assumed-role/Developer/jane`,
    });
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    const ingress = (rules.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
    expect(ingress.map((r) => r.SecurityGroupRuleId)).toEqual([other]);
    // The record is in CloudTrail's own shape for this call.
    const record = trail(sb).find((d) => d.eventName === 'ModifySecurityGroupRules');
    expect(record?.requestParameters).toEqual({
      ModifySecurityGroupRulesRequest: {
        GroupId: groupId,
        SecurityGroupRule: {
          SecurityGroupRuleId: https,
          SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' },
          tag: 1,
        },
        tag: 1,
      },
    });
    expect(record?.responseElements).toMatchObject({ ModifySecurityGroupRulesResponse: { return: true } });
  });
});
