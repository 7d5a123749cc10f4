import type { SandboxRuntime } from '../../core/types';
import { T as ORG_TABLES, type OuRecord } from '../organizations/model';
import { invalidParameter, ORGANIZATION_ONLY_MESSAGE, operationNotPermitted, unknownResource } from './errors';
import { isSharingEnabled } from './organization';
import { inOrganization } from './sharing';

/**
 * The principals a resource share names, as `CreateResourceShare` takes them: an account id, the
 * organization's ARN or an OU's ARN. IAM roles and users and service principals (which RAM accepts
 * for some resource types, none of those the sandbox shares) are refused.
 */

export type Principal =
  | { readonly kind: 'account'; readonly id: string }
  | { readonly kind: 'organization'; readonly id: string; readonly organizationId: string }
  | { readonly kind: 'ou'; readonly id: string; readonly organizationId: string; readonly ouId: string };

const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^arn:aws:organizations::\d{12}:organization\/(o-[a-z0-9]{10,32})$/;
const OU = /^arn:aws:organizations::\d{12}:ou\/(o-[a-z0-9]{10,32})\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const IAM_OR_SERVICE = /^(arn:aws:iam::\d{12}:(root|role\/.+|user\/.+)|[a-z0-9-]+\.amazonaws\.com)$/;

/** A principal as given, or `InvalidParameterException` "Principal ID … is malformed." */
export function parsePrincipal(value: string): Principal {
  if (ACCOUNT.test(value)) return { kind: 'account', id: value };
  const org = ORGANIZATION.exec(value);
  if (org) return { kind: 'organization', id: value, organizationId: org[1] as string };
  const ou = OU.exec(value);
  if (ou) return { kind: 'ou', id: value, organizationId: ou[1] as string, ouId: ou[2] as string };
  if (IAM_OR_SERVICE.test(value)) {
    throw invalidParameter(
      `Principal ${value} cannot be associated: the sandbox shares its resource types with accounts, organizational units and the organization only.`,
    );
  }
  throw invalidParameter(`Principal ID ${value} is malformed. Verify the ID and try again.`);
}

/**
 * Checks that the owner may name an organization or OU principal: its own organization (else
 * `UnknownResourceException` "Organization o-… could not be found.", as RAM answers), an OU that
 * exists in it, and sharing with the organization enabled (else `OperationNotPermittedException`).
 */
export function checkOrganizationPrincipal(runtime: SandboxRuntime, owner: string, p: Principal): void {
  if (p.kind === 'account') return;
  const { organizations } = runtime;
  if (p.organizationId !== organizations.organizationId || !inOrganization(runtime, owner)) {
    throw unknownResource(`Organization ${p.organizationId} could not be found.`);
  }
  if (p.kind === 'ou' && !runtime.store.get<OuRecord>(ORG_TABLES.ous, p.ouId)) {
    throw unknownResource(`OrganizationalUnit ${p.ouId} in unknown organization could not be found.`);
  }
  if (!isSharingEnabled(runtime.store)) throw operationNotPermitted(ORGANIZATION_ONLY_MESSAGE);
}
