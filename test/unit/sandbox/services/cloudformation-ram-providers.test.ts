import { AwsServiceError } from '../../../../sandbox/core/types';
import { gatewayProviders } from '../../../../sandbox/services/cloudformation/providers/ec2-gateways';
import { ramProviders } from '../../../../sandbox/services/cloudformation/providers/ram';
import type { ResourceContext, ResourceProvider } from '../../../../sandbox/services/cloudformation/resources';
import { supportedResourceTypes } from '../../../../sandbox/services/cloudformation/stack-resources';
import { ORGANIZATION_ONLY_MESSAGE } from '../../../../sandbox/services/ram/errors';
import { RAM_TABLES, RamState } from '../../../../sandbox/services/ram/model';
import { enableSharing } from '../../../../sandbox/services/ram/organization';
import { type Caller, shareOperations } from '../../../../sandbox/services/ram/shares';
import { isSharedWith } from '../../../../sandbox/services/ram/sharing';
import { createTestRuntime, type TestRuntime } from '../../../helpers/runtime';

/**
 * `AWS::RAM::ResourceShare` in the network account: the organization's transit gateway shared with
 * the organization and accounts, held to RAM's rules (sharing with the organization enabled for an
 * organization or OU principal, external accounts), its associations changed by an update, and
 * deleted. (OU principals, which need the Organizations service's OUs: `ipam-stacks.test.ts`.)
 */

type Result = Record<string, unknown>;
const REGION = 'eu-west-1';

let rt: TestRuntime;
let network: string;
let prod: string;
let tgwArn: string;

beforeEach(() => {
  rt = createTestRuntime();
  network = rt.organizations.accountIdByName('network') as string;
  prod = rt.addAccount('team-a-prod', 'Workloads/Prod');
  const tgw = provider('AWS::EC2::TransitGateway').create(ctx('Tgw'), {});
  tgwArn = tgw.attributes?.TransitGatewayArn as string;
});
afterEach(() => rt.close());

const ctx = (logicalId: string): ResourceContext => ({
  runtime: rt,
  account: network,
  region: REGION,
  stackId: `arn:aws:cloudformation:${REGION}:${network}:stack/net/5d6e7f80-0000-4000-8000-000000000005`,
  stackName: 'net',
  logicalId,
});

const provider = (type: string): ResourceProvider => {
  const found = [...gatewayProviders, ...ramProviders].find((p) => p.type === type);
  if (!found) throw new Error(`no provider for ${type}`);
  return found;
};
const share = () => provider('AWS::RAM::ResourceShare');

const orgArn = () => `arn:aws:organizations::${rt.managementAccountId}:organization/${rt.organizations.organizationId}`;
const caller: () => Caller = () => ({ account: network, region: REGION });
const ram = () => shareOperations(new RamState(rt));
const shares = () => ram().GetResourceShares(caller(), { resourceOwner: 'SELF' }).resourceShares as Result[];
const associations = (type: 'PRINCIPAL' | 'RESOURCE') =>
  (ram().GetResourceShareAssociations(caller(), { associationType: type }).resourceShareAssociations as Result[]).map(
    (a) => [a.associatedEntity, a.status],
  );

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return { code: error.code, message: error.message };
  }
  throw new Error('expected a service error');
}

