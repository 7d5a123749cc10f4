import type { SandboxRuntime } from '../../../../../sandbox/core/types';
import { createEventBridgeService } from '../../../../../sandbox/services/eventbridge';
import { MAX_CATCH_UP } from '../../../../../sandbox/services/eventbridge/schedule';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

const MINUTE = 60_000;

describe('cron schedules on the sandbox clock', () => {
  /** Rules to put at the next start (as a deployment would, between restarts). */
  const written: [string, string][] = [];
  let rt: TestRuntime & SandboxRuntime;
  let invocations: Array<{ name: string; event: { time: string; 'detail-type': string; resources: string[] } }>;
  const services: Array<ReturnType<typeof createEventBridgeService>> = [];

  /** Starts (or restarts, over the same store) the EventBridge service, then puts the rules written since. */
  async function start(): Promise<ReturnType<typeof createEventBridgeService>> {
    const eb = createEventBridgeService(rt);
    await eb.service.start?.(rt);
    eb.scheduler.stop(); // the test drives fireDue() itself
    services.push(eb);
    for (const [name, schedule] of written.splice(0)) {
      const call = (operation: string, input: Record<string, unknown>) =>
        eb.service.operations[operation]?.(input, rt.context(operation, { service: 'events' }));
      await call('PutRule', { Name: name, ScheduleExpression: schedule, Description: 'test' });
      await call('PutTargets', {
        Rule: name,
        Targets: [{ Id: 'report', Arn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-report' }],
      });
    }
    return eb;
  }

  beforeEach(() => {
    written.length = 0;
    invocations = [];
    // The manual clock starts at 2026-01-01T12:00:00Z, a Thursday.
    rt = Object.assign(createTestRuntime(), {
      functions: {
        invoke: async (name: string, event: unknown) => {
          invocations.push({ name, event: event as (typeof invocations)[number]['event'] });
          return {};
        },
        functionArn: (name: string) => `arn:aws:lambda:eu-west-1:100000000001:function:vendguard-${name}`,
      },
    });
  });

  afterEach(async () => {
    for (const eb of services.splice(0)) {
      eb.scheduler.stop();
      await eb.router.settle();
    }
    rt.close();
  });

  function writeRule(name: string, schedule: string): void {
    written.push([name, schedule]);
  }

  it('sends a Scheduled Event at each due time of a cron rule, stamped with that time', async () => {
    writeRule('quarter-hourly', 'cron(0/15 * * * ? *)');
    const eb = await start();
    expect(eb.scheduler.fireDue()).toBe(0); // arms: next due 12:15
    rt.clock.advance(14 * MINUTE);
    expect(eb.scheduler.fireDue()).toBe(0);
    rt.clock.advance(1 * MINUTE); // 12:15
    expect(eb.scheduler.fireDue()).toBe(1);
    expect(eb.scheduler.fireDue()).toBe(0);
    rt.clock.advance(15 * MINUTE + 30_000); // 12:30:30
    expect(eb.scheduler.fireDue()).toBe(1);
    await eb.router.settle();
    expect(invocations.map((i) => [i.name, i.event['detail-type'], i.event.time])).toEqual([
      ['report', 'Scheduled Event', '2026-01-01T12:15:00Z'],
      ['report', 'Scheduled Event', '2026-01-01T12:30:00Z'],
    ]);
    expect(invocations[0]?.event.resources).toEqual(['arn:aws:events:eu-west-1:100000000001:rule/quarter-hourly']);
  });

  it('fires once for each due time a clock jump passed over, then at the next due time', async () => {
    writeRule('weekdays', 'cron(0 18 ? * MON-FRI *)');
    const eb = await start();
    eb.scheduler.fireDue(); // next: Thu 18:00
    rt.clock.advance(3 * 24 * 60 * MINUTE); // Sunday 12:00: Thu and Fri 18:00 have passed
    expect(eb.scheduler.fireDue()).toBe(2);
    expect(eb.scheduler.fireDue()).toBe(0);
    rt.clock.advance(30 * 60 * MINUTE); // Monday 18:00
    expect(eb.scheduler.fireDue()).toBe(1);
    await eb.router.settle();
    expect(invocations.map((i) => i.event.time)).toEqual([
      '2026-01-01T18:00:00Z',
      '2026-01-02T18:00:00Z',
      '2026-01-05T18:00:00Z',
    ]);
  });

  it('fires a rate() rule once per period the clock is advanced past, at most MAX_CATCH_UP times', async () => {
    writeRule('six-hourly', 'rate(6 hours)');
    const eb = await start();
    eb.scheduler.fireDue(); // next: 18:00
    rt.clock.advance(18 * 60 * MINUTE + MINUTE); // 06:01 next day: 18:00, 00:00, 06:00 passed
    expect(eb.scheduler.fireDue()).toBe(3);
    rt.clock.advance(1000 * 6 * 60 * MINUTE);
    expect(eb.scheduler.fireDue()).toBe(MAX_CATCH_UP);
    expect(eb.scheduler.fireDue()).toBe(0);
    await eb.router.settle();
    expect(invocations.slice(0, 3).map((i) => i.event.time)).toEqual([
      '2026-01-01T18:00:00Z',
      '2026-01-02T00:00:00Z',
      '2026-01-02T06:00:00Z',
    ]);
  });

  it('keeps the next due time across a restart: no second event for a fired time, none skipped', async () => {
    writeRule('hourly', 'cron(0 * * * ? *)');
    const first = await start(); // arms: next 13:00
    rt.clock.advance(60 * MINUTE);
    expect(first.scheduler.fireDue()).toBe(1); // 13:00
    await first.router.settle(); // delivered before the stop (an unfinished one would be resumed on start)
    const restarted = await start(); // a restart at 13:00 (start fires what is due)
    expect(restarted.scheduler.fireDue()).toBe(0);
    rt.clock.advance(90 * MINUTE); // 14:30: 14:00 passed while the sandbox was down
    await start();
    for (const eb of services) await eb.router.settle();
    expect(invocations.map((i) => i.event.time)).toEqual(['2026-01-01T13:00:00Z', '2026-01-01T14:00:00Z']);
  });

  it('starts counting again from now when the expression of a rule changes', async () => {
    writeRule('daily', 'cron(0 10 * * ? *)');
    const eb = await start();
    eb.scheduler.fireDue(); // next: tomorrow 10:00
    writeRule('daily', 'cron(30 12 * * ? *)');
    const changed = await start();
    changed.scheduler.fireDue(); // re-armed: today 12:30
    rt.clock.advance(30 * MINUTE);
    expect(changed.scheduler.fireDue()).toBe(1);
    await changed.router.settle();
    expect(invocations.map((i) => i.event.time)).toEqual(['2026-01-01T12:30:00Z']);
  });
});
