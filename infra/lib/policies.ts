import { Aws, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/** What a function's manifest actions may be scoped to. */
export interface GrantTargets {
  readonly bus: IEventBus;
  readonly table: ITable;
  readonly secret: ISecret;
  /** The state machines, with their names (execution ARNs are built from them). */
  readonly stateMachines: readonly { readonly name: string; readonly stateMachine: IStateMachine }[];
  /** Scopes Organizations write actions to the organization's ARNs. */
  readonly organizationId: string;
  /** Name of the role assumed in member accounts (`sts:AssumeRole` only on it). */
  readonly remediationRoleName: string;
  /** Stack sets the vending functions may operate on (name prefix). @default 'vendguard-' */
  readonly stackSetPrefix?: string;
  /** The network account's operator role (config `network`), for functions that assume it. */
  readonly networkRole?: { readonly accountId: string; readonly roleName: string };
}

/** A resource with a wildcard that a grant had to use, and why no narrower one exists. */
export interface WildcardGrant {
  readonly resource: string;
  readonly reason: string;
}

/** Organizations actions that accept resource-level scoping, with the resource types they take. */
const ORGANIZATIONS_SCOPED: Readonly<Record<string, readonly ('account' | 'ou' | 'root' | 'policy')[]>> = {
  'organizations:MoveAccount': ['account', 'ou', 'root'],
  'organizations:CloseAccount': ['account'],
  'organizations:TagResource': ['account'],
  'organizations:AttachPolicy': ['policy', 'account', 'ou', 'root'],
  'organizations:DetachPolicy': ['policy', 'account', 'ou', 'root'],
};

function organizationsArns(orgId: string, kinds: readonly string[]): string[] {
  const base = `arn:${Aws.PARTITION}:organizations::*`;
  const arn = {
    account: `${base}:account/${orgId}/*`,
    ou: `${base}:ou/${orgId}/ou-*`,
    root: `${base}:root/${orgId}/r-*`,
    policy: `${base}:policy/${orgId}/service_control_policy/p-*`,
  } as Record<string, string>;
  return kinds.map((k) => arn[k]!);
}

/**
 * Grants a function exactly its manifest actions, each on the narrowest resource AWS accepts for it:
 * CDK `grant*` methods for the bus, table, secret and state machines, hand-written statements
 * elsewhere. Actions that only take `Resource: *` (Organizations List/Describe/CreateAccount) get `*`.
 *
 * @returns the wildcard resources granted and why, for the cdk-nag acknowledgements.
 */
export function grantManifestActions(
  scope: Construct,
  grantee: IGrantable,
  actions: readonly string[],
  targets: GrantTargets,
  assumesMemberRole: boolean,
  assumesNetworkRole = false,
): WildcardGrant[] {
  const stack = Stack.of(scope);
  const wildcards: WildcardGrant[] = [];
  const byService = new Map<string, string[]>();
  for (const action of new Set(actions)) {
    const service = action.split(':')[0]!;
    byService.set(service, [...(byService.get(service) ?? []), action]);
  }
  for (const [service, list] of byService) {
    switch (service) {
      case 'events':
        for (const a of list) {
          if (a === 'events:PutEvents') targets.bus.grantPutEventsTo(grantee);
          else Grant.addToPrincipal({ grantee, actions: [a], resourceArns: [targets.bus.eventBusArn] });
        }
        break;
      case 'dynamodb':
        targets.table.grant(grantee, ...list);
        break;
      case 'secretsmanager':
        // Exactly the manifest's actions (grantRead would add DescribeSecret).
        // A secret referenced by name has no full ARN: match its random 6-character suffix.
        Grant.addToPrincipal({
          grantee,
          actions: list,
          resourceArns: [targets.secret.secretFullArn ?? `${targets.secret.secretArn}-??????`],
        });
        break;
      case 'states':
        for (const { name, stateMachine } of targets.stateMachines) {
          const onExecutions = list.filter((a) => a !== 'states:StartExecution');
          if (list.includes('states:StartExecution')) stateMachine.grantStartExecution(grantee);
          if (onExecutions.length) {
            const executions = `arn:${Aws.PARTITION}:states:${stack.region}:${stack.account}:execution:${name}:*`;
            Grant.addToPrincipal({ grantee, actions: onExecutions, resourceArns: [executions] });
            wildcards.push({
              resource: executions,
              reason: 'executions are named at run time (from the request id); scoped to this state machine',
            });
          }
        }
        break;
      case 'organizations': {
        const scoped = list.filter((a) => ORGANIZATIONS_SCOPED[a]);
        const global = list.filter((a) => !ORGANIZATIONS_SCOPED[a]);
        for (const a of scoped) {
          const arns = organizationsArns(targets.organizationId, ORGANIZATIONS_SCOPED[a]!);
          Grant.addToPrincipal({ grantee, actions: [a], resourceArns: arns });
          for (const resource of arns) {
            wildcards.push({
              resource,
              reason: 'vended accounts and their OUs exist only at run time; scoped to this organization',
            });
          }
        }
        if (global.length) {
          Grant.addToPrincipal({ grantee, actions: global, resourceArns: ['*'] });
          wildcards.push({
            resource: '*',
            reason: `${global.join(', ')} accept only Resource "*" (no resource-level permissions)`,
          });
        }
        break;
      }
      case 'cloudformation': {
        const prefix = targets.stackSetPrefix ?? 'vendguard-';
        const stackSet = `arn:${Aws.PARTITION}:cloudformation:${stack.region}:${stack.account}:stackset/${prefix}*:*`;
        const create = list.filter((a) => a === 'cloudformation:CreateStackInstances');
        const rest = list.filter((a) => a !== 'cloudformation:CreateStackInstances');
        const reason = `stack set ARNs end in a generated id; scoped to this account's ${prefix}* stack sets`;
        if (create.length) {
          const arns = [
            stackSet,
            `arn:${Aws.PARTITION}:cloudformation:*:${stack.account}:stackset-target/${prefix}*`,
            `arn:${Aws.PARTITION}:cloudformation:*::type/resource/*`,
          ];
          Grant.addToPrincipal({ grantee, actions: create, resourceArns: arns });
          for (const resource of arns)
            wildcards.push({
              resource,
              reason: `${reason}; CreateStackInstances also authorizes its targets and resource types`,
            });
        }
        if (rest.length) Grant.addToPrincipal({ grantee, actions: rest, resourceArns: [stackSet] });
        if (rest.length && !create.length) wildcards.push({ resource: stackSet, reason });
        break;
      }
      case 'sts':
        for (const a of list) {
          if (a !== 'sts:AssumeRole') {
            Grant.addToPrincipal({ grantee, actions: [a], resourceArns: ['*'] });
            wildcards.push({ resource: '*', reason: `${a} takes no resource` });
          }
        }
        break;
      default:
        Grant.addToPrincipal({ grantee, actions: list, resourceArns: ['*'] });
        wildcards.push({ resource: '*', reason: `${list.join(', ')}: no narrower resource is known to vendguard` });
    }
  }
  if (assumesNetworkRole) {
    if (!targets.networkRole) throw new Error('a function assumes the network role, but the config has no network');
    const { accountId, roleName } = targets.networkRole;
    Grant.addToPrincipal({
      grantee,
      actions: ['sts:AssumeRole'],
      resourceArns: [`arn:${Aws.PARTITION}:iam::${accountId}:role/${roleName}`],
    });
  }
  if (assumesMemberRole || actions.includes('sts:AssumeRole')) {
    const resource = `arn:${Aws.PARTITION}:iam::*:role/${targets.remediationRoleName}`;
    Grant.addToPrincipal({ grantee, actions: ['sts:AssumeRole'], resourceArns: [resource] });
    wildcards.push({
      resource,
      reason: 'member accounts are vended at run time; only the fixed remediation role, which trusts only the hub',
    });
  }
  return wildcards;
}
