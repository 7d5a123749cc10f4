import type { SandboxRuntime, ServiceDefinition } from '../../core/types';
import { StackSetEngine } from './engine';
import { stackSetOperations } from './operations';

export { StackSetEngine } from './engine';
export type { DeployedRecord } from './model';
export { TABLES as CLOUDFORMATION_TABLES } from './model';

/**
 * CloudFormation StackSets (awsQuery, 2010-05-15): stack sets, stack instances and their
 * operations, progressing on the sandbox clock. See `docs/sandbox-services.md`.
 *
 * @example
 * const service = createCloudFormationService(runtime);
 * await service.operations.CreateStackSet?.({ StackSetName: 'baseline', TemplateBody: '{}' }, ctx);
 */
export function createCloudFormationService(runtime: SandboxRuntime): ServiceDefinition {
  const engine = new StackSetEngine(runtime);
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
    operations: stackSetOperations(engine),
    start: () => engine.resume(),
    stop: () => engine.stop(),
  };
}
