import {
  AttachPolicyCommand,
  DetachPolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../functions/shared/errors';
import { ScpQuotaExceededError } from '../../../../functions/shared/vending/errors';
import { type GovernAction, govern } from '../../../../functions/vend-govern-account/govern';
import {
  ACCOUNT_ID,
  awsError,
  commandNames,
  mockOrganization,
  OU_IDS,
  plan,
  REQUEST,
  REQUEST_ID,
  ROOT_ID,
} from '../shared/vending/fixtures';

const org = mockClient(OrganizationsClient);
const client = org as unknown as OrganizationsClient;
const run = (action: GovernAction, overrides = {}) =>
  govern(client, { action, request: REQUEST, requestId: REQUEST_ID, plan: plan(overrides), accountId: ACCOUNT_ID });
const attached = (...ids: string[]) =>
  org.on(ListPoliciesForTargetCommand).resolves({ Policies: ids.map((Id) => ({ Id, Name: Id })) });

beforeEach(() => {
  org.reset();
  mockOrganization(org);
});

describe('govern quarantine', () => {
  it('attaches the quarantine SCP to the account', async () => {
    attached('p-FullAWSAccess');
    await expect(run('quarantine')).resolves.toMatchObject({ outcome: 'done' });
    expect(org.commandCalls(AttachPolicyCommand)[0]?.args[0].input).toEqual({
      PolicyId: 'p-quarantine',
      TargetId: ACCOUNT_ID,
    });
  });

  it('does nothing when the quarantine SCP is already attached', async () => {
    attached('p-FullAWSAccess', 'p-quarantine');
    await expect(run('quarantine')).resolves.toMatchObject({ outcome: 'already' });
    expect(commandNames(org)).not.toContain('AttachPolicy');
  });

  it('treats DuplicatePolicyAttachmentException as success', async () => {
    attached('p-FullAWSAccess');
    org.on(AttachPolicyCommand).rejects(awsError('DuplicatePolicyAttachmentException'));
    await expect(run('quarantine')).resolves.toMatchObject({ outcome: 'already' });
  });

  it('turns ConcurrentModificationException into a TransientError', async () => {
    attached('p-FullAWSAccess');
    org.on(AttachPolicyCommand).rejects(awsError('ConcurrentModificationException'));
    await expect(run('quarantine')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('govern attach-scps', () => {
  it('attaches the account-level SCPs of the plan', async () => {
    attached('p-FullAWSAccess', 'p-quarantine');
    await expect(run('attach-scps', { accountScps: ['vendguard-extra'] })).resolves.toMatchObject({ outcome: 'done' });
    expect(org.commandCalls(AttachPolicyCommand).map((c) => c.args[0].input.PolicyId)).toEqual(['p-extra']);
  });

  it('makes no call when the plan has no account-level SCPs', async () => {
    await run('attach-scps');
    expect(org.calls()).toHaveLength(0);
  });

  it('respects the per-target quota, FullAWSAccess included, before attaching anything', async () => {
    attached('p-FullAWSAccess', 'p-quarantine', 'p-a', 'p-b', 'p-c');
    const error = await run('attach-scps', { accountScps: ['vendguard-extra'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScpQuotaExceededError);
    expect((error as Error).message).toContain(ACCOUNT_ID);
    expect(commandNames(org)).not.toContain('AttachPolicy');
  });

  it('maps POLICY_NUMBER_LIMIT_EXCEEDED from AWS to ScpQuotaExceededError', async () => {
    attached('p-FullAWSAccess');
    org
      .on(AttachPolicyCommand)
      .rejects(awsError('ConstraintViolationException', { Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED' }));
    await expect(run('attach-scps', { accountScps: ['vendguard-extra'] })).rejects.toBeInstanceOf(
      ScpQuotaExceededError,
    );
  });
});

describe('govern move', () => {
  it('moves the account from the root to its OU', async () => {
    org.on(ListParentsCommand).resolves({ Parents: [{ Id: ROOT_ID, Type: 'ROOT' }] });
    await expect(run('move')).resolves.toMatchObject({ outcome: 'done' });
    expect(org.commandCalls(MoveAccountCommand)[0]?.args[0].input).toEqual({
      AccountId: ACCOUNT_ID,
      SourceParentId: ROOT_ID,
      DestinationParentId: OU_IDS['Workloads/Prod'],
    });
  });

  it('does nothing when the account is already in its OU', async () => {
    org.on(ListParentsCommand).resolves({ Parents: [{ Id: OU_IDS['Workloads/Prod'], Type: 'ORGANIZATIONAL_UNIT' }] });
    await expect(run('move')).resolves.toMatchObject({ outcome: 'already' });
    expect(commandNames(org)).not.toContain('MoveAccount');
  });

  it('treats DuplicateAccountException as already there', async () => {
    org.on(ListParentsCommand).resolves({ Parents: [{ Id: ROOT_ID, Type: 'ROOT' }] });
    org.on(MoveAccountCommand).rejects(awsError('DuplicateAccountException'));
    await expect(run('move')).resolves.toMatchObject({ outcome: 'already' });
  });

  it('retries when the account left its parent meanwhile', async () => {
    org.on(ListParentsCommand).resolves({ Parents: [{ Id: ROOT_ID, Type: 'ROOT' }] });
    org.on(MoveAccountCommand).rejects(awsError('SourceParentNotFoundException'));
    await expect(run('move')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('govern tag', () => {
  it('tags owner, team, cost center, environment and request id', async () => {
    await run('tag');
    const tags = org.commandCalls(TagResourceCommand)[0]?.args[0].input.Tags ?? [];
    expect(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))).toEqual({
      'vendguard:request-id': REQUEST_ID,
      'vendguard:account-name': 'payments-prod',
      'vendguard:owner': 'team-payments',
      'vendguard:team': 'team-payments',
      'vendguard:cost-center': 'CC-1042',
      'vendguard:environment': 'prod',
    });
  });
});

describe('govern release', () => {
  it('detaches the quarantine SCP', async () => {
    await expect(run('release')).resolves.toMatchObject({ outcome: 'done' });
    expect(org.commandCalls(DetachPolicyCommand)[0]?.args[0].input).toEqual({
      PolicyId: 'p-quarantine',
      TargetId: ACCOUNT_ID,
    });
  });

  it('treats PolicyNotAttachedException as already released', async () => {
    org.on(DetachPolicyCommand).rejects(awsError('PolicyNotAttachedException'));
    await expect(run('release')).resolves.toMatchObject({ outcome: 'already' });
  });
});
