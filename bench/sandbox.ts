/**
 * `npm run bench -- sandbox [--requests N] [--concurrency C] [--seed S]`: the sandbox's own
 * overhead. Starts a sandbox on loopback in a temporary home, runs a bounded mixed SDK workload
 * (Organizations ListAccounts / DescribeOrganization, STS AssumeRole / GetCallerIdentity,
 * CloudFormation ListStackSets, Step Functions ListStateMachines, EC2 DescribeVpcs as a member
 * account's developer), prints requests/s and p50/p99 latency per operation and writes
 * `bench/results/sandbox.json`. After a warm-up pass it runs the workload six times in one process,
 * alternating signature and policy checks off and on, and reports what they cost from the median
 * pass of each side (budget: 20 % of throughput).
 */
import '../sandbox/core/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { assumedRolePrincipal } from '../sandbox/core/identity';
import { startSandbox } from '../sandbox/index';
import { percentile, round, writeResult } from './stats';

interface OpStats {
  readonly operation: string;
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

function summarise(operation: string, samples: number[], errors: number): OpStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    operation,
    count: samples.length,
    errors,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(samples.reduce((s, x) => s + x, 0) / Math.max(1, samples.length)),
  };
}

/** One pass of the workload: per-operation figures and throughput. */
interface Pass {
  readonly label: string;
  readonly elapsedSeconds: number;
  readonly requestsPerSecond: number;
  readonly overall: OpStats;
  readonly operations: OpStats[];
}

async function runPass(
  label: string,
  mix: readonly [string, () => Promise<unknown>][],
  total: number,
  concurrency: number,
): Promise<Pass> {
  const samples = new Map<string, number[]>(mix.map(([name]) => [name, []]));
  const errors = new Map<string, number>(mix.map(([name]) => [name, 0]));
  const all: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const [name, call] = mix[i % mix.length] as [string, () => Promise<unknown>];
      const t0 = performance.now();
      try {
        await call();
      } catch {
        errors.set(name, (errors.get(name) ?? 0) + 1);
      }
      const ms = performance.now() - t0;
      samples.get(name)?.push(ms);
      all.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    label,
    elapsedSeconds: round(elapsedS),
    requestsPerSecond: round(total / elapsedS),
    overall: summarise(
      'all',
      all,
      [...errors.values()].reduce((a, b) => a + b, 0),
    ),
    operations: mix.map(([name]) => summarise(name, samples.get(name) ?? [], errors.get(name) ?? 0)),
  };
}

