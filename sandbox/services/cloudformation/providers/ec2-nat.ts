import { addressOperations } from '../../ec2/addresses';
import { type AddressRecord, EC2_TABLES, type NatGatewayRecord, type Tag } from '../../ec2/model';
import { createNatGateway, deleteNatGateway } from '../../ec2/nat-gateways';
import type { Ec2State } from '../../ec2/state';
import {
  type CreatedResource,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  serviceContext,
  str,
} from '../resources';
import { deleting, ec2Of, need, onlyChanged, tagsOf } from './ec2-support';

/**
 * The egress of a private subnet: `AWS::EC2::EIP` (through AllocateAddress and ReleaseAddress) and
 * `AWS::EC2::NatGateway` (as CreateNatGateway and DeleteNatGateway make and delete it), so a template
 * is refused where the API refuses the call; `AWS::EC2::Route` takes the gateway as `NatGatewayId`
 * (`ec2.ts`).
 */

/** Runs an Elastic IP call on CloudFormation's behalf, through the API's own checks. */
function addressCall(ctx: ResourceContext, state: Ec2State, name: string, input: Record<string, unknown>) {
  const handler = addressOperations(state)[name];
  if (!handler) throw new ResourceFailure(`EC2 has no operation ${name}`, 'InternalFailure');
  return handler(input, serviceContext(ctx, 'ec2', name)) as Record<string, unknown>;
}

/** The `TagSpecification` of an EC2 request for `type`. */
const tagSpecification = (type: string, tags: Tag[]) => [
  { ResourceType: type, Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) },
];

function eipResource(address: Pick<AddressRecord, 'allocationId' | 'publicIp'>): CreatedResource {
  return {
    physicalId: address.publicIp,
    attributes: { AllocationId: address.allocationId, PublicIp: address.publicIp },
  };
}

/** The address whose public IP is a resource's physical id, if the account still has it. */
function addressByIp(state: Ec2State, ctx: ResourceContext, publicIp: string): AddressRecord | undefined {
  const { scope } = ec2Of(ctx);
  return state.list<AddressRecord>(scope, EC2_TABLES.addresses).find((a) => a.publicIp === publicIp);
}

/**
 * `AWS::EC2::EIP` (Ref: the public IP, as CloudFormation's physical id; `AllocationId`, `PublicIp`):
 * `Domain` `vpc` (anything else is AllocateAddress's `InvalidParameterValue`), tags in place; another
 * `Domain` replaces it. Deleting releases it: while a NAT gateway holds it, `AuthFailure`, as on AWS.
 */
const eipProvider: ResourceProvider = {
  type: 'AWS::EC2::EIP',
  properties: ['Domain', 'Tags'],
  create(ctx, props) {
    const { state } = ec2Of(ctx);
    const domain = str(props, 'Domain');
    const made = addressCall(ctx, state, 'AllocateAddress', {
      ...(domain !== undefined ? { Domain: domain } : {}),
      TagSpecification: tagSpecification('elastic-ip', tagsOf(ctx, props)),
    });
    return eipResource({ allocationId: String(made.allocationId), publicIp: String(made.publicIp) });
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    const address = addressByIp(state, ctx, physicalId);
    if (!address) throw new ResourceFailure(`Elastic IP ${physicalId} was not found`, 'NotFound');
    state.put(scope, address.allocationId, { ...address, tags: tagsOf(ctx, props) });
    return eipResource(address);
  },
  delete(ctx, physicalId) {
    const { state } = ec2Of(ctx);
    const address = addressByIp(state, ctx, physicalId);
    if (!address) return;
    deleting(() => addressCall(ctx, state, 'ReleaseAddress', { AllocationId: address.allocationId }));
  },
};

/**
 * `AWS::EC2::NatGateway` (Ref and `NatGatewayId`: the `nat-` id): `SubnetId`, `AllocationId`,
 * `ConnectivityType`, `Tags`, made as CreateNatGateway makes it. A gateway that ends `failed` (the VPC
 * has no internet gateway yet, hence `DependsOn` on the attachment; the Elastic IP is associated
 * elsewhere) fails the resource as CloudFormation's handler words it. Tags change in place; the other
 * properties replace it. Deleting waits for `deleted`, as CloudFormation's handler does, so the Elastic
 * IP and the subnet can go next.
 */
const natGatewayProvider: ResourceProvider = {
  type: 'AWS::EC2::NatGateway',
  properties: ['AllocationId', 'ConnectivityType', 'SubnetId', 'Tags'],
  required: ['SubnetId'],
  create(ctx, props) {
    const { state, scope } = ec2Of(ctx);
    const allocationId = str(props, 'AllocationId');
    const connectivityType = str(props, 'ConnectivityType');
    const gateway = createNatGateway(state, scope, {
      subnetId: need(ctx, props, 'SubnetId'),
      ...(allocationId !== undefined ? { allocationId } : {}),
      ...(connectivityType !== undefined ? { connectivityType } : {}),
      tags: tagsOf(ctx, props),
    });
    if (gateway.failure) {
      throw new ResourceFailure(
        `NatGateway ${gateway.natGatewayId} is in state failed and hence failed to stabilize. Detailed failure message: ${gateway.failure.message}`,
        'GeneralServiceException',
      );
    }
    return { physicalId: gateway.natGatewayId, attributes: { NatGatewayId: gateway.natGatewayId } };
  },
  update(ctx, physicalId, props, previous) {
    if (!onlyChanged(props, previous, ['Tags'])) return undefined;
    const { state, scope } = ec2Of(ctx);
    state.put(scope, physicalId, { ...state.require<NatGatewayRecord>(scope, physicalId), tags: tagsOf(ctx, props) });
    return { physicalId, attributes: { NatGatewayId: physicalId } };
  },
  delete(ctx, physicalId) {
    const { state, scope } = ec2Of(ctx);
    deleting(() => deleteNatGateway(state, scope, physicalId, { settled: true }));
  },
};

/**
 * The NAT providers: `AWS::EC2::EIP` and `AWS::EC2::NatGateway`.
 *
 * @example
 * const nat = natProviders.find((p) => p.type === 'AWS::EC2::NatGateway');
 * const { physicalId } = nat.create(ctx, { SubnetId: 'subnet-…', AllocationId: 'eipalloc-…' });
 */
export const natProviders: ResourceProvider[] = [eipProvider, natGatewayProvider];
