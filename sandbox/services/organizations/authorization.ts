import type { AuthorizationDetails } from '../../core/types';
import type { OrgState } from './model';

/**
 * The resources an Organizations call is authorized on, as the Service Authorization Reference lists
 * them: `AttachPolicy` on the policy and its target, `MoveAccount` on the account and both parents,
 * `TagResource` on what it tags, `Describe*` on what they read. A policy that grants an action on
 * this organization's ARNs (`arn:aws:organizations::*:account/o-…/*`, as the hub stack grants) is
 * judged against them; a call the reference scopes to nothing stays on `*`. A call naming a service
 * principal carries it as `organizations:ServicePrincipal` (`EnableAWSServiceAccess`,
 * `RegisterDelegatedAdministrator`, …), for policies that allow trusted access to some services only.
 */

/** Input fields naming a resource, per operation. */
const RESOURCE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  AttachPolicy: ['PolicyId', 'TargetId'],
  DetachPolicy: ['PolicyId', 'TargetId'],
  MoveAccount: ['AccountId', 'SourceParentId', 'DestinationParentId'],
  TagResource: ['ResourceId'],
  UntagResource: ['ResourceId'],
  ListTagsForResource: ['ResourceId'],
  DescribeAccount: ['AccountId'],
  CloseAccount: ['AccountId'],
  RemoveAccountFromOrganization: ['AccountId'],
  DescribeOrganizationalUnit: ['OrganizationalUnitId'],
  UpdateOrganizationalUnit: ['OrganizationalUnitId'],
  DeleteOrganizationalUnit: ['OrganizationalUnitId'],
  CreateOrganizationalUnit: ['ParentId'],
  DescribePolicy: ['PolicyId'],
  UpdatePolicy: ['PolicyId'],
  DeletePolicy: ['PolicyId'],
  ListTargetsForPolicy: ['PolicyId'],
  ListPoliciesForTarget: ['TargetId'],
  ListParents: ['ChildId'],
  ListChildren: ['ParentId'],
  ListAccountsForParent: ['ParentId'],
  ListOrganizationalUnitsForParent: ['ParentId'],
  RegisterDelegatedAdministrator: ['AccountId'],
  DeregisterDelegatedAdministrator: ['AccountId'],
  ListDelegatedServicesForAccount: ['AccountId'],
  EnablePolicyType: ['RootId'],
  DisablePolicyType: ['RootId'],
};

/** Operations whose `ServicePrincipal` is the `organizations:ServicePrincipal` condition key. */
const SERVICE_PRINCIPAL_OPERATIONS = new Set([
  'EnableAWSServiceAccess',
  'DisableAWSServiceAccess',
  'RegisterDelegatedAdministrator',
  'DeregisterDelegatedAdministrator',
  'ListDelegatedAdministrators',
]);

/** The ARN of an account, OU, root or policy id of the organization (undefined for anything else). */
export function organizationsArn(state: OrgState, id: string): string | undefined {
  if (!state.seeded()) return undefined;
  const { id: orgId, masterAccountId } = state.meta();
  const base = `arn:aws:organizations::${masterAccountId}`;
  if (/^\d{12}$/.test(id)) return `${base}:account/${orgId}/${id}`;
  if (/^ou-/.test(id)) return `${base}:ou/${orgId}/${id}`;
  if (/^r-/.test(id)) return `${base}:root/${orgId}/${id}`;
  if (/^p-/.test(id)) return `${base}:policy/${orgId}/service_control_policy/${id}`;
  return undefined;
}

export function organizationsAuthorization(state: OrgState) {
  return (operation: string, input: Record<string, unknown>): AuthorizationDetails => {
    const resources = (RESOURCE_FIELDS[operation] ?? []).flatMap((field) => {
      const value = input[field];
      const arn = typeof value === 'string' ? organizationsArn(state, value) : undefined;
      return arn ? [arn] : [];
    });
    const principal = input.ServicePrincipal;
    const context =
      SERVICE_PRINCIPAL_OPERATIONS.has(operation) && typeof principal === 'string'
        ? { 'organizations:ServicePrincipal': principal }
        : undefined;
    return { ...(resources.length ? { resources } : {}), ...(context ? { context } : {}) };
  };
}
