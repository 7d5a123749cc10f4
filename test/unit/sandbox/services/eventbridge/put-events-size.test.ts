/**
 * The PutEvents request size limit: the entries' sizes together, computed as "Calculating PutEvents
 * event entry size" describes, at most 1 MB (1,048,576 bytes; 256 KB before January 2026), else AWS's
 * `ValidationException` for the whole request.
 */
import type { AwsServiceError, SandboxRuntime } from '../../../../../sandbox/core/types';
import {
  createEventBridgeService,
  MAX_PUT_EVENTS_BYTES,
  putEventsEntrySize,
} from '../../../../../sandbox/services/eventbridge';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

const OVER_THE_LIMIT = 'Total size of the entries in the request is over the limit.';

describe('putEventsEntrySize', () => {
  it('counts Source, DetailType, Detail and each resource in UTF-8 bytes, and Time as 14 bytes', () => {
    expect(putEventsEntrySize({ Source: 'abc', DetailType: 'de', Detail: '{}' })).toBe(7);
    expect(putEventsEntrySize({ Source: 'é', DetailType: '👍', Detail: '{}' })).toBe(2 + 4 + 2);
    expect(putEventsEntrySize({ Source: 'a', DetailType: 'b', Detail: '{}', Resources: ['arn:x', 'ü'] })).toBe(
      4 + 5 + 2,
    );
    expect(putEventsEntrySize({ Source: 'a', DetailType: 'b', Detail: '{}', Time: 1_700_000_000 })).toBe(4 + 14);
  });

  it('does not count the bus name or the trace header', () => {
    expect(
      putEventsEntrySize({ Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'vendguard', TraceHeader: 't' }),
    ).toBe(4);
  });
});

describe('PutEvents over the size limit', () => {
  let rt: TestRuntime & SandboxRuntime;
  let eb: ReturnType<typeof createEventBridgeService>;

  beforeEach(async () => {
    const base = createTestRuntime();
    rt = Object.assign(base, {
      functions: {
        invoke: async () => ({ ok: true }),
        functionArn: (name: string) => `arn:aws:lambda:eu-west-1:100000000001:function:vendguard-${name}`,
      },
    });
    eb = createEventBridgeService(rt);
    await eb.service.start?.(rt);
    await eb.service.operations.CreateEventBus?.(
      { Name: 'vendguard' },
      rt.context('CreateEventBus', { service: 'events' }),
    );
  });

  afterEach(async () => {
    eb.scheduler.stop();
    await eb.router.settle();
    rt.close();
  });

  const putEvents = async (entries: Record<string, unknown>[]) =>
    (await eb.service.operations.PutEvents?.({ Entries: entries }, rt.context('PutEvents', { service: 'events' }))) as {
      FailedEntryCount: number;
    };

  /** An entry of exactly `bytes` bytes (Source and DetailType of 1 byte each, the rest Detail). */
  const entryOf = (bytes: number, extra: Record<string, unknown> = {}) => {
    const padding = 'x'.repeat(bytes - 2 - '{"p":""}'.length);
    return {
      Source: 's',
      DetailType: 'd',
      Detail: JSON.stringify({ p: padding }),
      EventBusName: 'vendguard',
      ...extra,
    };
  };

  it('accepts entries of exactly 1 MB together', async () => {
    const half = MAX_PUT_EVENTS_BYTES / 2;
    const out = await putEvents([entryOf(half), entryOf(half)]);
    expect(out.FailedEntryCount).toBe(0);
  });

  it('refuses the whole request when the entries together are one byte over, however they are split', async () => {
    const half = MAX_PUT_EVENTS_BYTES / 2;
    const refused = putEvents([entryOf(half), entryOf(half + 1)]);
    await expect(refused).rejects.toMatchObject({ code: 'ValidationException', message: OVER_THE_LIMIT });
    const one = putEvents([entryOf(MAX_PUT_EVENTS_BYTES + 1)]);
    await expect(one).rejects.toMatchObject({ code: 'ValidationException', status: 400 } as Partial<AwsServiceError>);
  });

  it('counts the 14 bytes of a Time', async () => {
    const withTime = putEvents([entryOf(MAX_PUT_EVENTS_BYTES - 13, { Time: 1_700_000_000 })]);
    await expect(withTime).rejects.toMatchObject({ message: OVER_THE_LIMIT });
    const out = await putEvents([entryOf(MAX_PUT_EVENTS_BYTES - 14, { Time: 1_700_000_000 })]);
    expect(out.FailedEntryCount).toBe(0);
  });
});
