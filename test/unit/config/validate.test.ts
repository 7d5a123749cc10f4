import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigValidationError } from '../../../config/errors';
import { DEFAULT_CONFIG_PATH, loadOrganizationConfig } from '../../../config/load';
import { scpSize, validateOrganizationConfig } from '../../../config/validate';

type Raw = Record<string, unknown> & {
  organizationalUnits: { path: string }[];
  accounts: { name: string; email: string; ou: string }[];
  scps: { name: string; document: string; targets?: string[] }[];
};

const shipped = (): Raw => parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Raw;
const { scpDocuments, baselineTemplates } = loadOrganizationConfig(DEFAULT_CONFIG_PATH);
const ctx = { scpDocuments, baselineTemplates: Object.keys(baselineTemplates) };

function issuesOf(raw: unknown, extraDocs: Record<string, string> = {}) {
  const result = validateOrganizationConfig(raw, { ...ctx, scpDocuments: { ...scpDocuments, ...extraDocs } });
  return result.issues;
}

describe('organization config', () => {
  it('validates the shipped config', () => {
    expect(issuesOf(shipped())).toEqual([]);
  });

  it('rejects an unknown key and names it', () => {
    const raw = shipped();
    (raw.organization as Record<string, unknown>).colour = 'blue';
    expect(issuesOf(raw)).toEqual([{ path: 'organization', message: 'unknown key "colour"' }]);
  });

  it('rejects an account in an OU that is not declared', () => {
    const raw = shipped();
    raw.accounts[1]!.ou = 'Securty';
    expect(issuesOf(raw)).toEqual([{ path: 'accounts.1.ou', message: 'OU "Securty" is not declared' }]);
  });

  it('rejects a duplicate email, case-insensitively', () => {
    const raw = shipped();
    raw.accounts[2]!.email = raw.accounts[1]!.email.toUpperCase();
    expect(issuesOf(raw)).toEqual([
      { path: 'accounts.2.email', message: expect.stringContaining('is already used by accounts.1') },
    ]);
  });

  it('counts FullAWSAccess toward the SCP quota of a target', () => {
    const raw = shipped();
    raw.scps.push({ name: 'extra-one', document: 'deny-root-and-leave.json', targets: ['Workloads'] });
    const issues = issuesOf(raw);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(
      /OU "Workloads" would have 6 SCPs \(FullAWSAccess, .*\); the quota per target is 5/,
    );
  });

  it('rejects an SCP document over 5,120 characters without white space', () => {
    const raw = shipped();
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: Array.from({ length: 400 }, (_, i) => `ec2:Action${i}`), Resource: '*' }],
    });
    expect(scpSize(big)).toBeGreaterThan(5120);
    raw.scps[0]!.document = 'big.json';
    const issues = issuesOf(raw, { 'big.json': big });
    expect(issues).toEqual([{ path: 'scps.0.document', message: expect.stringMatching(/at most 5120$/) }]);
  });

  it('reports every problem at once', () => {
    const raw = shipped();
    (raw.organization as Record<string, unknown>).colour = 'blue';
    raw.accounts[1]!.ou = 'Nowhere';
    raw.accounts[2]!.email = raw.accounts[1]!.email;
    // the schema problem and the cross-field problems of the sections that parsed, in one run
    expect(issuesOf(raw)).toEqual([
      { path: 'organization', message: 'unknown key "colour"' },
      { path: 'accounts.1.ou', message: 'OU "Nowhere" is not declared' },
      { path: 'accounts.2.email', message: `email ${raw.accounts[1]!.email} is already used by accounts.1` },
    ]);
    delete (raw.organization as Record<string, unknown>).colour;
    raw.scps.push({ name: 'extra-one', document: 'deny-root-and-leave.json', targets: ['Workloads'] });
    expect(issuesOf(raw)).toHaveLength(3);
  });

  it('rejects exemptions naming unknown accounts', () => {
    const raw = shipped();
    (raw.guardrails as { exemptions: { accounts: string[] } }).exemptions.accounts.push('egres');
    expect(issuesOf(raw)).toEqual([
      { path: 'guardrails.exemptions.accounts.1', message: 'account "egres" is not declared in accounts' },
    ]);
  });

  it('parses requester principals as IAM ARNs of the requester accounts, reporting each problem', () => {
    const raw = shipped();
    (raw.vending as Record<string, unknown>).requesters = {
      accounts: ['222233334444', '12345'],
      principals: [
        'arn:aws:iam::222233334444:role/platform-ci',
        'arn:aws:iam::*:role/ci-*',
        'arn:aws:sts::222233334444:assumed-role/x/y',
        'arn:aws:iam::999999999999:role/other',
        'arn:aws:iam:eu-west-1:222233334444:role/x',
        'role/platform-ci',
        'arn:aws:iam::222233334444:group/admins',
      ],
    };
    expect(issuesOf(raw)).toEqual([
      { path: 'vending.requesters.accounts.1', message: 'must be a 12-digit account id' },
    ]);
    (raw.vending as { requesters: { accounts: string[] } }).requesters.accounts = ['222233334444'];
    expect(issuesOf(raw)).toEqual([
      { path: 'vending.requesters.principals.2', message: 'must be an IAM principal ARN (service "iam", not "sts")' },
      {
        path: 'vending.requesters.principals.3',
        message: 'account 999999999999 is not in vending.requesters.accounts',
      },
      { path: 'vending.requesters.principals.4', message: 'an IAM ARN has no region' },
      { path: 'vending.requesters.principals.5', message: 'must be an ARN (arn:aws:iam::<account>:role/<name>)' },
      { path: 'vending.requesters.principals.6', message: '"group/admins" is not role/<name> or user/<name>' },
    ]);
    (raw.vending as { requesters: { accounts: string[] } }).requesters.accounts = [];
    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        {
          path: 'vending.requesters.principals',
          message: 'names principals of no account: list their accounts in vending.requesters.accounts',
        },
      ]),
    );
  });

  it('throws a ConfigValidationError that lists every issue with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vendguard-config-'));
    const raw = shipped();
    raw.accounts[1]!.ou = 'Nowhere';
    raw.accounts[2]!.email = raw.accounts[1]!.email;
    raw.scps.push({ name: 'extra-one', document: 'deny-root-and-leave.json', targets: ['Workloads'] });
    const file = join(dir, 'organization.yaml');
    writeFileSync(file, stringify(raw));
    let error: unknown;
    try {
      loadOrganizationConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(/^organization\.yaml has 3 issues:\n {2}- accounts\.1\.ou: /);
  });

  it('reports YAML syntax errors as an issue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vendguard-config-'));
    const file = join(dir, 'organization.yaml');
    writeFileSync(file, 'organization: [unclosed');
    expect(() => loadOrganizationConfig(file)).toThrow(
      /organization\.yaml has 1 issue:\n {2}- \(root\): not valid YAML/,
    );
  });
});

