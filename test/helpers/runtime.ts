import { loadOrganizationConfig } from '../../config/load';
import { SeededRandom } from '../../sandbox/core/random';
import { SqliteStore } from '../../sandbox/core/store';
import type {
  BusEntry,
  Clock,
  FaultDecision,
  OrganizationView,
  Principal,
  RequestContext,
  SandboxRuntime,
} from '../../sandbox/core/types';

/** A clock that only moves when a test advances it. */
export class ManualClock implements Clock {
  readonly scale = 1;
  private current: number;

  constructor(startMs = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.current = startMs;
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  /** Never fires in real time: background timers stay idle, state is resolved lazily. */
  toRealMs(): number {
    return Number.POSITIVE_INFINITY;
  }

  /** Nothing to compress: the test moves time. */
  holdUntil(): void {}

  sleep(simulatedMs: number): Promise<void> {
    this.current += simulatedMs;
    return Promise.resolve();
  }

  /** Moves simulated time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
}

/** An account of the fixed test organization. */
export interface TestAccount {
  readonly id: string;
  readonly name: string;
  /** OU path, or `Root`. */
  readonly ou: string;
}

/** A scripted fault: decides per call; return undefined for none. */
export type FaultScript = (service: string, operation: string) => FaultDecision | undefined;

/** The runtime of a unit test plus the handles a test drives. */
export interface TestRuntime extends SandboxRuntime {
  readonly clock: ManualClock;
  readonly store: SqliteStore;
  /** Every event published on the bus. */
  readonly published: BusEntry[];
  /** The test organization's accounts (core accounts first, in config order). */
  readonly accounts: TestAccount[];
  /** The OU id of a path (`Workloads/Prod`), `r-test` for `Root`. */
  ouId(path: string): string;
  /** Adds an ACTIVE account under an OU path and returns its id. */
  addAccount(name: string, ou: string): string;
  /** Replaces the fault script (default: no faults). */
  setFaults(script: FaultScript | undefined): void;
  /** A request context for a principal of `accountId` in `region`. */
  context(operation: string, options?: { accountId?: string; region?: string; service?: string }): RequestContext;
  close(): void;
}

const ROOT_ID = 'r-test';

/**
 * A small in-memory sandbox runtime for calling service handlers directly: SQLite in memory, a
 * manual clock, an organization built from `config/organization.yaml` (core accounts get
 * `100000000001`, … in config order), a recording bus and scriptable faults. `seedNetwork` makes
 * EC2's `start()` seed its network (the transit gateway and its share, the egress VPC, the bastion
 * SSH group), as the sandbox's option of that name does.
 *
 * @example
 * const rt = createTestRuntime();
 * const service = createEc2Service(rt);
 * await service.operations.CreateVpc?.({ CidrBlock: '10.0.0.0/16' }, rt.context('CreateVpc'));
 */
export function createTestRuntime(options: { seed?: number; seedNetwork?: boolean } = {}): TestRuntime {
  const { config } = loadOrganizationConfig();
  const store = new SqliteStore(':memory:');
  const clock = new ManualClock();
  const random = new SeededRandom(options.seed ?? 42);
  const published: BusEntry[] = [];
  let faults: FaultScript | undefined;

  const ouPaths = ['Root', ...config.organizationalUnits.map((o) => o.path)];
  const ouIds = new Map<string, string>(
    ouPaths.map((p, i) => [p, p === 'Root' ? ROOT_ID : `ou-test-${String(i).padStart(8, '0')}`]),
  );
  const accounts: TestAccount[] = config.accounts.map((a, i) => ({
    id: String(100000000001 + i),
    name: a.name,
    ou: a.ou,
  }));
  const ouId = (path: string): string => {
    const id = ouIds.get(path);
    if (!id) throw new Error(`no OU ${path} in the test organization`);
    return id;
  };
  const pathOf = (id: string): string | undefined => [...ouIds].find(([, v]) => v === id)?.[0];

  const organizations: OrganizationView = {
    rootId: ROOT_ID,
    organizationId: 'o-testorg000',
    scpPath: () => [],
    accountIdsUnder(parentId) {
      const path = pathOf(parentId);
      if (path === undefined) return [];
      return accounts.filter((a) => path === 'Root' || a.ou === path || a.ou.startsWith(`${path}/`)).map((a) => a.id);
    },
    accountExists: (id) => accounts.some((a) => a.id === id),
    ouIdByPath: (path) => ouIds.get(path),
    accountIdByName: (name) => accounts.find((a) => a.name === name)?.id,
  };

  const principalOf = (accountId: string): Principal => ({
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/vendguard-hub/vendguard`,
    type: 'AssumedRole',
    principalId: 'AROATEST:vendguard',
    accessKeyId: `ASIA${accountId}`,
    roleArn: `arn:aws:iam::${accountId}:role/vendguard-hub`,
    roleName: 'vendguard-hub',
    sessionName: 'vendguard',
  });
  const managementAccountId = accounts[0]?.id ?? '100000000001';
  const tracked: Promise<unknown>[] = [];

  const runtime: TestRuntime = {
    store,
    clock,
    config,
    published,
    accounts,
    organizations,
    managementAccountId,
    hubPrincipal: principalOf(managementAccountId),
    seedNetwork: options.seedNetwork ?? false,
    bus: {
      publish(entry) {
        published.push(entry);
        return `event-${published.length}`;
      },
    },
    functions: {
      invoke: () => Promise.reject(new Error('no functions in the unit-test runtime')),
      functionArn: (name) => `arn:aws:lambda:eu-west-1:${managementAccountId}:function:vendguard-${name}`,
    },
    stateMachines: {
      startExecution: () => Promise.reject(new Error('no state machines in the unit-test runtime')),
    },
    principalFor: () => undefined,
    registerPrincipal: () => ({ accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'token' }),
    fault: (service, operation) => faults?.(service, operation),
    random: () => random.next(),
    track: (p) => {
      tracked.push(p);
    },
    ouId,
    addAccount(name, ou) {
      ouId(ou);
      const id = random.accountId();
      accounts.push({ id, name, ou });
      return id;
    },
    setFaults(script) {
      faults = script;
    },
    context(operation, opts = {}) {
      return {
        service: opts.service ?? 'test',
        operation,
        region: opts.region ?? config.organization.homeRegion,
        principal: principalOf(opts.accountId ?? managementAccountId),
        requestId: `req-${operation}`,
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
        runtime,
      };
    },
    close() {
      store.close();
    },
  };
  return runtime;
}
