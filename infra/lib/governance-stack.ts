import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from '../../config/schema';
import { parseCfnYaml } from './cfn-yaml';
import type { DeploymentContext } from './context';
import { DeploymentContextError, UnknownReferenceError } from './errors';

export interface GovernanceStackProps extends StackProps {
  readonly config: OrganizationConfig;
  readonly deployment: DeploymentContext;
  /** Baseline template text by file name (`loadOrganizationConfig().baselineTemplates`). */
  readonly baselineTemplates: Readonly<Record<string, string>>;
  /** SCP document text by file name (`loadOrganizationConfig().scpDocuments`). */
  readonly scpDocuments: Readonly<Record<string, string>>;
  /** Account of the vendguard hub. */
  readonly hubAccountId: string;
  /** The hub roles the remediation role trusts, by name: the guardrail functions' execution roles. */
  readonly remediatorRoleNames: readonly string[];
  /** ARN of the central bus the baseline forwards CloudTrail events to. */
  readonly hubEventBusArn: string;
}

/** Host bits of a quarter of a VPC range (the templates split a VPC into four subnets' worth). */
function quarterBits(cidr: string): string {
  return String(32 - Number(cidr.split('/')[1]) - 2);
}

/**
 * The network stack sets' parameters that the config decides. What only exists in AWS (the Transit
 * Gateway, the pools) is set per stack instance at run time (vending, `vendguard network converge`).
 */
function networkParameters(network: NonNullable<OrganizationConfig['network']>): Record<string, string> {
  return {
    ManagementSourceCidr: network.bastionCidr,
    NetworkCidr: network.cidr,
    EgressCidr: network.egressCidr,
    EgressSubnetBits: quarterBits(network.egressCidr),
    BastionCidr: network.bastionCidr,
    BastionSubnetBits: quarterBits(network.bastionCidr),
    VpcNetmaskLength: String(network.vpcNetmaskLength),
    SubnetBits: quarterBits(`0.0.0.0/${network.vpcNetmaskLength}`),
  };
}

/**
 * Organization-level resources, deployed in the management account: the baseline stack sets
 * (service-managed, managed execution, no auto-deployment: vending deploys each new account) and
 * the SCPs attached to their OUs.
 */
export class GovernanceStack extends Stack {
  readonly stackSets = new Map<string, CfnStackSet>();
  readonly policies = new Map<string, CfnPolicy>();

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { config, deployment } = props;

    const derived: Record<string, string> = {
      HubAccountId: props.hubAccountId,
      HubEventBusArn: props.hubEventBusArn,
      BastionAccountId: deployment.bastionAccountId,
      RemediationRoleName: config.vending.remediationRoleName,
      ...(config.network ? networkParameters(config.network) : {}),
      RemediatorRoleArns: props.remediatorRoleNames
        .map((name) => `arn:${this.partition}:iam::${props.hubAccountId}:role/${name}`)
        .join(','),
    };
    const prefs = config.baselines.operationPreferences;
    for (const set of config.baselines.stackSets) {
      const body = props.baselineTemplates[set.template];
      if (body === undefined)
        throw new UnknownReferenceError(`stack set ${set.name}: config/baselines/${set.template} not found`);
      const declared = parseCfnYaml(body).Parameters ?? {};
      const overrides = deployment.stackSetParameters[set.name] ?? {};
      const parameters = Object.keys(declared)
        .filter((key) => overrides[key] !== undefined || derived[key] !== undefined)
        .map((key) => ({ parameterKey: key, parameterValue: overrides[key] ?? derived[key]! }));
      this.stackSets.set(
        set.name,
        new CfnStackSet(this, `StackSet-${set.name}`, {
          stackSetName: set.name,
          description: `vendguard baseline ${set.template}, deployed by account vending to ${set.ous.join(', ')}`,
          permissionModel: 'SERVICE_MANAGED',
          autoDeployment: { enabled: false },
          managedExecution: { Active: true },
          callAs: deployment.stackSetCallAs,
          capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
          templateBody: body,
          parameters,
          operationPreferences: {
            regionConcurrencyType: prefs.regionConcurrencyType,
            maxConcurrentPercentage: prefs.maxConcurrentPercentage,
            failureTolerancePercentage: prefs.failureTolerancePercentage,
          },
        }),
      );
    }

    const missingOus = [...new Set(config.scps.flatMap((s) => s.targets))].filter((p) => !deployment.ouIds[p]);
    if (missingOus.length) {
      throw new DeploymentContextError(
        `vendguard:ouIds has no id for ${missingOus.join(', ')} (the SCP targets of organization.yaml)`,
      );
    }
    const missingAccounts = [...new Set(config.scps.flatMap((s) => s.accounts))].filter(
      (name) => !deployment.accountIds[name],
    );
    if (missingAccounts.length) {
      throw new DeploymentContextError(
        `vendguard:accountIds has no id for ${missingAccounts.join(', ')} (the SCP account targets of organization.yaml)`,
      );
    }
    for (const scp of config.scps) {
      const text = props.scpDocuments[scp.document];
      if (text === undefined) throw new UnknownReferenceError(`SCP ${scp.name}: config/scps/${scp.document} not found`);
      this.policies.set(
        scp.name,
        new CfnPolicy(this, `Scp-${scp.name}`, {
          name: scp.name,
          description: `vendguard ${scp.document}${scp.quarantine ? ' (quarantine of accounts being vended)' : ''}`,
          type: 'SERVICE_CONTROL_POLICY',
          content: JSON.parse(text),
          targetIds: [
            ...scp.targets.map((p) => deployment.ouIds[p]!),
            ...scp.accounts.map((name) => deployment.accountIds[name]!),
          ],
        }),
      );
    }
  }
}
