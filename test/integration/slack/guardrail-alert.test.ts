import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { fetchAlerts } from '../../../cli/commands/sandbox-alerts';
import type { TestSandbox } from '../../helpers/sandbox';
import { until } from '../../helpers/until';
import { settle, startGuardrailSandbox } from '../guardrails/harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let serviceAccount: string;

beforeAll(async () => {
  ({ sb, serviceAccount } = await startGuardrailSandbox());
}, 30_000);
afterAll(() => sb?.stop());

describe('a guardrail alert in the sandbox outbox', () => {
  it('names the actor, account, region, gateway, VPC and the action taken when a developer attaches a gateway', async () => {
    const ec2 = sb.client(EC2Client, { accountId: serviceAccount, role: 'Developer', session: 'jane', region: REGION });
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId as string;
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const remediated = await until(
      async () =>
        (await fetchAlerts(sb.endpoint, 20)).alerts.find(
          (a) => a.rendered.includes(igwId) && a.rendered.includes('✅ remediated'),
        ),
      10_000,
      'the alert',
    );
    await settle(sb);

    expect(remediated).toMatchObject({ channel: '#sec-alerts', kind: 'finding', severity: 'high' });
    const text = remediated.rendered;
    expect(text).toContain(`Actor: arn:aws:sts::${serviceAccount}:assumed-role/Developer/jane`);
    expect(text).toContain(`(${serviceAccount})`);
    expect(text).toContain(`Region: ${REGION}`);
    expect(text).toContain(`Resource: ${igwId}`);
    expect(text).toContain(vpcId);
    expect(text).toContain(`Action taken: detached from ${vpcId} and deleted`);
    expect(text).toContain(`#InternetGateway:internetGatewayId=${igwId}`);
    // Create and Attach both arrive (two rules, two keys); each alert is posted at most once.
    const { alerts: all } = await fetchAlerts(sb.endpoint, 50);
    const headers = all.filter((a) => a.rendered.includes(igwId)).map((a) => a.rendered.split('\n')[0]);
    expect(new Set(headers).size).toBe(headers.length);
  });
});
