/**
 * AWS RAM through the SDK against a started sandbox: the network account's transit gateway shared
 * with OUs (the seeded share, and one a test makes), what the accounts it is shared with may do with
 * it (see it, attach to it, wait for acceptance) and what the others get (not found), the refusals
 * RAM answers with, and invitations while sharing with the organization is off.
 */
import {
  AcceptTransitGatewayVpcAttachmentCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  DisableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  ListResourcesCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../sandbox/services/ec2/transit-gateways';
import { isSharedWith } from '../../../sandbox/services/ram/sharing';
import { createAccountIn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const REGION = 'eu-west-1';

let sb: TestSandbox;
let network: string;
let workload: string;
let security: string;
let orgId: string;

type Account = 'network' | 'workload' | 'security';
const ids = (): Record<Account, string> => ({ network, workload, security });
const ram = (who: Account) => sb.client(RAMClient, { accountId: ids()[who], role: 'Developer' });
const ec2 = (who: Account) => sb.client(EC2Client, { accountId: ids()[who], role: 'Developer' });
const ouArn = (path: string) =>
  `arn:aws:organizations::${sb.runtime.managementAccountId}:ou/${orgId}/${sb.runtime.organizations.ouIdByPath(path)}`;
const tgwArn = (owner: string, id: string) => `arn:aws:ec2:${REGION}:${owner}:transit-gateway/${id}`;

beforeAll(async () => {
  // the sandbox's own transit gateway and its share, egress VPC and bastion SSH group
  sb = await startTestSandbox({ seedNetwork: true });
  network = sb.accountId('network');
  security = sb.accountId('security-tooling');
  orgId = sb.runtime.organizations.organizationId;
  workload = await createAccountIn(sb, 'ram-prod', 'Workloads/Prod');
}, 30_000);
afterAll(() => sb?.stop());

type SdkError = Error & { $metadata: { httpStatusCode?: number } };
const errorOf = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: SdkError) => e,
  );

