/**
 * The SCP matrix: principals in every OU × the actions the governance model cares about, evaluated
 * with an IAM policy simulator (`@cloud-copilot/iam-simulate`, AGPL: a dev dependency, tests only)
 * over the SCP documents of config/scps attached as organization.yaml says (FullAWSAccess + the OU's
 * SCPs at every level from the root down, as AWS evaluates them). Identity policies allow everything,
 * so every deny in this table comes from an SCP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { loadOrganizationConfig, SCP_DIR } from '../../config/load';

const { config } = loadOrganizationConfig();
const REMEDIATION = config.vending.remediationRoleName;

const FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const ADMIN = { name: 'AdministratorAccess', policy: FULL_AWS_ACCESS };

/** The SCP levels AWS evaluates for an account in an OU: root, each OU down the path, the account. */
function scpLevels(ouPath: string, accountId: string, accountName?: string): Simulation['serviceControlPolicies'] {
  const segments = ouPath.split('/');
  const paths = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  const attachedTo = (path: string) =>
    config.scps
      .filter((s) => s.targets.includes(path))
      .map((s) => ({ name: s.name, policy: JSON.parse(readFileSync(join(SCP_DIR, s.document), 'utf8')) as unknown }));
  return [
    { orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
    ...paths.map((p) => ({
      orgIdentifier: `ou-${p.toLowerCase().replace(/\W/g, '')}`,
      policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...attachedTo(p)],
    })),
    {
      orgIdentifier: accountId,
      policies: [
        { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
        ...config.scps
          .filter((s) => accountName !== undefined && s.accounts.includes(accountName))
          .map((s) => ({
            name: s.name,
            policy: JSON.parse(readFileSync(join(SCP_DIR, s.document), 'utf8')) as unknown,
          })),
      ],
    },
  ];
}

const coreId = (name: string) => String(100000000001 + config.accounts.findIndex((a) => a.name === name));
const coreOu = (name: string) => config.accounts.find((a) => a.name === name)!.ou;

/** The accounts of the matrix, one column each. */
const ACCOUNTS = {
  prod: { ou: 'Workloads/Prod', id: '222200000001' },
  dev: { ou: 'Workloads/Dev', id: '222200000002' },
  sandbox: { ou: 'Sandbox', id: '222200000003' },
  security: { ou: coreOu('log-archive'), id: coreId('log-archive'), name: 'log-archive' },
  network: { ou: coreOu('network'), id: coreId('network'), name: 'network' },
  egress: { ou: coreOu('egress'), id: coreId('egress'), name: 'egress' },
  bastion: { ou: coreOu('bastion'), id: coreId('bastion'), name: 'bastion' },
  quarantine: { ou: 'Quarantine', id: '222200000009' },
} as const;
type Column = keyof typeof ACCOUNTS;
const COLUMNS = Object.keys(ACCOUNTS) as Column[];

type Who = 'developer' | 'remediation' | 'root' | 'stacksets';
const principalOf = (who: Who, account: string) =>
  ({
    developer: `arn:aws:iam::${account}:role/Developer`,
    remediation: `arn:aws:iam::${account}:role/${REMEDIATION}`,
    root: `arn:aws:iam::${account}:root`,
    stacksets: `arn:aws:iam::${account}:role/stacksets-exec-0123456789abcdef`,
  })[who];

interface Case {
  readonly what: string;
  readonly who: Who;
  readonly action: string;
  readonly region: string;
  readonly resource: (account: string) => string;
  /** Expected decision per column, in {@link COLUMNS} order: A allowed, D denied. */
  readonly expect: string;
}

const igw = (region: string) => (a: string) => `arn:aws:ec2:${region}:${a}:internet-gateway/igw-0123456789abcdef0`;

// Columns of `expect`: prod dev sandbox security network egress bastion quarantine.
// biome-ignore format: the matrix reads as a table, one case per line
const CASES: readonly Case[] = [
  { what: 'create an Internet Gateway', who: 'developer', action: 'ec2:CreateInternetGateway', region: 'eu-west-1', resource: igw('eu-west-1'), expect: 'D D D D D A D D' },
  { what: 'attach an Internet Gateway', who: 'developer', action: 'ec2:AttachInternetGateway', region: 'eu-west-1', resource: igw('eu-west-1'), expect: 'D D D D D A D D' },
  { what: 'describe instances in an approved region', who: 'developer', action: 'ec2:DescribeInstances', region: 'eu-west-1', resource: () => '*', expect: 'A A A A A A A D' },
  { what: 'describe instances in ap-southeast-2 (unapproved)', who: 'developer', action: 'ec2:DescribeInstances', region: 'ap-southeast-2', resource: () => '*', expect: 'D D D D D D D D' },
  { what: 'stop CloudTrail logging', who: 'developer', action: 'cloudtrail:StopLogging', region: 'eu-west-1', resource: (a) => `arn:aws:cloudtrail:eu-west-1:${a}:trail/organization`, expect: 'D D D D D D D D' },
  { what: `delete the ${REMEDIATION} role`, who: 'developer', action: 'iam:DeleteRole', region: 'us-east-1', resource: (a) => `arn:aws:iam::${a}:role/${REMEDIATION}`, expect: 'D D D D D D D D' },
  { what: 'put a policy on a vendguard-* role', who: 'developer', action: 'iam:PutRolePolicy', region: 'us-east-1', resource: (a) => `arn:aws:iam::${a}:role/vendguard-bastion-access`, expect: 'D D D D D D D D' },
  { what: 'leave the organization', who: 'developer', action: 'organizations:LeaveOrganization', region: 'us-east-1', resource: () => '*', expect: 'D D D D D D D D' },
  { what: 'create an IAM role (global service, us-east-1)', who: 'developer', action: 'iam:CreateRole', region: 'us-east-1', resource: (a) => `arn:aws:iam::${a}:role/app-role`, expect: 'A A A A A A A D' },
  { what: 'describe the organization (global service, us-east-1)', who: 'developer', action: 'organizations:DescribeOrganization', region: 'us-east-1', resource: () => '*', expect: 'A A A A A A A D' },
  { what: 'delete an Internet Gateway as the remediation role', who: 'remediation', action: 'ec2:DeleteInternetGateway', region: 'eu-west-1', resource: igw('eu-west-1'), expect: 'A A A A A A A A' },
  { what: 'restart CloudTrail logging as the remediation role', who: 'remediation', action: 'cloudtrail:StartLogging', region: 'eu-west-1', resource: (a) => `arn:aws:cloudtrail:eu-west-1:${a}:trail/organization`, expect: 'A A A A A A A A' },
  { what: 'act as the root user', who: 'root', action: 'ec2:DescribeInstances', region: 'eu-west-1', resource: () => '*', expect: 'D D D D D D D D' },
  { what: 'deploy the baseline (stack set execution role creates a role)', who: 'stacksets', action: 'iam:CreateRole', region: 'us-east-1', resource: (a) => `arn:aws:iam::${a}:role/${REMEDIATION}`, expect: 'A A A A A A A A' },
];

async function decide(c: Case, column: Column): Promise<'A' | 'D'> {
  const account: { ou: string; id: string; name?: string } = ACCOUNTS[column];
  const { ou, id } = account;
  const principal = principalOf(c.who, id);
  const result = await runSimulation(
    {
      request: {
        principal,
        action: c.action,
        resource: { resource: c.resource(id), accountId: id },
        contextVariables: {
          'aws:PrincipalArn': principal,
          'aws:PrincipalAccount': id,
          'aws:RequestedRegion': c.region,
        },
      },
      identityPolicies: [ADMIN],
      serviceControlPolicies: scpLevels(ou, id, account.name),
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${c.what}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed' ? 'A' : 'D';
}

describe('SCP matrix (principals in each OU × guarded actions)', () => {
  it.each(CASES.map((c) => [c.who, c.what, c] as const))('%s: %s', async (_who, _what, c) => {
    const decisions = await Promise.all(COLUMNS.map((col) => decide(c, col)));
    const actual = Object.fromEntries(COLUMNS.map((col, i) => [col, decisions[i]]));
    const expected = Object.fromEntries(COLUMNS.map((col, i) => [col, c.expect.split(' ')[i]]));
    expect(actual).toEqual(expected);
  });

  it('binds every core account but egress with the IGW deny, through its OUs or directly', () => {
    const igwScp = config.scps.find((s) => s.document === 'deny-internet-gateway.json')!;
    const unbound = config.accounts
      .filter((a) => a.role !== 'management') // SCPs never bind the management account
      .filter((a) => {
        const path = a.ou.split('/');
        const inherited = path.map((_, i) => path.slice(0, i + 1).join('/'));
        return !inherited.some((p) => igwScp.targets.includes(p)) && !igwScp.accounts.includes(a.name);
      })
      .map((a) => a.name);
    expect(unbound).toEqual(['egress']);
  });

  it('restricts regions to exactly the allowed regions of the config', () => {
    const doc = JSON.parse(readFileSync(join(SCP_DIR, 'region-restriction.json'), 'utf8')) as {
      Statement: { Condition: { StringNotEquals: { 'aws:RequestedRegion': string[] } } }[];
    };
    expect(doc.Statement[0]!.Condition.StringNotEquals['aws:RequestedRegion'].sort()).toEqual(
      [...config.organization.allowedRegions].sort(),
    );
  });
});
