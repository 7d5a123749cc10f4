import type { AuthorizationDetails, RequestContext } from '../../core/types';
import { ipamAuthorization } from './ipam-pools';
import type { RouteTableAssociationRecord, Tag } from './model';
import type { Ec2State } from './state';
import { transitGatewayOwner } from './transit-gateways';

/**
 * What EC2 authorizes beyond the action: the ARNs of the resources a call names (each must be
 * allowed, as IAM checks an `AttachInternetGateway` against both the gateway and the VPC), the
 * `*` resource a `Create*` makes, the tags it asks for (`aws:RequestTag/…`, `aws:TagKeys`) and the
 * tags of the one resource it acts on (`aws:ResourceTag/…`). Describe calls (and the `UNSCOPED` Get
 * calls) take no resource.
 */

/** Input parameters that name a resource, and the resource type of its ARN. */
const ID_PARAMETERS: Readonly<Record<string, string>> = {
  InternetGatewayId: 'internet-gateway',
  EgressOnlyInternetGatewayId: 'egress-only-internet-gateway',
  VpcId: 'vpc',
  GroupId: 'security-group',
  SubnetId: 'subnet',
  NetworkInterfaceId: 'network-interface',
  AllocationId: 'elastic-ip',
  SecurityGroupRuleId: 'security-group-rule',
  RouteTableId: 'route-table',
  // before the gateway and the attachment: a route table call acts on the table (its tags are the ResourceTag)
  TransitGatewayRouteTableId: 'transit-gateway-route-table',
  TransitGatewayId: 'transit-gateway',
  TransitGatewayAttachmentId: 'transit-gateway-attachment',
  SubnetIds: 'subnet',
  NatGatewayId: 'natgateway',
  VpcPeeringConnectionId: 'vpc-peering-connection',
};

/** What a `Create*` call makes. */
const CREATES: Readonly<Record<string, string>> = {
  CreateInternetGateway: 'internet-gateway',
  CreateEgressOnlyInternetGateway: 'egress-only-internet-gateway',
  CreateVpc: 'vpc',
  CreateSecurityGroup: 'security-group',
  CreateSubnet: 'subnet',
  CreateNetworkInterface: 'network-interface',
  AllocateAddress: 'elastic-ip',
  CreateNatGateway: 'natgateway',
  CreateRouteTable: 'route-table',
  CreateTransitGateway: 'transit-gateway',
  CreateTransitGatewayVpcAttachment: 'transit-gateway-attachment',
  CreateTransitGatewayRouteTable: 'transit-gateway-route-table',
};

/** Calls the Service Authorization Reference lists without a resource, although they name one. */
const UNSCOPED: ReadonlySet<string> = new Set([
  'GetTransitGatewayRouteTableAssociations',
  'GetTransitGatewayRouteTablePropagations',
]);

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** `aws:RequestTag/<k>` and `aws:TagKeys` from `TagSpecification.N.Tag.M` (and `CreateTags`' `Tag.N`). */
function requestTags(input: Record<string, unknown>): Record<string, string | string[]> {
  const tags: { Key?: unknown; Value?: unknown }[] = [];
  // `TagSpecifications.N` where the API model names the list so (CreateTransitGatewayVpcAttachment, …RouteTable)
  const specs = [input.TagSpecification, input.TagSpecifications].flatMap((v) =>
    Array.isArray(v) ? (v as { Tag?: unknown }[]) : [],
  );
  for (const spec of specs) if (Array.isArray(spec?.Tag)) tags.push(...(spec.Tag as { Key?: unknown }[]));
  if (Array.isArray(input.Tag)) tags.push(...(input.Tag as { Key?: unknown }[]));
  const out: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (const t of tags) {
    if (typeof t?.Key !== 'string') continue;
    keys.push(t.Key);
    out[`aws:RequestTag/${t.Key}`] = typeof t.Value === 'string' ? t.Value : '';
  }
  if (keys.length > 0) out['aws:TagKeys'] = keys;
  return out;
}

/** The authorization details of an EC2 call. */
export function ec2Authorization(
  state: Ec2State,
  operation: string,
  input: Record<string, unknown>,
  ctx: RequestContext,
): AuthorizationDetails {
  if (/^Describe/.test(operation) || UNSCOPED.has(operation)) return {};
  const scope = { account: ctx.principal.accountId, region: ctx.region };
  // a transit gateway's ARN names its owner, which may be another account of the organization
  const owner = (type: string, id: string) =>
    (type === 'transit-gateway' ? transitGatewayOwner(state, ctx.region, id) : undefined) ?? scope.account;
  const arn = (type: string, id: string) => `arn:aws:ec2:${ctx.region}:${owner(type, id)}:${type}/${id}`;
  const resources: string[] = [];
  const created = CREATES[operation];
  if (created) resources.push(arn(created, '*'));
  // IPAM ARNs name no region and a shared pool's names its owner
  const ipam = ipamAuthorization(state, operation, input, ctx);
  resources.push(...ipam.resources);
  const named: string[] = [];
  for (const [param, type] of Object.entries(ID_PARAMETERS)) {
    for (const id of strings(input[param])) {
      resources.push(arn(type, id));
      named.push(id);
    }
  }
  for (const id of strings(input.ResourceId)) named.push(id);
  // DisassociateRouteTable names an association: IAM checks the route table (and subnet) it links
  for (const id of strings(input.AssociationId)) {
    if (!id.startsWith('rtbassoc-')) continue;
    const association = state.get<RouteTableAssociationRecord>(scope, id);
    if (!association) continue;
    resources.push(arn('route-table', association.routeTableId));
    if (association.subnetId) resources.push(arn('subnet', association.subnetId));
    named.push(association.routeTableId);
  }
  for (const id of strings(input.SecurityGroupRuleIds)) resources.push(arn('security-group-rule', id));
  if (Array.isArray(input.SecurityGroupRule)) {
    for (const r of input.SecurityGroupRule as { SecurityGroupRuleId?: unknown }[]) {
      for (const id of strings(r?.SecurityGroupRuleId)) resources.push(arn('security-group-rule', id));
    }
  }
  const context: Record<string, string | string[]> = { ...ipam.context, ...requestTags(input) };
  // the tags of the one existing resource the call acts on (the first one it names)
  const first = named[0];
  if (first) {
    const record = state.get<{ tags?: Tag[] }>(scope, first);
    for (const t of record?.tags ?? []) context[`aws:ResourceTag/${t.key}`] = t.value;
  }
  return {
    ...(resources.length > 0 ? { resources: [...new Set(resources)] } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
  };
}
