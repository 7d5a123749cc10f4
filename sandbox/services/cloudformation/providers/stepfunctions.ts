import { StepFunctions } from '../../stepfunctions/service';
import { generatedName, ResourceFailure, type ResourceProvider, str } from '../resources';

/**
 * `AWS::StepFunctions::StateMachine`: a state machine of the stack's account and region from its
 * `DefinitionString` (or `Definition`) with `DefinitionSubstitutions` filled in as CloudFormation
 * fills them (`${Name}` → value), validated as `CreateStateMachine` validates it. Ref is the ARN;
 * GetAtt `Arn`, `Name`. Logging and tracing settings are accepted and not modelled.
 */

function definitionOf(props: Record<string, unknown>): string {
  const text =
    str(props, 'DefinitionString') ?? (props.Definition !== undefined ? JSON.stringify(props.Definition) : undefined);
  if (text === undefined)
    throw new ResourceFailure('One of DefinitionString, Definition or DefinitionS3Location is required');
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
    Object.hasOwn(substitutions, name) ? String(substitutions[name]) : whole,
  );
}

export const stateMachineProvider: ResourceProvider = {
  type: 'AWS::StepFunctions::StateMachine',
  properties: [
    'Definition',
    'DefinitionString',
    'DefinitionSubstitutions',
    'LoggingConfiguration',
    'RoleArn',
    'StateMachineName',
    'StateMachineType',
    'Tags',
    'TracingConfiguration',
  ],
  required: ['RoleArn'],
  create(ctx, props) {
    const sfn = new StepFunctions(ctx.runtime);
    const sm = sfn.createStateMachine(ctx.region, ctx.account, {
      name: str(props, 'StateMachineName') ?? generatedName(ctx, 80),
      definition: definitionOf(props),
      roleArn: str(props, 'RoleArn') as string,
      ...(str(props, 'StateMachineType') ? { type: str(props, 'StateMachineType') as string } : {}),
    });
    return { physicalId: sm.stateMachineArn, attributes: { Arn: sm.stateMachineArn, Name: sm.name } };
  },
  update(ctx, physicalId, props, previous) {
    if (str(props, 'StateMachineName') !== str(previous, 'StateMachineName')) return undefined;
    if (str(props, 'StateMachineType') !== str(previous, 'StateMachineType')) return undefined;
    const sm = new StepFunctions(ctx.runtime).updateStateMachine(physicalId, {
      definition: definitionOf(props),
      roleArn: str(props, 'RoleArn') as string,
    });
    return { physicalId, attributes: { Arn: sm.stateMachineArn, Name: sm.name } };
  },
  delete(ctx, physicalId) {
    new StepFunctions(ctx.runtime).records.deleteStateMachine(physicalId);
  },
};
