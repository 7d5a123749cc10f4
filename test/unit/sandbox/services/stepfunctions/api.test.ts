import { AwsServiceError } from '../../../../../sandbox/core/types';
import { createHarness, type Harness } from './harness';

type Event = Record<string, unknown> & { id: number; type: string };

/** The AWS error code a call throws. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AwsServiceError) return err.code;
    throw err;
  }
  throw new Error('no error thrown');
}

const DAY_MS = 24 * 3600 * 1000;

describe('Step Functions API', () => {
  let h: Harness;

  beforeEach(() => {
    h = createHarness({ scale: 600 });
  });

  afterEach(async () => {
    await h.stop();
    h.base.close();
  });

  const start = (stateMachineArn: string, input: unknown, name?: string) =>
    h.ops.StartExecution({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }, h.ctx) as {
      executionArn: string;
      startDate: Date;
    };
  const describe_ = (executionArn: string) =>
    h.ops.DescribeExecution({ executionArn }, h.ctx) as Record<string, unknown> & { status: string };

  describe('state machines', () => {
    it('returns the same ARN for the same name and definition, and StateMachineAlreadyExists for another', () => {
      const arn = h.createFromFixture('wait-choice.asl.json', 'sm');
      expect(h.createFromFixture('wait-choice.asl.json', 'sm')).toBe(arn);
      expect(arn).toBe('arn:aws:states:eu-west-1:100000000001:stateMachine:sm');
      expect(codeOf(() => h.createFromFixture('long-wait.asl.json', 'sm'))).toBe('StateMachineAlreadyExists');
    });

    it('rejects an invalid definition and an invalid name', () => {
      const create = (name: string, definition: string) =>
        h.ops.CreateStateMachine({ name, definition, roleArn: 'arn:aws:iam::100000000001:role/x' }, h.ctx);
      expect(codeOf(() => create('bad', '{"StartAt":"Nowhere","States":{}}'))).toBe('InvalidDefinition');
      expect(codeOf(() => create('bad name', '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}'))).toBe(
        'InvalidName',
      );
    });

    it('updates, describes, lists and deletes', () => {
      const arn = h.createFromFixture('wait-choice.asl.json', 'sm');
      const definition = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}';
      h.ops.UpdateStateMachine({ stateMachineArn: arn, definition }, h.ctx);
      expect(h.ops.DescribeStateMachine({ stateMachineArn: arn }, h.ctx)).toMatchObject({
        name: 'sm',
        status: 'ACTIVE',
        type: 'STANDARD',
        definition,
      });
      expect(h.ops.ListStateMachines({}, h.ctx)).toMatchObject({ stateMachines: [{ stateMachineArn: arn }] });
      h.ops.DeleteStateMachine({ stateMachineArn: arn }, h.ctx);
      expect(codeOf(() => h.ops.DescribeStateMachine({ stateMachineArn: arn }, h.ctx))).toBe(
        'StateMachineDoesNotExist',
      );
      expect(codeOf(() => h.ops.DescribeStateMachine({ stateMachineArn: 'nope' }, h.ctx))).toBe('InvalidArn');
    });
  });

  describe('StartExecution with a name already used', () => {
    it('returns the running execution for the same input and ExecutionAlreadyExists for another input', () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      const first = start(arn, { a: 1 }, 'req-1');

      const again = start(arn, { a: 1 }, 'req-1');

      expect(again).toEqual(first);
      expect(codeOf(() => start(arn, { a: 2 }, 'req-1'))).toBe('ExecutionAlreadyExists');
    });

    it('gives ExecutionAlreadyExists for any input once that execution has closed', () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      const first = start(arn, { a: 1 }, 'req-1');
      h.ops.StopExecution({ executionArn: first.executionArn }, h.ctx);

      expect(codeOf(() => start(arn, { a: 1 }, 'req-1'))).toBe('ExecutionAlreadyExists');
    });

    it('rejects input that is not JSON', () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      expect(codeOf(() => h.ops.StartExecution({ stateMachineArn: arn, input: '{nope' }, h.ctx))).toBe(
        'InvalidExecutionInput',
      );
    });
  });

  describe('StopExecution', () => {
    it('aborts a running execution and records ExecutionAborted with the error and cause', async () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      const { executionArn } = start(arn, {});
      await new Promise((r) => setTimeout(r, 20));

      h.ops.StopExecution({ executionArn, error: 'Operator', cause: 'changed my mind' }, h.ctx);

      expect(describe_(executionArn)).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'changed my mind' });
      const events = h.history(executionArn) as Event[];
      expect(events.at(-1)).toMatchObject({
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: 'Operator', cause: 'changed my mind' },
      });
      expect(events.map((e) => e.type)).toContain('WaitStateEntered');
    });
  });

  describe('RedriveExecution', () => {
    it('resumes from the failed state without re-running the states before it', async () => {
      let secondFails = true;
      h.functions.register('first', () => 1);
      h.functions.register('second', () => {
        if (secondFails) throw new Error('downstream unavailable');
        return 2;
      });
      h.functions.register('third', () => 3);
      const arn = h.createFromFixture('three-steps.asl.json');
      const failed = await h.run(arn, { id: 'x' });
      expect(failed).toMatchObject({ status: 'FAILED', error: 'Error', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
      const executionArn = String(failed.executionArn);

      secondFails = false;
      h.ops.RedriveExecution({ executionArn }, h.ctx);
      const redriven = await h.waitUntilDone(executionArn);

      expect(redriven).toMatchObject({ executionArn, status: 'SUCCEEDED', redriveCount: 1 });
      expect(redriven.redriveDate).toBeInstanceOf(Date);
      expect(JSON.parse(String(redriven.output))).toEqual({ id: 'x', first: 1, second: 2, third: 3 });
      expect([h.functions.count('first'), h.functions.count('second'), h.functions.count('third')]).toEqual([1, 2, 1]);
      const types = (h.history(executionArn) as Event[]).map((e) => e.type);
      expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
      expect(types.slice(types.indexOf('ExecutionFailed') + 1, types.indexOf('ExecutionFailed') + 3)).toEqual([
        'ExecutionRedriven',
        'TaskStateEntered',
      ]);
      expect(codeOf(() => h.ops.RedriveExecution({ executionArn }, h.ctx))).toBe('ExecutionNotRedrivable');
    });

    it('keeps the context object of the execution: its input, name and redrive count', async () => {
      let echoFails = true;
      h.functions.register('first', () => 'one');
      h.functions.register('echo', (event) => {
        if (echoFails) throw new Error('not yet');
        return event;
      });
      const arn = h.createFromFixture('context.asl.json');
      const failed = await h.run(arn, { id: 'ctx' }, 'ctx-run');

      echoFails = false;
      h.ops.RedriveExecution({ executionArn: failed.executionArn }, h.ctx);
      const done = await h.waitUntilDone(String(failed.executionArn));

      expect(JSON.parse(String(done.output))).toEqual({
        executionInput: { id: 'ctx' },
        redriveCount: 1,
        name: 'ctx-run',
        stateInput: { id: 'ctx', first: 'one' },
      });
      const names = (h.history(String(failed.executionArn)) as Event[])
        .map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name)
        .filter(Boolean);
      expect(names).toEqual(['First', 'Echo', 'Echo']);
    });

    it('refuses a running execution and one that stopped more than 14 days ago', async () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      const { executionArn } = start(arn, {});
      expect(codeOf(() => h.ops.RedriveExecution({ executionArn }, h.ctx))).toBe('ExecutionNotRedrivable');

      h.ops.StopExecution({ executionArn }, h.ctx);
      h.clock.advance(15 * DAY_MS);

      expect(describe_(executionArn)).toMatchObject({
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution redrivable period exceeded',
      });
      expect(codeOf(() => h.ops.RedriveExecution({ executionArn }, h.ctx))).toBe('ExecutionNotRedrivable');
    });
  });

  describe('restart recovery', () => {
    it('marks an execution left running FAILED on the next start, and a redrive resumes it', async () => {
      const arn = h.createFromFixture('long-wait.asl.json');
      const { executionArn } = start(arn, { keep: true });
      await new Promise((r) => setTimeout(r, 20));
      await h.stop();
      expect(describe_(executionArn).status).toBe('RUNNING');

      // The same store, a new process; a faster clock so the day-long wait is short.
      const next = createHarness({ base: h.base, scale: 86_400 * 20 });
      await next.start();
      const recovered = next.ops.DescribeExecution({ executionArn }, next.ctx) as Record<string, unknown>;

      expect(recovered).toMatchObject({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: 'sandbox restarted while the execution was running',
        redriveStatus: 'REDRIVABLE',
      });
      next.ops.RedriveExecution({ executionArn }, next.ctx);
      const done = await next.waitUntilDone(executionArn);
      expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
      const types = (next.history(executionArn) as Event[]).map((e) => e.type);
      expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(2); // Before once, After once
      await next.stop();
    });
  });

  describe('listing and history', () => {
    it('lists executions newest first, filtered by status, in pages', async () => {
      h.functions.register('first', () => 1);
      h.functions.register('second', () => 2);
      h.functions.register('third', () => 3);
      const arn = h.createFromFixture('three-steps.asl.json');
      const done = await h.run(arn, {}, 'a');
      const running = start(h.createFromFixture('long-wait.asl.json'), {}, 'b');
      await h.run(arn, {}, 'c');
      h.clock.advance(1000);
      await h.run(arn, {}, 'd');

      const list = (input: Record<string, unknown>) =>
        h.ops.ListExecutions({ stateMachineArn: arn, ...input }, h.ctx) as {
          executions: { name: string }[];
          nextToken?: string;
        };
      expect(list({}).executions.map((e) => e.name)).toEqual(['d', 'c', 'a']);
      const firstPage = list({ maxResults: 2 });
      expect(firstPage.executions.map((e) => e.name)).toEqual(['d', 'c']);
      expect(list({ maxResults: 2, nextToken: firstPage.nextToken }).executions.map((e) => e.name)).toEqual(['a']);
      expect(list({ statusFilter: 'RUNNING' }).executions).toEqual([]);
      expect(list({ statusFilter: 'SUCCEEDED', redriveFilter: 'NOT_REDRIVEN' }).executions).toHaveLength(3);
      expect(codeOf(() => list({ nextToken: '%%%' }))).toBe('InvalidToken');
      expect(done.status).toBe('SUCCEEDED');
      expect(describe_(running.executionArn).status).toBe('RUNNING');
    });

    it('returns history in reverse order and in pages', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');
      const { executionArn } = (await h.run(arn, { ready: true })) as { executionArn: string };
      const page = (input: Record<string, unknown>) =>
        h.ops.GetExecutionHistory({ executionArn, ...input }, h.ctx) as { events: Event[]; nextToken?: string };

      expect(page({ reverseOrder: true }).events.map((e) => e.id)).toEqual([6, 5, 4, 3, 2, 1]);
      const first = page({ maxResults: 4 });
      expect(first.events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
      expect(page({ maxResults: 4, nextToken: first.nextToken }).events.map((e) => e.id)).toEqual([5, 6]);
      expect(page({ includeExecutionData: false }).events[0]?.executionStartedEventDetails).not.toHaveProperty('input');
    });
  });

  describe('Map and Parallel', () => {
    it('runs tasks inside a Map and a Parallel branch as functions', async () => {
      h.functions.register('double', (n) => Number(n) * 2);
      h.functions.register('left', () => 'left');
      const arn = h.createFromFixture('map-parallel.asl.json');

      const result = await h.run(arn, { items: [1, 2, 3] });

      expect(result.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(result.output))).toMatchObject({ mapped: [2, 4, 6], both: ['left', 'right'] });
      const types = (h.history(String(result.executionArn)) as Event[]).map((e) => e.type);
      expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
      expect(types).toContain('ParallelStateEntered');
    });
  });
});
