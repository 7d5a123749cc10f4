import { AwsServiceError } from '../../../../sandbox/core/types';
import { ec2Providers } from '../../../../sandbox/services/cloudformation/providers/ec2';
import type { ResourceContext, ResourceProvider } from '../../../../sandbox/services/cloudformation/resources';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../../sandbox/services/ec2/transit-gateways';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/**
 * The transit gateway routing resources of a network stack: a route table of the network account's
 * gateway, a workload VPC's attachment associated with it and propagating into it, static and
 * blackhole routes, the workload's own route to the gateway; and their deletion.
 */

type Result = Record<string, unknown>;
const REGION = 'eu-west-1';

let rt: TestRuntime;
let network: string;
let workload: string;
let call: (op: string, input: Result, as: string) => Promise<Result>;

beforeEach(async () => {
  // the organization's transit gateway (and its share), the egress VPC, the bastion SSH group
  rt = createTestRuntime({ seedNetwork: true });
  workload = rt.addAccount('team-a-prod', 'Workloads/Prod');
  network = rt.organizations.accountIdByName('network') as string;
  const service = createEc2Service(rt);
  await service.start?.(rt);
  call = async (op, input, as) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    return (await handler(input, rt.context(op, { service: 'ec2', accountId: as, region: REGION }))) as Result;
  };
});
afterEach(() => rt.close());

