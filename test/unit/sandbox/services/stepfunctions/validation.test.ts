/**
 * Input validation of the list and describe operations, worded as AWS answers them (messages
 * recorded from AWS in LocalStack's validated Step Functions snapshots, unless a test says otherwise).
 */
import { AwsServiceError } from '../../../../../sandbox/core/types';
import { createHarness, type Harness } from './harness';

/** The AWS error (code and message) a call throws. */
function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AwsServiceError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no error thrown');
}

describe('Step Functions input validation', () => {
  let h: Harness;
  let arn: string;

  beforeEach(() => {
    h = createHarness({ scale: 600 });
    h.functions.register('first', () => 1);
    h.functions.register('second', () => 2);
    h.functions.register('third', () => 3);
    arn = h.createFromFixture('three-steps.asl.json');
  });

  afterEach(async () => {
    await h.stop();
    h.base.close();
  });

  const list = (input: Record<string, unknown>) => h.ops.ListExecutions({ stateMachineArn: arn, ...input }, h.ctx);

  describe('ListExecutions', () => {
    it('refuses a statusFilter outside the enum with the enum in the order AWS lists it', () => {
      expect(errorOf(() => list({ statusFilter: 'succeeded' }))).toEqual({
        code: 'ValidationException',
        message:
          "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
      });
    });

    it('refuses maxResults outside 0..1000 and treats 0 as the default page size', async () => {
      expect(errorOf(() => list({ maxResults: 1001 }))).toEqual({
        code: 'ValidationException',
        message:
          "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      });
      expect(errorOf(() => list({ maxResults: -1 })).message).toBe(
        "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0",
      );
      await h.run(arn, {}, 'a');
      expect((list({ maxResults: 0 }) as { executions: unknown[] }).executions).toHaveLength(1);
      expect((list({ maxResults: 1000 }) as { executions: unknown[] }).executions).toHaveLength(1);
    });

    it('reports every violated constraint at once', () => {
      expect(errorOf(() => list({ statusFilter: 'DONE', maxResults: 5000, redriveFilter: 'NEVER' })).message).toBe(
        '3 validation errors detected: ' +
          "Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]; " +
          "Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000; " +
          "Value 'NEVER' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]",
      );
    });

    it('refuses a nextToken longer than 3096 characters', () => {
      const token = 'x'.repeat(3097);
      expect(errorOf(() => list({ nextToken: token })).message).toBe(
        `1 validation error detected: Value '${token}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 3096`,
      );
      expect(errorOf(() => list({ nextToken: 'x'.repeat(20) })).code).toBe('InvalidToken');
    });

    it('answers InvalidArn for a malformed ARN and StateMachineDoesNotExist for an unknown one', () => {
      expect(errorOf(() => list({ stateMachineArn: 'invalid_state_machine_arn' }))).toEqual({
        code: 'InvalidArn',
        message: "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'",
      });
      const execution = arn.replace(':stateMachine:', ':execution:').concat(':run-1');
      expect(errorOf(() => list({ stateMachineArn: execution }))).toEqual({
        code: 'InvalidArn',
        message: "Invalid Arn: 'Resource type not valid in this context: execution'",
      });
      const unknown = `${arn}-gone`;
      expect(errorOf(() => list({ stateMachineArn: unknown }))).toEqual({
        code: 'StateMachineDoesNotExist',
        message: `State Machine Does Not Exist: '${unknown}'`,
      });
    });

    it('needs a state machine or Map Run ARN, and refuses PENDING_REDRIVE for a state machine', () => {
      expect(errorOf(() => h.ops.ListExecutions({}, h.ctx)).message).toBe(
        '1 validation error detected: Must provide a StateMachine ARN or MapRun ARN',
      );
      expect(errorOf(() => list({ statusFilter: 'PENDING_REDRIVE' })).code).toBe('ValidationException');
      const mapRun = `${arn.replace(':stateMachine:', ':mapRun:')}/Map:run-1`;
      expect(errorOf(() => h.ops.ListExecutions({ mapRunArn: mapRun }, h.ctx)).code).toBe('ResourceNotFound');
      expect(errorOf(() => list({ mapRunArn: mapRun })).code).toBe('ValidationException');
    });

    it('refuses an EXPRESS state machine with StateMachineTypeNotSupported', () => {
      const express = h.ops.CreateStateMachine(
        {
          name: 'express',
          type: 'EXPRESS',
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
          roleArn: 'arn:aws:iam::100000000001:role/test',
        },
        h.ctx,
      ) as { stateMachineArn: string };
      expect(errorOf(() => list({ stateMachineArn: express.stateMachineArn }))).toEqual({
        code: 'StateMachineTypeNotSupported',
        message: 'This operation is not supported by this type of state machine',
      });
    });
  });

  describe('DescribeExecution and GetExecutionHistory', () => {
    it('answers InvalidArn for a malformed execution ARN and ExecutionDoesNotExist for an unknown one', () => {
      expect(errorOf(() => h.ops.DescribeExecution({ executionArn: 'invalid_state_machine_arn' }, h.ctx))).toEqual({
        code: 'InvalidArn',
        message: "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'",
      });
      expect(errorOf(() => h.ops.DescribeExecution({ executionArn: arn }, h.ctx)).message).toBe(
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
      );
      const unknown = `${arn.replace(':stateMachine:', ':execution:')}:never-started`;
      expect(errorOf(() => h.ops.DescribeExecution({ executionArn: unknown }, h.ctx))).toEqual({
        code: 'ExecutionDoesNotExist',
        message: `Execution Does Not Exist: '${unknown}'`,
      });
      expect(errorOf(() => h.ops.GetExecutionHistory({ executionArn: 'nope' }, h.ctx)).message).toBe(
        "Invalid Arn: 'Invalid ARN prefix: nope'",
      );
    });

    it('checks maxResults of the history and of ListStateMachines', () => {
      const unknown = `${arn.replace(':stateMachine:', ':execution:')}:x`;
      expect(errorOf(() => h.ops.GetExecutionHistory({ executionArn: unknown, maxResults: 1001 }, h.ctx)).code).toBe(
        'ValidationException',
      );
      expect(errorOf(() => h.ops.ListStateMachines({ nextToken: 'x'.repeat(1025) }, h.ctx)).message).toMatch(
        /at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024$/,
      );
    });
  });
});
