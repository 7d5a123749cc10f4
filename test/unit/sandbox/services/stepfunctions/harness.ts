/**
 * A Step Functions service over the unit-test runtime, with a scaled clock and fake functions
 * the test registers by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../../../config/load';
import { ScaledClock } from '../../../../../sandbox/core/clock';
import type { FunctionInvoker, RequestContext, SandboxRuntime } from '../../../../../sandbox/core/types';
import { fillPlaceholders } from '../../../../../sandbox/services/stepfunctions/definitions';
import { createStepFunctionsService } from '../../../../../sandbox/services/stepfunctions/index';
import type { StepFunctions } from '../../../../../sandbox/services/stepfunctions/service';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

export const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'asl');

/** Fake in-process functions: handlers by manifest-style name, with call records. */
export class FakeFunctions implements FunctionInvoker {
  readonly calls: { name: string; event: unknown }[] = [];
  private readonly handlers = new Map<string, (event: unknown) => unknown>();

  constructor(private readonly accountId: string) {}

  register(name: string, handler: (event: unknown) => unknown): void {
    this.handlers.set(name, handler);
  }

  count(name: string): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  functionArn(functionName: string): string {
    return `arn:aws:lambda:eu-west-1:${this.accountId}:function:vendguard-${functionName}`;
  }

  async invoke(functionName: string, event: unknown): Promise<unknown> {
    this.calls.push({ name: functionName, event });
    const handler = this.handlers.get(functionName);
    if (!handler) throw new Error(`no fake function ${functionName}`);
    return handler(event);
  }
}

export interface Harness {
  readonly runtime: SandboxRuntime;
  readonly base: TestRuntime;
  readonly clock: ScaledClock;
  readonly functions: FakeFunctions;
  readonly sfn: StepFunctions;
  readonly ops: ReturnType<StepFunctions['operations']>;
  readonly ctx: RequestContext;
  readonly start: () => Promise<void>;
  readonly stop: () => Promise<void>;
  /** Creates a state machine from a fixture (placeholders `${<Pascal>FunctionArn}` → fake ARNs). */
  createFromFixture(file: string, name?: string): string;
  /** Starts an execution and waits until it is no longer RUNNING; returns DescribeExecution. */
  run(stateMachineArn: string, input: unknown, name?: string): Promise<Record<string, unknown>>;
  waitUntilDone(executionArn: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  history(executionArn: string): Record<string, unknown>[];
}

/**
 * @param options.scale - simulated seconds per real second
 * @param options.base - reuse a runtime (and its store) across a simulated restart
 */
export function createHarness(
  options: { scale?: number; base?: TestRuntime; functions?: FakeFunctions } = {},
): Harness {
  const base = options.base ?? createTestRuntime();
  const clock = new ScaledClock(options.scale ?? 600);
  const functions = options.functions ?? new FakeFunctions(base.managementAccountId);
  const tracked: Promise<unknown>[] = [];
  const runtime: SandboxRuntime = {
    ...base,
    clock,
    functions,
    track: (p) => {
      tracked.push(p);
    },
  };
  const { service, stepFunctions: sfn } = createStepFunctionsService(runtime);
  const ops = sfn.operations();
  const ctx: RequestContext = { ...base.context('Test', { service: 'states' }), runtime };

  const describe = (executionArn: string) => ops.DescribeExecution({ executionArn }, ctx) as Record<string, unknown>;
  const waitUntilDone = async (executionArn: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = describe(executionArn);
      if (d.status !== 'RUNNING') return d;
      if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  return {
    runtime,
    base,
    clock,
    functions,
    sfn,
    ops,
    ctx,
    start: async () => {
      await service.start?.(runtime);
    },
    stop: async () => {
      await service.stop?.();
      await Promise.allSettled(tracked);
    },
    createFromFixture(file, name) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const subs: Record<string, string> = {};
      for (const m of text.matchAll(/\$\{([A-Za-z]+)FunctionArn\}/g)) {
        const key = m[1] ?? '';
        subs[`${key}FunctionArn`] = functions.functionArn(key.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase());
      }
      const out = ops.CreateStateMachine(
        {
          name: name ?? `test-${file.replace('.asl.json', '')}`,
          definition: fillPlaceholders(text, subs),
          roleArn: 'arn:aws:iam::100000000001:role/test',
        },
        ctx,
      ) as { stateMachineArn: string };
      return out.stateMachineArn;
    },
    async run(stateMachineArn, input, name) {
      const started = ops.StartExecution(
        { stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) },
        ctx,
      ) as { executionArn: string };
      return waitUntilDone(started.executionArn);
    },
    waitUntilDone,
    history(executionArn) {
      return (ops.GetExecutionHistory({ executionArn, maxResults: 1000 }, ctx) as { events: Record<string, unknown>[] })
        .events;
    },
  };
}
