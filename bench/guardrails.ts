/**
 * `npm run bench -- guardrails [--events N] [--window W] [--seed S]`: pushes a bounded mix of
 * CloudTrail events through the sandbox bus and measures the guardrails end to end.
 *
 * Mix (of N events): 40 % violating (a developer attached a real IGW in a service account), 20 %
 * exempt (the same in the egress account), 20 % duplicates (a violating event delivered again
 * with the same eventID, often while the first is in flight), 20 % irrelevant (calls no rule
 * matches). At most W events are in flight at once. The scene (accounts, VPCs, gateways) is set up
 * beforehand as the remediation role, whose calls the rules ignore, and is not timed.
 *
 * Prints events/s, p50/p99 from publish to the guardrail's completion, AWS calls per remediation
 * (calls the remediation role makes in the member account; credentials are cached) and the counts: remediated exactly once,
 * duplicates suppressed, exempt untouched, lost. Writes `bench/results/guardrails.json`.
 * The blast-radius limit is raised for the run (one account takes thousands of remediations).
 */
import '../sandbox/core/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeInternetGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2';
import { loadOrganizationConfig } from '../config/load';
import { setOrganizationConfig } from '../functions/shared/config';
import type { GuardResult } from '../functions/shared/guardrails/pipeline';
import { assumedRolePrincipal } from '../sandbox/core/identity';
import type { Principal } from '../sandbox/core/types';
import { startSandbox } from '../sandbox/index';
import { Ec2State } from '../sandbox/services/ec2';
import { createAccountIn, deploySecurityBaseline } from '../test/helpers/sandbox';
import { percentile, round, writeResult } from './stats';

const REMEDIATION_ROLE = 'VendguardGuardrailRemediation';
const REMEDIATION_SESSION_ARN = `:assumed-role/${REMEDIATION_ROLE}/vendguard-guardrails`;

type Kind = 'violating' | 'exempt' | 'duplicate' | 'irrelevant';
interface Planned {
  readonly kind: Kind;
  readonly eventId: string;
  readonly account: string;
  readonly detail: Record<string, unknown>;
  readonly igwId?: string;
}

function cloudTrailDetail(
  account: string,
  region: string,
  eventName: string,
  eventID: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROABENCHDEVELOPER:jane',
      arn: `arn:aws:sts::${account}:assumed-role/Developer/jane`,
      accountId: account,
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'Developer', accountId: account } },
    },
    eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: region,
    requestParameters,
    responseElements,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}

/** A run stops when no guardrail has finished for this long. */
const STALL_MS = 30_000;

