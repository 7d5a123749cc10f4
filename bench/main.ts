/**
 * `npm run bench -- <name> [args]`: runs one benchmark program. Benchmarks print a table and
 * write JSON under bench/results/; they are never tests and assert nothing about time.
 */
import '../sandbox/core/polyfills';

// CI and local development run Node 20 on purpose (deployed functions run nodejs22.x): no SDK nag.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Bench {
  readonly description: string;
  readonly load: () => Promise<{ run: (args: string[]) => Promise<unknown> }>;
}

const BENCHES: Readonly<Record<string, Bench>> = {
  sandbox: {
    description: 'sandbox requests/s and p50/p99 latency for a mixed SDK workload',
    load: () => import('./sandbox'),
  },
  vending: {
    description: 'simulated vending time for 1 and N requests vs the modelled floor; API calls per account',
    load: () => import('./vending'),
  },
  guardrails: {
    description: 'guardrail events/s, PutEvents→remediation latency, calls per remediation, exactly-once counts',
    load: () => import('./guardrails'),
  },
  start: {
    description: 'sandbox start time: cold (synthesize + deploy the CDK app), warm (cached assembly), unchanged',
    load: () => import('./start'),
  },
  bundles: {
    description: 'bundle size and cold require time per function vs bare node',
    load: () => import('./bundles'),
  },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.error('usage: npm run bench -- <name> [options]\n');
    for (const [key, b] of Object.entries(BENCHES)) console.error(`  ${key.padEnd(11)} ${b.description}`);
    console.error('\nexample: npm run bench -- vending --accounts 50');
    process.exitCode = name ? 2 : 0;
    return;
  }
  const mod = await bench.load();
  await mod.run(args);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
