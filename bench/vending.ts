/**
 * `npm run bench -- vending [--accounts 50] [--scale 20] [--seed 42]`: account vending on the
 * sandbox's AWS-like latency model. Prints the simulated time for 1 request and for N concurrent
 * ones, the floor the modelled limits allow for N (creation concurrency × creation time + one
 * baseline + SCPs), their ratio, and the AWS API calls per vended account split by operation
 * (polling vs the rest). Writes bench/results/vending.json. Asserts nothing.
 */
import '../sandbox/core/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startSandbox } from '../sandbox/index';
import { DEPLOY_MIN_MS, DEPLOY_SPREAD_MS } from '../sandbox/services/cloudformation/engine';
import { MAX_CONCURRENT_CREATIONS, MAX_CREATE_MS, MIN_CREATE_MS } from '../sandbox/services/organizations/accounts';
import { writeResult } from './stats';

/** Status reads of asynchronous work: what "polling" means here. */
const POLLING = new Set(['organizations:DescribeCreateAccountStatus', 'cloudformation:DescribeStackSetOperation']);
/** Calls the bench itself makes to follow executions, and the sandbox's internal fault points. */
const NOT_VENDING = new Set([
  'states:DescribeExecution',
  'cloudformation:DeployStackInstance',
  'organizations:CreateAccountProcess',
  'lambda:Invoke',
  'events:DeliverToTarget',
]);

interface Phase {
  readonly accounts: number;
  readonly succeeded: number;
  readonly failed: readonly string[];
  readonly simulatedSeconds: number;
  readonly realSeconds: number;
  readonly calls: Readonly<Record<string, number>>;
  /** vend-create-account invocations that found no free creation slot (each re-check is one ListCreateAccountStatus). */
  readonly slotWaits: number;
}

