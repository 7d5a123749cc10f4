import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadOrganizationConfig, PROJECT_ROOT } from '../../config/load';
import { functionSpec } from '../../functions/manifest';
import { buildFunctions, bundledInputs, formatReport } from '../../scripts/build';

const { config } = loadOrganizationConfig();
const out = mkdtempSync(join(tmpdir(), 'vendguard-build-'));

/** A throwaway entry outside the tree, named relative to the project root like manifest entries. */
function entry(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vendguard-entry-'));
  writeFileSync(join(dir, 'app.ts'), code);
  return relative(PROJECT_ROOT, join(dir, 'app.ts'));
}

describe('npm run build', () => {
  it('bundles a function with the config embedded and without the YAML loader or the SDK', async () => {
    const spec = functionSpec('notify-slack');
    const report = await buildFunctions({ functions: [spec], outDir: out, config });
    expect(report.ok).toBe(true);
    const [bundle] = report.bundles;
    const code = readFileSync(bundle!.outfile, 'utf8');
    expect(code).toContain(config.slack.channels.critical);
    const inputs = bundledInputs(JSON.parse(readFileSync(join(out, spec.name, 'metafile.json'), 'utf8')));
    expect(
      inputs.filter((p) => /node_modules\/yaml\/|infra\/config\/load\.ts|node_modules\/@aws-sdk\//.test(p)),
    ).toEqual([]);
    expect(bundle!.bytes).toBeLessThan(250 * 1024);
    expect(bundle!.gzipBytes).toBeLessThan(bundle!.bytes);
  });

  it('fails a bundle that contains a Slack webhook URL', async () => {
    const spec = {
      ...functionSpec('notify-slack'),
      name: 'leaky',
      entry: entry("export const handler = async () => fetch('https://hooks.slack.com/services/T0/B0/x');"),
    };
    const report = await buildFunctions({ functions: [spec], outDir: out, config });
    expect(report.ok).toBe(false);
    expect(report.bundles[0]!.problems).toEqual([
      'leaky: the bundle contains "hooks.slack.com" (a secret must not ship)',
    ]);
  });

  it('fails a bundle over the 250 KB budget and says by how much', async () => {
    const spec = {
      ...functionSpec('notify-slack'),
      name: 'heavy',
      entry: entry(`const big = ${JSON.stringify('x'.repeat(300 * 1024))};\nexport const handler = async () => big;`),
    };
    const report = await buildFunctions({ functions: [spec], outDir: out, config });
    expect(report.ok).toBe(false);
    expect(report.bundles[0]!.problems[0]).toMatch(/^heavy: 300\.\d KB is over the 250\.0 KB budget$/);
    expect(formatReport(report)).toMatch(/heavy\s+300\.\d\s+[\d.]+\s+FAIL/);
  });

  it('reports a manifest entry that does not exist instead of skipping it silently', async () => {
    const spec = { ...functionSpec('notify-slack'), name: 'ghost', entry: 'functions/ghost/app.ts' };
    const strict = await buildFunctions({ functions: [spec], outDir: out, config });
    expect(strict).toMatchObject({ ok: false, missing: ['ghost'], bundles: [] });
    expect((await buildFunctions({ functions: [spec], outDir: out, config, allowMissing: true })).ok).toBe(true);
  });
});
