/**
 * The Internet Gateway guard: a service account must not have an IGW of its own. Describe the
 * gateway, leave exempt ones alone, detach it from every VPC and delete it. `NotFound` means
 * already gone; `DependencyViolation` is retried with backoff and then escalated with what blocks it.
 */
import type { EC2Client, InternetGateway } from '@aws-sdk/client-ec2';
import { awsErrorName } from '../shared/errors';
import { memberClient, sdk } from '../shared/guardrails/clients';
import { RemediationFailedError } from '../shared/guardrails/errors';
import { stringField } from '../shared/guardrails/event';
import { exemptTag, hasTagExemptions, isExemptAccount, isExemptVpc } from '../shared/guardrails/exemptions';
import type { FindingDraft, Guard, GuardContext } from '../shared/guardrails/pipeline';

export const IGW_RESOURCE_TYPE = 'AWS::EC2::InternetGateway';
const NOT_FOUND = 'InvalidInternetGatewayID.NotFound';

/** The gateway (and VPC) an event is about. */
export interface IgwTarget {
  readonly igwId: string;
  /** The VPC named by the event (AttachInternetGateway). */
  readonly vpcId?: string;
}

/** Reads the gateway id from a CreateInternetGateway or AttachInternetGateway record. */
export function igwTargetOf(ctx: GuardContext): IgwTarget | undefined {
  const record = ctx.event.record;
  if (!record) return undefined;
  if (record.eventName === 'CreateInternetGateway') {
    const gateway = record.responseElements?.internetGateway;
    const igwId = stringField(gateway, 'internetGatewayId');
    return igwId ? { igwId } : undefined;
  }
  const igwId = stringField(record.requestParameters, 'internetGatewayId');
  const vpcId = stringField(record.requestParameters, 'vpcId');
  return igwId ? { igwId, ...(vpcId ? { vpcId } : {}) } : undefined;
}

