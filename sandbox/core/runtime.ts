import { join, resolve } from 'node:path';
import { type LoadedConfig, loadOrganizationConfig } from '../../config/load';
import type { OrganizationConfig } from '../../config/schema';
import { recordHistory } from '../services/cloudtrail-history';
import { invokeFunction } from '../services/lambda/api';
import { denialMessage, Gatekeeper } from './auth';
import { DEFAULT_TIME_SCALE, ScaledClock } from './clock';
import { FaultRegistry } from './faults';
import { InProcessFunctions } from './functions';
import { assumedRolePrincipal, IdentityRegistry, type IssuedCredentials, type IssueOptions } from './identity';
import { DEFAULT_SEED, SeededRandom } from './random';
import { SqliteStore } from './store';
import type {
  BusEntry,
  BusEvent,
  EventBus,
  FaultDecision,
  InternalAuthorization,
  OrganizationView,
  Principal,
  SandboxRuntime,
  StateMachineStarter,
} from './types';
import { AwsServiceError } from './types';

/**
 * The sandbox runtime: the store, the compressed clock, the seeded generator, credentials,
 * faults, and the late-bound parts other services provide (the bus from EventBridge, state
 * machines from Step Functions, the organization view from Organizations).
 */

export interface RuntimeOptions {
  /** State directory; default `VENDGUARD_HOME` or `.vendguard/`. */
  readonly home?: string;
  /** Simulated seconds per real second; default `VENDGUARD_TIME_SCALE` or 600. */
  readonly timeScale?: number;
  /** Seed of the generator; default `VENDGUARD_SEED` or 42. */
  readonly seed?: number;
  /** A loaded config; default `loadOrganizationConfig()`. */
  readonly loaded?: LoadedConfig;
  /**
   * Seed a network of the sandbox's own making for the tests of its EC2, RAM and Transit Gateway
   * services: the organization's transit gateway `SANDBOX_TRANSIT_GATEWAY_ID` in the network account
   * with its RAM share, an egress VPC with an internet gateway in the egress account, and the
   * bastion account's SSH security group (`seedEc2`). Off by default: the CDK app's stacks build
   * the organization's network, and these would duplicate it.
   * @default false
   */
  readonly seedNetwork?: boolean;
}

/** The management account's id and the other core accounts': `100000000001`, `…002`, … in config order. */
export function coreAccountId(index: number): string {
  return String(100000000001 + index);
}

export const HUB_ROLE_NAME = 'vendguard-hub';
export const HUB_SESSION_NAME = 'vendguard';
/** The fixed access key of the hub principal (what in-process functions act as). */
export const HUB_ACCESS_KEY_ID = 'ASIAVENDGUARDHUB0001';

const META = 'meta';
const RECENT_TRAIL = 500;

/** A bus that only remembers (until EventBridge binds the real one). */
class BufferBus implements EventBus {
  publish(_entry: BusEntry): string {
    return '';
  }
}

/** State machines until Step Functions binds the real ones: starts refused. */
function noStateMachines(): StateMachineStarter {
  return {
    startExecution: () =>
      Promise.reject(
        new AwsServiceError('ServiceUnavailable', 'Step Functions is not loaded in this sandbox', { status: 503 }),
      ),
  };
}

/** Request counters of the server. */
export interface RequestStats {
  requests: number;
  errors: number;
  totalMs: number;
}

/** The concrete runtime; services see it as {@link SandboxRuntime}. */
export class LocalRuntime implements SandboxRuntime {
  readonly home: string;
  readonly store: SqliteStore;
  readonly clock: ScaledClock;
  readonly config: OrganizationConfig;
  readonly loaded: LoadedConfig;
  readonly seed: number;
  /** Whether the services seed their own network ({@link RuntimeOptions.seedNetwork}). */
  readonly seedNetwork: boolean;
  readonly faults: FaultRegistry;
  readonly identities: IdentityRegistry;
  /** Authentication and authorization of every request. */
  readonly gatekeeper: Gatekeeper;
  readonly managementAccountId: string;
  readonly hubPrincipal: Principal;
  readonly functions: InProcessFunctions;
  readonly stats: RequestStats = { requests: 0, errors: 0, totalMs: 0 };
  /** The last CloudTrail events the server emitted (newest last), for tests and inspection. */
  readonly recentTrail: BusEvent[] = [];
  /** The endpoint, once the server listens. */
  endpoint = 'http://127.0.0.1:4566';
  private rng: SeededRandom;
  private boundBus: EventBus = new BufferBus();
  private boundStateMachines: StateMachineStarter;
  private boundOrganizations: OrganizationView | undefined;
  private readonly tracked = new Set<Promise<unknown>>();
  private readonly clockTimer: NodeJS.Timeout;
  private resetHook: (() => Promise<void>) | undefined;

