import { AwsErrorWithFields } from '../../core/protocols/input';

/**
 * The service principals Organizations recognizes for trusted access and delegated administration,
 * from "AWS services that you can use with AWS Organizations"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html).
 * Any other principal is `InvalidInputException` `UNRECOGNIZED_SERVICE_PRINCIPAL`, as in AWS; a
 * service AWS adds later belongs here.
 */
export const INTEGRATED_SERVICE_PRINCIPALS: ReadonlySet<string> = new Set([
  'access-analyzer.amazonaws.com',
  'account.amazonaws.com',
  'auditmanager.amazonaws.com',
  'aws-artifact-account-sync.amazonaws.com',
  'backup.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'compute-optimizer.amazonaws.com',
  'config-multiaccountsetup.amazonaws.com',
  'config.amazonaws.com',
  'controltower.amazonaws.com',
  'cost-optimization-hub.bcm.amazonaws.com',
  'detective.amazonaws.com',
  'devops-guru.amazonaws.com',
  'ds.amazonaws.com',
  'fms.amazonaws.com',
  'guardduty.amazonaws.com',
  'health.amazonaws.com',
  'iam.amazonaws.com',
  'inspector2.amazonaws.com',
  'ipam.amazonaws.com',
  'license-management.marketplace.amazonaws.com',
  'license-manager-linux-subscriptions.amazonaws.com',
  'license-manager.amazonaws.com',
  'license-manager.member-account.amazonaws.com',
  'macie.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
  'mgn.amazonaws.com',
  'networkmanager.amazonaws.com',
  'ram.amazonaws.com',
  'reachabilityanalyzer.networkinsights.amazonaws.com',
  'reporting.trustedadvisor.amazonaws.com',
  'resource-explorer-2.amazonaws.com',
  'securityhub.amazonaws.com',
  'securitylake.amazonaws.com',
  'servicecatalog.amazonaws.com',
  'servicequotas.amazonaws.com',
  'ssm.amazonaws.com',
  'sso.amazonaws.com',
  'stacksets.cloudformation.amazonaws.com',
  'storage-lens.s3.amazonaws.com',
  'tagpolicies.tag.amazonaws.com',
  'wellarchitected.amazonaws.com',
]);

/** The API's constraints on a `ServicePrincipal` member: 1–128 characters of `[\w+=,.@-]`. */
const PRINCIPAL_PATTERN = /^[\w+=,.@-]+$/;
const PRINCIPAL_MAX_LENGTH = 128;

// model.ts's `invalidInput`, rebuilt here: model.ts seeds from this list and may not be imported back
const invalidInput = (reason: string, message: string) =>
  new AwsErrorWithFields('InvalidInputException', message, { Reason: reason });

/**
 * A `ServicePrincipal` Organizations accepts, or AWS's `InvalidInputException`:
 * `MAX_LENGTH_EXCEEDED`, `INVALID_PATTERN`, or `UNRECOGNIZED_SERVICE_PRINCIPAL` for a well-formed
 * principal of no integrated service.
 */
export function recognizedServicePrincipal(principal: string): string {
  if (principal.length > PRINCIPAL_MAX_LENGTH) {
    throw invalidInput(
      'MAX_LENGTH_EXCEEDED',
      `You provided a value that exceeds the maximum allowed length of ${PRINCIPAL_MAX_LENGTH} for ServicePrincipal.`,
    );
  }
  if (!PRINCIPAL_PATTERN.test(principal)) {
    throw invalidInput('INVALID_PATTERN', `You provided a value that doesn't match the required pattern: ${principal}`);
  }
  if (!INTEGRATED_SERVICE_PRINCIPALS.has(principal)) {
    throw invalidInput('UNRECOGNIZED_SERVICE_PRINCIPAL', 'You specified an unrecognized service principal.');
  }
  return principal;
}
