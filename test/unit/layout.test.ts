/**
 * The floors of the project: `config/` is the ground every part reads and reads nothing of the
 * project itself; `infra/` (the CDK app) is the roof, which nothing imports: the sandbox deploys what
 * it synthesizes, never its constructs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/load';

const SKIP = new Set(['node_modules', '.git', 'cdk.out', 'dist', '.vendguard']);

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (/\.(ts|cjs|js)$/.test(entry)) out.push(full);
  }
  return out;
}

/** The project folders a file's relative imports reach (`config`, `functions`, …). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|require\(|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(PROJECT_ROOT, resolve(file, '..', s as string)).split('/')[0] as string);
}

const folder = (file: string) => relative(PROJECT_ROOT, file).split('/')[0];

describe('the layout', () => {
  const files = ['config', 'infra', 'functions', 'events', 'sandbox', 'cli', 'scripts', 'bench'].flatMap((d) =>
    sources(join(PROJECT_ROOT, d)),
  );

  it('keeps config/ the ground: it imports nothing of the project outside itself', () => {
    const upward = files
      .filter((f) => folder(f) === 'config')
      .flatMap((f) =>
        importedFolders(f)
          .filter((to) => to !== 'config')
          .map((to) => `${relative(PROJECT_ROOT, f)} → ${to}/`),
      );
    expect(upward).toEqual([]);
  });

  it('keeps infra/ the roof: no code outside it imports the CDK app', () => {
    const intoInfra = files
      .filter((f) => folder(f) !== 'infra')
      .flatMap((f) => (importedFolders(f).includes('infra') ? [relative(PROJECT_ROOT, f)] : []));
    expect(intoInfra).toEqual([]);
  });
});
