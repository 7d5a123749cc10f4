import { ScaledClock } from '../../../../../sandbox/core/clock';
import { resolveCallbackParameters } from '../../../../../sandbox/services/stepfunctions/callbacks';
import { validateDefinition } from '../../../../../sandbox/services/stepfunctions/definitions';
import {
  type AslObject,
  CONTEXT_REFERENCE,
  markTaskContextReferences,
  prepareDefinition,
  TASK_TOKEN_PLACEHOLDER,
  taskTarget,
} from '../../../../../sandbox/services/stepfunctions/prepare';

const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const FUNCTION = 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-request-approval';

const awaitApproval = (task: AslObject = {}): AslObject => ({
  Comment: 'One callback task',
  StartAt: 'AwaitApproval',
  States: {
    AwaitApproval: {
      Type: 'Task',
      Resource: CALLBACK,
      Parameters: { FunctionName: FUNCTION, Payload: { 'taskToken.$': '$$.Task.Token', 'requestId.$': '$.id' } },
      End: true,
      ...task,
    },
  },
});

const noHooks = { task: async () => null, wait: async () => {}, executionStartTime: '2026-12-07T00:00:00.000Z' };

describe('callback task preparation', () => {
  it('passes asl-validator with a token reference, timeouts and heartbeats', () => {
    const definition = awaitApproval({ TimeoutSecondsPath: '$.timeout', HeartbeatSeconds: 60 });
    expect(validateDefinition(JSON.stringify(definition))).toEqual([]);
  });

  it('resolves lambda:invoke.waitForTaskToken to a callback of the named function', () => {
    expect(taskTarget({ Resource: CALLBACK, Parameters: { FunctionName: FUNCTION } })).toEqual({
      kind: 'lambdaCallback',
      functionName: 'request-approval',
    });
  });

  it('wraps the Parameters with the context and the timeouts, and leaves the interpreter no timeout of its own', () => {
    const prepared = prepareDefinition(
      awaitApproval({
        TimeoutSecondsPath: '$.timeout',
        HeartbeatSeconds: 60,
        Retry: [{ ErrorEquals: ['States.HeartbeatTimeout'], MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['States.HeartbeatTimeout', 'Other'], Next: 'AwaitApproval' }],
      }),
      new ScaledClock(600),
      noHooks,
    );
    const state = (prepared.definition.States as Record<string, AslObject>).AwaitApproval as AslObject;

    expect(state.Parameters).toEqual({
      parameters: {
        FunctionName: FUNCTION,
        Payload: { taskToken: { [CONTEXT_REFERENCE]: '$$.Task.Token', field: 'taskToken.$' }, 'requestId.$': '$.id' },
      },
      'context.$': '$$',
      'timeoutSeconds.$': '$.timeout',
      heartbeatSeconds: 60,
    });
    expect(state).not.toHaveProperty('TimeoutSecondsPath');
    expect(state).not.toHaveProperty('HeartbeatSeconds');
    expect(state.TimeoutSeconds).toBeGreaterThan(1_000_000);
    // AWS reports a missed heartbeat as States.Timeout, which States.HeartbeatTimeout matches
    expect((state.Retry as AslObject[])[0]?.ErrorEquals).toEqual(['States.Timeout']);
    expect((state.Catch as AslObject[])[0]?.ErrorEquals).toEqual(['States.Timeout', 'Other']);
  });

  it('marks every $$ reference (the handler evaluates them), and $$.Task.Token inside intrinsic functions', () => {
    expect(
      markTaskContextReferences({
        'all.$': '$$',
        'id.$': '$$.Execution.Id',
        'note.$': "States.Format('{} {}', $.id, $$.Task.Token)",
        list: [{ 'token.$': '$$.Task.Token' }],
      }),
    ).toEqual({
      all: { [CONTEXT_REFERENCE]: '$$', field: 'all.$' },
      id: { [CONTEXT_REFERENCE]: '$$.Execution.Id', field: 'id.$' },
      'note.$': `States.Format('{} {}', $.id, '${TASK_TOKEN_PLACEHOLDER}')`,
      list: [{ token: { [CONTEXT_REFERENCE]: '$$.Task.Token', field: 'token.$' } }],
    });
  });

  it("gives a plain Task $$.State (entered once, through its retries) and the execution's own StartTime", async () => {
    const seen: unknown[] = [];
    const clock = new ScaledClock(1);
    const prepared = prepareDefinition(
      {
        StartAt: 'AwaitApproval',
        States: {
          AwaitApproval: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-announce',
            Parameters: { 'state.$': '$$.State', 'start.$': '$$.Execution.StartTime', 'id.$': '$.id' },
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      clock,
      {
        task: async (_name, _target, input) => {
          seen.push(input);
          if (seen.length === 1) throw Object.assign(new Error('flaky'), { name: 'Lambda.ServiceException' });
          return null;
        },
        wait: async () => {},
        executionStartTime: '2026-12-07T00:00:00.000Z',
      },
    );
    const state = (prepared.definition.States as Record<string, AslObject>).AwaitApproval as AslObject;
    expect(state.Parameters).toMatchObject({ 'context.$': '$$' });
    const handler = prepared.handlers.AwaitApproval as (input: unknown) => Promise<unknown>;
    // what the interpreter hands over: the Parameters it evaluated, its context (real-clock StartTime)
    const given = {
      parameters: markTaskContextReferences({ 'state.$': '$$.State', 'start.$': '$$.Execution.StartTime', id: 7 }),
      context: { Execution: { Id: 'e', StartTime: '2030-01-01T00:00:00.000Z' } },
    };
    await expect(handler(given)).rejects.toThrow('flaky');
    await handler(given);
    const [first, second] = seen as { state: { EnteredTime: string; RetryCount: number }; start: string }[];
    expect(first?.start).toBe('2026-12-07T00:00:00.000Z');
    expect(first?.state).toMatchObject({ Name: 'AwaitApproval', RetryCount: 0 });
    expect(second?.state).toEqual({ ...first?.state, RetryCount: 1 });
  });

  it('puts the token into the Parameters and fails a path the context object does not have', () => {
    const context = { Execution: { Id: 'arn:aws:states:eu-west-1:100000000001:execution:m:e' } };
    const template = markTaskContextReferences({
      'token.$': '$$.Task.Token',
      'all.$': '$$',
      note: `token ${TASK_TOKEN_PLACEHOLDER}`,
    });

    expect(resolveCallbackParameters('AwaitApproval', template, context, 'tok')).toEqual({
      token: 'tok',
      all: { ...context, Task: { Token: 'tok' } },
      note: 'token tok',
    });
    expect(() =>
      resolveCallbackParameters('AwaitApproval', markTaskContextReferences({ 'x.$': '$$.Task.Nope' }), context, 't'),
    ).toThrow("The JSONPath '$$.Task.Nope' specified for the field 'x.$' could not be found");
  });
});
