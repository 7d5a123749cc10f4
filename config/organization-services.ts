import type { OrganizationConfig } from './schema';

/**
 * What vendguard needs of the organization besides its accounts: trusted access for the services it
 * drives across accounts, and the organization trail. Shared by the sandbox (which seeds them) and
 * the CLI (`vendguard doctor`, which checks them against AWS); it imports nothing but the config types.
 */

/** StackSets with service-managed permissions (the baselines): trusted access for CloudFormation StackSets. */
export const STACKSETS_SERVICE_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';

/** CloudTrail: an organization trail needs trusted access for it. */
export const CLOUDTRAIL_SERVICE_PRINCIPAL = 'cloudtrail.amazonaws.com';

/** The services vendguard needs trusted access for, whatever the config says. */
export const VENDGUARD_TRUSTED_SERVICES = [STACKSETS_SERVICE_PRINCIPAL, CLOUDTRAIL_SERVICE_PRINCIPAL] as const;

/** The organization trail the sandbox seeds in the management account's home region. */
export const ORGANIZATION_TRAIL_NAME = 'vendguard-organization-trail';

/**
 * Every service the organization must trust: vendguard's own, the config's
 * `organization.trustedServices`, then the service of each delegated administrator (registering one
 * needs trusted access first), without repeats, in that order.
 *
 * @example
 * trustedServicesOf(config) // ['member.org.stacksets.cloudformation.amazonaws.com', 'cloudtrail.amazonaws.com', 'securityhub.amazonaws.com']
 */
export function trustedServicesOf(config: Pick<OrganizationConfig, 'organization'>): string[] {
  const { trustedServices, delegatedAdministrators } = config.organization;
  return [
    ...new Set([
      ...VENDGUARD_TRUSTED_SERVICES,
      ...trustedServices,
      ...delegatedAdministrators.map((d) => d.servicePrincipal),
    ]),
  ];
}
