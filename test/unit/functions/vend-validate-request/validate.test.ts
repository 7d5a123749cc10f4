import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { organizationConfig } from '../../../../functions/shared/config';
import { InputValidationError } from '../../../../functions/shared/errors';
import { computePlan } from '../../../../functions/shared/vending/plan';
import { configIssues, validateRequest } from '../../../../functions/vend-validate-request/validate';
import { ACCOUNT_ID, mockOrganization, OU_IDS, REQUEST, REQUEST_ID, ROOT_ID } from '../shared/vending/fixtures';

const org = mockClient(OrganizationsClient);
const client = org as unknown as OrganizationsClient;

beforeEach(() => org.reset());

describe('validateRequest', () => {
  it('computes the plan: OU id, stack sets and their regions, quarantine policy, waits', async () => {
    mockOrganization(org);
    const plan = await validateRequest(client, organizationConfig(), REQUEST, REQUEST_ID);
    expect(plan).toMatchObject({
      requestId: REQUEST_ID,
      accountName: 'payments-prod',
      ou: 'Workloads/Prod',
      ouId: OU_IDS['Workloads/Prod'],
      rootId: ROOT_ID,
      quarantinePolicy: 'vendguard-quarantine',
      scpQuota: 5,
      accountScps: [],
      stackSets: [
        { name: 'vendguard-baseline-security', regions: ['eu-west-1', 'eu-central-1', 'us-east-1'] },
        { name: 'vendguard-baseline-network', regions: ['eu-west-1'] },
      ],
      regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
    });
    expect(plan.waits.accountFirst).toBeGreaterThan(plan.waits.account);
    // its VPC: from the prod pool, the config's size, production (the bastion reaches it)
    expect(plan.network).toEqual({
      stackSet: 'vendguard-baseline-network',
      pool: 'prod',
      netmaskLength: 20,
      production: true,
    });
  });

  it('plans the VPC size of the request, and refuses one for an OU that gets no VPC', async () => {
    const plan = computePlan(
      { ...REQUEST, ou: 'Workloads/Dev', vpcNetmaskLength: 22 },
      REQUEST_ID,
      organizationConfig(),
      {
        ouId: 'ou-exam-77777777',
        rootId: ROOT_ID,
      },
    );
    expect(plan.network).toMatchObject({ pool: 'dev', netmaskLength: 22, production: false });
    expect(configIssues({ ...REQUEST, ou: 'Sandbox', vpcNetmaskLength: 22 }, organizationConfig())).toEqual([
      {
        path: 'vpcNetmaskLength',
        message: 'accounts in "Sandbox" get no VPC from vendguard (the network stack set does not target the OU)',
      },
    ]);
  });

  it('plans only the stack sets of the requested OU', async () => {
    mockOrganization(org);
    org.reset();
    mockOrganization(org);
    const config = organizationConfig();
    const plan = await validateRequest(client, config, REQUEST, REQUEST_ID).then((p) => p.stackSets.map((s) => s.name));
    expect(plan).toContain('vendguard-baseline-network');
    expect(configIssues({ ...REQUEST, ou: 'Sandbox' }, config)).toEqual([]);
  });

  it('accepts an email already used by the account this request created (a redrive of the step)', async () => {
    mockOrganization(org, {
      accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email.toUpperCase(), Name: REQUEST.name }],
      tags: { 'vendguard:request-id': REQUEST_ID },
    });
    await expect(validateRequest(client, organizationConfig(), REQUEST, REQUEST_ID)).resolves.toMatchObject({
      accountName: REQUEST.name,
    });
  });

  it('rejects an email used by another account, naming that account', async () => {
    mockOrganization(org, { accounts: [{ Id: ACCOUNT_ID, Email: REQUEST.email, Name: 'someone' }] });
    await expect(validateRequest(client, organizationConfig(), REQUEST, REQUEST_ID)).rejects.toThrow(
      new RegExp(`email: already used by account ${ACCOUNT_ID}`),
    );
  });

  it('rejects an OU of the config that the organization does not have', async () => {
    mockOrganization(org);
    const error = await validateRequest(
      client,
      organizationConfig(),
      { ...REQUEST, ou: 'Workloads/Dev' },
      REQUEST_ID,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).issues).toEqual([
      { path: 'ou', message: 'OU "Workloads/Dev" does not exist in the organization' },
    ]);
  });

  it('reports every config problem at once', () => {
    const issues = configIssues({ ...REQUEST, name: 'BAD', email: 'x@evil.example', ou: 'Nope' }, organizationConfig());
    expect(issues.map((i) => i.path).sort()).toEqual(['email', 'name', 'ou']);
  });
});
