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
    // the schema fails first on the unknown key; fix that and the cross-field issues all show
    expect(issuesOf(raw)).toHaveLength(1);
    delete (raw.organization as Record<string, unknown>).colour;
    raw.scps.push({ name: 'extra-one', document: 'deny-root-and-leave.json', targets: ['Workloads'] });
    expect(issuesOf(raw)).toHaveLength(3);
  });

  it('rejects exemptions naming unknown accounts', () => {
    const raw = shipped();
    (raw.guardrails as { exemptions: { accounts: string[] } }).exemptions.accounts.push('egres');
    expect(issuesOf(raw)).toEqual([
      { path: 'guardrails.exemptions.accounts.2', message: 'account "egres" is not declared in accounts' },
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
