import type { InstanceRecord, OperationRecord, StackSetRecord } from './model';

/** Output shapes, named as in the CloudFormation API reference (serialised as XML by the codec). */

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops undefined fields so the XML carries no empty elements. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function stackSetView(set: StackSetRecord, regions: string[]): Record<string, unknown> {
  return compact({
    StackSetName: set.StackSetName,
    StackSetId: set.StackSetId,
    Description: set.Description,
    Status: 'ACTIVE',
    TemplateBody: set.TemplateBody,
    Parameters: set.Parameters,
    Capabilities: set.Capabilities,
    Tags: set.Tags,
    StackSetARN: set.StackSetARN,
    AdministrationRoleARN: set.AdministrationRoleARN,
    ExecutionRoleName: set.ExecutionRoleName,
    StackSetDriftDetectionDetails: { DriftStatus: 'NOT_CHECKED' },
    AutoDeployment: set.AutoDeployment,
    PermissionModel: set.PermissionModel,
    OrganizationalUnitIds: set.PermissionModel === 'SERVICE_MANAGED' ? set.OrganizationalUnitIds : undefined,
    ManagedExecution: set.ManagedExecution,
    Regions: regions,
  });
}

export function stackSetSummaryView(set: StackSetRecord): Record<string, unknown> {
  return compact({
    StackSetName: set.StackSetName,
    StackSetId: set.StackSetId,
    Description: set.Description,
    Status: 'ACTIVE',
    AutoDeployment: set.AutoDeployment,
    PermissionModel: set.PermissionModel,
    DriftStatus: 'NOT_CHECKED',
    ManagedExecution: set.ManagedExecution,
  });
}

export function instanceView(instance: InstanceRecord, full: boolean): Record<string, unknown> {
  return compact({
    StackSetId: instance.StackSetId,
    Region: instance.Region,
    Account: instance.Account,
    StackId: instance.StackId,
    ParameterOverrides: full ? instance.ParameterOverrides : undefined,
    Status: instance.Status,
    StackInstanceStatus: { DetailedStatus: instance.DetailedStatus },
    StatusReason: instance.StatusReason,
    OrganizationalUnitId: instance.OrganizationalUnitId,
    DriftStatus: 'NOT_CHECKED',
    LastOperationId: instance.LastOperationId,
  });
}

function preferencesView(op: OperationRecord): Record<string, unknown> {
  const p = op.OperationPreferences;
  return compact({
    RegionConcurrencyType: p.RegionConcurrencyType ?? 'SEQUENTIAL',
    RegionOrder: p.RegionOrder,
    FailureToleranceCount: p.FailureToleranceCount,
    FailureTolerancePercentage: p.FailureTolerancePercentage,
    MaxConcurrentCount: p.MaxConcurrentCount,
    MaxConcurrentPercentage: p.MaxConcurrentPercentage,
    ConcurrencyMode: p.ConcurrencyMode,
  });
}

function statusDetails(op: OperationRecord): Record<string, unknown> | undefined {
  return op.failedCount !== undefined && op.failedCount > 0 ? { FailedStackInstancesCount: op.failedCount } : undefined;
}

export function operationView(op: OperationRecord, set: StackSetRecord): Record<string, unknown> {
  const done = op.Status === 'SUCCEEDED' || op.Status === 'FAILED' || op.Status === 'STOPPED';
  return compact({
    OperationId: op.OperationId,
    StackSetId: op.StackSetId,
    Action: op.Action,
    Status: op.Status,
    OperationPreferences: preferencesView(op),
    RetainStacks: op.RetainStacks,
    AdministrationRoleARN: set.AdministrationRoleARN,
    ExecutionRoleName: set.ExecutionRoleName,
    CreationTimestamp: iso(op.createdAt),
    EndTimestamp: done ? iso(op.endAt) : undefined,
    DeploymentTargets: op.DeploymentTargets,
    StatusReason: op.StatusReason,
    StatusDetails: statusDetails(op),
  });
}

export function operationSummaryView(op: OperationRecord): Record<string, unknown> {
  const done = op.Status === 'SUCCEEDED' || op.Status === 'FAILED' || op.Status === 'STOPPED';
  return compact({
    OperationId: op.OperationId,
    Action: op.Action,
    Status: op.Status,
    CreationTimestamp: iso(op.createdAt),
    EndTimestamp: done ? iso(op.endAt) : undefined,
    StatusReason: op.StatusReason,
    StatusDetails: statusDetails(op),
    OperationPreferences: preferencesView(op),
  });
}
