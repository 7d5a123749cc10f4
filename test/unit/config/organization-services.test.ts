import { loadOrganizationConfig } from '../../../config/load';
import { trustedServicesOf, VENDGUARD_TRUSTED_SERVICES } from '../../../config/organization-services';
import { INTEGRATED_SERVICE_PRINCIPALS } from '../../../sandbox/services/organizations/service-principals';

const loaded = loadOrganizationConfig();

describe('trustedServicesOf', () => {
  it("lists vendguard's services, then the configured ones, then the delegated administrators', once each", () => {
    const config = {
      organization: {
        ...loaded.config.organization,
        trustedServices: ['securityhub.amazonaws.com', 'cloudtrail.amazonaws.com'],
        delegatedAdministrators: [
          { account: 'security-tooling', servicePrincipal: 'guardduty.amazonaws.com' },
          { account: 'security-tooling', servicePrincipal: 'securityhub.amazonaws.com' },
        ],
      },
    };
    expect(trustedServicesOf(config)).toEqual([
      ...VENDGUARD_TRUSTED_SERVICES,
      'securityhub.amazonaws.com',
      'guardduty.amazonaws.com',
    ]);
  });

  it('names only services Organizations integrates with', () => {
    for (const sp of VENDGUARD_TRUSTED_SERVICES) expect(INTEGRATED_SERVICE_PRINCIPALS.has(sp)).toBe(true);
  });
});
