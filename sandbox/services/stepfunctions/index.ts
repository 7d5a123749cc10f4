/**
 * The sandbox's Step Functions service: the API ({@link StepFunctions}), executions run by
 * aws-local-stepfunctions, and the {@link StateMachineStarter} EventBridge targets use. The hub's
 * state machines are the deployed hub stack's (`AWS::StepFunctions::StateMachine`). On start it
 * marks executions a previous process left RUNNING as FAILED (`States.Runtime`, "sandbox restarted
 * while the execution was running") so they can be redriven.
 */
import type { SandboxRuntime, ServiceDefinition, StateMachineStarter } from '../../core/types';
import { RESTART_CAUSE, RESTART_ERROR } from './executor';
import { StepFunctions } from './service';

export { fillPlaceholders } from './definitions';
export { StepFunctions } from './service';

const TASK_TOKEN_OPERATIONS = new Set(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);

/**
 * Creates the service and its starter.
 *
 * @example
 * const { service, stateMachines } = createStepFunctionsService(runtime);
 * runtime.bind({ stateMachines });
 */
export function createStepFunctionsService(runtime: SandboxRuntime): {
  service: ServiceDefinition;
  stateMachines: StateMachineStarter;
  stepFunctions: StepFunctions;
} {
  const sfn = new StepFunctions(runtime);
  const stateMachines: StateMachineStarter = {
    startExecution: async (stateMachineArn, input, name) => {
      const ex = sfn.startExecution(stateMachineArn, input, name);
      return { executionArn: ex.executionArn, startDate: new Date(ex.startDate) };
    },
  };

  const service: ServiceDefinition = {
    signingName: 'states',
    protocol: 'awsJson1_0',
    targetPrefix: 'AWSStepFunctions',
    eventSource: 'states.amazonaws.com',
    // the state machine or execution a call names (list calls take `*`); Step Functions has no
    // resource policies, so one of another account is out of reach. SendTask* name the state machine
    // of the token's execution, as AWS's denials do (the Service Authorization Reference lists no
    // resource type, so `*` allows them too); a token the caller's account never issued is `*`.
    authorization: (operation, input, ctx) => {
      if (TASK_TOKEN_OPERATIONS.has(operation)) {
        const token = typeof input.taskToken === 'string' ? input.taskToken : '';
        const issued = sfn.tokens.find(token, ctx.principal.accountId, ctx.region);
        return issued ? { resources: [issued.stateMachineArn], resourceAccountId: issued.accountId } : {};
      }
      const arn = [input.executionArn, input.stateMachineArn].find((v): v is string => typeof v === 'string');
      if (!arn) return {};
      const account = /^arn:aws[a-z-]*:states:[^:]*:(\d{12}):/.exec(arn)?.[1];
      return { resources: [arn], ...(account ? { resourceAccountId: account } : {}) };
    },
    operations: sfn.operations(),
    start: () => {
      sfn.recoverInterrupted(RESTART_ERROR, RESTART_CAUSE);
    },
    stop: () => {
      sfn.executor.shutdown();
    },
  };
  return { service, stateMachines, stepFunctions: sfn };
}
