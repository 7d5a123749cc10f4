import { InputValidationError, TransientError } from '../../../../../functions/shared/errors';
import { AwsServiceError } from '../../../../../sandbox/core/types';
import { createHarness, type Harness } from './harness';

type Event = Record<string, unknown> & { id: number; previousEventId: number; type: string };

describe('Step Functions executions', () => {
  let h: Harness;

  beforeEach(() => {
    h = createHarness({ scale: 600 });
  });

  afterEach(async () => {
    await h.stop();
    h.base.close();
  });

  describe('a Task that calls a function', () => {
    it('passes the state input to the function and its result to the next state', async () => {
      h.functions.register('validate', (event) => ({ ok: true, saw: event }));
      h.functions.register('work', () => 'done');
      const arn = h.createFromFixture('task-retry-catch.asl.json');

      const result = await h.run(arn, { request: 'r-1' });

      expect(result.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(result.output))).toEqual({
        request: 'r-1',
        validated: { ok: true, saw: { request: 'r-1' } },
        work: 'done',
      });
      expect(h.functions.count('validate')).toBe(1);
    });

    it('records AWS history events with consecutive ids and LambdaFunction* details', async () => {
      h.functions.register('validate', () => ({ ok: true }));
      h.functions.register('work', () => 'done');
      const arn = h.createFromFixture('task-retry-catch.asl.json');
      const result = await h.run(arn, { request: 'r-1' });

      const events = h.history(String(result.executionArn)) as Event[];

      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events.map((e) => e.id)).toEqual(events.map((_e, i) => i + 1));
      expect(events.map((e) => e.previousEventId)).toEqual(events.map((_e, i) => i));
      expect(events[0]?.executionStartedEventDetails).toMatchObject({ input: '{"request":"r-1"}' });
      expect(events[1]?.stateEnteredEventDetails).toEqual({
        name: 'Validate',
        input: '{"request":"r-1"}',
        inputDetails: { truncated: false },
      });
      expect(events[2]?.lambdaFunctionScheduledEventDetails).toMatchObject({
        resource: h.functions.functionArn('validate'),
        input: '{"request":"r-1"}',
      });
      expect(events[4]?.lambdaFunctionSucceededEventDetails).toMatchObject({ output: '{"ok":true}' });
      expect(events[13]?.executionSucceededEventDetails).toMatchObject({ output: result.output });
      expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);
    });
  });

  describe('Retry and Catch', () => {
    it('retries a function error by its name, with the backoff on the sandbox clock', async () => {
      h.functions.register('validate', () => ({}));
      let calls = 0;
      h.functions.register('work', () => {
        calls++;
        if (calls < 3) throw new TransientError('Organizations throttled');
        return 'third time';
      });
      const arn = h.createFromFixture('task-retry-catch.asl.json');
      const started = Date.now();

      const result = await h.run(arn, {});

      expect(result.status).toBe('SUCCEEDED');
      expect(h.functions.count('work')).toBe(3);
      const events = h.history(String(result.executionArn)) as Event[];
      const failed = events.filter((e) => e.type === 'LambdaFunctionFailed');
      expect(failed).toHaveLength(2);
      expect(failed[0]?.lambdaFunctionFailedEventDetails).toMatchObject({ error: 'TransientError' });
      // 60 s then 120 s of simulated backoff between the attempts.
      const scheduled = events.filter((e) => e.type === 'LambdaFunctionScheduled').slice(1) as unknown as {
        timestamp: Date;
      }[];
      const gaps = [1, 2].map(
        (i) => (scheduled[i]?.timestamp.getTime() ?? 0) - (scheduled[i - 1]?.timestamp.getTime() ?? 0),
      );
      expect(gaps[0]).toBeGreaterThanOrEqual(60_000 * 0.95);
      expect(gaps[1]).toBeGreaterThanOrEqual(120_000 * 0.95);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('catches an error the retrier does not match into the notification path, then fails', async () => {
      h.functions.register('validate', () => ({}));
      h.functions.register('work', () => {
        throw new InputValidationError('account request', [{ path: 'email', message: 'not in an allowed domain' }]);
      });
      h.functions.register('notify', (event) => ({ posted: true, about: event }));
      const arn = h.createFromFixture('task-retry-catch.asl.json');

      const result = await h.run(arn, { request: 'r-2' });

      expect(result).toMatchObject({ status: 'FAILED', error: 'WorkFailed', cause: 'the work failed' });
      expect(h.functions.count('work')).toBe(1);
      const notified = h.functions.calls.find((c) => c.name === 'notify')?.event as { error: Record<string, string> };
      expect(notified.error.Error).toBe('InputValidationError');
      expect(JSON.parse(notified.error.Cause ?? '')).toMatchObject({
        errorType: 'InputValidationError',
        errorMessage: 'account request is invalid: email: not in an allowed domain',
      });
      const types = (h.history(String(result.executionArn)) as Event[]).map((e) => e.type);
      expect(types.slice(-9)).toEqual([
        'LambdaFunctionFailed',
        'TaskStateExited',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'FailStateEntered',
        'ExecutionFailed',
      ]);
    });

    it('fails the execution with the error name when nothing catches it after the retries', async () => {
      h.functions.register('validate', () => {
        throw new TransientError('still throttled');
      });
      const arn = h.createFromFixture('task-retry-catch.asl.json');

      const result = await h.run(arn, {});

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('TransientError');
      expect(JSON.parse(String(result.cause))).toMatchObject({ errorMessage: 'still throttled' });
    });

    it('fails with Lambda.ResourceNotFoundException when Lambda has no such function', async () => {
      h.functions.register('validate', () => {
        throw new AwsServiceError(
          'ResourceNotFoundException',
          'Function not found: arn:aws:lambda:eu-west-1:100000000001:function:vendguard-validate',
          { status: 404 },
        );
      });
      const arn = h.createFromFixture('task-retry-catch.asl.json');

      const result = await h.run(arn, {});

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('Lambda.ResourceNotFoundException');
      expect(result.cause).toContain('Function not found');
    });
  });

  describe('faults and timeouts', () => {
    it('fails a task with Lambda.<code> for a lambda/Invoke fault, which a Retry can match', async () => {
      let faults = 1;
      h.base.setFaults((service, operation) =>
        service === 'lambda' && operation === 'Invoke' && faults-- > 0
          ? { error: { code: 'ServiceException', message: 'Lambda is having a day', status: 500 } }
          : undefined,
      );
      h.functions.register('validate', () => ({}));
      h.functions.register('work', () => 'done');
      const arn = h.createFromFixture('task-retry-catch.asl.json');

      const result = await h.run(arn, {});

      expect(result.status).toBe('SUCCEEDED');
      const failed = (h.history(String(result.executionArn)) as Event[]).find((e) => e.type === 'LambdaFunctionFailed');
      expect(failed?.lambdaFunctionFailedEventDetails).toEqual({
        error: 'Lambda.ServiceException',
        cause: 'Lambda is having a day',
      });
      expect(h.functions.count('validate')).toBe(1);
    });

    it('times the execution out after its TimeoutSeconds of simulated time', async () => {
      const definition = JSON.stringify({
        TimeoutSeconds: 60,
        StartAt: 'Sleep',
        States: { Sleep: { Type: 'Wait', Seconds: 3600, End: true } },
      });
      const { stateMachineArn } = h.ops.CreateStateMachine(
        { name: 'times-out', definition, roleArn: 'arn:aws:iam::100000000001:role/test' },
        h.ctx,
      ) as { stateMachineArn: string };

      const result = await h.run(stateMachineArn, {});

      expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', redriveStatus: 'REDRIVABLE' });
      expect((h.history(String(result.executionArn)) as Event[]).at(-1)?.type).toBe('ExecutionTimedOut');
    });
  });

  describe('Wait and Choice', () => {
    it('waits the SecondsPath duration in simulated time, a fraction of it in real time', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');
      const started = Date.now();

      const result = await h.run(arn, { ready: false, delaySeconds: 300 });

      const realMs = Date.now() - started;
      expect(result.status).toBe('SUCCEEDED');
      const events = h.history(String(result.executionArn)) as (Event & { timestamp: Date })[];
      const entered = events.find((e) => e.type === 'WaitStateEntered');
      const exited = events.find((e) => e.type === 'WaitStateExited');
      const simulatedMs = (exited?.timestamp.getTime() ?? 0) - (entered?.timestamp.getTime() ?? 0);
      expect(simulatedMs).toBeGreaterThanOrEqual(300_000 * 0.95);
      expect(realMs).toBeGreaterThanOrEqual(300_000 / 600 - 50);
      expect(realMs).toBeLessThan(300_000 / 10);
    });

    it('waits until a TimestampPath time of the simulated clock', async () => {
      const definition = JSON.stringify({
        StartAt: 'Until',
        States: { Until: { Type: 'Wait', TimestampPath: '$.at', End: true } },
      });
      const { stateMachineArn } = h.ops.CreateStateMachine(
        { name: 'until', definition, roleArn: 'arn:aws:iam::100000000001:role/test' },
        h.ctx,
      ) as { stateMachineArn: string };
      const at = new Date(h.clock.nowMs() + 600_000);

      const result = await h.run(stateMachineArn, { at: at.toISOString() });

      expect(result.status).toBe('SUCCEEDED');
      expect((result.stopDate as Date).getTime()).toBeGreaterThanOrEqual(at.getTime() - 1000);
    });

    it('takes the matching choice and skips the wait', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');

      const result = await h.run(arn, { ready: true, delaySeconds: 3600 });

      expect(JSON.parse(String(result.output))).toEqual({ ready: true, delaySeconds: 3600, outcome: 'ready' });
      const types = (h.history(String(result.executionArn)) as Event[]).map((e) => e.type);
      expect(types).toEqual([
        'ExecutionStarted',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'PassStateEntered',
        'PassStateExited',
        'ExecutionSucceeded',
      ]);
    });

    it('takes the Default when no choice matches', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');

      const result = await h.run(arn, { ready: false, delaySeconds: 0 });

      const types = (h.history(String(result.executionArn)) as Event[]).map((e) => e.type);
      expect(types).toContain('WaitStateEntered');
      expect(result.status).toBe('SUCCEEDED');
    });

    it('fails with States.Runtime when a Choice variable is missing, as AWS does', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');

      const result = await h.run(arn, { delaySeconds: 0 });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    });

    it('fails with States.Runtime when SecondsPath does not name a non-negative integer', async () => {
      const arn = h.createFromFixture('wait-choice.asl.json');

      const result = await h.run(arn, { ready: false, delaySeconds: 'soon' });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    });
  });
});