describe('security settings of the organization config (issue 15)', () => {
  type Loose = Omit<Raw, 'organizationalUnits'> & {
    scps: { name: string; document: string; accounts?: string[] }[];
    organization: Record<string, unknown>;
    vending: Record<string, unknown>;
    guardrails: { exemptions: { securityGroupIngress: { account: string; cidr: string; port?: number }[] } };
    organizationalUnits: { path: string; approval?: string }[];
  };
  const loose = () => shipped() as unknown as Loose;

  it('reports every malformed exemption CIDR, requester pattern and approval setting at once', () => {
    const raw = loose();
    raw.guardrails.exemptions.securityGroupIngress.push(
      { account: 'bastion', cidr: '999.0.0.0/77' },
      { account: 'bastion', cidr: '10.0.0.0/33' },
      { account: 'bastion', cidr: '10.1.2.3/8' },
      { account: 'bastion', cidr: 'everything' },
      { account: 'bastion', cidr: '2001:db8::/129' },
      { account: 'bastion', cidr: '10.0.0.0/8', port: 70000 },
    );
    raw.vending.requesters = { accounts: ['222233334444'], principals: ['role/platform-ci'] };
    raw.vending.approval = { timeoutHours: 200 };
    raw.organizationalUnits.find((o) => o.path === 'Quarantine')!.approval = 'required';
    expect(issuesOf(raw)).toEqual([
      // the schema's (CIDRs are parsed by it), then the cross-field ones, in the same run
      {
        path: 'guardrails.exemptions.securityGroupIngress.1.cidr',
        message: 'address 999.0.0.0 is not an IPv4 or IPv6 address',
      },
      {
        path: 'guardrails.exemptions.securityGroupIngress.2.cidr',
        message: 'prefix /33 is longer than an IPv4 address (at most /32)',
      },
      {
        path: 'guardrails.exemptions.securityGroupIngress.3.cidr',
        message: '10.1.2.3/8 has host bits set: the block is 10.0.0.0/8',
      },
      {
        path: 'guardrails.exemptions.securityGroupIngress.4.cidr',
        message: '"everything" is not a CIDR block (address/prefix, like 10.0.0.0/8)',
      },
      {
        path: 'guardrails.exemptions.securityGroupIngress.5.cidr',
        message: 'prefix /129 is longer than an IPv6 address (at most /128)',
      },
      { path: 'guardrails.exemptions.securityGroupIngress.6.port', message: 'Too big: expected number to be <=65535' },
      {
        path: 'organizationalUnits.8.approval',
        message: 'no request can need it: neither "Quarantine" nor an OU below it is in vending.allowedOus',
      },
      {
        path: 'vending.approval.timeoutHours',
        message:
          '200 is too long: at most 144 (a vending execution times out after 168 hours and needs 24 for the rest)',
      },
      { path: 'vending.requesters.principals.0', message: 'must be an ARN (arn:aws:iam::<account>:role/<name>)' },
    ]);
  });

  it('rejects an approval mode it does not know, naming the choices', () => {
    const raw = loose();
    raw.organizationalUnits[0]!.approval = 'maybe';
    expect(issuesOf(raw)).toEqual([
      { path: 'organizationalUnits.0.approval', message: expect.stringMatching(/"required"\|"none"/) },
    ]);
  });

  it('checks SCP account targets and delegated administrators against the declared accounts', () => {
    const raw = loose();
    (raw.scps[0] as { accounts?: string[] }).accounts = ['network', 'netwrok', 'management'];
    raw.organization.delegatedAdministrators = [
      { account: 'security-tooling', servicePrincipal: 'securityhub.amazonaws.com' },
      { account: 'security-tooling', servicePrincipal: 'securityhub.amazonaws.com' },
      { account: 'management', servicePrincipal: 'guardduty.amazonaws.com' },
      { account: 'log-archive', servicePrincipal: 'not a principal' },
    ];
    // the organization section fails the schema: its own cross-field checks wait, the others run
    expect(issuesOf(raw)).toEqual([
      {
        path: 'organization.delegatedAdministrators.3.servicePrincipal',
        message: 'must be a service principal like securityhub.amazonaws.com',
      },
      { path: 'scps.0.accounts.1', message: 'account "netwrok" is not declared' },
      {
        path: 'scps.0.accounts.2',
        message: 'SCPs never apply to the management account: attaching one there protects nothing',
      },
    ]);
    (raw.organization.delegatedAdministrators as unknown[]).pop();
    expect(issuesOf(raw)).toEqual([
      {
        path: 'organization.delegatedAdministrators.1',
        message: 'security-tooling is already delegated securityhub.amazonaws.com',
      },
      {
        path: 'organization.delegatedAdministrators.2.account',
        message: 'the management account cannot be a delegated administrator of its own organization',
      },
      { path: 'scps.0.accounts.1', message: 'account "netwrok" is not declared' },
      {
        path: 'scps.0.accounts.2',
        message: 'SCPs never apply to the management account: attaching one there protects nothing',
      },
    ]);
  });

  it('counts account targets toward the SCP quota of the account', () => {
    const raw = loose();
    for (const scp of raw.scps.slice(0, 5) as { accounts?: string[] }[]) scp.accounts = ['network'];
    expect(issuesOf(raw)).toEqual([
      { path: 'scps', message: expect.stringMatching(/^account "network" would have 6 SCPs/) },
    ]);
  });
});

