/**
 * The sandbox consumes the synthesized CDK app (the cloud assembly), synthesized offline in a child
 * process with the sandbox's organization ids and cached by a hash of its inputs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputsHash, synthesize } from '../../../sandbox/cdk/assembly';

const ROOT = join(__dirname, '..', '..', '..');
const context = {
  'vendguard:organizationId': 'o-sandbox0001',
  'vendguard:bastionAccountId': '100000000006',
};

let cache: string;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'vendguard-assembly-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('the synthesized assembly', () => {
  it('is synthesized once, then reused while its inputs are unchanged', async () => {
    const cold = await synthesize({ root: ROOT, cacheDir: cache, context });
    expect(cold.cached).toBe(false);
    expect(cold.stacks.map((s) => [s.name, s.region]).sort()).toEqual([
      ['VendguardGovernance', 'eu-west-1'],
      ['VendguardHub', 'eu-west-1'],
      ['VendguardHubGlobalEvents', 'us-east-1'],
      ['VendguardNetwork', 'eu-west-1'],
    ]);
    const hub = cold.stacks.find((s) => s.name === 'VendguardHub');
    const types = Object.values((hub?.template.Resources ?? {}) as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(
      expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Events::EventBus', 'AWS::StepFunctions::StateMachine']),
    );
    // the sandbox's organization id reached the bus policy
    expect(JSON.stringify(hub?.template)).toContain('o-sandbox0001');

    const warm = await synthesize({ root: ROOT, cacheDir: cache, context });
    expect(warm).toMatchObject({ cached: true, hash: cold.hash, dir: cold.dir });
    expect(warm.ms).toBeLessThan(cold.ms);
  }, 120_000);

  it('hashes the context with the inputs: other organization ids are another assembly', () => {
    expect(inputsHash(ROOT, context)).not.toBe(
      inputsHash(ROOT, { ...context, 'vendguard:organizationId': 'o-other000001' }),
    );
    expect(inputsHash(ROOT, context)).toBe(inputsHash(ROOT, { ...context }));
  });

  it('hashes the config the sandbox runs on, wherever it is (VENDGUARD_CONFIG, a test config)', () => {
    const shipped = join(ROOT, 'config', 'organization.yaml');
    const elsewhere = join(cache, 'organization.yaml');
    writeFileSync(elsewhere, `${readFileSync(shipped, 'utf8')}\n# another organization\n`);
    expect(inputsHash(ROOT, context, shipped)).toBe(inputsHash(ROOT, context, shipped));
    expect(inputsHash(ROOT, context, elsewhere)).not.toBe(inputsHash(ROOT, context, shipped));
  });
});
