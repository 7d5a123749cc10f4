import type { SandboxRuntime } from '../../core/types';
import {
  InvalidOperationException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  StackSetNotFoundException,
  ValidationError,
} from './errors';
import {
  type DeployedRecord,
  type DeploymentTargets,
  executionRoleReason,
  type InstanceRecord,
  inFlight,
  isActive,
  type OperationAction,
  type OperationIdRecord,
  type OperationPreferences,
  type OperationRecord,
  type OperationTarget,
  type Parameter,
  type ResultStatus,
  STOPPED_REASON,
  type StackSetRecord,
  TABLES,
  type TargetSchedule,
} from './model';
import { overlayInstances, resultStatus } from './progress';
import { failureTolerance, planOperation } from './schedule';
import { deleteStackResources, deployStackResources, StackDeploymentError } from './stack-resources';

/** Simulated time a stack instance deployment takes: 20–60 s, drawn from the seeded generator. */
export const DEPLOY_MIN_MS = 20_000;
export const DEPLOY_SPREAD_MS = 40_000;

/** What a request asks an operation to do. */
export interface OperationRequest {
  action: OperationAction;
  targets: { account: string; region: string; ou?: string }[];
  preferences: OperationPreferences;
  operationId?: string;
  retainStacks?: boolean;
  deploymentTargets?: DeploymentTargets;
  parameterOverrides?: Parameter[];
  /** Identifies the request for OperationId idempotency. */
  fingerprint: string;
}

const engines = new WeakMap<SandboxRuntime, StackSetEngine>();

/** A 12-digit account id. */
const ACCOUNT_RE = /^\d{12}$/;

