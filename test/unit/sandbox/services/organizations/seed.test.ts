import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrganizationConfig } from '../../../../../config/load';
import { VENDGUARD_TRUSTED_SERVICES } from '../../../../../config/organization-services';
import type { OrganizationConfig } from '../../../../../config/schema';
import { LocalRuntime } from '../../../../../sandbox/core/runtime';
import { OrgState, seedOrganization } from '../../../../../sandbox/services/organizations/model';
import { isServiceAccessEnabled } from '../../../../../sandbox/services/organizations/trusted-access';

const loaded = loadOrganizationConfig();
const homes: string[] = [];

/** A runtime over a fresh home with the config's `organization` settings changed. */
function runtimeWith(organization: Partial<OrganizationConfig['organization']>): LocalRuntime {
  const home = mkdtempSync(join(tmpdir(), 'vendguard-seed-'));
  homes.push(home);
  const config = { ...loaded.config, organization: { ...loaded.config.organization, ...organization } };
  return new LocalRuntime({ home, loaded: { ...loaded, config } });
}

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('seedOrganization', () => {
  it('enables trusted access and registers the delegated administrators on first seed only', () => {
    const runtime = runtimeWith({
      delegatedAdministrators: [{ account: 'security-tooling', servicePrincipal: 'guardduty.amazonaws.com' }],
    });
    try {
      const state = new OrgState(runtime.store);
      seedOrganization(state, runtime);
      for (const sp of [...VENDGUARD_TRUSTED_SERVICES, 'guardduty.amazonaws.com']) {
        expect(isServiceAccessEnabled(runtime.store, sp)).toBe(true);
      }
      const security = runtime.config.accounts.findIndex((a) => a.name === 'security-tooling');
      expect(runtime.store.list('org.delegated')).toEqual([
        expect.objectContaining({
          accountId: String(100000000001 + security),
          servicePrincipal: 'guardduty.amazonaws.com',
        }),
      ]);
      // what the organization's owner changed since stays changed
      runtime.store.delete('org.trusted', 'guardduty.amazonaws.com');
      seedOrganization(state, runtime);
      expect(isServiceAccessEnabled(runtime.store, 'guardduty.amazonaws.com')).toBe(false);
    } finally {
      runtime.close();
    }
  });

  it('refuses to start with a trusted service Organizations does not recognize', () => {
    const runtime = runtimeWith({ trustedServices: ['security-hub.amazonaws.com'] });
    try {
      expect(() => seedOrganization(new OrgState(runtime.store), runtime)).toThrow(
        /organization\.trustedServices: security-hub\.amazonaws\.com is not a service principal AWS Organizations recognizes/,
      );
    } finally {
      runtime.close();
    }
  });

  it('refuses to start with the management account or an unknown account as a delegated administrator', () => {
    for (const [account, problem] of [
      ['management', 'is the management account'],
      ['nobody', 'is not an account of the config'],
    ]) {
      const runtime = runtimeWith({
        delegatedAdministrators: [{ account: account as string, servicePrincipal: 'guardduty.amazonaws.com' }],
      });
      try {
        expect(() => seedOrganization(new OrgState(runtime.store), runtime)).toThrow(
          `organization.delegatedAdministrators.0: "${account}" ${problem}`,
        );
      } finally {
        runtime.close();
      }
    }
  });
});