const ctx = (account: string, logicalId: string): ResourceContext => ({
  runtime: rt,
  account,
  region: REGION,
  stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/network/5d6e7f80-0000-4000-8000-000000000001`,
  stackName: 'network',
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = ec2Providers.find((p) => p.type === type);
  if (!found) throw new Error(`no provider for ${type}`);
  return found;
};

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return { code: error.code, message: error.message };
  }
  throw new Error('expected a service error');
}

/** A workload VPC attached to the seeded gateway through `AWS::EC2::TransitGatewayAttachment`. */
function attachedWorkload() {
  const at = (id: string) => ctx(workload, id);
  const vpc = provider('AWS::EC2::VPC').create(at('Vpc'), { CidrBlock: '10.64.0.0/20' }).physicalId;
  const subnet = provider('AWS::EC2::Subnet').create(at('Subnet'), {
    VpcId: vpc,
    CidrBlock: '10.64.15.0/28',
    AvailabilityZone: 'eu-west-1a',
  }).physicalId;
  const attachment = provider('AWS::EC2::TransitGatewayAttachment').create(at('Attachment'), {
    TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    VpcId: vpc,
    SubnetIds: [subnet],
  }).physicalId;
  return { vpc, attachment };
}

describe('transit gateway routing resources', () => {
  it('creates a route table, its association, propagation and routes, and deletes them in reverse', async () => {
    const { vpc, attachment } = attachedWorkload();
    const at = (id: string) => ctx(network, id);
    const table = provider('AWS::EC2::TransitGatewayRouteTable').create(at('ProdTable'), {
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
      Tags: [{ Key: 'Name', Value: 'prod' }],
    });
    const rtb = table.physicalId;
    expect(table.attributes).toEqual({ TransitGatewayRouteTableId: rtb });
    const link = { TransitGatewayRouteTableId: rtb, TransitGatewayAttachmentId: attachment };
    const association = provider('AWS::EC2::TransitGatewayRouteTableAssociation').create(at('Association'), link);
    const propagation = provider('AWS::EC2::TransitGatewayRouteTablePropagation').create(at('Propagation'), link);
    expect([association.physicalId, propagation.physicalId]).toEqual([`${rtb}|${attachment}`, `${rtb}|${attachment}`]);
    const blackhole = provider('AWS::EC2::TransitGatewayRoute').create(at('Blackhole'), {
      TransitGatewayRouteTableId: rtb,
      DestinationCidrBlock: '10.128.0.0/9',
      Blackhole: true,
    });
    expect(blackhole.physicalId).toBe(`${rtb}|10.128.0.0/9`);
    // the workload's side: its route to the gateway, now that its VPC is attached
    const vpcTable = provider('AWS::EC2::RouteTable').create(ctx(workload, 'Private'), { VpcId: vpc }).physicalId;
    provider('AWS::EC2::Route').create(ctx(workload, 'Default'), {
      RouteTableId: vpcTable,
      DestinationCidrBlock: '0.0.0.0/0',
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    });

    const [described] = (await call('DescribeTransitGatewayRouteTables', {}, network))
      .transitGatewayRouteTables as Result[];
    expect(described?.tagSet).toEqual(
      expect.arrayContaining([
        { key: 'Name', value: 'prod' },
        { key: 'aws:cloudformation:logical-id', value: 'ProdTable' },
      ]),
    );
    const routes = await call(
      'SearchTransitGatewayRoutes',
      { TransitGatewayRouteTableId: rtb, Filter: [{ Name: 'state', Value: ['active', 'blackhole'] }] },
      network,
    );
    expect(routes.routeSet).toEqual([
      {
        destinationCidrBlock: '10.64.0.0/20',
        transitGatewayAttachments: [{ resourceId: vpc, transitGatewayAttachmentId: attachment, resourceType: 'vpc' }],
        type: 'propagated',
        state: 'active',
      },
      { destinationCidrBlock: '10.128.0.0/9', type: 'static', state: 'blackhole' },
    ]);

    // a route table's tags change in place; an association cannot move tables by replacement, as on AWS
    const retagged = { TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID, Tags: [{ Key: 'Name', Value: 'production' }] };
    expect(
      provider('AWS::EC2::TransitGatewayRouteTable').update?.(at('ProdTable'), rtb, retagged, {
        TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        Tags: [{ Key: 'Name', Value: 'prod' }],
      }),
    ).toEqual({ physicalId: rtb, attributes: { TransitGatewayRouteTableId: rtb } });
    const other = provider('AWS::EC2::TransitGatewayRouteTable').create(at('Other'), {
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    }).physicalId;
    expect(
      failure(() =>
        provider('AWS::EC2::TransitGatewayRouteTableAssociation').create(at('Association'), {
          ...link,
          TransitGatewayRouteTableId: other,
        }),
      ),
    ).toEqual({
      code: 'Resource.AlreadyAssociated',
      message: `Transit Gateway Attachment ${attachment} is already associated to a route table.`,
    });

    provider('AWS::EC2::TransitGatewayRoute').delete(at('Blackhole'), blackhole.physicalId, {});
    provider('AWS::EC2::TransitGatewayRouteTablePropagation').delete(at('Propagation'), propagation.physicalId, {});
    provider('AWS::EC2::TransitGatewayRouteTableAssociation').delete(at('Association'), association.physicalId, {});
    provider('AWS::EC2::TransitGatewayRouteTable').delete(at('ProdTable'), rtb, {});
    // already gone: not an error
    provider('AWS::EC2::TransitGatewayRouteTable').delete(at('ProdTable'), rtb, {});
    provider('AWS::EC2::TransitGatewayRouteTableAssociation').delete(at('Association'), association.physicalId, {});
    const left = (await call('DescribeTransitGatewayRouteTables', {}, network)).transitGatewayRouteTables as Result[];
    expect(left.map((t) => t.transitGatewayRouteTableId)).toEqual([other]);
  });

  it('refuses a route table of a gateway the stack account does not own, and a route without a target', () => {
    expect(
      failure(() =>
        provider('AWS::EC2::TransitGatewayRouteTable').create(ctx(workload, 'Table'), {
          TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
        }),
      ),
    ).toEqual({
      code: 'InvalidTransitGatewayID.NotFound',
      message: `Transit Gateway ${SANDBOX_TRANSIT_GATEWAY_ID} was deleted or does not exist.`,
    });
    const rtb = provider('AWS::EC2::TransitGatewayRouteTable').create(ctx(network, 'Table'), {
      TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID,
    }).physicalId;
    expect(
      failure(() =>
        provider('AWS::EC2::TransitGatewayRoute').create(ctx(network, 'Route'), {
          TransitGatewayRouteTableId: rtb,
          DestinationCidrBlock: '0.0.0.0/0',
        }),
      ),
    ).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter TransitGatewayAttachmentId',
    });
  });
});