describe('AWS::RAM::ResourceShare', () => {
  it('is a type stacks can create', () => {
    expect(supportedResourceTypes()).toContain('AWS::RAM::ResourceShare');
  });

  it('shares the transit gateway with the organization once sharing with it is enabled; Ref and Arn are the ARN', () => {
    enableSharing(rt.store, rt.clock.nowMs());
    const made = share().create(ctx('Share'), {
      Name: 'vendguard-transit-gateway',
      AllowExternalPrincipals: false,
      ResourceArns: [tgwArn],
      Principals: [orgArn()],
      Tags: [{ Key: 'Name', Value: 'tgw' }],
    });
    expect(made.physicalId).toMatch(new RegExp(`^arn:aws:ram:${REGION}:${network}:resource-share/[0-9a-f-]{36}$`));
    expect(made.attributes).toEqual({
      Arn: made.physicalId,
      OwningAccountId: network,
      FeatureSet: 'STANDARD',
      Status: 'ACTIVE',
    });
    const [listed] = shares();
    expect(listed).toMatchObject({
      resourceShareArn: made.physicalId,
      name: 'vendguard-transit-gateway',
      allowExternalPrincipals: false,
      status: 'ACTIVE',
    });
    expect(listed?.tags).toEqual(
      expect.arrayContaining([
        { key: 'Name', value: 'tgw' },
        { key: 'aws:cloudformation:logical-id', value: 'Share' },
      ]),
    );
    // an account of the organization may now use the gateway; one outside it may not
    expect(isSharedWith(rt, tgwArn, prod)).toBe(true);
    expect(isSharedWith(rt, tgwArn, '999988887777')).toBe(false);
  });

  it('is refused, leaving no share, for the organization while sharing with it is not enabled', () => {
    const props = { Name: 'tgw', ResourceArns: [tgwArn], Principals: [orgArn()] };
    expect(failure(() => share().create(ctx('Share'), props))).toEqual({
      code: 'OperationNotPermittedException',
      message: ORGANIZATION_ONLY_MESSAGE,
    });
    expect(shares()).toEqual([]);
    expect(rt.store.list(RAM_TABLES.associations)).toEqual([]);
    // an account of the organization needs no such thing: it is invited
    share().create(ctx('Share'), { ...props, Principals: [prod] });
    expect(associations('PRINCIPAL')).toEqual([[prod, 'ASSOCIATING']]);
  });

  it('refuses an account outside the organization unless AllowExternalPrincipals', () => {
    const props = { Name: 'tgw', ResourceArns: [tgwArn], Principals: ['999988887777'], AllowExternalPrincipals: false };
    expect(failure(() => share().create(ctx('Share'), props))).toEqual({
      code: 'InvalidParameterException',
      message:
        'Principal 999988887777 is not in your AWS organization. You do not have permission to add external AWS accounts to a resource share.',
    });
    share().create(ctx('Share'), { ...props, AllowExternalPrincipals: true });
    expect(associations('PRINCIPAL')).toEqual([['999988887777', 'ASSOCIATING']]);
  });

  it('changes its name, tags and associations in place on update', () => {
    enableSharing(rt.store, rt.clock.nowMs());
    const before = { Name: 'tgw', ResourceArns: [tgwArn], Principals: [orgArn(), prod] };
    const { physicalId } = share().create(ctx('Share'), before);
    const other = provider('AWS::EC2::TransitGateway').create(ctx('Other'), {}).attributes?.TransitGatewayArn as string;
    const after = {
      Name: 'renamed',
      ResourceArns: [other],
      Principals: [prod, '999988887777'],
      AllowExternalPrincipals: true,
    };
    expect(share().update?.(ctx('Share'), physicalId, after, before)?.physicalId).toBe(physicalId);
    expect(shares().map((s) => s.name)).toEqual(['renamed']);
    expect(associations('RESOURCE')).toEqual(
      expect.arrayContaining([
        [tgwArn, 'DISASSOCIATED'],
        [other, 'ASSOCIATED'],
      ]),
    );
    expect(associations('PRINCIPAL')).toEqual(
      expect.arrayContaining([
        [orgArn(), 'DISASSOCIATED'],
        [prod, 'ASSOCIATED'],
        ['999988887777', 'ASSOCIATING'],
      ]),
    );
    expect(isSharedWith(rt, tgwArn, prod)).toBe(false);
    expect(isSharedWith(rt, other, prod)).toBe(true);
  });

  it('leaves the share as it was when an update is refused', () => {
    const before = { Name: 'tgw', ResourceArns: [tgwArn], Principals: [prod] };
    const { physicalId } = share().create(ctx('Share'), before);
    const after = { ...before, Name: 'renamed', Principals: [orgArn()] };
    expect(failure(() => share().update?.(ctx('Share'), physicalId, after, before)).code).toBe(
      'OperationNotPermittedException',
    );
    expect(shares().map((s) => s.name)).toEqual(['tgw']);
    expect(associations('PRINCIPAL')).toEqual([[prod, 'ASSOCIATING']]);
  });

  it('deletes the share, and a share already deleted is no error', () => {
    enableSharing(rt.store, rt.clock.nowMs());
    const props = { Name: 'tgw', ResourceArns: [tgwArn], Principals: [orgArn()] };
    const { physicalId } = share().create(ctx('Share'), props);
    share().delete(ctx('Share'), physicalId, props);
    expect(shares().map((s) => s.status)).toEqual(['DELETED']);
    expect(isSharedWith(rt, tgwArn, prod)).toBe(false);
    share().delete(ctx('Share'), physicalId, props);
  });
});
