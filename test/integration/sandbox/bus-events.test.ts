/**
 * `GET /_sandbox/bus-events` and `vendguard sandbox trace`: every event a bus received, the rules
 * that matched it and what became of each target delivery, newest first.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { formatTrace, type TracedEvent } from '../../../cli/commands/sandbox';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.stop());

const busEvents = async (
  query = '',
): Promise<{ status: number; body: { events: TracedEvent[]; message?: string } }> => {
  const res = await fetch(`${sb.endpoint}/_sandbox/bus-events${query}`);
  return { status: res.status, body: (await res.json()) as { events: TracedEvent[]; message?: string } };
};

async function put(source: string, detailType: string, detail: unknown): Promise<string> {
  const out = await sb.client(EventBridgeClient).send(
    new PutEventsCommand({
      Entries: [{ EventBusName: 'vendguard', Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
  return out.Entries?.[0]?.EventId as string;
}

async function traced(id: string, done: (t: TracedEvent) => boolean): Promise<TracedEvent> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [t] = (await busEvents(`?eventId=${id}`)).body.events;
    if (t && done(t)) return t;
    if (Date.now() > deadline) throw new Error(`event ${id} not traced as expected: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the flow of events through the buses', () => {
  it('shows an event no rule matched, with no rules', async () => {
    const id = await put('acme.test', 'Nothing Listens', { n: 1 });
    const t = await traced(id, () => true);
    expect(t).toMatchObject({ bus: 'vendguard', account: '100000000001', region: 'eu-west-1', rules: [] });
    expect(formatTrace(t)).toContain('no rule of that bus matched it');
  });

  it('shows the rule an account request matched and its target delivered', async () => {
    const id = await put('vendguard.requests', 'Account Request', { name: 'x' });
    const t = await traced(id, (x) => x.rules.every((r) => r.targets.every((g) => g.outcome !== 'pending')));
    expect(t.rules).toEqual([
      {
        name: 'vendguard-account-request',
        targets: [{ arn: 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-start', outcome: 'delivered' }],
      },
    ]);
    const table = formatTrace(t);
    expect(table).toContain('account-request');
    expect(table).toContain('delivered');
  });

  it('lists the hub bus newest first, filters by bus and limit, and refuses a bad query', async () => {
    const first = await put('acme.test', 'One', {});
    const second = await put('acme.test', 'Two', {});
    const { body } = await busEvents('?bus=vendguard&limit=2');
    expect(body.events.map((e) => e.event.id)).toEqual([second, first]);
    expect((await busEvents('?account=123456789012')).body.events).toEqual([]);
    expect((await busEvents('?limit=0')).status).toBe(400);
    expect((await busEvents('?region=mars')).status).toBe(400);
  });

  it('traces an event by id from the CLI, and exits 2 for an unknown id', async () => {
    const id = await put('acme.test', 'Cli', {});
    await traced(id, () => true);
    const { buildProgram } = await import('../../../cli/main');
    const lines: string[] = [];
    const saved = process.env.AWS_ENDPOINT_URL;
    const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      lines.push(parts.join(' '));
    });
    try {
      await buildProgram().parseAsync(['node', 'vendguard', '--endpoint-url', sb.endpoint, 'sandbox', 'trace', id]);
      await expect(
        buildProgram().parseAsync(['node', 'vendguard', '--endpoint-url', sb.endpoint, 'sandbox', 'trace', 'nope']),
      ).rejects.toMatchObject({ exitCode: 2 });
    } finally {
      log.mockRestore();
      process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(lines.join('\n')).toContain(`event ${id}: acme.test · Cli`);
  });
});
