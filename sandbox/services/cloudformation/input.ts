import * as z from 'zod/mini';
import { pageAt } from '../../core/paging';
import { ValidationError } from './errors';

/**
 * Schemas of the StackSets requests as the awsQuery codec decodes them: lists are arrays, nested
 * structures objects, and every scalar a string (numbers and booleans are parsed here).
 */
/** A list; the SDK sends an empty list as `Name=` (an empty string). */
function listOf<T extends z.ZodMiniType>(item: T) {
  return z.pipe(
    z.transform((v: unknown) => (v === '' ? [] : v)),
    z.array(item),
  );
}

const int = z.optional(z.coerce.number().check(z.int(), z.nonnegative()));
const bool = z.optional(z.stringbool());
const strings = z.optional(listOf(z.string()));

export const ParameterSchema = z.looseObject({
  ParameterKey: z.optional(z.string()),
  ParameterValue: z.optional(z.string()),
  UsePreviousValue: bool,
});

export const OperationPreferencesSchema = z.looseObject({
  RegionConcurrencyType: z.optional(z.enum(['SEQUENTIAL', 'PARALLEL'])),
  RegionOrder: strings,
  FailureToleranceCount: int,
  FailureTolerancePercentage: z.optional(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(100))),
  MaxConcurrentCount: z.optional(z.coerce.number().check(z.int(), z.minimum(1))),
  MaxConcurrentPercentage: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  ConcurrencyMode: z.optional(z.enum(['STRICT_FAILURE_TOLERANCE', 'SOFT_FAILURE_TOLERANCE'])),
});

export const DeploymentTargetsSchema = z.looseObject({
  Accounts: strings,
  AccountsUrl: z.optional(z.string()),
  OrganizationalUnitIds: strings,
  AccountFilterType: z.optional(z.enum(['NONE', 'INTERSECTION', 'DIFFERENCE', 'UNION'])),
});

const AutoDeploymentSchema = z.looseObject({ Enabled: bool, RetainStacksOnAccountRemoval: bool });
const ManagedExecutionSchema = z.looseObject({ Active: bool });
const TagSchema = z.object({ Key: z.string(), Value: z.string() });
const stackSetName = z.string().check(z.minLength(1));

export const CreateStackSetSchema = z.looseObject({
  StackSetName: stackSetName,
  Description: z.optional(z.string()),
  TemplateBody: z.optional(z.string()),
  TemplateURL: z.optional(z.string()),
  Parameters: z.optional(listOf(ParameterSchema)),
  Capabilities: strings,
  Tags: z.optional(listOf(TagSchema)),
  AdministrationRoleARN: z.optional(z.string()),
  ExecutionRoleName: z.optional(z.string()),
  PermissionModel: z.optional(z.enum(['SERVICE_MANAGED', 'SELF_MANAGED'])),
  AutoDeployment: z.optional(AutoDeploymentSchema),
  ManagedExecution: z.optional(ManagedExecutionSchema),
  ClientRequestToken: z.optional(z.string()),
});

export const UpdateStackSetSchema = z.looseObject({
  StackSetName: stackSetName,
  Description: z.optional(z.string()),
  TemplateBody: z.optional(z.string()),
  TemplateURL: z.optional(z.string()),
  UsePreviousTemplate: bool,
  Parameters: z.optional(listOf(ParameterSchema)),
  Capabilities: strings,
  Tags: z.optional(listOf(TagSchema)),
  OperationPreferences: z.optional(OperationPreferencesSchema),
  AdministrationRoleARN: z.optional(z.string()),
  ExecutionRoleName: z.optional(z.string()),
  DeploymentTargets: z.optional(DeploymentTargetsSchema),
  PermissionModel: z.optional(z.enum(['SERVICE_MANAGED', 'SELF_MANAGED'])),
  AutoDeployment: z.optional(AutoDeploymentSchema),
  OperationId: z.optional(z.string()),
  Accounts: strings,
  Regions: strings,
  ManagedExecution: z.optional(ManagedExecutionSchema),
});

export const CreateStackInstancesSchema = z.looseObject({
  StackSetName: stackSetName,
  Accounts: strings,
  DeploymentTargets: z.optional(DeploymentTargetsSchema),
  Regions: listOf(z.string()).check(z.minLength(1)),
  ParameterOverrides: z.optional(listOf(ParameterSchema)),
  OperationPreferences: z.optional(OperationPreferencesSchema),
  OperationId: z.optional(z.string()),
});

export const DeleteStackInstancesSchema = z.looseObject({
  StackSetName: stackSetName,
  Accounts: strings,
  DeploymentTargets: z.optional(DeploymentTargetsSchema),
  Regions: listOf(z.string()).check(z.minLength(1)),
  OperationPreferences: z.optional(OperationPreferencesSchema),
  RetainStacks: z.stringbool(),
  OperationId: z.optional(z.string()),
});

const page = {
  NextToken: z.optional(z.string()),
  MaxResults: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
};

export const ListStackSetsSchema = z.looseObject({ ...page, Status: z.optional(z.enum(['ACTIVE', 'DELETED'])) });
export const StackSetNameSchema = z.looseObject({ StackSetName: stackSetName });
export const ListStackInstancesSchema = z.looseObject({
  StackSetName: stackSetName,
  ...page,
  Filters: z.optional(
    listOf(
      z.looseObject({ Name: z.enum(['DETAILED_STATUS', 'LAST_OPERATION_ID', 'DRIFT_STATUS']), Values: z.string() }),
    ),
  ),
  StackInstanceAccount: z.optional(z.string()),
  StackInstanceRegion: z.optional(z.string()),
});
export const DescribeStackInstanceSchema = z.looseObject({
  StackSetName: stackSetName,
  StackInstanceAccount: z.string(),
  StackInstanceRegion: z.string(),
});
export const DescribeOperationSchema = z.looseObject({ StackSetName: stackSetName, OperationId: z.string() });
export const ListOperationsSchema = z.looseObject({ StackSetName: stackSetName, ...page });
export const ListOperationResultsSchema = z.looseObject({
  StackSetName: stackSetName,
  OperationId: z.string(),
  ...page,
  Filters: z.optional(listOf(z.looseObject({ Name: z.literal('OPERATION_RESULT_STATUS'), Values: z.string() }))),
});

/** Parses a request or throws `ValidationError` naming the first bad parameter. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'request';
  throw new ValidationError(
    `1 validation error detected: Value at '${where}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
  );
}

/** One page of `items` and the NextToken of the next. */
export function paginate<T>(items: T[], nextToken: string | undefined, maxResults = 100): { page: T[]; next?: string } {
  return pageAt(items, nextToken || undefined, maxResults, () => new ValidationError('Invalid NextToken'));
}
