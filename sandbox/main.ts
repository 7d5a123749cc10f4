import './core/polyfills';
import { parseArgs } from 'node:util';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PortInUseError } from './core/errors';
import { type RunningSandbox, startSandbox } from './index';

// CI and local development run Node 20 on purpose (deployed functions run nodejs22.x): no SDK nag.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm start`: runs the sandbox in the foreground until Ctrl-C / SIGTERM.
 *
 * @example
 * npm start -- --port 4566 --time-scale 600 --seed 7 --faults faults.json
 */

const USAGE = `usage: npm start -- [--port N] [--home DIR] [--time-scale N] [--seed N] [--faults FILE] [--reset] [--seed-network]`;

function parse(): Parameters<typeof startSandbox>[0] {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      home: { type: 'string' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      reset: { type: 'boolean' },
      // the sandbox's own transit gateway, egress VPC and bastion group (RuntimeOptions.seedNetwork)
      'seed-network': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      console.error(`sandbox: --${name} must be a number, got ${v}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const port = num('port', values.port);
  const timeScale = num('time-scale', values['time-scale']);
  const seed = num('seed', values.seed);
  return {
    ...(port !== undefined ? { port } : {}),
    ...(values.home ? { home: values.home } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(values.faults ? { faultsFile: values.faults } : {}),
    ...(values.reset ? { reset: true } : {}),
    ...(values['seed-network'] ? { seedNetwork: true } : {}),
    convergeNetwork: true,
  };
}

async function describe(sb: RunningSandbox, startedMs: number): Promise<void> {
  const { runtime, endpoint, deployment } = sb;
  const config = { endpoint, region: runtime.homeRegion, credentials: runtime.hubCredentials(), maxAttempts: 1 };
  const count = async (what: () => Promise<number>, fallback: string): Promise<string> => {
    try {
      return String(await what());
    } catch {
      return fallback;
    }
  };
  const machines = await count(async () => {
    const out = await new SFNClient(config).send(new ListStateMachinesCommand({}));
    return out.stateMachines?.length ?? 0;
  }, '?');
  const rules = await count(async () => {
    const out = await new EventBridgeClient(config).send(new ListRulesCommand({ EventBusName: 'vendguard' }));
    return out.Rules?.length ?? 0;
  }, '?');
  const functions = await count(async () => {
    const out = await new LambdaClient(config).send(new ListFunctionsCommand({}));
    return out.Functions?.length ?? 0;
  }, '?');
  const lines = [
    `vendguard sandbox listening on ${endpoint} (started in ${((performance.now() - startedMs) / 1000).toFixed(1)} s)`,
    `  home ${runtime.home}   time scale ${runtime.clock.scale}x   seed ${runtime.seed}   now ${runtime.clock.now().toISOString()}`,
    '',
    '  accounts:',
  ];
  const view = runtime.organizations;
  for (const a of runtime.config.accounts) {
    lines.push(`    ${a.name.padEnd(18)} ${view.accountIdByName(a.name) ?? '?'}  ${a.ou}`);
  }
  const { assembly } = deployment;
  lines.push(
    '',
    `  CDK app: assembly ${assembly.hash} (${assembly.cached ? 'cached' : `synthesized in ${(assembly.ms / 1000).toFixed(1)} s`})`,
  );
  for (const stack of deployment.stacks) {
    lines.push(`    ${stack.name.padEnd(26)} ${stack.account} ${stack.region.padEnd(10)} ${stack.action}`);
  }
  const network = sb.network;
  if (network && 'transitGatewayId' in network) {
    const changed = network.wiring.filter((w) => w.change !== 'unchanged').length;
    lines.push(
      `  network: ${network.status}   Transit Gateway ${network.transitGatewayId}   core routes ${network.wiring.length} (${changed} changed)${network.failures.length ? `   ${network.failures.join('; ')}` : ''}`,
    );
  } else if (network && 'reason' in network) lines.push(`  network: still converging (${network.reason})`);
  lines.push(
    `  functions: ${functions}   state machines: ${machines}   rules on bus vendguard: ${rules}   faults: ${runtime.faults.list().length}`,
    '',
  );
  lines.push('  point the SDK / CLI at it:');
  lines.push(`    export AWS_ENDPOINT_URL=${endpoint}`);
  lines.push(
    // AWS_DEFAULT_REGION too: the AWS CLI v1 reads only that one
    `    export AWS_REGION=${runtime.homeRegion} AWS_DEFAULT_REGION=${runtime.homeRegion}`,
  );
  lines.push(
    '    export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test   # the management account admin (the only fixed key)',
  );
  lines.push('    eval "$(npx vendguard sandbox credentials --account egress)"   # act as a role in a member account');
  lines.push(`  control API: ${endpoint}/_sandbox/health   Ctrl-C stops.`);
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  let sb: RunningSandbox;
  const startedMs = performance.now();
  try {
    console.log('sandbox: starting; deploying the CDK app (synthesized once, then cached)…');
    sb = await startSandbox({
      ...parse(),
      onStack: (stack) => console.log(`  ${stack.name}: ${stack.action} (${stack.ms} ms)`),
    });
  } catch (err) {
    if (err instanceof PortInUseError) {
      console.error(`sandbox: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  await describe(sb, startedMs);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\nsandbox: ${signal}, stopping…`);
    sb.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('sandbox: error while stopping:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`sandbox: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