/** What the actor did, for the summary sentence. */
function didWhat(ctx: GuardContext, target: IgwTarget): string {
  if (ctx.event.eventName === 'AttachInternetGateway') return `attached ${target.igwId} to ${target.vpcId ?? 'a VPC'}`;
  if (ctx.event.eventName === 'CreateInternetGateway') return `created ${target.igwId}`;
  return `found ${target.igwId}${target.vpcId ? ` attached to ${target.vpcId}` : ''}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `call` and retries a `DependencyViolation` with exponential backoff; returns the last error or undefined. */
async function withDependencyRetry(ctx: GuardContext, call: () => Promise<unknown>): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ctx.settings.dependencyAttempts; attempt++) {
    try {
      await call();
      return undefined;
    } catch (err) {
      if (awsErrorName(err) !== 'DependencyViolation') throw err;
      lastError = err;
      if (attempt < ctx.settings.dependencyAttempts) await sleep(ctx.settings.backoffMs * 2 ** (attempt - 1));
    }
  }
  return lastError;
}

/** Names what keeps a gateway from being detached: public addresses mapped in its VPCs. */
async function blockers(ec2: EC2Client, vpcIds: readonly string[]): Promise<string> {
  try {
    const out = await ec2.send(new (sdk.ec2().DescribeAddressesCommand)({}));
    const mapped = (out.Addresses ?? []).filter((a) => a.AssociationId || a.NetworkInterfaceId || a.InstanceId);
    if (mapped.length === 0)
      return `no mapped public address found; check what in ${vpcIds.join(', ')} uses the gateway`;
    const list = mapped
      .map((a) => `${a.PublicIp ?? a.AllocationId}${a.NetworkInterfaceId ? ` on ${a.NetworkInterfaceId}` : ''}`)
      .join(', ');
    return `mapped public addresses: ${list}`;
  } catch (err) {
    return `could not list public addresses (${awsErrorName(err) ?? (err as Error).message})`;
  }
}

async function describeGateway(ec2: EC2Client, igwId: string): Promise<InternetGateway | undefined> {
  try {
    const out = await ec2.send(new (sdk.ec2().DescribeInternetGatewaysCommand)({ InternetGatewayIds: [igwId] }));
    return out.InternetGateways?.[0];
  } catch (err) {
    if (awsErrorName(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

/**
 * Checks exemptions and removes one gateway. Shared by the event handler and the sweep.
 *
 * @param described - the gateway when the caller already described it (the sweep): no second describe is made
 */
export async function removeInternetGateway(
  ctx: GuardContext,
  target: IgwTarget,
  described?: InternetGateway,
): Promise<FindingDraft> {
  const { event } = ctx;
  const where = `${event.accountId}/${event.region}`;
  const base = {
    resource: target.igwId,
    resourceType: IGW_RESOURCE_TYPE,
    ...(target.vpcId ? { vpcId: target.vpcId } : {}),
  };
  const summary = `${event.actor} ${didWhat(ctx, target)} in ${where}`;

  if (await isExemptAccount(event.accountId)) {
    return { ...base, summary, action: 'none: the account is exempt', outcome: 'exempt', severity: 'info' };
  }
  const ec2 = await memberClient('ec2', event.accountId, event.region, ctx.settings.remediationRole);
  const gateway = described ?? (await describeGateway(ec2, target.igwId));
  if (!gateway) {
    return {
      ...base,
      summary,
      action: 'none: the gateway is already gone',
      outcome: 'already-compliant',
      severity: 'info',
    };
  }
  const vpcIds = (gateway.Attachments ?? []).map((a) => a.VpcId).filter((v): v is string => typeof v === 'string');
  const vpcId = target.vpcId ?? vpcIds[0];
  const withVpc = { ...base, ...(vpcId ? { vpcId } : {}) };

  const exemptVpc =
    vpcIds.find((v) => isExemptVpc(v)) ?? (target.vpcId && isExemptVpc(target.vpcId) ? target.vpcId : undefined);
  if (exemptVpc) {
    return {
      ...withVpc,
      vpcId: exemptVpc,
      summary,
      action: `none: ${exemptVpc} is exempt`,
      outcome: 'exempt',
      severity: 'info',
    };
  }
  const gatewayTag = exemptTag(gateway.Tags);
  if (gatewayTag) {
    return {
      ...withVpc,
      summary,
      action: `none: the gateway is tagged ${gatewayTag}`,
      outcome: 'exempt',
      severity: 'info',
    };
  }
  if (vpcIds.length > 0 && hasTagExemptions()) {
    const vpcs = await ec2.send(new (sdk.ec2().DescribeVpcsCommand)({ VpcIds: vpcIds }));
    for (const vpc of vpcs.Vpcs ?? []) {
      const tag = exemptTag(vpc.Tags);
      if (tag) {
        return {
          ...withVpc,
          vpcId: vpc.VpcId ?? vpcId,
          summary,
          action: `none: ${vpc.VpcId} is tagged ${tag}`,
          outcome: 'exempt',
          severity: 'info',
        };
      }
    }
  }

  const wouldDo =
    vpcIds.length > 0 ? `detach ${target.igwId} from ${vpcIds.join(', ')} and delete it` : `delete ${target.igwId}`;
  const stop = await ctx.gate(wouldDo, { ...withVpc, summary });
  if (stop) return stop;

  // NotFound while acting: another delivery (e.g. Create and Attach handled at once) removed it first.
  let goneMeanwhile = false;
  const alreadyGone: FindingDraft = {
    ...withVpc,
    summary,
    action: 'none: the gateway was removed meanwhile',
    outcome: 'already-compliant',
    severity: 'info',
  };
  for (const attached of vpcIds) {
    const blocked = await withDependencyRetry(ctx, async () => {
      try {
        await ec2.send(
          new (sdk.ec2().DetachInternetGatewayCommand)({ InternetGatewayId: target.igwId, VpcId: attached }),
        );
      } catch (err) {
        const name = awsErrorName(err);
        if (name === NOT_FOUND) goneMeanwhile = true;
        else if (name !== 'Gateway.NotAttached') throw err;
      }
    });
    if (goneMeanwhile) return alreadyGone;
    if (blocked) {
      return {
        ...withVpc,
        vpcId: attached,
        summary,
        action: `tried to detach ${target.igwId} from ${attached} ${ctx.settings.dependencyAttempts} times; it is still attached`,
        outcome: 'failed',
        reason: `DependencyViolation: ${await blockers(ec2, [attached])}`,
      };
    }
  }
  const blocked = await withDependencyRetry(ctx, async () => {
    try {
      await ec2.send(new (sdk.ec2().DeleteInternetGatewayCommand)({ InternetGatewayId: target.igwId }));
    } catch (err) {
      if (awsErrorName(err) === NOT_FOUND) goneMeanwhile = true;
      else throw err;
    }
  });
  if (goneMeanwhile) return alreadyGone;
  if (blocked) {
    throw new RemediationFailedError(
      `${target.igwId} in ${where} was detached but could not be deleted: ${(blocked as Error).message}`,
      { cause: blocked },
    );
  }
  return {
    ...withVpc,
    summary,
    action: vpcIds.length > 0 ? `detached from ${vpcIds.join(', ')} and deleted` : 'deleted',
    outcome: 'remediated',
  };
}

/** The guard of the `igw-created` and `igw-attached` rules. */
export const internetGatewayGuard: Guard = async (ctx) => {
  const target = igwTargetOf(ctx);
  if (!target) {
    return {
      summary: `${ctx.event.actor} called ${ctx.event.eventName} in ${ctx.event.accountId}/${ctx.event.region} but the event names no gateway`,
      action: 'none: the event is ambiguous, alerting instead of acting',
      outcome: 'alerted',
      resourceType: IGW_RESOURCE_TYPE,
      reason: 'no internetGatewayId in the CloudTrail record',
    };
  }
  return removeInternetGateway(ctx, target);
};