async function phase(accounts: number, scale: number, seed: number, tag: string): Promise<Phase> {
  const home = mkdtempSync(join(tmpdir(), 'vendguard-bench-vending-'));
  const sb = await startSandbox({ port: 0, home, timeScale: scale, seed, quiet: true });
  try {
    const base = {
      endpoint: sb.endpoint,
      region: sb.runtime.homeRegion,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
    };
    // the sandbox deploys the config's baseline stack sets on start, as the CDK governance stack does
    const calls: Record<string, number> = {};
    const runtime = sb.runtime;
    const fault = runtime.fault.bind(runtime);
    runtime.fault = (service: string, operation: string) => {
      const key = `${service}:${operation}`;
      if (!NOT_VENDING.has(key)) calls[key] = (calls[key] ?? 0) + 1;
      return fault(service, operation);
    };
    const events = new EventBridgeClient(base);
    const sfn = new SFNClient(base);
    const ids = Array.from({ length: accounts }, (_, i) => `req-bench-${tag}-${i + 1}`);
    const t0 = runtime.clock.nowMs();
    const real0 = Date.now();
    for (let i = 0; i < ids.length; i += 10) {
      await events.send(
        new PutEventsCommand({
          Entries: ids.slice(i, i + 10).map((requestId, j) => ({
            EventBusName: 'vendguard',
            Source: 'vendguard.requests',
            DetailType: 'Account Request',
            Detail: JSON.stringify({
              name: `bench-${tag}-${i + j + 1}`,
              email: `aws-bench-${tag}-${i + j + 1}@acme.example`,
              ou: (i + j) % 2 ? 'Workloads/Dev' : 'Sandbox',
              owner: 'team-bench',
              environment: (i + j) % 2 ? 'dev' : 'prod',
              requestId,
            }),
          })),
        }),
      );
    }
    const smArn = `arn:aws:states:${runtime.homeRegion}:${runtime.managementAccountId}:stateMachine:vendguard-account-vending`;
    const execArn = (id: string) => `${smArn.replace(':stateMachine:', ':execution:')}:${id}`;
    const pending = new Set(ids);
    const failed: string[] = [];
    let lastStop = t0;
    const deadline = Date.now() + 20 * 60_000;
    while (pending.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      for (const id of [...pending]) {
        const out = await sfn.send(new DescribeExecutionCommand({ executionArn: execArn(id) })).catch(() => undefined);
        if (!out || out.status === 'RUNNING') continue;
        pending.delete(id);
        if (out.status !== 'SUCCEEDED') failed.push(`${id}: ${out.status} ${out.error ?? ''} ${out.cause ?? ''}`);
        lastStop = Math.max(lastStop, out.stopDate?.getTime() ?? runtime.clock.nowMs());
      }
    }
    for (const id of pending) failed.push(`${id}: still running after 20 minutes`);
    const invocations = runtime.store.list<{ functionName: string }>('invocations');
    const createInvocations = invocations.filter((i) => i.functionName.endsWith('vend-create-account')).length;
    const slotWaits = Math.max(0, createInvocations - (calls['organizations:CreateAccount'] ?? 0));
    return {
      accounts,
      succeeded: accounts - failed.length,
      failed,
      simulatedSeconds: (lastStop - t0) / 1000,
      realSeconds: (Date.now() - real0) / 1000,
      calls,
      slotWaits,
    };
  } finally {
    await sb.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** The floor the modelled limits allow for `n` accounts, in simulated seconds. */
export function floorSeconds(n: number): { seconds: number; parts: Record<string, number> } {
  const creation = (MIN_CREATE_MS + MAX_CREATE_MS) / 2 / 1000;
  const waves = Math.ceil(n / MAX_CONCURRENT_CREATIONS);
  const baseline = (DEPLOY_MIN_MS + DEPLOY_SPREAD_MS / 2) / 1000;
  return {
    seconds: waves * creation + baseline,
    parts: { creationWaves: waves, meanCreationSeconds: creation, meanBaselineSeconds: baseline, scpSeconds: 0 },
  };
}

function perAccount(p: Phase) {
  const rows = Object.entries(p.calls)
    .map(([op, n]) => ({ op, perAccount: n / Math.max(1, p.succeeded) }))
    .sort((a, b) => b.perAccount - a.perAccount);
  const total = rows.reduce((s, r) => s + r.perAccount, 0);
  const slotPolls = p.slotWaits / Math.max(1, p.succeeded);
  const polling = rows.filter((r) => POLLING.has(r.op)).reduce((s, r) => s + r.perAccount, 0) + slotPolls;
  return { rows, total, polling, pollingShare: total ? polling / total : 0 };
}

export async function run(args: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: {
      accounts: { type: 'string', default: '50' },
      scale: { type: 'string', default: '20' },
      seed: { type: 'string', default: '42' },
    },
  });
  // The functions run in this process; their logs would drown the table.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const n = Math.max(1, Math.min(500, Number(values.accounts)));
  const scale = Math.max(1, Number(values.scale));
  const seed = Number(values.seed);
  const one = await phase(1, scale, seed, 'one');
  const many = await phase(n, scale, seed, 'many');
  const floor = floorSeconds(n);
  const ratio = many.simulatedSeconds / floor.seconds;
  const calls = perAccount(many);

  const fmt = (x: number) => x.toFixed(1);
  console.log(`vending bench: ${n} accounts, time scale ${scale}, seed ${seed}\n`);
  console.log(`  1 request              ${fmt(one.simulatedSeconds)} s simulated (${one.succeeded}/1 succeeded)`);
  console.log(
    `  ${String(n).padEnd(3)} concurrent         ${fmt(many.simulatedSeconds)} s simulated (${many.succeeded}/${n} succeeded, ${fmt(many.realSeconds)} s real)`,
  );
  console.log(
    `  floor for ${String(n).padEnd(3)}          ${fmt(floor.seconds)} s = ${floor.parts.creationWaves} waves × ${floor.parts.meanCreationSeconds} s creation + ${floor.parts.meanBaselineSeconds} s baseline + SCPs`,
  );
  console.log(`  ratio                  ${ratio.toFixed(2)} (goal ≤ 1.25)\n`);
  console.log(`  API calls per vended account: ${fmt(calls.total)} (polling ${fmt(calls.polling)})`);
  for (const r of calls.rows)
    console.log(`    ${r.op.padEnd(48)} ${r.perAccount.toFixed(2)}${POLLING.has(r.op) ? '  (polling)' : ''}`);
  const rechecks = (many.slotWaits / Math.max(1, many.succeeded)).toFixed(2);
  console.log(`    ${'of which slot re-checks (ListCreateAccountStatus)'.padEnd(48)} ${rechecks}  (polling)`);
  console.log(`  polling share          ${(calls.pollingShare * 100).toFixed(0)} % (goal ≤ 50 %)`);
  if (many.failed.length) console.log(`\n  failures:\n    ${many.failed.slice(0, 10).join('\n    ')}`);

  const result = {
    accounts: n,
    scale,
    seed,
    oneRequest: { simulatedSeconds: one.simulatedSeconds, succeeded: one.succeeded },
    concurrent: {
      simulatedSeconds: many.simulatedSeconds,
      realSeconds: many.realSeconds,
      succeeded: many.succeeded,
      failed: many.failed,
    },
    floor,
    ratio,
    callsPerAccount: Object.fromEntries(calls.rows.map((r) => [r.op, Number(r.perAccount.toFixed(3))])),
    slotRecheckCallsPerAccount: many.slotWaits / Math.max(1, many.succeeded),
    pollingPerAccount: calls.polling,
    pollingShare: calls.pollingShare,
  };
  console.log(`\n  written: ${writeResult('vending', result)}`);
  return result;
}
