import { type InstanceRecord, inFlight, type OperationRecord, type ResultStatus, type TargetSchedule } from './model';

/** How far an operation has got at a simulated time, computed from its schedule. */

/** The status of one target of an operation at simulated `now`. */
export function resultStatus(
  op: OperationRecord,
  index: number,
  now: number,
): { status: ResultStatus; reason?: string } {
  if (op.Status === 'QUEUED' || !op.schedule) return { status: 'PENDING' };
  const fate = op.schedule[index] as TargetSchedule;
  if (now >= fate.endAt || !inFlight(op.Status)) return { status: fate.outcome, reason: fate.reason };
  if (fate.startAt === undefined || now < fate.startAt) return { status: 'PENDING' };
  return { status: 'RUNNING' };
}

/**
 * Stack instances as clients see them: the stored state, overlaid with the progress of the active
 * operations (an instance being deployed is OUTDATED with PENDING/RUNNING detail; one whose
 * deployment already ended shows its outcome before the operation as a whole ends).
 */
export function overlayInstances(
  instances: InstanceRecord[],
  active: OperationRecord[],
  now: number,
): InstanceRecord[] {
  return instances.map((instance) => {
    for (const op of active) {
      const index = op.targets.findIndex((t) => t.account === instance.Account && t.region === instance.Region);
      if (index < 0) continue;
      const { status, reason } = resultStatus(op, index, now);
      if (status === 'PENDING' || status === 'RUNNING') {
        if (op.Status === 'QUEUED' && instance.deployedVersion !== undefined) continue;
        return { ...instance, Status: 'OUTDATED', DetailedStatus: status, LastOperationId: op.OperationId };
      }
      if (op.Action === 'DELETE') {
        return status === 'FAILED'
          ? { ...instance, Status: 'INOPERABLE', DetailedStatus: 'INOPERABLE', StatusReason: reason }
          : { ...instance, DetailedStatus: status };
      }
      if (status === 'SUCCEEDED') {
        const { StatusReason: _omit, ...rest } = instance;
        return { ...rest, Status: 'CURRENT', DetailedStatus: 'SUCCEEDED', LastOperationId: op.OperationId };
      }
      return { ...instance, Status: 'OUTDATED', DetailedStatus: status, StatusReason: reason };
    }
    return instance;
  });
}
