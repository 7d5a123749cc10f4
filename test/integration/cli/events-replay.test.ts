import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { replayEvents } from '../../../cli/commands/events';
import { EC2_TABLES, type IgwRecord, scopedId } from '../../../sandbox/services/ec2/model';
import type { TestSandbox } from '../../helpers/sandbox';
import { findings, settle, startGuardrailSandbox, trail, waitFor } from '../guardrails/harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let serviceAccount: string;
let events: EventBridgeClient;
let stderr: jest.SpyInstance;
const alertOnlyBefore = process.env.VENDGUARD_ALERT_ONLY;

beforeAll(async () => {
  ({ sb, serviceAccount } = await startGuardrailSandbox());
  events = sb.client(EventBridgeClient, { maxAttempts: 3 });
}, 30_000);
afterAll(async () => {
  if (alertOnlyBefore === undefined) delete process.env.VENDGUARD_ALERT_ONLY;
  else process.env.VENDGUARD_ALERT_ONLY = alertOnlyBefore;
  await sb?.stop();
});
beforeEach(() => {
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

const igwStoreId = (igwId: string) => scopedId({ account: serviceAccount, region: REGION }, igwId);
const gateway = (igwId: string) => sb.runtime.store.get<IgwRecord>(EC2_TABLES.igws, igwStoreId(igwId));
/** Mutating calls the guardrails made as the remediation role. */
const remediations = (igwId: string) =>
  trail(sb).filter(
    (d) =>
      ['DetachInternetGateway', 'DeleteInternetGateway'].includes(String(d.eventName)) &&
      d.errorCode === undefined &&
      String((d.userIdentity as { arn?: string }).arn).includes(':assumed-role/VendguardGuardrailRemediation/') &&
      (d.requestParameters as { internetGatewayId?: string } | null)?.internetGatewayId === igwId,
  );
const sandboxNow = () => sb.runtime.clock.nowMs();

async function replay(rules: string[], fromMs: number) {
  return replayEvents(
    {
      from: { at: new Date(fromMs) },
      to: { at: new Date(sandboxNow() + 1000) },
      rule: rules,
      archive: 'vendguard-archive',
      bus: 'vendguard',
      wait: true,
      pollMs: 20,
    },
    events,
    sandboxNow(),
  );
}

describe('vendguard events replay against the sandbox', () => {
  let igwId: string;
  let vpcId: string;
  let start: number;
  let snapshot: IgwRecord;

  it('leaves a gateway in place while the guardrails are alert-only (dry-run findings only)', async () => {
    process.env.VENDGUARD_ALERT_ONLY = 'true';
    start = sandboxNow() - 1000;
    const ec2 = sb.client(EC2Client, { accountId: serviceAccount, role: 'Developer', session: 'jane', region: REGION });
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }))).Vpc?.VpcId as string;
    igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await waitFor(
      'two dry-run findings',
      () => findings(sb).filter((f) => f.resource === igwId).length >= 2 || undefined,
    );
    await settle(sb);
    expect(
      findings(sb)
        .filter((f) => f.resource === igwId)
        .map((f) => f.outcome),
    ).toEqual(['dry-run', 'dry-run']);
    snapshot = gateway(igwId) as IgwRecord;
    expect(snapshot.vpcId).toBe(vpcId);
  });

  it('remediates the gateway when the archived events are replayed with remediation on', async () => {
    process.env.VENDGUARD_ALERT_ONLY = 'false';
    const result = await replay(['igw-created', 'igw-attached'], start);
    expect(result.state).toBe('COMPLETED');
    await waitFor('the gateway removed', () => gateway(igwId) === undefined || undefined);
    await settle(sb);
    expect(remediations(igwId).map((d) => d.eventName)).toEqual(['DetachInternetGateway', 'DeleteInternetGateway']);
    const replayed = findings(sb)
      .filter((f) => f.resource === igwId)
      .slice(2);
    expect(replayed.map((f) => f.outcome).sort()).toEqual(['already-compliant', 'remediated']);
  });

  it('remediates again when a replayed event finds the gateway recreated', async () => {
    // the gateway comes back with its id and attachment (as if restored); the archive still holds its events
    sb.runtime.store.put(EC2_TABLES.igws, igwStoreId(igwId), snapshot);
    await replay(['igw-attached'], start);
    await waitFor('the recreated gateway removed', () => gateway(igwId) === undefined || undefined);
    await settle(sb);
    expect(remediations(igwId)).toHaveLength(4);
  });

  it('changes nothing when the replayed violations are already fixed', async () => {
    const before = remediations(igwId).length;
    const findingsBefore = findings(sb).length;
    const result = await replay(['igw-created', 'igw-attached'], start);
    expect(result.state).toBe('COMPLETED');
    await waitFor('findings of the replay', () => findings(sb).length >= findingsBefore + 2 || undefined);
    await settle(sb);
    expect(remediations(igwId)).toHaveLength(before);
    expect(
      findings(sb)
        .slice(findingsBefore)
        .map((f) => f.outcome),
    ).toEqual(['already-compliant', 'already-compliant']);
  });

  it('refuses an unknown rule before starting anything', async () => {
    await expect(replay(['no-such-rule'], start)).rejects.toThrow(/no rule no-such-rule on bus vendguard/);
  });
});
