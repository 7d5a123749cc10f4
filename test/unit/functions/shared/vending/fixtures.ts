import {
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import { organizationConfig } from '../../../../../functions/shared/config';
import type { AccountRequest } from '../../../../../functions/shared/schemas/account-request';
import { computePlan, type VendingPlan } from '../../../../../functions/shared/vending/plan';

/** A valid request of the default config. */
export const REQUEST: AccountRequest = {
  name: 'payments-prod',
  email: 'aws-payments-prod@acme.example',
  ou: 'Workloads/Prod',
  owner: 'team-payments',
  costCenter: 'CC-1042',
  environment: 'prod',
  requestId: 'req-payments-prod-0001',
};
export const REQUEST_ID = 'req-payments-prod-0001';
export const ACCOUNT_ID = '210987654321';
export const ROOT_ID = 'r-abcd';
export const OU_IDS = { Workloads: 'ou-abcd-11111111', 'Workloads/Prod': 'ou-abcd-22222222' } as const;

export function plan(overrides: Partial<VendingPlan> = {}): VendingPlan {
  return {
    ...computePlan(REQUEST, REQUEST_ID, organizationConfig(), { ouId: OU_IDS['Workloads/Prod'], rootId: ROOT_ID }),
    ...overrides,
  };
}

/** A Lambda context good enough for the Powertools logger. */
export const CONTEXT = {
  functionName: 'vendguard-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-test',
  memoryLimitInMB: '256',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/vendguard-test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** An AWS error as the SDK raises it. */
export function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: simulated`), { name, $metadata: {}, ...extra });
}

/** Mocks the read side of the organization: root, the Workloads/Prod OU, accounts, tags, policies. */
export function mockOrganization(
  org: AwsStub<ServiceInputTypes, ServiceOutputTypes, OrganizationsClientResolvedConfig>,
  options: { accounts?: { Id: string; Email: string; Name: string }[]; tags?: Record<string, string> } = {},
): void {
  org.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT_ID, Name: 'Root' }] });
  org
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT_ID })
    .resolves({ OrganizationalUnits: [{ Id: OU_IDS.Workloads, Name: 'Workloads' }] });
  org
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_IDS.Workloads })
    .resolves({ OrganizationalUnits: [{ Id: OU_IDS['Workloads/Prod'], Name: 'Prod' }] });
  org.on(ListAccountsCommand).resolves({ Accounts: options.accounts ?? [] });
  org.on(ListTagsForResourceCommand).resolves({
    Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  });
  org.on(ListPoliciesCommand).resolves({
    Policies: [
      { Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' },
      { Id: 'p-quarantine', Name: 'vendguard-quarantine' },
      { Id: 'p-extra', Name: 'vendguard-extra' },
    ],
  });
}

/** Any client mock, as far as counting its calls goes. */
interface CallRecorder {
  calls(): readonly { readonly args: readonly unknown[] }[];
}

/** Names of the commands a mock received. */
export function commandNames(mock: CallRecorder): string[] {
  return mock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** Commands that change something (anything not Describe/List/Get). */
export function mutatingCalls(mock: CallRecorder): string[] {
  return commandNames(mock).filter((n) => !/^(Describe|List|Get)/.test(n));
}
