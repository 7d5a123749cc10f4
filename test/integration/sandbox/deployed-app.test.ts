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
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListPoliciesCommand, ListTargetsForPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { loadOrganizationConfig } from '../../../config/load';
import { deployedRuleName, loadRules } from '../../../events/rules';
import { FUNCTIONS } from '../../../functions/manifest';
import { type AssemblyStack, readAssembly } from '../../../sandbox/cdk/assembly';
import { BOOTSTRAP, bootstrapRoles, deployApp, deployAssembly } from '../../../sandbox/cdk/deploy';
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
      // the network account's part of the network, deployed into it through its bootstrap roles
      ['VendguardNetwork', '100000000004', 'eu-west-1', 'created'],
    ]);
    const stacks = readAssembly(deployment.assembly.dir);
    for (const stack of stacks) {
      // each stack as its own account sees it (the network stack lives in the network account)
      const account =
        /^\d{12}$/.test(stack.account ?? '') && stack.account !== '100000000001' ? stack.account : undefined;
      const cfn = sb.client(CloudFormationClient, { region: stack.region, ...(account ? { accountId: account } : {}) });
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
    expect(machines.stateMachines?.map((m) => m.name)).toEqual([
      'vendguard-account-closing',
      'vendguard-account-vending',
    ]);
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
    expect(again.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
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

describe('a stack whose env names another account', () => {
  /** A stack as CDK synthesizes it for `env: { account: <network> }`: the bootstrap version check, a role and a VPC. */
  const probe = (account: string, cidr: string): AssemblyStack => ({
    name: 'VendguardProbe',
    account,
    region: 'eu-west-1',
    templateFile: 'VendguardProbe.template.json',
    template: {
      Parameters: {
        BootstrapVersion: {
          Type: 'AWS::SSM::Parameter::Value<String>',
          Default: `/cdk-bootstrap/${BOOTSTRAP.qualifier}/version`,
        },
      },
      Rules: {
        CheckBootstrapVersion: {
          Assertions: [
            {
              Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }] },
              AssertDescription: "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap'.",
            },
          ],
        },
      },
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'probe-made-by-cdk',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
          },
        },
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr } },
      },
    },
  });

  it("is created in that account through its deploy role, its resources made by the account's execution role", async () => {
    const network = sb.accountId('network');
    const [deployed] = await deployAssembly(sb.runtime, sb.endpoint, [probe(network, '10.77.0.0/16')]);
    expect(deployed).toMatchObject({ name: 'VendguardProbe', account: network, action: 'created' });

    const roles = bootstrapRoles(network, 'eu-west-1');
    const cfn = sb.client(CloudFormationClient, { accountId: network });
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: 'VendguardProbe' }))).Stacks ?? [];
    expect(stack).toMatchObject({ StackStatus: 'CREATE_COMPLETE', RoleARN: roles.cfnExec });
    expect(stack?.StackId).toContain(`:${network}:stack/VendguardProbe/`);
    const role = await sb
      .client(IAMClient, { accountId: network, region: 'us-east-1' })
      .send(new GetRoleCommand({ RoleName: 'probe-made-by-cdk' }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${network}:role/probe-made-by-cdk`);
    const vpcs = await sb
      .client(EC2Client, { accountId: network })
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.77.0.0/16'] }] }));
    expect(vpcs.Vpcs?.map((v) => v.OwnerId)).toEqual([network]);
  });

  it("leaves nothing of it in the hub's account", async () => {
    await expect(
      sb.client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'VendguardProbe' })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      sb.client(IAMClient, { region: 'us-east-1' }).send(new GetRoleCommand({ RoleName: 'probe-made-by-cdk' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const vpcs = await sb
      .client(EC2Client)
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.77.0.0/16'] }] }));
    expect(vpcs.Vpcs).toEqual([]);
  });

  it('leaves the bootstrap roles: the deploy role trusting the hub, the execution role trusting CloudFormation', async () => {
    const network = sb.accountId('network');
    const iam = sb.client(IAMClient, { accountId: network, region: 'us-east-1' });
    const trust = async (arn: string) => {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: arn.split('/').pop() }));
      return JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}')) as {
        Statement: { Principal: Record<string, string>; Action: string }[];
      };
    };
    const roles = bootstrapRoles(network, 'eu-west-1');
    expect(roles.deploy).toBe(`arn:aws:iam::${network}:role/cdk-hnb659fds-deploy-role-${network}-eu-west-1`);
    expect((await trust(roles.deploy)).Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Principal: { AWS: sb.runtime.managementAccountId }, Action: 'sts:AssumeRole' }),
      ]),
    );
    expect((await trust(roles.cfnExec)).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
  });

  it('updates it in place through the same roles, and leaves an unchanged one alone', async () => {
    const network = sb.accountId('network');
    const changed = probe(network, '10.78.0.0/16');
    const [updated] = await deployAssembly(sb.runtime, sb.endpoint, [changed]);
    expect(updated?.action).toBe('updated');
    const vpcs = await sb
      .client(EC2Client, { accountId: network })
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.78.0.0/16'] }] }));
    expect(vpcs.Vpcs).toHaveLength(1);
    const [again] = await deployAssembly(sb.runtime, sb.endpoint, [changed]);
    expect(again?.action).toBe('unchanged');
  });
});
