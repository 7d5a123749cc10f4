import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type LoadedConfig, loadOrganizationConfig } from '../../config/load';
import { HUB_FORWARDING_RULE } from '../../events/rules';
import { FUNCTIONS, type FunctionSpec } from '../../functions/manifest';
import { readDeploymentContext } from './context';
import { functionRoleName } from './functions';
import { GovernanceStack } from './governance-stack';
import { HubGlobalEventsStack } from './hub-global-events-stack';
import { EVENT_BUS_NAME, HubStack } from './hub-stack';
import { acknowledgeFindings, acknowledgeNetworkFindings } from './nag';
import { hubAccountOf, NetworkStack } from './network-stack';
import { type AslFile, loadAslFiles } from './state-machines';

export interface VendguardAppOptions {
  /** @default loadOrganizationConfig() */
  readonly loaded?: LoadedConfig;
  /** @default FUNCTIONS */
  readonly functions?: readonly FunctionSpec[];
  /** @default loadAslFiles() */
  readonly stateMachines?: readonly AslFile[];
  /** Run cdk-nag AwsSolutionsChecks. @default true */
  readonly nag?: boolean;
}

export interface VendguardStacks {
  readonly hub: HubStack;
  readonly governance: GovernanceStack;
  /** In us-east-1, when the home region is another: the hub's IAM/Organizations/STS events. */
  readonly hubGlobalEvents?: HubGlobalEventsStack;
  /** In the network account, when the config has a network: IPAM, Transit Gateway, shares, operator role. */
  readonly network?: NetworkStack;
}

/**
 * Adds the vendguard stacks to an app: `VendguardHub` and `VendguardGovernance`, in the config's
 * home region, for the account of the CLI credentials (or env-agnostic offline), with cdk-nag.
 *
 * @example
 * const app = new App(); buildVendguardApp(app); app.synth();
 */
export function buildVendguardApp(app: App, options: VendguardAppOptions = {}): VendguardStacks {
  const deployment = readDeploymentContext(app.node);
  const loaded = options.loaded ?? loadOrganizationConfig();
  const { config } = loaded;
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.organization.homeRegion };
  const hub = new HubStack(app, 'VendguardHub', {
    env,
    description: 'vendguard hub: account vending and guardrail pipeline (central bus, functions, state machines)',
    config,
    deployment,
    functions: options.functions ?? FUNCTIONS,
    stateMachines: options.stateMachines ?? loadAslFiles(),
  });
  const hubEventBusArn = `arn:${Stack.of(hub).partition}:events:${Stack.of(hub).region}:${Stack.of(hub).account}:event-bus/${EVENT_BUS_NAME}`;
  const hubGlobalEvents =
    config.organization.homeRegion === HUB_FORWARDING_RULE.globalEventsRegion
      ? undefined
      : new HubGlobalEventsStack(app, 'VendguardHubGlobalEvents', {
          env: { account: env.account, region: HUB_FORWARDING_RULE.globalEventsRegion },
          description: "vendguard hub: forwards the hub account's IAM, Organizations and STS events to the central bus",
          hubEventBusArn,
        });
  const governance = new GovernanceStack(app, 'VendguardGovernance', {
    env,
    description: 'vendguard governance: baseline stack sets and service control policies',
    config,
    deployment,
    baselineTemplates: loaded.baselineTemplates,
    scpDocuments: loaded.scpDocuments,
    hubAccountId: Stack.of(hub).account,
    // the remediation role trusts exactly the roles of the functions that assume it
    remediatorRoleNames: (options.functions ?? FUNCTIONS)
      .filter((fn: FunctionSpec) => fn.assumesMemberRole)
      .map((fn) => functionRoleName(fn.name)),
    hubEventBusArn,
  });
  const network = config.network
    ? new NetworkStack(app, 'VendguardNetwork', {
        env: {
          account: deployment.accountIds[config.network.networkAccount],
          region: config.organization.homeRegion,
        },
        description:
          'vendguard network: IPAM pools, the Transit Gateway and its route tables, shared with the workload OUs',
        config,
        network: config.network,
        deployment,
        hubAccountId: hubAccountOf(config, deployment, env.account),
        operatorRoleNames: (options.functions ?? FUNCTIONS)
          .filter((fn: FunctionSpec) => fn.assumesNetworkRole)
          .map((fn) => functionRoleName(fn.name)),
      })
    : undefined;
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeFindings(hub);
  }
  if (network && options.nag !== false) acknowledgeNetworkFindings(network);
  return { hub, governance, ...(hubGlobalEvents ? { hubGlobalEvents } : {}), ...(network ? { network } : {}) };
}