export async function run(args: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '16' },
      seed: { type: 'string', default: '42' },
    },
  });
  const total = Math.max(1, Math.min(100_000, Number(values.requests)));
  const concurrency = Math.max(1, Math.min(256, Number(values.concurrency)));
  const home = mkdtempSync(join(tmpdir(), 'vendguard-bench-'));
  const sb = await startSandbox({ port: 0, home, timeScale: 600, seed: Number(values.seed), quiet: true });
  try {
    const egress = sb.runtime.organizations.accountIdByName('egress') ?? '100000000005';
    // the admin (management account: identity policy only) and a developer of a member account
    // (identity policy and the SCPs at every level of its OU path)
    const admin = {
      endpoint: sb.endpoint,
      region: sb.runtime.homeRegion,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    };
    const developer = {
      ...admin,
      // a session that outlives the run on the compressed clock (like the tests' sessions)
      credentials: sb.runtime.registerPrincipal(assumedRolePrincipal(egress, 'Developer', 'bench')),
    };
    const org = new OrganizationsClient({ ...admin, region: 'us-east-1' });
    const sts = new STSClient(admin);
    const cfn = new CloudFormationClient(admin);
    const sfn = new SFNClient(admin);
    const ec2 = new EC2Client(developer);
    const served = new Set(sb.services.map((s) => s.signingName));
    const mix: [string, () => Promise<unknown>][] = [
      ['organizations:ListAccounts', () => org.send(new ListAccountsCommand({}))],
      ['organizations:DescribeOrganization', () => org.send(new DescribeOrganizationCommand({}))],
      [
        'sts:AssumeRole',
        () =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws:iam::${egress}:role/OrganizationAccountAccessRole`,
              RoleSessionName: 'bench',
            }),
          ),
      ],
      ['sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({}))],
    ];
    if (served.has('cloudformation'))
      mix.push(['cloudformation:ListStackSets', () => cfn.send(new ListStackSetsCommand({}))]);
    if (served.has('states')) mix.push(['states:ListStateMachines', () => sfn.send(new ListStateMachinesCommand({}))]);
    if (served.has('ec2')) mix.push(['ec2:DescribeVpcs (member, SCPs)', () => ec2.send(new DescribeVpcsCommand({}))]);
    // warm up every client once (connection, SDK lazy loading)
    for (const [, call] of mix) await call().catch(() => undefined);

    // side by side in one run: signatures and policies off, then on, three times each (alternating,
    // after a discarded warm-up pass that lets the JIT settle); each side is its median pass
    const gate = sb.runtime.gatekeeper;
    await runPass('warm-up', mix, total, concurrency);
    const passes: Pass[] = [];
    for (const enforcing of [false, true, false, true, false, true]) {
      gate.enforcing = enforcing;
      passes.push(await runPass(enforcing ? 'enforced' : 'unchecked', mix, total, concurrency));
    }
    gate.enforcing = true;
    const median = (label: string) =>
      passes.filter((p) => p.label === label).sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[1] as Pass;
    const unchecked = median('unchecked');
    const enforced = median('enforced');
    const costPercent = round((1 - enforced.requestsPerSecond / unchecked.requestsPerSecond) * 100);
    const result = {
      benchmark: 'sandbox',
      date: new Date().toISOString(),
      node: process.version,
      requests: total,
      concurrency,
      elapsedSeconds: enforced.elapsedSeconds,
      requestsPerSecond: enforced.requestsPerSecond,
      overall: enforced.overall,
      operations: enforced.operations,
      authorization: {
        uncheckedRequestsPerSecond: unchecked.requestsPerSecond,
        enforcedRequestsPerSecond: enforced.requestsPerSecond,
        costPercent,
        budgetPercent: 20,
        uncheckedP50Ms: unchecked.overall.p50Ms,
        enforcedP50Ms: enforced.overall.p50Ms,
        uncheckedP99Ms: unchecked.overall.p99Ms,
        enforcedP99Ms: enforced.overall.p99Ms,
      },
      passes: passes.map((p) => ({ label: p.label, requestsPerSecond: p.requestsPerSecond })),
    };
    const rows = [...enforced.operations, enforced.overall];
    console.log(
      `sandbox bench: ${total} requests per pass, concurrency ${concurrency}, on loopback (figures of the median enforced pass)\n`,
    );
    console.log(
      `${'operation'.padEnd(38)}${'count'.padStart(7)}${'errors'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'mean ms'.padStart(9)}`,
    );
    for (const r of rows) {
      console.log(
        `${r.operation.padEnd(38)}${String(r.count).padStart(7)}${String(r.errors).padStart(8)}${r.p50Ms.toFixed(2).padStart(9)}${r.p99Ms.toFixed(2).padStart(9)}${r.meanMs.toFixed(2).padStart(9)}`,
      );
    }
    console.log('\npass          requests/s');
    for (const p of passes) console.log(`${p.label.padEnd(14)}${String(p.requestsPerSecond).padStart(10)}`);
    console.log(
      `\nsignatures + policies: ${unchecked.requestsPerSecond} → ${enforced.requestsPerSecond} requests/s, cost ${costPercent} % (budget 20 %)`,
    );
    console.log(`written: ${writeResult('sandbox', result)}`);
    return result;
  } finally {
    await sb.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
