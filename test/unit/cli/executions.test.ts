import { DescribeExecutionCommand, ExecutionDoesNotExist, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionReport, failedState, timeline } from '../../../cli/executions';
import { EXIT, formatDuration, table } from '../../../cli/output';
import { mergePatch, planReplay, restartName } from '../../../cli/replay';

const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s));
let id = 0;
const ev = (type: string, s: number, extra: Partial<HistoryEvent> = {}): HistoryEvent =>
  ({ id: ++id, type, timestamp: t(s), ...extra }) as HistoryEvent;
const entered = (name: string, s: number, type = 'TaskStateEntered') =>
  ev(type, s, { stateEnteredEventDetails: { name } });
const exited = (name: string, s: number, type = 'TaskStateExited') =>
  ev(type, s, { stateExitedEventDetails: { name } });

describe('execution timeline', () => {
  it('gives each state its duration and counts task attempts', () => {
    const spans = timeline([
      ev('ExecutionStarted', 0),
      entered('ValidateRequest', 0),
      ev('LambdaFunctionScheduled', 0),
      ev('LambdaFunctionFailed', 1, { lambdaFunctionFailedEventDetails: { error: 'TransientError', cause: 'x' } }),
      ev('LambdaFunctionScheduled', 2),
      ev('LambdaFunctionSucceeded', 3),
      exited('ValidateRequest', 3),
      entered('WaitForAccount', 3, 'WaitStateEntered'),
      exited('WaitForAccount', 33, 'WaitStateExited'),
      ev('ExecutionSucceeded', 33),
    ]);
    expect(spans.map((s) => [s.name, s.durationMs, s.attempts])).toEqual([
      ['ValidateRequest', 3000, 2],
      ['WaitForAccount', 30000, 0],
    ]);
  });

  it('names the state a failed execution failed in, with its error and cause', () => {
    const spans = timeline([
      ev('ExecutionStarted', 0),
      entered('DeployBaseline', 0),
      ev('LambdaFunctionScheduled', 0),
      ev('LambdaFunctionFailed', 2, {
        lambdaFunctionFailedEventDetails: {
          error: 'BaselineDeploymentFailedError',
          cause: 'stack set x failed in 1234/eu-west-1',
        },
      }),
      ev('TaskStateExited', 2, { stateExitedEventDetails: { name: 'DeployBaseline' } }),
      entered('AnnounceFailure', 2),
      exited('AnnounceFailure', 3),
      entered('VendingFailed', 3, 'FailStateEntered'),
      ev('ExecutionFailed', 3, { executionFailedEventDetails: { error: 'VendingFailed', cause: 'x' } }),
    ]);
    const failed = failedState(spans);
    expect(failed?.name).toBe('DeployBaseline');
    expect(failed?.error).toBe('BaselineDeploymentFailedError');
    expect(failed?.cause).toContain('eu-west-1');
  });

  it('names the state of the last run that failed, not an earlier error a retry or a redrive got past', () => {
    const failedTask = (s: number, error: string) =>
      ev('LambdaFunctionFailed', s, { lambdaFunctionFailedEventDetails: { error, cause: `${error} cause` } });
    const spans = timeline([
      ev('ExecutionStarted', 0),
      // retried, then succeeded: not a failure
      entered('ValidateRequest', 0),
      ev('LambdaFunctionScheduled', 0),
      failedTask(1, 'TransientError'),
      ev('LambdaFunctionScheduled', 2),
      ev('LambdaFunctionSucceeded', 3),
      exited('ValidateRequest', 3),
      // the first run fails at CreateAccount
      entered('CreateAccount', 3),
      ev('LambdaFunctionScheduled', 3),
      failedTask(4, 'AccountLimitExceededError'),
      exited('CreateAccount', 4),
      entered('VendingFailed', 4, 'FailStateEntered'),
      ev('ExecutionFailed', 4, { executionFailedEventDetails: { error: 'AccountLimitExceededError', cause: 'x' } }),
      // redriven: CreateAccount passes, the baseline fails
      ev('ExecutionRedriven', 10),
      entered('CreateAccount', 10),
      ev('LambdaFunctionScheduled', 10),
      ev('LambdaFunctionSucceeded', 11),
      exited('CreateAccount', 11),
      entered('DeployBaseline', 11),
      ev('LambdaFunctionScheduled', 11),
      failedTask(12, 'BaselineDeploymentFailedError'),
      exited('DeployBaseline', 12),
      entered('VendingFailed', 12, 'FailStateEntered'),
      ev('ExecutionFailed', 12, {
        executionFailedEventDetails: { error: 'BaselineDeploymentFailedError', cause: 'y' },
      }),
    ]);
    expect(spans.find((s) => s.name === 'ValidateRequest')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(spans.find((s) => s.name === 'ValidateRequest')?.error).toBeUndefined();
    expect(failedState(spans)).toMatchObject({
      name: 'DeployBaseline',
      error: 'BaselineDeploymentFailedError',
      run: 1,
    });
  });

  it('keeps a running state open', () => {
    const spans = timeline([ev('ExecutionStarted', 0), entered('CreateAccount', 0)]);
    expect(spans).toEqual([expect.objectContaining({ name: 'CreateAccount', status: 'running' })]);
  });
});

describe('a missing execution', () => {
  const sfn = mockClient(SFNClient);
  const arn = 'arn:aws:states:eu-west-1:111122223333:execution:vendguard-account-vending:req-nope';
  beforeEach(() => {
    sfn.reset();
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
  });

  it.each([
    ['executions show', () => executionReport(sfn as unknown as SFNClient, arn)],
    ['replay', () => planReplay(sfn as unknown as SFNClient, arn, 'redrive')],
  ])('is a usage error for %s that says how to list executions', async (_, run) => {
    await expect(run()).rejects.toMatchObject({
      exitCode: EXIT.usage,
      message: `no execution ${arn}; list them with: vendguard executions`,
    });
  });
});

describe('replay helpers', () => {
  it('applies a JSON merge patch, deleting keys set to null', () => {
    expect(
      mergePatch({ request: { name: 'a', costCenter: 'x' }, keep: 1 }, { request: { costCenter: null, owner: 'b' } }),
    ).toEqual({
      request: { name: 'a', owner: 'b' },
      keep: 1,
    });
  });

  it('names a restart after its original so lineage shows, within 80 characters', () => {
    expect(restartName('req-1', 1)).toBe('req-1-restart-1');
    expect(restartName('req-1-restart-1', 2)).toBe('req-1-restart-2');
    expect(restartName('x'.repeat(80), 12)).toHaveLength(80);
  });
});

describe('output helpers', () => {
  it('formats durations for people', () => {
    expect([formatDuration(350), formatDuration(4200), formatDuration(185_000), formatDuration(3_720_000)]).toEqual([
      '350ms',
      '4.2s',
      '3m 05s',
      '1h 02m',
    ]);
  });

  it('carries a rounded-up unit into the next one', () => {
    expect([formatDuration(999.6), formatDuration(59_960), formatDuration(119_600), formatDuration(3_599_700)]).toEqual(
      ['1.0s', '1m 00s', '2m 00s', '1h 00m'],
    );
  });

  it('aligns table columns', () => {
    expect(table([{ a: 'x', b: 'long value' }], { a: (r) => r.a, b: (r) => r.b })).toBe('A  B\nx  long value');
  });
});
