import { createEc2Service } from '../../../../../sandbox/services/ec2';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

export type Result = Record<string, unknown>;
export type Items = Result[];

/** Who calls: an account and a region (default: the harness account in the home region). */
export interface Caller {
  readonly accountId?: string;
  readonly region?: string;
}

/** The EC2 handlers on a unit-test runtime, called as one member account. */
export interface Ec2Harness {
  readonly rt: TestRuntime;
  readonly account: string;
  call(op: string, input?: Result, as?: Caller): Promise<Result>;
  /** The error a call fails with (`code`, `message`, `status`); fails the test if it succeeds. */
  error(op: string, input?: Result, as?: Caller): Promise<{ code: string; message: string; status: number }>;
  /** A new VPC's id. */
  vpc(cidr?: string, as?: Caller): Promise<string>;
}

/**
 * A fresh runtime with the EC2 service started and a member account in `Workloads/Prod`.
 *
 * @example
 * const h = await ec2Harness();
 * const vpcId = await h.vpc('10.1.0.0/16');
 */
export async function ec2Harness(): Promise<Ec2Harness> {
  const rt = createTestRuntime();
  const account = rt.addAccount('team-a-prod', 'Workloads/Prod');
  const service = createEc2Service(rt);
  await service.start?.(rt);
  const call = async (op: string, input: Result = {}, as: Caller = {}) => {
    const handler = service.operations[op];
    if (!handler) throw new Error(`no ${op}`);
    const ctx = rt.context(op, { service: 'ec2', accountId: as.accountId ?? account, region: as.region });
    return (await handler(input, ctx)) as Result;
  };
  const error = async (op: string, input: Result = {}, as: Caller = {}) => {
    const outcome = await call(op, input, as).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; status: number },
    );
    if (!outcome) throw new Error(`expected ${op} to fail`);
    return { code: outcome.code, message: outcome.message, status: outcome.status };
  };
  const vpc = async (cidr = '10.1.0.0/16', as: Caller = {}) =>
    ((await call('CreateVpc', { CidrBlock: cidr }, as)).vpc as Result).vpcId as string;
  return { rt, account, call, error, vpc };
}
