import {
  CloudFormationClient,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import type { LocalRuntime } from './core/runtime';
import { parseTemplate } from './services/cloudformation/template';

/** The sandbox's Transit Gateway id (the placeholder `cdk.json` also carries until the network model exists). */
export const SANDBOX_TRANSIT_GATEWAY_ID = 'tgw-0123456789abcdef0';

const sortParameters = (list: readonly { ParameterKey?: string; ParameterValue?: string }[]) =>
  list
    .map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue }))
    .sort((a, b) => String(a.ParameterKey).localeCompare(String(b.ParameterKey)));

/** What {@link deployGovernance} did to each stack set. */
export interface DeployedStackSet {
  readonly name: string;
  readonly action: 'created' | 'updated' | 'unchanged';
}

/**
 * Deploys to the sandbox what the CDK governance stack deploys to AWS: the config's baseline stack
 * sets (SERVICE_MANAGED, managed execution on, automatic deployment off — vending deploys them per
 * account). It goes through the sandbox's own CloudFormation endpoint with the hub's credentials,
 * over the real wire protocol, so it is exactly what a deployment would call. SCPs are seeded and
 * attached by the Organizations service from the same config. Idempotent: an unchanged stack set
 * is left alone, a changed template is updated.
 */
export async function deployGovernance(runtime: LocalRuntime, endpoint: string): Promise<DeployedStackSet[]> {
  const { config } = runtime;
  const templates = runtime.loaded.baselineTemplates;
  const cfn = new CloudFormationClient({
    endpoint,
    region: config.organization.homeRegion,
    credentials: runtime.hubCredentials(),
    maxAttempts: 3,
  });
  const out: DeployedStackSet[] = [];
  // the parameters the CDK governance stack derives (infra/lib/governance-stack.ts), for this sandbox
  const derived: Record<string, string | undefined> = {
    HubAccountId: runtime.managementAccountId,
    HubEventBusArn: `arn:aws:events:${config.organization.homeRegion}:${runtime.managementAccountId}:event-bus/vendguard`,
    BastionAccountId: runtime.organizations.accountIdByName('bastion'),
    TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    RemediationRoleName: config.vending.remediationRoleName,
  };
  try {
    for (const stackSet of config.baselines.stackSets) {
      const TemplateBody = templates[stackSet.template];
      if (TemplateBody === undefined) throw new Error(`baseline template ${stackSet.template} is missing`);
      const declared = Object.keys(parseTemplate(TemplateBody)?.Parameters ?? {});
      const Parameters = declared.flatMap((key) =>
        derived[key] !== undefined ? [{ ParameterKey: key, ParameterValue: derived[key] }] : [],
      );
      const existing = await cfn
        .send(new DescribeStackSetCommand({ StackSetName: stackSet.name }))
        .then((r) => r.StackSet)
        .catch((err: Error) => {
          if (err.name === 'StackSetNotFoundException') return undefined;
          throw err;
        });
      if (!existing) {
        await cfn.send(
          new CreateStackSetCommand({
            StackSetName: stackSet.name,
            Description: `vendguard baseline from infra/baselines/${stackSet.template}`,
            TemplateBody,
            Parameters,
            PermissionModel: 'SERVICE_MANAGED',
            AutoDeployment: { Enabled: false },
            ManagedExecution: { Active: true },
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        );
        out.push({ name: stackSet.name, action: 'created' });
      } else if (
        existing.TemplateBody !== TemplateBody ||
        JSON.stringify(sortParameters(existing.Parameters ?? [])) !== JSON.stringify(sortParameters(Parameters))
      ) {
        await cfn.send(
          new UpdateStackSetCommand({
            StackSetName: stackSet.name,
            TemplateBody,
            Parameters,
            Capabilities: ['CAPABILITY_NAMED_IAM'],
            ManagedExecution: { Active: true },
          }),
        );
        out.push({ name: stackSet.name, action: 'updated' });
      } else out.push({ name: stackSet.name, action: 'unchanged' });
    }
  } finally {
    cfn.destroy();
  }
  return out;
}