  constructor(options: RuntimeOptions = {}) {
    this.home = resolve(options.home ?? process.env.VENDGUARD_HOME ?? '.vendguard');
    this.loaded = options.loaded ?? loadOrganizationConfig();
    this.config = this.loaded.config;
    this.store = new SqliteStore(join(this.home, 'sandbox.db'));
    const scale = options.timeScale ?? Number(process.env.VENDGUARD_TIME_SCALE ?? DEFAULT_TIME_SCALE);
    const persisted = this.store.get<{ simulatedMs: number }>(META, 'clock');
    this.clock = new ScaledClock(scale, persisted?.simulatedMs ?? Date.now());
    this.seed = options.seed ?? Number(process.env.VENDGUARD_SEED ?? DEFAULT_SEED);
    this.seedNetwork = options.seedNetwork ?? false;
    const boot = this.store.nextSequence('boot');
    this.rng = new SeededRandom(this.seed + (boot - 1) * 7919);
    this.faults = new FaultRegistry(() => this.rng.next());
    const mgmtIndex = this.config.accounts.findIndex((a) => a.role === 'management');
    this.managementAccountId = coreAccountId(Math.max(0, mgmtIndex));
    this.identities = new IdentityRegistry(this.store, this.managementAccountId);
    this.gatekeeper = new Gatekeeper(this);
    this.hubPrincipal = this.registerHub().principal;
    this.boundStateMachines = noStateMachines();
    this.functions = new InProcessFunctions({
      store: this.store,
      clock: this.clock,
      region: this.config.organization.homeRegion,
      managementAccountId: this.managementAccountId,
      endpoint: () => this.endpoint,
      hubCredentials: () => this.hubCredentials(),
      invokeDeployed: (functionArn, payload) =>
        invokeFunction(this, functionArn, payload, { invocationType: 'RequestResponse', principal: this.hubPrincipal }),
    });
    this.clockTimer = setInterval(() => this.persistClock(), 1000);
    this.clockTimer.unref();
  }

  private registerHub(): { principal: Principal; credentials: IssuedCredentials } {
    const credentials = this.identities.register(
      assumedRolePrincipal(this.managementAccountId, HUB_ROLE_NAME, HUB_SESSION_NAME),
      { accessKeyId: HUB_ACCESS_KEY_ID },
    );
    const principal = this.identities.registered(credentials.accessKeyId);
    if (!principal) throw new Error('the hub credentials were not stored');
    return { principal, credentials };
  }

  /** Credentials of the hub principal. */
  hubCredentials(): IssuedCredentials {
    return this.registerHub().credentials;
  }

  get homeRegion(): string {
    return this.config.organization.homeRegion;
  }

  get bus(): EventBus {
    return this.boundBus;
  }

  get stateMachines(): StateMachineStarter {
    return this.boundStateMachines;
  }

  get organizations(): OrganizationView {
    if (!this.boundOrganizations) throw new Error('the Organizations service is not started');
    return this.boundOrganizations;
  }

  /** Binds the parts other services provide. */
  bind(parts: { bus?: EventBus; stateMachines?: StateMachineStarter; organizations?: OrganizationView }): void {
    if (parts.bus) this.boundBus = parts.bus;
    if (parts.stateMachines) this.boundStateMachines = parts.stateMachines;
    if (parts.organizations) this.boundOrganizations = parts.organizations;
  }

  /** Whether Organizations is started (a bare runtime in a codec test has no organization). */
  get hasOrganizations(): boolean {
    return this.boundOrganizations !== undefined;
  }

  /** Whether EventBridge bound a real bus. */
  get hasBus(): boolean {
    return !(this.boundBus instanceof BufferBus);
  }

  principalFor(accessKeyId: string): Principal | undefined {
    return this.identities.registered(accessKeyId);
  }

  registerPrincipal(principal: Omit<Principal, 'accessKeyId'>, options: IssueOptions = {}): IssuedCredentials {
    return this.identities.register(principal, { issuedAtMs: this.clock.nowMs(), ...options });
  }

  fault(service: string, operation: string): FaultDecision | undefined {
    return this.faults.decide(service, operation);
  }

  random(): number {
    return this.rng.next();
  }

  /** The seeded generator itself (ids, uuids). */
  get generator(): SeededRandom {
    return this.rng;
  }

  track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined).finally(() => this.tracked.delete(p));
    this.tracked.add(p);
  }

  authorize(call: InternalAuthorization): string | undefined {
    const denial = this.gatekeeper.decide(call);
    return denial ? denialMessage(call.principal.arn, denial) : undefined;
  }

  /** Publishes a CloudTrail event to the bus and remembers it. */
  emitTrail(entry: BusEntry): void {
    try {
      recordHistory(this, entry);
    } catch {
      // the store may be closing; history must never fail the call
    }
    let id = '';
    try {
      id = this.boundBus.publish(entry);
    } catch {
      // a failing rule target must not fail the API call that produced the event
    }
    this.recentTrail.push({
      version: '0',
      id: id || `trail-${this.recentTrail.length}`,
      'detail-type': entry.detailType,
      source: entry.source,
      account: entry.account,
      time: (entry.time ?? this.clock.now()).toISOString(),
      region: entry.region,
      resources: entry.resources ?? [],
      detail: entry.detail,
    });
    if (this.recentTrail.length > RECENT_TRAIL) this.recentTrail.splice(0, this.recentTrail.length - RECENT_TRAIL);
  }

  /** Saves simulated time so it never goes backwards across a restart. */
  persistClock(): void {
    try {
      this.store.put(META, 'clock', { simulatedMs: this.clock.nowMs() });
    } catch {
      // the store may be closed during shutdown
    }
  }

  /** Called by `startSandbox` to re-seed services after a reset. */
  onReset(hook: () => Promise<void>): void {
    this.resetHook = hook;
  }

  /** Wipes all state, clears faults and reseeds (`/_sandbox/reset`). */
  async reset(): Promise<void> {
    const now = this.clock.nowMs();
    this.store.clear();
    this.store.put(META, 'clock', { simulatedMs: now });
    this.store.nextSequence('boot');
    this.faults.clear();
    this.rng = new SeededRandom(this.seed);
    this.recentTrail.length = 0;
    this.registerHub();
    await this.resetHook?.();
  }

  /** Waits for tracked background work (bounded). */
  async drain(timeoutMs = 2000): Promise<void> {
    if (this.tracked.size === 0) return;
    await Promise.race([Promise.allSettled([...this.tracked]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Persists the clock and closes the store. */
  close(): void {
    clearInterval(this.clockTimer);
    this.persistClock();
    this.store.close();
  }
}
