import type { SandboxRuntime, ServiceDefinition } from '../../../../sandbox/core/types';
import { AwsServiceError } from '../../../../sandbox/core/types';
import { createCloudFormationService } from '../../../../sandbox/services/cloudformation';
import { createEc2Service } from '../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/** Inputs a broken client could send: nothing, wrong types, lists where scalars belong and back. */
const GARBAGE: Record<string, unknown>[] = [
  {},
  { StackSetName: ['x'], OperationId: { a: '1' }, Regions: 'eu-west-1', DeploymentTargets: 'ou' },
  { StackSetName: 'x', Regions: [''], DeploymentTargets: { OrganizationalUnitIds: 'ou-x' }, RetainStacks: 'maybe' },
  { VpcId: ['vpc-1'], InternetGatewayId: { x: 1 }, Filter: 'vpc-id', GroupId: ['sg-1'], CidrBlock: '999.1.1.1/40' },
  { IpPermissions: [{ IpProtocol: 'tcp', FromPort: 'x' }], SecurityGroupRule: 'r', ResourceId: {}, Tag: 'k' },
  { GroupName: 'default', GroupDescription: 'd', AllocationId: 'eipalloc-0', NetworkInterfaceId: 'eni-0' },
];

const SERVICES: [string, string, (rt: SandboxRuntime) => ServiceDefinition][] = [
  ['StackSets', 'cloudformation', createCloudFormationService],
  ['EC2', 'ec2', createEc2Service],
];

describe.each(SERVICES)('malformed requests to %s', (_what, name, create) => {
  let rt: TestRuntime;
  beforeEach(() => {
    rt = createTestRuntime();
  });
  afterEach(() => rt.close());

  it('answers every operation with an AWS error, never a crash', async () => {
    const service = create(rt);
    await service.start?.(rt);
    const crashes: string[] = [];
    for (const [operation, handler] of Object.entries(service.operations)) {
      for (const input of GARBAGE) {
        try {
          await handler(input, rt.context(operation, { service: name }));
        } catch (err) {
          if (!(err instanceof AwsServiceError)) crashes.push(`${operation} ${JSON.stringify(input)}: ${String(err)}`);
        }
      }
    }
    expect(crashes).toEqual([]);
  });
});