/** A VPC with one subnet in `who`'s account; octet keeps the tests' blocks apart. */
async function vpcWithSubnet(who: Account, octet: number): Promise<{ vpcId: string; subnetId: string }> {
  const client = ec2(who);
  const vpcId = (await client.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc?.VpcId as string;
  const { Subnet } = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${octet}.1.0/24`, AvailabilityZone: `${REGION}a` }),
  );
  return { vpcId, subnetId: Subnet?.SubnetId as string };
}

describe('the seeded share of the organization transit gateway', () => {
  // the CDK app's network stack shares a gateway of its own: the seeded share is the one holding the seeded gateway
  const seededGateway = () => tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID);
  async function seededShareArn(): Promise<string> {
    const { resources } = await ram('network').send(
      new ListResourcesCommand({ resourceOwner: 'SELF', resourceArns: [seededGateway()] }),
    );
    return resources?.[0]?.resourceShareArn as string;
  }

  it('is the network account’s, holds the gateway and names the Workloads, Sandbox and Infrastructure OUs', async () => {
    const { resources } = await ram('network').send(
      new ListResourcesCommand({
        resourceOwner: 'SELF',
        resourceType: 'ec2:TransitGateway',
        resourceArns: [seededGateway()],
      }),
    );
    const shareArn = resources?.[0]?.resourceShareArn as string;
    expect(shareArn).toMatch(new RegExp(`^arn:aws:ram:${REGION}:${network}:resource-share/[0-9a-f-]{36}$`));
    expect(resources).toEqual([
      expect.objectContaining({
        arn: seededGateway(),
        type: 'ec2:TransitGateway',
        resourceShareArn: shareArn,
        status: 'AVAILABLE',
        resourceRegionScope: 'REGIONAL',
      }),
    ]);
    const { resourceShares } = await ram('network').send(
      new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [shareArn] }),
    );
    expect(resourceShares).toEqual([
      expect.objectContaining({
        name: 'vendguard-transit-gateway',
        owningAccountId: network,
        allowExternalPrincipals: false,
        status: 'ACTIVE',
        featureSet: 'STANDARD',
        creationTime: expect.any(Date),
      }),
    ]);
    const principals = await ram('network').send(
      new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shareArn] }),
    );
    expect(principals.resourceShareAssociations?.map((a) => [a.associatedEntity, a.status, a.external])).toEqual([
      [ouArn('Workloads'), 'ASSOCIATED', false],
      [ouArn('Sandbox'), 'ASSOCIATED', false],
      [ouArn('Infrastructure'), 'ASSOCIATED', false],
    ]);
  });

  it('lets a Workloads account see it and list it as shared with it; a Security account gets not found', async () => {
    const shareArn = await seededShareArn();
    const mine = await ram('workload').send(
      new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }),
    );
    expect(mine.resourceShares?.map((s) => [s.name, s.owningAccountId])).toEqual([
      ['vendguard-transit-gateway', network],
    ]);
    expect(mine.resourceShares?.[0]?.tags).toBeUndefined();
    const listed = await ram('workload').send(
      new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }),
    );
    expect(listed.resources?.map((r) => r.arn)).toEqual([seededGateway()]);
    const seen = await ec2('workload').send(
      new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] }),
    );
    expect(seen.TransitGateways).toEqual([
      expect.objectContaining({ TransitGatewayId: SANDBOX_TRANSIT_GATEWAY_ID, OwnerId: network, Tags: [] }),
    ]);

    expect(
      await errorOf(
        ec2('security').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] })),
      ),
    ).toMatchObject({
      name: 'InvalidTransitGatewayID.NotFound',
      message: `Transit Gateway ${SANDBOX_TRANSIT_GATEWAY_ID} was deleted or does not exist.`,
    });
    const all = await ec2('security').send(new DescribeTransitGatewaysCommand({}));
    expect(all.TransitGateways?.map((g) => g.TransitGatewayId)).not.toContain(SANDBOX_TRANSIT_GATEWAY_ID);
    expect(
      (await ram('security').send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resources,
    ).toEqual([]);
  });

  it('answers the isSharedWith seam: the OU’s accounts (at any depth), not the others', () => {
    const arn = tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID);
    expect(isSharedWith(sb.runtime, arn, workload)).toBe(true);
    expect(isSharedWith(sb.runtime, arn, sb.accountId('egress'))).toBe(true);
    expect(isSharedWith(sb.runtime, arn, security)).toBe(false);
    expect(isSharedWith(sb.runtime, tgwArn(network, 'tgw-00000000000000000'), workload)).toBe(false);
  });
});

describe('sharing a transit gateway with an OU', () => {
  it('a Workloads account attaches once the owner accepts; a Security account gets not found', async () => {
    const { TransitGateway } = await ec2('network').send(new CreateTransitGatewayCommand({ Description: 'ram test' }));
    const tgw = TransitGateway?.TransitGatewayId as string;
    expect(TransitGateway?.Options?.AutoAcceptSharedAttachments).toBe('disable');
    // not shared yet: a Workloads account cannot see it
    expect(
      await errorOf(ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] }))),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });

    const created = await ram('network').send(
      new CreateResourceShareCommand({
        name: 'lab-tgw',
        resourceArns: [tgwArn(network, tgw)],
        principals: [ouArn('Workloads')],
        tags: [{ key: 'team', value: 'network' }],
      }),
    );
    expect(created.resourceShare).toMatchObject({
      name: 'lab-tgw',
      owningAccountId: network,
      allowExternalPrincipals: true,
      status: 'ACTIVE',
      tags: [{ key: 'team', value: 'network' }],
    });
    const shareArn = created.resourceShare?.resourceShareArn as string;
    const resources = await ram('network').send(
      new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE', resourceShareArns: [shareArn] }),
    );
    expect(resources.resourceShareAssociations).toEqual([
      expect.objectContaining({
        resourceShareArn: shareArn,
        resourceShareName: 'lab-tgw',
        associatedEntity: tgwArn(network, tgw),
        associationType: 'RESOURCE',
        status: 'ASSOCIATED',
        external: false,
      }),
    ]);

    const seen = await ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] }));
    expect(seen.TransitGateways?.[0]).toMatchObject({ TransitGatewayId: tgw, OwnerId: network });
    const { vpcId, subnetId } = await vpcWithSubnet('workload', 61);
    const { TransitGatewayVpcAttachment } = await ec2('workload').send(
      new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgw, VpcId: vpcId, SubnetIds: [subnetId] }),
    );
    const attachment = TransitGatewayVpcAttachment?.TransitGatewayAttachmentId as string;
    expect(TransitGatewayVpcAttachment).toMatchObject({ VpcOwnerId: workload, State: 'pendingAcceptance' });
    // no route to the gateway until the owner accepts
    const rtb = (await ec2('workload').send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable
      ?.RouteTableId as string;
    const route = new CreateRouteCommand({
      RouteTableId: rtb,
      DestinationCidrBlock: '10.0.0.0/8',
      TransitGatewayId: tgw,
    });
    expect(await errorOf(ec2('workload').send(route))).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
    const waiting = await ec2('network').send(
      new DescribeTransitGatewayVpcAttachmentsCommand({ Filters: [{ Name: 'state', Values: ['pendingAcceptance'] }] }),
    );
    expect(waiting.TransitGatewayVpcAttachments?.map((a) => a.TransitGatewayAttachmentId)).toEqual([attachment]);
    // only the gateway's owner accepts
    expect(
      await errorOf(
        ec2('workload').send(new AcceptTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment })),
      ),
    ).toMatchObject({ name: 'InvalidTransitGatewayAttachmentID.NotFound' });
    const accepted = await ec2('network').send(
      new AcceptTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment }),
    );
    expect(accepted.TransitGatewayVpcAttachment).toMatchObject({ VpcOwnerId: workload, State: 'available' });
    expect(
      await errorOf(
        ec2('network').send(new AcceptTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: attachment })),
      ),
    ).toMatchObject({ name: 'IncorrectState' });
    expect((await ec2('workload').send(route)).Return).toBe(true);

    // a Security account: the gateway does not exist for it
    const other = await vpcWithSubnet('security', 62);
    expect(
      await errorOf(
        ec2('security').send(
          new CreateTransitGatewayVpcAttachmentCommand({
            TransitGatewayId: tgw,
            VpcId: other.vpcId,
            SubnetIds: [other.subnetId],
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidTransitGatewayID.NotFound',
      message: `Transit Gateway ${tgw} was deleted or does not exist.`,
    });

    // unshared: gone for the OU's accounts; the attachment stays, the owner still sees it
    const out = await ram('network').send(
      new DisassociateResourceShareCommand({ resourceShareArn: shareArn, principals: [ouArn('Workloads')] }),
    );
    expect(out.resourceShareAssociations?.map((a) => a.status)).toEqual(['DISASSOCIATED']);
    expect(
      await errorOf(ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] }))),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
    const kept = await ec2('network').send(
      new DescribeTransitGatewayVpcAttachmentsCommand({ TransitGatewayAttachmentIds: [attachment] }),
    );
    expect(kept.TransitGatewayVpcAttachments?.[0]?.State).toBe('available');

    // shared again with the account itself, then the share deleted
    await ram('network').send(
      new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [workload] }),
    );
    expect(
      (await ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] }))).TransitGateways,
    ).toHaveLength(1);
    expect(
      (await ram('network').send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))).returnValue,
    ).toBe(true);
    expect(
      await errorOf(ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgw] }))),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
    const deleted = await ram('network').send(
      new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [shareArn] }),
    );
    expect(deleted.resourceShares?.[0]?.status).toBe('DELETED');
    expect(
      await errorOf(ram('network').send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))),
    ).toMatchObject({ name: 'UnknownResourceException', message: `ResourceShare ${shareArn} could not be found.` });

    const event = sb.runtime.recentTrail.findLast(
      (e) => e.detail.eventSource === 'ram.amazonaws.com' && e.detail.eventName === 'CreateResourceShare',
    );
    expect(event).toMatchObject({ account: network, region: REGION, source: 'aws.ram' });
  });
});

describe('what RAM refuses', () => {
  it('shares nothing of a resource the caller does not own: the association FAILED', async () => {
    const { resourceShare } = await ram('workload').send(
      new CreateResourceShareCommand({
        name: 'not-mine',
        resourceArns: [tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID)],
        principals: [security],
      }),
    );
    const { resourceShareAssociations } = await ram('workload').send(
      new GetResourceShareAssociationsCommand({
        associationType: 'RESOURCE',
        resourceShareArns: [resourceShare?.resourceShareArn as string],
      }),
    );
    expect(resourceShareAssociations).toEqual([
      expect.objectContaining({
        associatedEntity: tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID),
        status: 'FAILED',
        statusMessage: 'The specified resource could not be found in your AWS account',
      }),
    ]);
    expect(
      await errorOf(
        ec2('security').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] })),
      ),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
  });

  it('refuses what is no ARN, a type it does not share, a malformed principal and another organization', async () => {
    const create = (input: { resourceArns?: string[]; principals?: string[]; allowExternalPrincipals?: boolean }) =>
      errorOf(ram('network').send(new CreateResourceShareCommand({ name: 'bad', ...input })));
    expect(await create({ resourceArns: ['tgw-0123456789abcdef0'] })).toMatchObject({
      name: 'MalformedArnException',
      message: 'The specified resource ARN tgw-0123456789abcdef0 is not valid. Verify the ARN and try again.',
    });
    expect(
      await create({ resourceArns: [`arn:aws:ec2:${REGION}:${network}:vpc/vpc-0123456789abcdef0`] }),
    ).toMatchObject({
      name: 'MalformedArnException',
      message: 'You cannot share the selected resource type.',
    });
    expect(await create({ principals: ['o-123random'] })).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Principal ID o-123random is malformed. Verify the ID and try again.',
    });
    expect(await create({ principals: [`arn:aws:organizations::${network}:organization/o-abcdefghij`] })).toMatchObject(
      { name: 'UnknownResourceException', message: 'Organization o-abcdefghij could not be found.' },
    );
    expect(await create({ principals: ['999999999999'], allowExternalPrincipals: false })).toMatchObject({
      name: 'InvalidParameterException',
      message:
        'Principal 999999999999 is not in your AWS organization. You do not have permission to add external AWS accounts to a resource share.',
    });
    const { subnetId } = await vpcWithSubnet('network', 63);
    expect(
      await create({
        resourceArns: [`arn:aws:ec2:${REGION}:${network}:subnet/${subnetId}`],
        principals: ['999999999999'],
      }),
    ).toMatchObject({
      name: 'OperationNotPermittedException',
      message: expect.stringMatching(
        /^The resource you are attempting to share can only be shared within your AWS Organization\./,
      ),
    });
    expect(
      await errorOf(
        ram('network').send(
          new GetResourceSharesCommand({
            resourceOwner: 'EVERYONE' as 'SELF',
          }) /* the SDK types only the valid values */,
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message: 'EVERYONE is not a valid resource owner. Specify either SELF or OTHER-ACCOUNTS and try again.',
    });
    expect(
      await errorOf(
        ram('network').send(
          new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS', tagFilters: [{ tagKey: 'team' }] }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message:
        'You cannot use resourceOwner set to OTHER-ACCOUNTS and tagFilters in one request. Specify one parameter and try again.',
    });
  });

  it('asks IAM for ram:<Operation> with RAM’s condition keys, and answers a denial with 403', async () => {
    const iam = sb.client(IAMClient, { region: 'us-east-1', accountId: network });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'subnet-sharer',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${network}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'subnet-sharer',
        PolicyName: 'subnets-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ram:CreateResourceShare',
              Resource: '*',
              Condition: { StringEquals: { 'ram:RequestedResourceType': 'ec2:Subnet' } },
            },
          ],
        }),
      }),
    );
    const limited = sb.client(RAMClient, { accountId: network, role: 'subnet-sharer' });
    const denied = await errorOf(
      limited.send(
        new CreateResourceShareCommand({ name: 'tgw', resourceArns: [tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID)] }),
      ),
    );
    expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect(denied.message).toBe(
      `User: arn:aws:sts::${network}:assumed-role/subnet-sharer/test is not authorized to perform: ram:CreateResourceShare on resource: * because no identity-based policy allows the ram:CreateResourceShare action`,
    );
    const recorded = sb.runtime.recentTrail.findLast((e) => e.detail.eventSource === 'ram.amazonaws.com');
    expect(recorded?.detail).toMatchObject({ eventName: 'CreateResourceShare', errorCode: 'AccessDeniedException' });
    const { subnetId } = await vpcWithSubnet('network', 64);
    const allowed = await limited.send(
      new CreateResourceShareCommand({
        name: 'subnet',
        resourceArns: [`arn:aws:ec2:${REGION}:${network}:subnet/${subnetId}`],
      }),
    );
    expect(allowed.resourceShare?.status).toBe('ACTIVE');

    // EnableSharingWithAwsOrganization needs organizations:EnableAWSServiceAccess too
    const management = sb.runtime.managementAccountId;
    const mgmtIam = sb.client(IAMClient, { region: 'us-east-1' });
    await mgmtIam.send(
      new CreateRoleCommand({
        RoleName: 'ram-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${management}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await mgmtIam.send(
      new PutRolePolicyCommand({
        RoleName: 'ram-only',
        PolicyName: 'ram',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }],
        }),
      }),
    );
    const ramOnly = sb.client(RAMClient, { accountId: management, role: 'ram-only' });
    const refused = await errorOf(ramOnly.send(new EnableSharingWithAwsOrganizationCommand({})));
    expect(refused.name).toBe('OperationNotPermittedException');
    expect(refused.message).toMatch(
      /^Unable to enable sharing with AWS Organizations\. Received AccessDeniedException from AWSOrganizations with the following error message: User: .* is not authorized to perform: organizations:EnableAWSServiceAccess/,
    );
  });

  it('answers a retry with the same client token with the same share, and refuses another request with it', async () => {
    const request = { name: 'retried', principals: [ouArn('Sandbox')], clientToken: 'token-1' };
    const first = await ram('network').send(new CreateResourceShareCommand(request));
    const again = await ram('network').send(new CreateResourceShareCommand(request));
    expect(again.resourceShare?.resourceShareArn).toBe(first.resourceShare?.resourceShareArn);
    expect(again.clientToken).toBe('token-1');
    expect(
      await errorOf(ram('network').send(new CreateResourceShareCommand({ ...request, name: 'other' }))),
    ).toMatchObject({ name: 'IdempotentParameterMismatchException' });
  });

  it('refuses EnableSharingWithAwsOrganization from a member account, as Organizations refuses it', async () => {
    const error = await errorOf(ram('workload').send(new EnableSharingWithAwsOrganizationCommand({})));
    expect(error).toMatchObject({
      name: 'OperationNotPermittedException',
      message:
        "Unable to enable sharing with AWS Organizations. Received AccessDeniedException from AWSOrganizations with the following error message: You don't have permissions to access this resource.",
      $metadata: { httpStatusCode: 400 },
    });
    const management = sb.client(RAMClient);
    expect((await management.send(new EnableSharingWithAwsOrganizationCommand({}))).returnValue).toBe(true);
  });
});

describe('without sharing with the organization', () => {
  it('removes the organization’s principals, refuses OUs, and invites accounts until sharing is enabled again', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    await org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'ram.amazonaws.com' }));
    // the seeded share's OUs are out: a Workloads account no longer sees the gateway
    expect(
      await errorOf(
        ec2('workload').send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] })),
      ),
    ).toMatchObject({ name: 'InvalidTransitGatewayID.NotFound' });
    const [seeded] =
      (
        await ram('network').send(
          new GetResourceSharesCommand({ resourceOwner: 'SELF', name: 'vendguard-transit-gateway' }),
        )
      ).resourceShares ?? [];
    const shareArn = seeded?.resourceShareArn as string;
    const principals = await ram('network').send(
      new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shareArn] }),
    );
    expect(new Set(principals.resourceShareAssociations?.map((a) => a.status))).toEqual(new Set(['DISASSOCIATED']));

    expect(
      await errorOf(
        ram('network').send(
          new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [ouArn('Workloads')] }),
        ),
      ),
    ).toMatchObject({ name: 'OperationNotPermittedException' });

    // an account of the organization is invited, and has the gateway once it accepts
    const made = await ram('network').send(
      new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [workload] }),
    );
    expect(made.resourceShareAssociations).toEqual([
      expect.objectContaining({ associatedEntity: workload, status: 'ASSOCIATING', external: false }),
    ]);
    expect(isSharedWith(sb.runtime, tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID), workload)).toBe(false);
    const { resourceShareInvitations } = await ram('workload').send(new GetResourceShareInvitationsCommand({}));
    expect(resourceShareInvitations).toEqual([
      expect.objectContaining({
        resourceShareArn: shareArn,
        resourceShareName: 'vendguard-transit-gateway',
        senderAccountId: network,
        receiverAccountId: workload,
        status: 'PENDING',
      }),
    ]);
    const invitationArn = resourceShareInvitations?.[0]?.resourceShareInvitationArn as string;
    expect(invitationArn).toMatch(new RegExp(`^arn:aws:ram:${REGION}:${network}:resource-share-invitation/`));
    expect(
      await errorOf(
        ram('security').send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn })),
      ),
    ).toMatchObject({ name: 'ResourceShareInvitationArnNotFoundException' });
    const accepted = await ram('workload').send(
      new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn }),
    );
    expect(accepted.resourceShareInvitation?.status).toBe('ACCEPTED');
    expect(
      (
        await ec2('workload').send(
          new DescribeTransitGatewaysCommand({ TransitGatewayIds: [SANDBOX_TRANSIT_GATEWAY_ID] }),
        )
      ).TransitGateways,
    ).toHaveLength(1);
    expect(
      await errorOf(
        ram('workload').send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn })),
      ),
    ).toMatchObject({ name: 'ResourceShareInvitationAlreadyAcceptedException' });

    // enabled again (RAM's side too), OUs can be named again
    await sb.client(RAMClient).send(new EnableSharingWithAwsOrganizationCommand({}));
    const trusted = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(trusted.EnabledServicePrincipals?.map((s) => s.ServicePrincipal)).toContain('ram.amazonaws.com');
    await ram('network').send(
      new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [ouArn('Workloads')] }),
    );
    expect(isSharedWith(sb.runtime, tgwArn(network, SANDBOX_TRANSIT_GATEWAY_ID), sb.accountId('egress'))).toBe(false);
  });
});
