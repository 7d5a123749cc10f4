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
