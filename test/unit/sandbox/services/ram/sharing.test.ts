import { createEc2Service } from '../../../../../sandbox/services/ec2';
import { SANDBOX_TRANSIT_GATEWAY_ID } from '../../../../../sandbox/services/ec2/transit-gateways';
import {
  type AssociationRecord,
  RAM_TABLES,
  RamState,
  type ShareRecord,
} from '../../../../../sandbox/services/ram/model';
import { TRANSIT_GATEWAY_SHARE_NAME } from '../../../../../sandbox/services/ram/seed';
import { isSharedWith } from '../../../../../sandbox/services/ram/sharing';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

/**
 * The `isSharedWith` seam over the share EC2's seed makes (the organization's transit gateway shared
 * with the Workloads, Sandbox and Infrastructure OUs): who it takes in, and what stops it.
 */

let rt: TestRuntime;
let network: string;
let arn: string;
let share: () => ShareRecord;

beforeEach(async () => {
  // the organization's transit gateway (and its share), the egress VPC, the bastion SSH group
  rt = createTestRuntime({ seedNetwork: true });
  network = rt.organizations.accountIdByName('network') as string;
  await createEc2Service(rt).start?.(rt);
  arn = `arn:aws:ec2:eu-west-1:${network}:transit-gateway/${SANDBOX_TRANSIT_GATEWAY_ID}`;
  share = () =>
    rt.store.list<ShareRecord>(RAM_TABLES.shares).find((s) => s.name === TRANSIT_GATEWAY_SHARE_NAME) as ShareRecord;
});
afterEach(() => rt.close());

describe('isSharedWith', () => {
  it('takes in the accounts of the shared OUs and of the OUs below them, not the others', () => {
    expect(isSharedWith(rt, arn, rt.addAccount('team-a-prod', 'Workloads/Prod'))).toBe(true);
    expect(isSharedWith(rt, arn, rt.addAccount('lab', 'Sandbox'))).toBe(true);
    expect(isSharedWith(rt, arn, rt.organizations.accountIdByName('egress') as string)).toBe(true);
    expect(isSharedWith(rt, arn, rt.organizations.accountIdByName('log-archive') as string)).toBe(false);
    expect(isSharedWith(rt, arn, rt.addAccount('parked', 'Quarantine'))).toBe(false);
  });

  it('answers false for a resource no share holds, another region, or a principal taken out', () => {
    const prod = rt.addAccount('team-b-prod', 'Workloads/Prod');
    expect(isSharedWith(rt, arn.replace('eu-west-1', 'eu-central-1'), prod)).toBe(false);
    expect(isSharedWith(rt, arn.replace(SANDBOX_TRANSIT_GATEWAY_ID, 'tgw-00000000000000000'), prod)).toBe(false);
    const state = new RamState(rt);
    for (const p of state.principalsOf(share().arn)) {
      state.putAssociation({ ...p, status: 'DISASSOCIATED' } satisfies AssociationRecord);
    }
    expect(isSharedWith(rt, arn, prod)).toBe(false);
  });

  it('answers false once the share is deleted', () => {
    const prod = rt.addAccount('team-c-prod', 'Workloads/Prod');
    new RamState(rt).putShare({ ...share(), status: 'DELETED' });
    expect(isSharedWith(rt, arn, prod)).toBe(false);
  });
});