export async function run(args: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string', default: '5000' },
      window: { type: 'string', default: '16' },
      seed: { type: 'string', default: '42' },
    },
  });
  const total = Math.max(10, Math.min(50_000, Number(values.events)));
  const window = Math.max(1, Math.min(1024, Number(values.window)));
  const home = mkdtempSync(join(tmpdir(), 'vendguard-bench-guardrails-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const base = loadOrganizationConfig().config;
  setOrganizationConfig({
    ...base,
    guardrails: { ...base.guardrails, blastRadius: { maxActionsPerAccount: 1_000_000, windowMinutes: 60 } },
  });
  // the network converged: the egress account's VPC and its Internet Gateway, which the exempt events name
  const sb = await startSandbox({
    port: 0,
    home,
    timeScale: 600,
    seed: Number(values.seed),
    quiet: true,
    convergeNetwork: true,
  });
  try {
    const region = sb.runtime.homeRegion;
    const client = <C>(Ctor: new (c: object) => C, accountId?: string, role = REMEDIATION_ROLE, r = region): C => {
      const credentials = accountId
        ? sb.runtime.registerPrincipal(assumedRolePrincipal(accountId, role, 'bench-setup'))
        : { accessKeyId: 'test', secretAccessKey: 'test' };
      return new Ctor({ endpoint: sb.endpoint, region: r, credentials, maxAttempts: 1 });
    };

    // --- scene (not timed) -------------------------------------------------------------------
    const serviceAccount = await createAccountIn(sb, 'bench-service');
    const egress = sb.runtime.organizations.accountIdByName('egress') as string;
    const counts: Record<Kind, number> = {
      violating: Math.round(total * 0.4),
      exempt: Math.round(total * 0.2),
      duplicate: Math.round(total * 0.2),
      irrelevant: 0,
    };
    counts.irrelevant = total - counts.violating - counts.exempt - counts.duplicate;

    // The remediation role the guardrails assume comes with the security baseline, as vending deploys it;
    // its forwarding rule is what brings each account's CloudTrail events to the hub.
    await deploySecurityBaseline(sb, serviceAccount, egress);
    // Each violating event is about its own gateway attached to its own VPC (AWS allows one per VPC),
    // planted without API calls: nobody in the account may create one any more (SCPs, least privilege),
    // and the events are the benchmark's own.
    const ec2State = new Ec2State(sb.runtime);
    const scope = { account: serviceAccount, region };
    const gateways: { igwId: string; vpcId: string }[] = [];
    for (let i = 0; i < counts.violating; i++) {
      const vpcId = ec2State.createVpc(scope, '10.60.0.0/16', false, []).vpcId;
      const igwId = ec2State.newId('igw-');
      ec2State.put(scope, igwId, { internetGatewayId: igwId, ownerId: serviceAccount, vpcId, tags: [] });
      gateways.push({ igwId, vpcId });
    }
    const egressSetup = client(EC2Client, egress, 'OrganizationAccountAccessRole');
    const egressGateways =
      (await egressSetup.send(new DescribeInternetGatewaysCommand({}))).InternetGateways?.map(
        (g) => g.InternetGatewayId as string,
      ) ?? [];
    const egressIgw = egressGateways[0] as string;
    // without it the exempt events would name nothing and "exempt untouched" would read 0, not fail
    if (!egressIgw) throw new Error('the egress account has no Internet Gateway: did network converge run?');

    // --- the mix --------------------------------------------------------------------------------
    const violating: Planned[] = gateways.map(({ igwId, vpcId }, i) => ({
      kind: 'violating',
      eventId: `bench-attach-${i}`,
      account: serviceAccount as string,
      igwId,
      detail: cloudTrailDetail(
        serviceAccount as string,
        region,
        'AttachInternetGateway',
        `bench-attach-${i}`,
        { internetGatewayId: igwId, vpcId },
        { _return: true },
      ),
    }));
    const exempt: Planned[] = Array.from({ length: counts.exempt }, (_, i) => ({
      kind: 'exempt',
      eventId: `bench-exempt-${i}`,
      account: egress,
      igwId: egressIgw,
      detail: cloudTrailDetail(
        egress,
        region,
        'AttachInternetGateway',
        `bench-exempt-${i}`,
        { internetGatewayId: egressIgw, vpcId: 'vpc-egress' },
        { _return: true },
      ),
    }));
    const irrelevant: Planned[] = Array.from({ length: counts.irrelevant }, (_, i) => ({
      kind: 'irrelevant',
      eventId: `bench-irrelevant-${i}`,
      account: serviceAccount as string,
      detail: cloudTrailDetail(
        serviceAccount as string,
        region,
        'CreateTags',
        `bench-irrelevant-${i}`,
        { resourcesSet: {} },
        { _return: true },
      ),
    }));
    // Interleave: each duplicate follows its original a few positions later.
    const plan: Planned[] = [];
    const queues: Planned[][] = [violating.slice(), exempt.slice(), irrelevant.slice()];
    let dupesLeft = counts.duplicate;
    let v = 0;
    while (queues.some((q) => q.length > 0)) {
      for (const q of queues) {
        const next = q.shift();
        if (!next) continue;
        plan.push(next);
        if (next.kind === 'violating' && dupesLeft > 0) {
          dupesLeft--;
          const original = violating[v] as Planned;
          plan.push({ ...original, kind: 'duplicate' });
        }
        if (next.kind === 'violating') v++;
      }
    }
    while (dupesLeft-- > 0) plan.push({ ...(violating[dupesLeft % violating.length] as Planned), kind: 'duplicate' });

    // --- instrumentation ----------------------------------------------------------------------
    // Every request resolves its caller's identity once: count the remediation role's calls
    // (the member-account calls of the guardrails).
    const calls = { member: 0 };
    const identities = sb.runtime.identities as { lookup: (key: string) => { principal: Principal } | undefined };
    const lookup = identities.lookup.bind(identities);
    identities.lookup = (key: string) => {
      const found = lookup(key);
      if (found?.principal.arn.endsWith(REMEDIATION_SESSION_ARN)) calls.member++;
      return found;
    };
    // A guardrail invocation settles the oldest waiter of its eventID.
    const pending = new Map<string, ((r: GuardResult | Error) => void)[]>();
    let handled = 0;
    // (what Lambda runs for the deployed guardrail functions, after EventBridge invoked them)
    const functions = sb.runtime.functions;
    const runModule = functions.runModule.bind(functions);
    functions.runModule = async (invocation) => {
      const eventId = (invocation.event as { detail?: { eventID?: string } }).detail?.eventID ?? '';
      let outcome: GuardResult | Error = new Error('no result');
      try {
        outcome = (await runModule(invocation)) as GuardResult;
        return outcome;
      } catch (err) {
        outcome = err as Error;
        throw err;
      } finally {
        handled++;
        const queue = pending.get(eventId);
        const next = queue?.shift();
        if (queue && queue.length === 0) pending.delete(eventId);
        next?.(outcome);
      }
    };
    const publish = (item: Planned) =>
      sb.runtime.bus.publish({
        source: 'aws.ec2',
        detailType: 'AWS API Call via CloudTrail',
        detail: item.detail,
        account: item.account,
        region,
      });

    // --- run --------------------------------------------------------------------------------------
    const latencies: number[] = [];
    const results: (GuardResult | Error)[] = [];
    let inFlight = 0;
    let cursor = 0;
    const started = performance.now();
    // bounded: a run where no guardrail finishes for STALL_MS (an event that never reaches the hub) stops
    let lastProgress = performance.now();
    await new Promise<void>((resolveAll, rejectAll) => {
      const watchdog = setInterval(() => {
        if (performance.now() - lastProgress <= STALL_MS) return;
        clearInterval(watchdog);
        rejectAll(
          new Error(`no guardrail finished for ${STALL_MS / 1000} s with ${inFlight} events in flight: stopped`),
        );
      }, 1000);
      const pump = (): void => {
        lastProgress = performance.now();
        while (inFlight < window && cursor < plan.length) {
          const item = plan[cursor++] as Planned;
          if (item.kind === 'irrelevant') {
            publish(item);
            continue;
          }
          inFlight++;
          const t0 = performance.now();
          pending.set(item.eventId, [
            ...(pending.get(item.eventId) ?? []),
            (result) => {
              latencies.push(performance.now() - t0);
              results.push(result);
              inFlight--;
              pump();
            },
          ]);
          publish(item);
        }
        if (cursor >= plan.length && inFlight === 0) {
          clearInterval(watchdog);
          resolveAll();
        }
      };
      pump();
    });
    const elapsedS = (performance.now() - started) / 1000;

    // --- verdict ------------------------------------------------------------------------------------
    const remaining = new Set(
      (
        await client(EC2Client, serviceAccount, 'OrganizationAccountAccessRole').send(
          new DescribeInternetGatewaysCommand({}),
        )
      ).InternetGateways?.map((g) => g.InternetGatewayId) ?? [],
    );
    const egressAfter = new Set(
      (await egressSetup.send(new DescribeInternetGatewaysCommand({}))).InternetGateways?.map(
        (g) => g.InternetGatewayId,
      ) ?? [],
    );
    const outcomeOf = (r: GuardResult | Error) =>
      r instanceof Error ? `error:${r.name}` : r.status === 'done' ? r.finding.outcome : r.status;
    const outcomes: Record<string, number> = {};
    for (const r of results) outcomes[outcomeOf(r)] = (outcomes[outcomeOf(r)] ?? 0) + 1;
    const remediations = outcomes.remediated ?? 0;
    const removed = gateways.filter((g) => !remaining.has(g.igwId)).length;
    const duplicatesSuppressed = outcomes.duplicate ?? 0;
    const exemptUntouched = egressAfter.has(egressIgw) ? (outcomes.exempt ?? 0) : 0;
    const expected = counts.violating + counts.exempt + counts.duplicate;
    const lost = expected - results.length + (gateways.length - removed);
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      benchmark: 'guardrails',
      date: new Date().toISOString(),
      node: process.version,
      events: plan.length,
      window,
      mix: counts,
      elapsedSeconds: round(elapsedS),
      eventsPerSecond: round(plan.length / elapsedS),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
      awsCallsPerRemediation: {
        memberAccount: round(calls.member / Math.max(1, remediations)),
        handledEvents: handled,
      },
      counts: {
        remediations,
        gateways: gateways.length,
        gatewaysRemoved: removed,
        remediatedExactlyOnce: remediations === gateways.length && removed === gateways.length,
        duplicatesSuppressed,
        duplicatesSent: counts.duplicate,
        exemptUntouched,
        exemptSent: counts.exempt,
        lost,
      },
      outcomes,
    };
    console.log(`guardrails bench: ${plan.length} events through the sandbox bus, at most ${window} in flight\n`);
    const rows: [string, string][] = [
      ['events/s', String(result.eventsPerSecond)],
      ['p50 publish → done (ms)', result.latencyMs.p50.toFixed(2)],
      ['p99 publish → done (ms)', result.latencyMs.p99.toFixed(2)],
      ['member-account calls / remediation', String(result.awsCallsPerRemediation.memberAccount)],
      ['remediated exactly once', `${remediations} of ${gateways.length} (${removed} removed)`],
      ['duplicates suppressed', `${duplicatesSuppressed} of ${counts.duplicate}`],
      ['exempt untouched', `${exemptUntouched} of ${counts.exempt}`],
      ['irrelevant (no rule)', String(counts.irrelevant)],
      ['lost', String(lost)],
    ];
    for (const [k, val] of rows) console.log(`${k.padEnd(38)}${val.padStart(16)}`);
    console.log(`\nwritten: ${writeResult('guardrails', result)}`);
    return result;
  } finally {
    await sb.stop();
    setOrganizationConfig(undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
