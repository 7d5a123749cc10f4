import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { CREATE_ACCOUNT_FAILURE_REASONS } from '../services/organizations/failure-reasons';
import { FaultConfigError } from './errors';
import type { FaultDecision } from './types';

/**
 * Fault injection: rules that make an operation fail (a named AWS error, a 5xx, throttling) or
 * slow down, at a rate, drawn from the seeded generator. Loaded from `--faults <file>` /
 * `VENDGUARD_FAULTS` (a JSON array) or added through `/_sandbox/faults`.
 *
 * @example
 * [{ "service": "organizations", "operation": "CreateAccountProcess", "error": "CONCURRENT_ACCOUNT_MODIFICATION", "rate": 1, "count": 1 }]
 */
export const FaultRuleInputSchema = z.strictObject({
  id: z.optional(z.string()),
  /** Signing name: `organizations`, `ec2`, `cloudformation`, `sts`, `states`, `events`, `dynamodb`. */
  service: z.string().check(z.minLength(1)),
  /** Operation name or `*`. */
  operation: z._default(z.string(), '*'),
  /** Error code, e.g. `ThrottlingException`, or the shorthand `throttle` (the service's own throttling code). */
  error: z.optional(z.string()),
  message: z.optional(z.string()),
  status: z.optional(z.int().check(z.minimum(400), z.maximum(599))),
  rate: z._default(z.number().check(z.minimum(0), z.maximum(1)), 1),
  latencyMs: z.optional(z.int().check(z.minimum(0))),
  /** At most this many times. */
  count: z.optional(z.int().check(z.positive())),
});
export type FaultRuleInput = z.input<typeof FaultRuleInputSchema>;

/** A fault rule in force. */
export interface FaultRule extends z.infer<typeof FaultRuleInputSchema> {
  readonly id: string;
  /** How many times it fired. */
  fired: number;
}

/** The throttling error code each service uses. */
export const THROTTLING_CODES: Readonly<Record<string, string>> = {
  organizations: 'TooManyRequestsException',
  ec2: 'RequestLimitExceeded',
  cloudformation: 'Throttling',
  sts: 'Throttling',
  states: 'ThrottlingException',
  events: 'ThrottlingException',
  dynamodb: 'ThrottlingException',
  account: 'TooManyRequestsException',
};

/** The registry of fault rules. */
/**
 * Behaviours a service models that are not API calls (an account being created, a stack instance
 * being deployed, an event being delivered): a fault rule names them explicitly, `*` never matches.
 */
export const INTERNAL_OPERATIONS: ReadonlySet<string> = new Set([
  'organizations:CreateAccountProcess',
  'cloudformation:DeployStackInstance',
  'events:DeliverToTarget',
]);

/**
 * Internal behaviours whose error is not free: a failed account creation's `FailureReason` is one
 * AWS documents. A rule naming such a behaviour with any other error is refused when it is added.
 */
export const INTERNAL_OPERATION_ERRORS: Readonly<
  Record<string, { readonly what: string; readonly codes: readonly string[] }>
> = {
  'organizations:CreateAccountProcess': {
    what: 'a CreateAccountStatus FailureReason',
    codes: Object.keys(CREATE_ACCOUNT_FAILURE_REASONS),
  },
};

/** Why a rule's error is one the internal behaviour it names cannot give, or undefined. */
function internalErrorProblem(rule: { service: string; operation: string; error?: string }): string | undefined {
  if (rule.error === undefined || rule.operation === '*') return undefined;
  for (const [key, allowed] of Object.entries(INTERNAL_OPERATION_ERRORS)) {
    const [service, operation] = key.split(':');
    if (rule.operation !== operation || (rule.service !== service && rule.service !== '*')) continue;
    if (!allowed.codes.includes(rule.error)) {
      return `error ${rule.error} is not ${allowed.what} (${key} takes one of ${allowed.codes.join(', ')})`;
    }
  }
  return undefined;
}

export class FaultRegistry {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  /** Validates and adds rules; returns them with ids. */
  add(input: unknown): FaultRule[] {
    const list = Array.isArray(input) ? input : [input];
    const added: FaultRule[] = [];
    for (const [i, item] of list.entries()) {
      const parsed = FaultRuleInputSchema.safeParse(item);
      if (!parsed.success) {
        throw new FaultConfigError(
          `fault rule ${i + 1} is invalid: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'} ${x.message}`).join('; ')}`,
        );
      }
      const problem = internalErrorProblem(parsed.data);
      if (problem) throw new FaultConfigError(`fault rule ${i + 1} is invalid: ${problem}`);
      const rule: FaultRule = { ...parsed.data, id: parsed.data.id ?? `fault-${this.nextId++}`, fired: 0 };
      this.rules.push(rule);
      added.push(rule);
    }
    return added;
  }

  /** Loads rules from a JSON file (an array of rules, or `{ "faults": [...] }`). */
  loadFile(file: string): FaultRule[] {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new FaultConfigError(`cannot read faults file ${file}: ${(err as Error).message}`, { cause: err });
    }
    const rules = raw && typeof raw === 'object' && 'faults' in raw ? (raw as { faults: unknown }).faults : raw;
    return this.add(rules);
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  /** Removes every rule, or the one with `id`; returns how many were removed. */
  clear(id?: string): number {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
    return before - this.rules.length;
  }

  /**
   * Draws the fault for one call; the first matching rule that fires wins, latencies add up. An
   * operation `*` matches every API operation of the service, not its internal behaviours
   * ({@link INTERNAL_OPERATIONS}): a throttled API is not an account creation that failed.
   */
  decide(service: string, operation: string): FaultDecision | undefined {
    const internal = INTERNAL_OPERATIONS.has(`${service}:${operation}`);
    let latencyMs = 0;
    let error: FaultDecision['error'];
    for (const rule of this.rules) {
      if (rule.service !== service && rule.service !== '*') continue;
      if (rule.operation === '*' ? internal : rule.operation !== operation) continue;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      rule.fired++;
      latencyMs += rule.latencyMs ?? 0;
      if (rule.error && !error) {
        const code = rule.error === 'throttle' ? (THROTTLING_CODES[service] ?? 'ThrottlingException') : rule.error;
        // Throttling codes are 400 as on AWS (so the SDK retries them); server-side codes are 500.
        const status = rule.status ?? (/^(Internal|ServiceUnavailable)/.test(code) ? 500 : 400);
        error = { code, message: rule.message ?? `Injected fault: ${code} (${service}:${operation})`, status };
      }
    }
    if (!error && latencyMs === 0) return undefined;
    return { ...(error ? { error } : {}), ...(latencyMs > 0 ? { latencyMs } : {}) };
  }
}
