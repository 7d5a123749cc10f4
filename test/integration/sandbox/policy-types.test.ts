/**
 * EnablePolicyType / DisablePolicyType as AWS does them: disabling SCPs detaches every SCP and lifts
 * them all; re-enabling attaches only FullAWSAccess, everywhere
 * (docs.aws.amazon.com/organizations/latest/userguide/disable-policy-type.html).
 */
import { CreateInternetGatewayCommand, DeleteInternetGatewayCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AttachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let org: OrganizationsClient;
let rootId: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  org = sb.client(OrganizationsClient, { region: 'us-east-1' });
  rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
}, 60_000);
afterAll(() => sb?.stop());

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const scpsOf = async (targetId: string) =>
  (
    (await org.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY' })))
      .Policies ?? []
  ).map((p) => p.Name);

describe('SCPs disabled and enabled again in the root', () => {
  it('lifts every SCP, refuses attachments, then comes back with FullAWSAccess only', async () => {
    const dev = sb.client(EC2Client, { accountId: sb.accountId('network'), role: 'Developer' });
    const denied = await errorOf(dev.send(new CreateInternetGatewayCommand({})));
    expect(denied?.name).toBe('UnauthorizedOperation');

    const disabled = await org.send(
      new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
    );
    expect(disabled.Root?.PolicyTypes).toEqual([]);
    expect((await org.send(new ListRootsCommand({}))).Roots?.[0]?.PolicyTypes).toEqual([]);
    expect(await scpsOf(sb.accountId('network'))).toEqual([]);
    // no SCP applies any more: the deny-IGW SCP no longer binds the network account
    const igw = (await dev.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await dev.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));

    const policies = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const denyIgw = policies.Policies?.find((p) => p.Name === 'vendguard-deny-internet-gateway')?.Id as string;
    expect(
      await errorOf(org.send(new AttachPolicyCommand({ PolicyId: denyIgw, TargetId: sb.accountId('network') }))),
    ).toEqual({
      name: 'PolicyTypeNotEnabledException',
      message: 'This operation can be performed only for enabled policy types.',
    });
    expect(
      await errorOf(org.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }))),
    ).toMatchObject({ name: 'PolicyTypeNotEnabledException' });

    const enabled = await org.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
    );
    expect(enabled.Root?.PolicyTypes).toEqual([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    for (const target of [
      rootId,
      sb.runtime.organizations.ouIdByPath('Workloads') as string,
      sb.accountId('network'),
    ]) {
      expect(await scpsOf(target)).toEqual(['FullAWSAccess']);
    }
    expect(
      await errorOf(org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }))),
    ).toEqual({ name: 'PolicyTypeAlreadyEnabledException', message: 'The specified policy type is already enabled.' });
  });

  it('refuses an unknown root, and every member account', async () => {
    expect(
      await errorOf(org.send(new DisablePolicyTypeCommand({ RootId: 'r-zzzz', PolicyType: 'SERVICE_CONTROL_POLICY' }))),
    ).toEqual({ name: 'RootNotFoundException', message: "You specified a root that doesn't exist." });
    const member = sb.client(OrganizationsClient, { region: 'us-east-1', accountId: sb.accountId('network') });
    expect(
      await errorOf(
        member.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })),
      ),
    ).toMatchObject({ name: 'AccessDeniedException' });
  });
});
