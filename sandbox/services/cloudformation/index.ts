import { controlRoute } from '../../core/control';
import type { SandboxRuntime, ServiceDefinition } from '../../core/types';
import { StackSetEngine } from './engine';
import { stackSetOperations } from './operations';
import { Stacks, stackSummaries } from './stacks';

export { StackSetEngine } from './engine';
export type { DeployedRecord } from './model';
export { TABLES as CLOUDFORMATION_TABLES } from './model';
export { STACK_TABLES, type StackRecord, Stacks } from './stacks';

/**
 * CloudFormation (awsQuery, 2010-05-15): stacks and their change sets, and StackSets (stack sets,
 * stack instances and their operations, progressing on the sandbox clock). Both create their
 * templates' resources through the resource providers. See `docs/sandbox-services.md`.
 *
 * @example
 * const service = createCloudFormationService(runtime);
 * await service.operations.CreateStackSet?.({ StackSetName: 'baseline', TemplateBody: '{}' }, ctx);
 */
export function createCloudFormationService(runtime: SandboxRuntime): ServiceDefinition {
  const engine = new StackSetEngine(runtime);
  const stacks = new Stacks(runtime);
  return {
    signingName: 'cloudformation',
    protocol: 'awsQuery',
    xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    eventSource: 'cloudformation.amazonaws.com',
    // the stack set or stack a call names (the SCPs protect stack/StackSet-vendguard-*)
    authorization: (_operation, input, ctx) => {
      const where = `arn:aws:cloudformation:${ctx.region}:${ctx.principal.accountId}`;
      if (typeof input.StackSetName === 'string') {
        const name = input.StackSetName.startsWith('arn:')
          ? input.StackSetName
          : `${where}:stackset/${input.StackSetName}:*`;
        return { resources: [name] };
      }
      if (typeof input.StackName === 'string') {
        return {
          resources: [input.StackName.startsWith('arn:') ? input.StackName : `${where}:stack/${input.StackName}/*`],
        };
      }
      return {};
    },
    operations: { ...stackSetOperations(engine), ...stacks.operations() },
    isReadOnly: (operation) => /^(Describe|List|Get|Validate|Estimate)/.test(operation),
    start: () => {
      engine.resume();
      controlRoute('GET', '/_sandbox/stacks', (rt) => ({ status: 200, body: { stacks: stackSummaries(rt) } }));
    },
    stop: () => engine.stop(),
  };
}
