import { parseTemplate, type Template } from '../cloudformation/template';
import type { Scope, SubnetRecord, Tag, VpcRecord } from './model';
import { EC2_TABLES } from './model';
import type { Ec2State } from './state';

/**
 * The EC2 side of StackSets: a stack instance that CloudFormation deployed (the `cfn.deployed`
 * table) gets its `AWS::EC2::VPC` and `AWS::EC2::Subnet` resources in this account and region, tagged
 * like CloudFormation tags them; they go away when the stack instance is deleted without
 * RetainStacks. Other resource types are not materialised.
 */

/** The `cfn.deployed` record as EC2 reads it (written by the CloudFormation service). */
interface DeployedStack {
  account: string;
  region: string;
  stackSetName: string;
  stackId: string;
  templateBody: string;
  parameters: { ParameterKey?: string; ParameterValue?: string }[];
}

interface Materialised {
  stackId: string;
  resources: string[];
}

const DEPLOYED_TABLE = 'cfn.deployed';
/** Resolves a literal or a `Ref` to a parameter (its value, else its default). */
function resolve(value: unknown, stack: DeployedStack, template: Template): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) {
    const name = String((value as { Ref: unknown }).Ref);
    const given = stack.parameters.find((p) => p.ParameterKey === name)?.ParameterValue;
    const fallback = template.Parameters?.[name]?.Default;
    return given ?? (fallback === undefined ? undefined : String(fallback));
  }
  return undefined;
}

function tagsOf(props: Record<string, unknown> | undefined, stack: DeployedStack, logicalId: string): Tag[] {
  const own = Array.isArray(props?.Tags)
    ? (props.Tags as { Key?: unknown; Value?: unknown }[]).flatMap((t) =>
        typeof t.Key === 'string' && typeof t.Value === 'string' ? [{ key: t.Key, value: t.Value }] : [],
      )
    : [];
  const stackName = stack.stackId.split('/')[1] ?? stack.stackSetName;
  return [
    ...own,
    { key: 'aws:cloudformation:stack-name', value: stackName },
    { key: 'aws:cloudformation:logical-id', value: logicalId },
    { key: 'aws:cloudformation:stack-id', value: stack.stackId },
  ];
}

/** Creates the VPCs and subnets of newly deployed stacks and removes those of deleted ones. */
export function reconcileStacks(state: Ec2State, scope: Scope): void {
  const { store } = state.runtime;
  const prefix = `${scope.account}/${scope.region}/`;
  const deployed = store.list<DeployedStack & { retained?: boolean }>(DEPLOYED_TABLE, prefix);
  const done = store.list<Materialised>(EC2_TABLES.stacks, prefix);
  const live = new Set(deployed.map((d) => d.stackId));
  const known = new Set(done.map((m) => m.stackId));
  const fresh = deployed.filter((d) => !known.has(d.stackId));
  const gone = done.filter((m) => !live.has(m.stackId));
  if (fresh.length === 0 && gone.length === 0) return;
  store.transaction(() => {
    for (const stack of fresh) {
      const resources = materialise(state, scope, stack);
      store.put(EC2_TABLES.stacks, `${prefix}${stack.stackId}`, { stackId: stack.stackId, resources });
    }
    for (const m of gone) {
      for (const id of [...m.resources].reverse()) {
        if (id.startsWith('vpc-')) {
          for (const g of state.list<{ groupId: string; vpcId: string }>(scope, EC2_TABLES.sgs)) {
            if (g.vpcId !== id) continue;
            for (const r of state.rulesOf(scope, g.groupId)) state.delete(scope, r.securityGroupRuleId);
            state.delete(scope, g.groupId);
          }
        }
        state.delete(scope, id);
      }
      store.delete(EC2_TABLES.stacks, `${prefix}${m.stackId}`);
    }
  });
}

function materialise(state: Ec2State, scope: Scope, stack: DeployedStack): string[] {
  const template = parseTemplate(stack.templateBody);
  const resources = Object.entries(template?.Resources ?? {});
  if (!template) return [];
  const vpcs = new Map<string, VpcRecord>();
  const created: string[] = [];
  for (const [logicalId, r] of resources) {
    if (r.Type !== 'AWS::EC2::VPC') continue;
    const cidr = resolve(r.Properties?.CidrBlock, stack, template) ?? '10.0.0.0/16';
    const vpc = state.createVpc(scope, cidr, false, tagsOf(r.Properties, stack, logicalId));
    vpcs.set(logicalId, vpc);
    created.push(vpc.vpcId);
  }
  let az = 0;
  for (const [logicalId, r] of resources) {
    if (r.Type !== 'AWS::EC2::Subnet') continue;
    const ref = r.Properties?.VpcId as { Ref?: string } | undefined;
    const vpc = ref?.Ref ? vpcs.get(ref.Ref) : undefined;
    if (!vpc) continue;
    const subnet: SubnetRecord = {
      subnetId: state.newId('subnet-'),
      vpcId: vpc.vpcId,
      cidrBlock: resolve(r.Properties?.CidrBlock, stack, template) ?? vpc.cidrBlock,
      availabilityZone: `${scope.region}${'abc'[az++ % 3]}`,
      ownerId: scope.account,
      tags: tagsOf(r.Properties, stack, logicalId),
    };
    state.put(scope, subnet.subnetId, subnet);
    created.push(subnet.subnetId);
  }
  return created;
}
