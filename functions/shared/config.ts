import type { OrganizationConfig } from '../../config/schema';

/**
 * The build embeds the validated config as JSON (`define`); in the sandbox and in tests it is
 * read from `VENDGUARD_CONFIG` or `config/organization.yaml`.
 */
declare const __VENDGUARD_CONFIG__: string | undefined;

let cached: OrganizationConfig | undefined;

/** The organization config, validated, loaded once per process. */
export function organizationConfig(): OrganizationConfig {
  if (!cached) {
    cached =
      typeof __VENDGUARD_CONFIG__ !== 'undefined'
        ? (JSON.parse(__VENDGUARD_CONFIG__) as OrganizationConfig)
        : // Lazy so that esbuild drops the YAML loader from bundles (the branch is dead once defined).
          (require('../../config/load') as typeof import('../../config/load')).loadOrganizationConfig().config;
  }
  return cached;
}

/** Replaces the cached config (tests and the sandbox when it reloads). */
export function setOrganizationConfig(config: OrganizationConfig | undefined): void {
  cached = config;
}
