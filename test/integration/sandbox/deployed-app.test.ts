/**
 * The sandbox runs what the CDK app deploys: on start it synthesizes the app and deploys every stack
 * through its own CloudFormation API, and the hub's functions, rules, bus, table and state machine,
 * the stack sets and the SCPs are those stacks' resources. A changed template is followed by an update.
 */
import {
  CloudFormationClient,
  DescribeStackSetCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStackSetsCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListPoliciesCommand, ListTargetsForPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { loadOrganizationConfig } from '../../../config/load';
import { deployedRuleName, loadRules } from '../../../events/rules';
import { FUNCTIONS } from '../../../functions/manifest';
import { readAssembly } from '../../../sandbox/cdk/assembly';
import { deployApp, deployAssembly } from '../../../sandbox/cdk/deploy';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
const { config, baselineTemplates } = loadOrganizationConfig();

beforeAll(async () => {
  sb = await startTestSandbox();
}, 60_000);
afterAll(() => sb?.stop());

async function resources(cfn: CloudFormationClient, StackName: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName, NextToken }));
    out.push(...(page.StackResourceSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

describe('npm start deploys the synthesized CDK app', () => {
  it('deploys every stack of the assembly into its account and region, every resource live', async () => {
    const { deployment } = sb.sandbox;
    expect(deployment.stacks.map((s) => [s.name, s.account, s.region, s.action])).toEqual([
      ['VendguardHub', '100000000001', 'eu-west-1', 'created'],
      ['VendguardHubGlobalEvents', '100000000001', 'us-east-1', 'created'],
      ['VendguardGovernance', '100000000001', 'eu-west-1', 'created'],
    ]);
    const stacks = readAssembly(deployment.assembly.dir);
    for (const stack of stacks) {
      const cfn = sb.client(CloudFormationClient, { region: stack.region });
      const [described] = (await cfn.send(new DescribeStacksCommand({ StackName: stack.name }))).Stacks ?? [];
      expect([stack.name, described?.StackStatus]).toEqual([stack.name, 'CREATE_COMPLETE']);
      const live = await resources(cfn, stack.name);
      expect(live).toHaveLength(Object.keys(stack.template.Resources as object).length);
      expect(live.every((r) => r.ResourceStatus === 'CREATE_COMPLETE')).toBe(true);
    }
  });

  it("makes the hub's functions, rules and state machine the stack's resources", async () => {
    const functions = await sb.client(LambdaClient).send(new ListFunctionsCommand({}));
    expect(functions.Functions?.map((f) => f.FunctionName).sort()).toEqual(
      FUNCTIONS.map((f) => `vendguard-${f.name}`).sort(),
    );
    const rules = await sb.client(EventBridgeClient).send(new ListRulesCommand({ EventBusName: 'vendguard' }));
    expect(rules.Rules?.map((r) => r.Name).sort()).toEqual(
      loadRules()
        .filter((r) => r.eventBus === 'vendguard')
        .map((r) => deployedRuleName(r.name))
        .sort(),
    );
    const machines = await sb.client(SFNClient).send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((m) => m.name)).toEqual(['vendguard-account-vending']);
  });

  it("deploys the governance stack's baseline stack sets and SCPs, attached to their OUs", async () => {
    const cfn = sb.client(CloudFormationClient);
    const listed = await cfn.send(new ListStackSetsCommand({ Status: 'ACTIVE' }));
    expect((listed.Summaries ?? []).map((s) => s.StackSetName).sort()).toEqual(
      config.baselines.stackSets.map((s) => s.name).sort(),
    );
    for (const s of config.baselines.stackSets) {
      const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: s.name }));
      expect(StackSet).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        ManagedExecution: { Active: true },
        AutoDeployment: { Enabled: false },
        TemplateBody: baselineTemplates[s.template],
      });
    }
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const policies = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    for (const scp of config.scps) {
      const policy = policies.Policies?.find((p) => p.Name === scp.name);
      expect(policy).toBeDefined();
      const targets = await org.send(new ListTargetsForPolicyCommand({ PolicyId: policy?.Id }));
      expect(targets.Targets?.map((t) => t.Name).sort()).toEqual(
        [...scp.targets.map((t) => t.split('/').pop()), ...scp.accounts].sort(),
      );
    }
  });

  it('leaves every stack alone when started again with the same app', async () => {
    const again = await deployApp(sb.runtime, sb.endpoint);
    expect(again.assembly.cached).toBe(true);
    expect(again.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('follows a changed template with an update: a removed rule is gone, and comes back with the original', async () => {
    const stacks = readAssembly(sb.sandbox.deployment.assembly.dir);
    const hub = stacks.find((s) => s.name === 'VendguardHub');
    if (!hub) throw new Error('no hub stack');
    const template = structuredClone(hub.template) as { Resources: Record<string, { Properties?: { Name?: string } }> };
    const ruleId = Object.keys(template.Resources).find(
      (id) => template.Resources[id]?.Properties?.Name === 'vendguard-igw-created',
    );
    if (!ruleId) throw new Error('the hub template has no vendguard-igw-created rule');
    // the rule, and what refers to it (the function's permission for it)
    for (const id of Object.keys(template.Resources)) {
      if (id === ruleId || JSON.stringify(template.Resources[id]).includes(`"${ruleId}"`)) {
        delete template.Resources[id];
      }
    }
    const events = sb.client(EventBridgeClient);
    const names = async () =>
      ((await events.send(new ListRulesCommand({ EventBusName: 'vendguard' }))).Rules ?? []).map((r) => r.Name);

    const [changed] = await deployAssembly(sb.runtime, sb.endpoint, [{ ...hub, template }]);
    expect(changed?.action).toBe('updated');
    expect(await names()).not.toContain('vendguard-igw-created');
    const cfn = sb.client(CloudFormationClient);
    const [updated] = (await cfn.send(new DescribeStacksCommand({ StackName: 'VendguardHub' }))).Stacks ?? [];
    expect(updated?.StackStatus).toBe('UPDATE_COMPLETE');

    const [restored] = await deployAssembly(sb.runtime, sb.endpoint, [hub]);
    expect(restored?.action).toBe('updated');
    expect(await names()).toContain('vendguard-igw-created');
  }, 30_000);
});
