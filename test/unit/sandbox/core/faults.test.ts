import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { FaultConfigError } from '../../../../sandbox/core/errors';
import { FaultRegistry } from '../../../../sandbox/core/faults';
import { SeededRandom } from '../../../../sandbox/core/random';

const draws = (seed: number): boolean[] => {
  const rng = new SeededRandom(seed);
  const faults = new FaultRegistry(() => rng.next());
  faults.add({ service: 'ec2', operation: '*', error: 'throttle', rate: 0.5 });
  return Array.from({ length: 40 }, () => faults.decide('ec2', 'DescribeVpcs') !== undefined);
};

describe('FaultRegistry', () => {
  it('draws the same faults for the same seed and about the configured rate', () => {
    const a = draws(7);
    expect(draws(7)).toEqual(a);
    expect(draws(8)).not.toEqual(a);
    const fired = a.filter(Boolean).length;
    expect(fired).toBeGreaterThan(8);
    expect(fired).toBeLessThan(32);
  });

  it("maps the throttle shorthand to each service's throttling code, status 400", () => {
    const faults = new FaultRegistry(() => 0);
    faults.add([
      { service: 'ec2', error: 'throttle' },
      { service: 'organizations', error: 'throttle' },
    ]);
    expect(faults.decide('ec2', 'X')?.error).toMatchObject({ code: 'RequestLimitExceeded', status: 400 });
    expect(faults.decide('organizations', 'X')?.error).toMatchObject({ code: 'TooManyRequestsException', status: 400 });
  });

  it('stops after count and matches operations exactly', () => {
    const faults = new FaultRegistry(() => 0);
    faults.add({ service: 'sts', operation: 'AssumeRole', error: 'InternalFailure', count: 2 });
    expect(faults.decide('sts', 'GetCallerIdentity')).toBeUndefined();
    expect(faults.decide('sts', 'AssumeRole')?.error?.status).toBe(500);
    expect(faults.decide('sts', 'AssumeRole')).toBeDefined();
    expect(faults.decide('sts', 'AssumeRole')).toBeUndefined();
  });

  it('reports latency without an error', () => {
    const faults = new FaultRegistry(() => 0);
    faults.add({ service: 'sts', latencyMs: 30 });
    expect(faults.decide('sts', 'AssumeRole')).toEqual({ latencyMs: 30 });
  });

  it('rejects invalid rules with FaultConfigError naming the problem', () => {
    const faults = new FaultRegistry(() => 0);
    expect(() => faults.add({ service: 'sts', rate: 2 })).toThrow(FaultConfigError);
    expect(() => faults.add({ operation: 'X' })).toThrow(/service/);
  });
});

describe('FaultRegistry and the CreateAccountProcess behaviour', () => {
  it('takes every FailureReason AWS documents as the error of a failed creation', () => {
    const faults = new FaultRegistry(() => 0);
    for (const reason of Object.values(CreateAccountFailureReason)) {
      faults.add({ service: 'organizations', operation: 'CreateAccountProcess', error: reason, count: 1 });
      expect(faults.decide('organizations', 'CreateAccountProcess')?.error?.code).toBe(reason);
    }
  });

  it.each([
    ['a code no FailureReason has', { service: 'organizations', error: 'EMAIL_TAKEN' }],
    ['an API error code', { service: 'organizations', error: 'ServiceException' }],
    ['the throttle shorthand', { service: 'organizations', error: 'throttle' }],
    ['any service', { service: '*', error: 'BOGUS' }],
  ])('refuses %s, naming the reasons it takes', (_, rule) => {
    const faults = new FaultRegistry(() => 0);
    expect(() => faults.add({ ...rule, operation: 'CreateAccountProcess' })).toThrow(
      new RegExp(
        `fault rule 1 is invalid: error ${rule.error} is not a CreateAccountStatus FailureReason \\(organizations:CreateAccountProcess takes one of ACCOUNT_LIMIT_EXCEEDED, .*INTERNAL_FAILURE`,
      ),
    );
    expect(faults.list()).toHaveLength(0);
  });

  it('leaves the errors of API operations and of other behaviours free', () => {
    const faults = new FaultRegistry(() => 0);
    faults.add([
      { service: 'organizations', operation: 'CreateAccount', error: 'ServiceException' },
      { service: 'cloudformation', operation: 'DeployStackInstance', error: 'ResourceLimitExceeded' },
      { service: 'organizations', operation: 'CreateAccountProcess', latencyMs: 5 },
    ]);
    expect(faults.list()).toHaveLength(3);
  });
});