/** A v4 UUID from the sandbox's seeded generator. */
export function seededUuid(random: () => number): string {
  let h = '';
  for (let i = 0; i < 32; i++) h += Math.floor(random() * 16).toString(16);
  const v = '89ab'[Math.floor(random() * 4)] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20)}`;
}

/**
 * The StackSets state machine: operations persisted in the store, their progress computed from
 * the sandbox clock. Every read first `settle`s the stack set (finishes operations whose time has
 * come, starts queued ones at the moment their predecessors ended), so the state is the same
 * whether the sandbox ran all along or was restarted; timers only make it settle on time.
 */
export class StackSetEngine {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly runtime: SandboxRuntime) {
    engines.set(runtime, this);
  }

  /** The engine of a runtime's CloudFormation service (the last one made), for providers acting through it. */
  static of(runtime: SandboxRuntime): StackSetEngine {
    return engines.get(runtime) ?? new StackSetEngine(runtime);
  }

  private now(): number {
    return Math.floor(this.runtime.clock.nowMs());
  }

  /** Store id of a stack set. */
  static key(adminAccount: string, region: string, name: string): string {
    return `${adminAccount}/${region}/${name}`;
  }

  /** The stack set by name or StackSetId (`name:uuid`), settled; throws `StackSetNotFoundException`. */
  find(adminAccount: string, region: string, nameOrId: string): StackSetRecord {
    const name = nameOrId.split(':')[0] as string;
    const set = this.runtime.store.get<StackSetRecord>(
      TABLES.stackSets,
      StackSetEngine.key(adminAccount, region, name),
    );
    if (!set || (nameOrId.includes(':') && set.StackSetId !== nameOrId)) throw new StackSetNotFoundException(nameOrId);
    this.settle(set);
    return set;
  }

  operations(set: StackSetRecord): OperationRecord[] {
    return this.runtime.store.list<OperationRecord>(TABLES.operations, `${set.StackSetId}/`);
  }

  operation(set: StackSetRecord, operationId: string): OperationRecord | undefined {
    return this.runtime.store.get<OperationRecord>(TABLES.operations, `${set.StackSetId}/${operationId}`);
  }

  private saveOperation(op: OperationRecord): void {
    this.runtime.store.put(TABLES.operations, `${op.StackSetId}/${op.OperationId}`, op);
  }

  storedInstances(set: StackSetRecord): InstanceRecord[] {
    return this.runtime.store.list<InstanceRecord>(TABLES.instances, `${set.StackSetId}/`);
  }

  private instanceId(set: StackSetRecord, account: string, region: string): string {
    return `${set.StackSetId}/${account}/${region}`;
  }

  /** Finishes due operations and starts queued ones whose predecessors ended, until nothing changes. */
  settle(set: StackSetRecord): void {
    const now = this.now();
    this.runtime.store.transaction(() => {
      for (let changed = true; changed; ) {
        changed = false;
        const ops = this.operations(set);
        for (const op of ops) {
          if (inFlight(op.Status) && op.endAt !== undefined && op.endAt <= now) {
            this.finish(set, op);
            changed = true;
          }
        }
        const byId = new Map(this.operations(set).map((o) => [o.OperationId, o]));
        for (const op of byId.values()) {
          if (op.Status !== 'QUEUED') continue;
          const blockers = op.waitFor.map((id) => byId.get(id));
          if (blockers.some((b) => b && isActive(b.Status))) continue;
          const startAt = Math.max(op.createdAt, ...blockers.map((b) => b?.endAt ?? 0));
          this.start(op, startAt);
          changed = true;
        }
      }
    });
    this.wake(set);
  }

  private start(op: OperationRecord, at: number): void {
    const plan = planOperation(op.targets, op.OperationPreferences, at);
    op.Status = 'RUNNING';
    op.startedAt = at;
    op.endAt = plan.endAt;
    op.schedule = plan.schedule;
    op.failed = plan.failed;
    this.saveOperation(op);
  }

  private finish(set: StackSetRecord, op: OperationRecord): void {
    const schedule = op.schedule ?? [];
    let failedCount = 0;
    const refusedByRegion = new Map<string, Set<string>>();
    op.targets.forEach((target, i) => {
      const fate = schedule[i] as TargetSchedule;
      if (fate.outcome === 'FAILED') failedCount++;
      if (!this.applyFate(set, op, target, fate)) {
        failedCount++;
        // the operation's result for this target says so too, with the stack's reason
        const refused = this.runtime.store.get<InstanceRecord>(
          TABLES.instances,
          this.instanceId(set, target.account, target.region),
        );
        schedule[i] = { ...fate, outcome: 'FAILED', reason: refused?.StatusReason ?? 'The stack failed to deploy.' };
        refusedByRegion.set(target.region, (refusedByRegion.get(target.region) ?? new Set()).add(target.account));
      }
    });
    // a resource the service refused fails its instance; past the tolerance it fails the operation
    const accounts = new Set(op.targets.map((t) => t.account)).size;
    const tolerance = failureTolerance(op.OperationPreferences ?? {}, accounts);
    if ([...refusedByRegion.values()].some((failed) => failed.size > tolerance)) op.failed = true;
    op.Status = op.stopped ? 'STOPPED' : op.failed ? 'FAILED' : 'SUCCEEDED';
    if (op.Status === 'FAILED') op.StatusReason = 'Failure tolerance exceeded';
    op.failedCount = failedCount;
    this.saveOperation(op);
  }

  /** Applies a target's planned outcome; false when a resource of its template was refused (the instance failed). */
  private applyFate(set: StackSetRecord, op: OperationRecord, target: OperationTarget, fate: TargetSchedule): boolean {
    const { store } = this.runtime;
    const id = this.instanceId(set, target.account, target.region);
    const instance = store.get<InstanceRecord>(TABLES.instances, id);
    if (!instance) return true;
    const deployedId = `${target.account}/${target.region}/${set.StackSetName}`;
    instance.LastOperationId = op.OperationId;
    if (op.Action === 'DELETE') {
      if (fate.outcome === 'SUCCEEDED') {
        store.delete(TABLES.instances, id);
        const deployed = store.get<DeployedRecord>(TABLES.deployed, deployedId);
        if (deployed && op.RetainStacks) store.put(TABLES.deployed, deployedId, { ...deployed, retained: true });
        else {
          store.delete(TABLES.deployed, deployedId);
          deleteStackResources(this.runtime, {
            account: target.account,
            region: target.region,
            owner: set.StackSetName,
          });
        }
        return true;
      }
      if (fate.outcome === 'FAILED') {
        instance.Status = 'INOPERABLE';
        instance.DetailedStatus = 'INOPERABLE';
        instance.StatusReason = fate.reason;
      } else {
        instance.DetailedStatus = 'CANCELLED';
        instance.StatusReason = fate.reason;
      }
      store.put(TABLES.instances, id, instance);
      return true;
    }
    if (fate.outcome === 'SUCCEEDED') {
      instance.deployedVersion = op.templateVersion;
      instance.Status = op.templateVersion >= set.templateVersion ? 'CURRENT' : 'OUTDATED';
      instance.DetailedStatus = 'SUCCEEDED';
      delete instance.StatusReason;
      const deployed: DeployedRecord = {
        account: target.account,
        region: target.region,
        stackSetName: set.StackSetName,
        stackSetId: set.StackSetId,
        stackId: instance.StackId,
        templateBody: op.templateBody ?? set.TemplateBody,
        // an instance's override replaces the stack set's value of the same parameter
        parameters: [
          ...set.Parameters.filter((p) => !instance.ParameterOverrides.some((o) => o.ParameterKey === p.ParameterKey)),
          ...instance.ParameterOverrides,
        ],
        operationId: op.OperationId,
        deployedAt: new Date(fate.endAt).toISOString(),
      };
      try {
        deployStackResources(this.runtime, { ...deployed, owner: set.StackSetName });
      } catch (err) {
        // a resource the service refuses (or a type the sandbox cannot create) fails the stack instance
        instance.Status = 'OUTDATED';
        instance.DetailedStatus = 'FAILED';
        instance.StatusReason = err instanceof StackDeploymentError ? err.statusReason : String(err);
        store.put(TABLES.instances, id, instance);
        return false;
      }
      store.put(TABLES.deployed, deployedId, deployed);
    } else {
      instance.Status = 'OUTDATED';
      instance.DetailedStatus = fate.outcome;
      instance.StatusReason = fate.reason;
    }
    store.put(TABLES.instances, id, instance);
    return true;
  }

  /** Schedules a settle when the next running operation of the set is due (no-op on a frozen clock). */
  private wake(set: StackSetRecord): void {
    const due = this.operations(set)
      .filter((o) => inFlight(o.Status) && o.endAt !== undefined)
      .map((o) => o.endAt as number);
    const existing = this.timers.get(set.key);
    if (existing) clearTimeout(existing);
    this.timers.delete(set.key);
    if (due.length === 0) return;
    // a running operation is a modelled wait: the clock runs compressed until it is due
    for (const at of due) this.runtime.clock.holdUntil(at);
    const realMs = this.runtime.clock.toRealMs(Math.max(0, Math.min(...due) - this.now()) + 1);
    if (!Number.isFinite(realMs)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(set.key);
        const current = this.runtime.store.get<StackSetRecord>(TABLES.stackSets, set.key);
        if (current?.StackSetId === set.StackSetId) this.settle(current);
      },
      Math.min(realMs, 2 ** 31 - 1),
    );
    timer.unref();
    this.timers.set(set.key, timer);
  }

  /** Resumes timers of every stack set with running operations (after a restart). */
  resume(): void {
    for (const set of this.runtime.store.list<StackSetRecord>(TABLES.stackSets)) this.settle(set);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * StopStackSetOperation: a queued operation stops at once; a running one is STOPPING until the
   * deployments already started finish, and accounts not started yet are CANCELLED.
   */
  stopOperation(set: StackSetRecord, operationId: string): void {
    const op = this.operation(set, operationId);
    if (!op) throw new OperationNotFoundException(set.StackSetName, operationId);
    if (!isActive(op.Status) || op.Status === 'STOPPING') {
      throw new InvalidOperationException(
        `Operation ${operationId} of StackSet ${set.StackSetName} is ${op.Status} and cannot be stopped`,
      );
    }
    const now = this.now();
    const current: TargetSchedule[] =
      op.Status === 'QUEUED' || !op.schedule
        ? op.targets.map(() => ({ endAt: now, outcome: 'CANCELLED' }))
        : op.schedule;
    op.schedule = current.map((fate) =>
      fate.startAt === undefined || fate.startAt > now
        ? { endAt: now, outcome: 'CANCELLED', reason: STOPPED_REASON }
        : fate,
    );
    op.startedAt ??= now;
    op.endAt = Math.max(now, ...op.schedule.map((f) => f.endAt));
    op.stopped = true;
    op.Status = 'STOPPING';
    this.saveOperation(op);
    this.settle(set);
  }

  /**
   * Accepts an operation: OperationId idempotency, then one-at-a-time (`OperationInProgressException`)
   * or, with managed execution, queueing behind conflicting operations. Returns the OperationId.
   */
  submit(
    current: StackSetRecord,
    request: OperationRequest,
    prepare?: (set: StackSetRecord) => StackSetRecord,
  ): string {
    let set = current;
    const { store } = this.runtime;
    const operationId = request.operationId ?? seededUuid(() => this.runtime.random());
    if (!/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/.test(operationId)) {
      throw new ValidationError(`OperationId ${operationId} must match [a-zA-Z0-9][-a-zA-Z0-9]*`);
    }
    const idKey = `${set.adminAccount}/${set.region}/${operationId}`;
    const known = store.get<OperationIdRecord>(TABLES.operationIds, idKey);
    if (known) {
      if (known.stackSetId === set.StackSetId && known.fingerprint === request.fingerprint) return operationId;
      throw new OperationIdAlreadyExistsException(operationId);
    }
    const active = this.operations(set).filter((o) => isActive(o.Status));
    if (!set.ManagedExecution.Active && active.length > 0) {
      throw new OperationInProgressException(set.StackSetName, (active[0] as OperationRecord).OperationId);
    }
    const wanted = new Set(request.targets.map((t) => `${t.account}/${t.region}`));
    const waitFor = active
      .filter((o) => o.targets.some((t) => wanted.has(`${t.account}/${t.region}`)))
      .map((o) => o.OperationId);

    const now = this.now();
    if (prepare) set = store.transaction(() => prepare(set));
    const targets = request.targets.map((t) => this.draw(set, t));
    const op: OperationRecord = {
      OperationId: operationId,
      StackSetId: set.StackSetId,
      stackSetKey: set.key,
      Action: request.action,
      Status: 'QUEUED',
      createdAt: now,
      OperationPreferences: request.preferences,
      targets,
      waitFor,
      templateVersion: set.templateVersion,
      templateBody: set.TemplateBody,
      sequence: store.nextSequence(TABLES.operations),
    };
    if (request.action === 'DELETE') op.RetainStacks = request.retainStacks ?? false;
    if (request.deploymentTargets) op.DeploymentTargets = request.deploymentTargets;

    store.transaction(() => {
      store.put<OperationIdRecord>(TABLES.operationIds, idKey, {
        stackSetId: set.StackSetId,
        fingerprint: request.fingerprint,
      });
      if (request.action === 'CREATE') {
        for (const t of targets) this.upsertInstance(set, t, request.parameterOverrides);
      }
      if (waitFor.length === 0) this.start(op, now);
      else this.saveOperation(op);
    });
    this.settle(set);
    return operationId;
  }

  private draw(set: StackSetRecord, t: { account: string; region: string; ou?: string }): OperationTarget {
    const fault = this.runtime.fault('cloudformation', 'DeployStackInstance');
    const target: OperationTarget = {
      account: t.account,
      region: t.region,
      durationMs: DEPLOY_MIN_MS + Math.floor(this.runtime.random() * (DEPLOY_SPREAD_MS + 1)) + (fault?.latencyMs ?? 0),
    };
    if (t.ou) target.ou = t.ou;
    if (fault?.error) target.failure = failureReason(fault.error, t.account);
    else if (!this.runtime.organizations.accountExists(t.account)) target.failure = executionRoleReason(t.account);
    else if (set.PermissionModel === 'SERVICE_MANAGED' && t.account === this.runtime.managementAccountId) {
      target.failure = `Account ${t.account} is the management account of the organization; service-managed stack sets do not deploy to it.`;
    }
    return target;
  }

  private upsertInstance(set: StackSetRecord, t: OperationTarget, overrides: Parameter[] | undefined): void {
    const { store } = this.runtime;
    const id = this.instanceId(set, t.account, t.region);
    const existing = store.get<InstanceRecord>(TABLES.instances, id);
    if (existing) {
      if (overrides) store.put(TABLES.instances, id, { ...existing, ParameterOverrides: overrides });
      return;
    }
    const instance: InstanceRecord = {
      StackSetId: set.StackSetId,
      Account: t.account,
      Region: t.region,
      StackId: `arn:aws:cloudformation:${t.region}:${t.account}:stack/StackSet-${set.StackSetName}-${seededUuid(() => this.runtime.random())}/${seededUuid(() => this.runtime.random())}`,
      ParameterOverrides: overrides ?? [],
      Status: 'OUTDATED',
      DetailedStatus: 'PENDING',
      StatusReason: 'User Initiated',
    };
    if (t.ou) instance.OrganizationalUnitId = t.ou;
    store.put(TABLES.instances, id, instance);
  }

  /** The status of one target of an operation now. */
  resultStatus(op: OperationRecord, index: number): { status: ResultStatus; reason?: string } {
    return resultStatus(op, index, this.now());
  }

  /** Stack instances as clients see them (see {@link overlayInstances}). */
  liveInstances(set: StackSetRecord): InstanceRecord[] {
    const active = this.operations(set).filter((o) => isActive(o.Status));
    return overlayInstances(this.storedInstances(set), active, this.now());
  }

  /** Validates account ids of a request. */
  static checkAccounts(accounts: readonly string[]): void {
    for (const a of accounts) {
      if (!ACCOUNT_RE.test(a)) throw new ValidationError(`Account ${a} is not a valid 12-digit account id`);
    }
  }
}

/** The StatusReason of a failed deployment from an injected fault. */
function failureReason(error: { code: string; message: string }, account: string): string {
  if (!error.message.startsWith('Injected fault:')) return error.message;
  if (error.code === 'ResourceFailure') {
    return 'The following resource(s) failed to create: [Resources]. Rollback requested by user.';
  }
  return executionRoleReason(account);
}
