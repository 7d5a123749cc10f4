/** Store tables and persisted records of the StackSets emulation. */

export const TABLES = {
  stackSets: 'cfn.stacksets',
  instances: 'cfn.instances',
  operations: 'cfn.operations',
  operationIds: 'cfn.operation-ids',
  /** Which template is deployed in which account/region (read by tests and other services). */
  deployed: 'cfn.deployed',
} as const;

export const PermissionModel = { SERVICE_MANAGED: 'SERVICE_MANAGED', SELF_MANAGED: 'SELF_MANAGED' } as const;
export type PermissionModel = (typeof PermissionModel)[keyof typeof PermissionModel];

export type OperationAction = 'CREATE' | 'UPDATE' | 'DELETE';
export type OperationStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPING' | 'STOPPED' | 'QUEUED';
/** Deploying: RUNNING, or STOPPING until its started deployments finish. */
export const inFlight = (s: OperationStatus): boolean => s === 'RUNNING' || s === 'STOPPING';
/** Not finished yet: in flight or QUEUED. */
export const isActive = (s: OperationStatus): boolean => inFlight(s) || s === 'QUEUED';

export type ResultStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type InstanceStatus = 'CURRENT' | 'OUTDATED' | 'INOPERABLE';
export type DetailedStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INOPERABLE';

export interface Parameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** Operation preferences, numbers parsed. */
export interface OperationPreferences {
  RegionConcurrencyType?: 'SEQUENTIAL' | 'PARALLEL';
  RegionOrder?: string[];
  FailureToleranceCount?: number;
  FailureTolerancePercentage?: number;
  MaxConcurrentCount?: number;
  MaxConcurrentPercentage?: number;
  ConcurrencyMode?: 'STRICT_FAILURE_TOLERANCE' | 'SOFT_FAILURE_TOLERANCE';
}

export interface DeploymentTargets {
  Accounts?: string[];
  OrganizationalUnitIds?: string[];
  AccountFilterType?: 'NONE' | 'INTERSECTION' | 'DIFFERENCE' | 'UNION';
}

export interface StackSetRecord {
  /** Store id: `<adminAccount>/<region>/<name>`. */
  key: string;
  adminAccount: string;
  region: string;
  StackSetName: string;
  StackSetId: string;
  StackSetARN: string;
  Description?: string;
  TemplateBody: string;
  Parameters: Parameter[];
  Capabilities: string[];
  Tags: Tag[];
  PermissionModel: PermissionModel;
  AdministrationRoleARN?: string;
  ExecutionRoleName?: string;
  AutoDeployment?: { Enabled?: boolean; RetainStacksOnAccountRemoval?: boolean };
  ManagedExecution: { Active: boolean };
  OrganizationalUnitIds: string[];
  /** Incremented by every UpdateStackSet; an instance is CURRENT when it deployed this version. */
  templateVersion: number;
  createdAt: string;
}

export interface InstanceRecord {
  StackSetId: string;
  Account: string;
  Region: string;
  StackId: string;
  OrganizationalUnitId?: string;
  ParameterOverrides: Parameter[];
  Status: InstanceStatus;
  DetailedStatus: DetailedStatus;
  StatusReason?: string;
  LastOperationId?: string;
  deployedVersion?: number;
}

/** One account+region an operation acts on, with what was drawn for it when the operation was accepted. */
export interface OperationTarget {
  account: string;
  region: string;
  ou?: string;
  /** Simulated deployment time. */
  durationMs: number;
  /** Set when the deployment is going to fail. */
  failure?: string;
}

/** The computed fate of a target once the operation started. */
export interface TargetSchedule {
  startAt?: number;
  endAt: number;
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
}

export interface OperationRecord {
  OperationId: string;
  StackSetId: string;
  stackSetKey: string;
  Action: OperationAction;
  Status: OperationStatus;
  /** Simulated ms. */
  createdAt: number;
  startedAt?: number;
  endAt?: number;
  StatusReason?: string;
  OperationPreferences: OperationPreferences;
  RetainStacks?: boolean;
  DeploymentTargets?: DeploymentTargets;
  targets: OperationTarget[];
  schedule?: TargetSchedule[];
  /** Operations (ids) this one waits for when queued under managed execution. */
  waitFor: string[];
  templateVersion: number;
  /** The template this operation deploys (the stack set's when it was accepted). */
  templateBody?: string;
  /** StopStackSetOperation was called. */
  stopped?: boolean;
  /** Computed when the operation starts: the failure tolerance is exceeded. */
  failed?: boolean;
  failedCount?: number;
  sequence: number;
}

export interface OperationIdRecord {
  /** The stack set (by id: a re-created stack set of the same name is another one). */
  stackSetId: string;
  fingerprint: string;
}

export interface DeployedRecord {
  account: string;
  region: string;
  stackSetName: string;
  stackSetId: string;
  stackId: string;
  templateBody: string;
  parameters: Parameter[];
  operationId: string;
  deployedAt: string;
  /** The stack was removed from the stack set with RetainStacks and still exists. */
  retained?: boolean;
}

/** The reason AWS gives when the execution role is missing in a target account. */
export function executionRoleReason(account: string): string {
  return `Account ${account} should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.`;
}

export const STOPPED_REASON = 'Cancelled since the operation was stopped';
export const CANCELLED_REASON = 'Cancelled since failure tolerance has exceeded';
export const ACCOUNT_GATE_SKIPPED =
  'Function not found: arn:aws:lambda:::function:AWSCloudFormationStackSetAccountGate';