describe('the network model of the organization config (issue 17)', () => {
  type Net = {
    network: {
      pools: { name: string; cidr: string; ous: string[] }[];
      vpcNetmaskLength?: number;
      egressCidr: string;
      bastionAccount: string;
    };
  };
  const net = () => shipped() as unknown as Net & Raw;

  it('ships pools that are inside the IPAM range, apart, and serve every vendable OU once', () => {
    expect(issuesOf(net())).toEqual([]);
  });

  it('reports overlapping and stray pools, an OU served by none or two, and ranges that collide, at once', () => {
    const raw = net();
    const [prod, dev, sandbox] = raw.network.pools as [
      Net['network']['pools'][number],
      Net['network']['pools'][number],
      Net['network']['pools'][number],
    ];
    dev.cidr = '10.72.0.0/13'; // inside prod's 10.64.0.0/12
    sandbox.cidr = '192.168.0.0/16';
    sandbox.ous = ['Workloads'];
    prod.ous = ['Workloads/Prod', 'Workloads/Prodd'];
    raw.network.egressCidr = '10.66.0.0/16';
    raw.network.bastionAccount = 'bastian';
    expect(issuesOf(raw)).toEqual([
      { path: 'network.pools.0.ous.1', message: 'OU "Workloads/Prodd" is not declared' },
      { path: 'network.pools.1.cidr', message: '10.72.0.0/13 overlaps pool prod (10.64.0.0/12)' },
      { path: 'network.pools.2.cidr', message: '192.168.0.0/16 is not inside the IPAM range 10.64.0.0/10' },
      { path: 'vending.allowedOus.0', message: '"Workloads/Prod" is served by 2 pools (prod, sandbox); one is needed' },
      { path: 'vending.allowedOus.1', message: '"Workloads/Dev" is served by 2 pools (dev, sandbox); one is needed' },
      {
        path: 'vending.allowedOus.2',
        message: 'the VPCs of "Sandbox" would come from no pool: add it to one of network.pools',
      },
      {
        path: 'network.egressCidr',
        message: '10.66.0.0/16 overlaps pool prod (10.64.0.0/12): vended VPCs could take its addresses',
      },
      { path: 'network.bastionAccount', message: 'account "bastian" is not declared' },
    ]);
  });

  it('refuses a pool smaller than one VPC, and a VPC size outside /16–/24', () => {
    const raw = net();
    (raw.network.pools[2] as { cidr: string }).cidr = '10.112.0.0/24';
    expect(issuesOf(raw)).toEqual([
      {
        path: 'network.pools.2.cidr',
        message: '10.112.0.0/24 is smaller than one VPC (/20, network.vpcNetmaskLength)',
      },
    ]);
    raw.network.vpcNetmaskLength = 26;
    expect(issuesOf(raw)).toContainEqual({
      path: 'network.vpcNetmaskLength',
      message: 'Too big: expected number to be <=24',
    });
  });

  it("reserves the route tables' names, and checks the network stack set and the core VPC ranges", () => {
    const raw = net() as Net & Raw & { network: { stackSet?: string; bastionCidr?: string } };
    (raw.network.pools[2] as { name: string }).name = 'egress';
    raw.network.bastionCidr = '10.101.0.0/26';
    expect(issuesOf(raw)).toEqual([
      {
        path: 'network.pools.2.name',
        message: '"egress" is reserved (the egress and bastion route tables, the top-level pool)',
      },
      { path: 'network.bastionCidr', message: 'a VPC range must be /16 to /24 (got /26)' },
    ]);

    const other = net() as Net & Raw & { network: { stackSet?: string } };
    other.network.stackSet = 'vendguard-baseline-netwrok';
    expect(issuesOf(other)).toEqual([
      { path: 'network.stackSet', message: 'stack set "vendguard-baseline-netwrok" is not in baselines.stackSets' },
    ]);

    const spread = net() as Net &
      Raw & { baselines: { stackSets: { name: string; ous: string[]; regions: unknown }[] } };
    const set = spread.baselines.stackSets.find((s) => s.name === 'vendguard-baseline-network')!;
    set.ous = [...set.ous, 'Security'];
    set.regions = ['eu-west-1', 'us-east-1'];
    expect(issuesOf(spread)).toEqual([
      {
        path: 'baselines.stackSets.1.ous.2',
        message: '"Security" gets the network baseline but no pool in network.pools serves it',
      },
      {
        path: 'baselines.stackSets.1.regions',
        message: 'the network baseline must deploy to the home region only ([eu-west-1]): the IPAM pools are there',
      },
    ]);
  });
});
