/**
 * Runtime settings of the guardrail functions: where state and findings go, the remediation role,
 * the global alert-only switch and the retry budget. Read from the environment and the config.
 */
import { organizationConfig } from '../config';

/** Session name the remediation role is assumed with; it shows in the member account's CloudTrail. */
export const REMEDIATION_SESSION = 'vendguard-guardrails';

/** Settings of one invocation. */
export interface GuardSettings {
  /** `VENDGUARD_EVENT_BUS`, default `vendguard`. */
  readonly eventBus: string;
  /** `VENDGUARD_STATE_TABLE`, default `vendguard-state`. */
  readonly stateTable: string;
  /** Config `vending.remediationRoleName`. */
  readonly remediationRole: string;
  /** `VENDGUARD_ALERT_ONLY` (`true`/`false`) overrides config `guardrails.alertOnly`. */
  readonly alertOnly: boolean;
  readonly maxActionsPerAccount: number;
  readonly windowMinutes: number;
  /** Attempts for a `DependencyViolation` (`VENDGUARD_GUARD_ATTEMPTS`, default 4). */
  readonly dependencyAttempts: number;
  /** First backoff delay in ms, doubled each retry (`VENDGUARD_GUARD_BACKOFF_MS`, default 500). */
  readonly backoffMs: number;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The settings, read fresh each call (cheap) so tests and the sandbox can change the environment. */
export function guardSettings(): GuardSettings {
  const config = organizationConfig();
  const env = process.env.VENDGUARD_ALERT_ONLY?.toLowerCase();
  return {
    eventBus: process.env.VENDGUARD_EVENT_BUS ?? 'vendguard',
    stateTable: process.env.VENDGUARD_STATE_TABLE ?? 'vendguard-state',
    remediationRole: config.vending.remediationRoleName,
    alertOnly: env === 'true' ? true : env === 'false' ? false : config.guardrails.alertOnly,
    maxActionsPerAccount: config.guardrails.blastRadius.maxActionsPerAccount,
    windowMinutes: config.guardrails.blastRadius.windowMinutes,
    dependencyAttempts: Math.max(1, envNumber('VENDGUARD_GUARD_ATTEMPTS', 4)),
    backoffMs: envNumber('VENDGUARD_GUARD_BACKOFF_MS', 500),
  };
}
