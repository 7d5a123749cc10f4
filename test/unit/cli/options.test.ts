import { type Command, InvalidArgumentError } from 'commander';
import { buildProgram } from '../../../cli/main';
import { duration, OptionError, type OptionParser, pointInTime, positiveInt, resolveTime } from '../../../cli/options';
import { EXIT } from '../../../cli/output';

/** What a parser throws for a value: its class, exit code and message. */
function refusal(parse: (value: string) => unknown, value: string) {
  try {
    parse(value);
  } catch (err) {
    return { error: err, exitCode: (err as OptionError).exitCode, message: (err as Error).message };
  }
  throw new Error(`${value} was accepted`);
}

describe('positiveInt', () => {
  const timeout = positiveInt('--timeout', { min: 1, max: 31_536_000, unit: 'seconds' });
  const concurrency = positiveInt('--concurrency', { min: 1, max: 20 });

  it('takes whole numbers within its bounds', () => {
    expect(['1', '3600', '31536000', '007', ' 42 '].map(timeout)).toEqual([1, 3600, 31_536_000, 7, 42]);
    expect(concurrency('20')).toBe(20);
  });

  it('refuses a negative value with exit 2, naming the option, the value and the bound', () => {
    const r = refusal(timeout, '-5');
    expect(r.error).toBeInstanceOf(OptionError);
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.message).toBe('--timeout -5: must be a whole number of seconds, at least 1');
  });

  it.each([
    ['0', '--concurrency 0: must be a whole number, at least 1'],
    ['21', '--concurrency 21: must be a whole number, at most 20'],
    ['99999999999999999999', '--concurrency 99999999999999999999: must be a whole number, at most 20'],
    ['1.5', '--concurrency 1.5: must be a whole number from 1 to 20'],
    ['4.0', '--concurrency 4.0: must be a whole number from 1 to 20'],
    ['1e1', '--concurrency 1e1: must be a whole number from 1 to 20'],
    ['0x4', '--concurrency 0x4: must be a whole number from 1 to 20'],
    ['+4', '--concurrency +4: must be a whole number from 1 to 20'],
    ['four', '--concurrency four: must be a whole number from 1 to 20'],
    ['', '--concurrency "": must be a whole number from 1 to 20'],
    ['Infinity', '--concurrency Infinity: must be a whole number from 1 to 20'],
  ])('refuses %j: %s', (value, message) => {
    expect(refusal(concurrency, value)).toMatchObject({ exitCode: EXIT.usage, message });
  });

  it('holds --duration-seconds to what STS AssumeRole takes, 900 to 43200', () => {
    const seconds = positiveInt('--duration-seconds', { min: 900, max: 43_200, unit: 'seconds' });
    expect([seconds('900'), seconds('43200')]).toEqual([900, 43_200]);
    expect(refusal(seconds, '899').message).toBe(
      '--duration-seconds 899: must be a whole number of seconds, at least 900',
    );
    expect(refusal(seconds, '43201').message).toBe(
      '--duration-seconds 43201: must be a whole number of seconds, at most 43200',
    );
  });

  it('says what it accepts, for --help', () => {
    expect(timeout.accepts).toBe('1 to 31536000 seconds');
    expect(concurrency.accepts).toBe('1 to 20');
  });

  it('refuses bounds that make no sense when the option is defined', () => {
    expect(() => positiveInt('--x', { min: 5, max: 1 })).toThrow('--x: bad bounds 5..1');
    expect(() => positiveInt('--x', { min: 1, max: 1.5 })).toThrow(/bad bounds/);
  });
});

describe('duration', () => {
  const since = duration('--since', { max: '90d' });

  it('parses 90s, 30m, 24h and 7d into milliseconds', () => {
    expect(['90s', '30m', '24h', '7d', '90d'].map(since)).toEqual([
      90_000, 1_800_000, 86_400_000, 604_800_000, 7_776_000_000,
    ]);
  });

  it.each([
    ['-1h', '--since -1h: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d'],
    ['0h', '--since 0h: must be a duration of at least 1s'],
    ['91d', '--since 91d: must be a duration of at most 90d'],
    ['99999999999999999999d', '--since 99999999999999999999d: must be a duration of at most 90d'],
    ['1.5h', '--since 1.5h: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d'],
    ['30', '--since 30: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d'],
    ['1w', '--since 1w: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d'],
    [
      'yesterday',
      '--since yesterday: must be a duration like 30m, 24h or 7d (a whole number and s, m, h or d), from 1s to 90d',
    ],
  ])('refuses %j with exit 2: %s', (value, message) => {
    expect(refusal(since, value)).toMatchObject({ exitCode: EXIT.usage, message });
  });

  it('honours a lower bound', () => {
    const poll = duration('--every', { min: '1m', max: '1h' });
    expect(refusal(poll, '30s').message).toBe('--every 30s: must be a duration of at least 1m');
    expect(poll.accepts).toBe('1m to 1h');
  });
});

describe('pointInTime', () => {
  const from = pointInTime('--from', { maxAgo: '3650d' });
  const NOW = Date.UTC(2026, 10, 26, 12);

  it('takes a duration ago, resolved against the endpoint clock', () => {
    expect(from('2h')).toEqual({ agoMs: 7_200_000 });
    expect(resolveTime(from('2h'), NOW).toISOString()).toBe('2026-11-26T10:00:00.000Z');
  });

  it('takes an ISO time with its zone, or a date (midnight UTC)', () => {
    expect(resolveTime(from('2026-11-26T09:00:00Z'), NOW).toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(resolveTime(from('2026-11-26T10:00:00.250+01:00'), NOW).toISOString()).toBe('2026-11-26T09:00:00.250Z');
    expect(resolveTime(from('2026-11-26T09:00Z'), NOW).toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(resolveTime(from('2026-11-26'), NOW).toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it.each([
    '5', // new Date('5') is May 2001
    '-1',
    '-2h',
    'yesterday',
    '2026-02-30', // new Date() rolls it over to March 2
    '2026-13-01',
    '2026-11-26T24:00:00Z',
    '2026-11-26T09:00:00', // local time of whichever machine runs the CLI
    '',
  ])('refuses %j with exit 2, saying what it takes', (value) => {
    expect(refusal(from, value)).toMatchObject({
      exitCode: EXIT.usage,
      message: `--from ${value === '' ? '""' : value}: must be an ISO time with its zone (2026-11-26T09:00:00Z) or a duration ago like 2h or 7d (up to 3650d)`,
    });
  });

  it('refuses a duration ago out of range', () => {
    expect(refusal(from, '0s').message).toBe('--from 0s: must be a duration of at least 1s');
    expect(refusal(from, '3651d').message).toBe('--from 3651d: must be a duration of at most 3650d');
  });
});

/** Every option of every command, with the command path it belongs to. */
function allOptions(cmd: Command, path: string[] = []): { command: string; option: Command['options'][number] }[] {
  const here = cmd.options.map((option) => ({ command: path.join(' '), option }));
  return [...here, ...cmd.commands.flatMap((sub) => allOptions(sub, [...path, sub.name()]))];
}

describe('the options of every command', () => {
  const options = allOptions(buildProgram());
  /** Options whose value is a number, a duration or a time, by their placeholder. */
  const numeric = options.filter(({ option }) =>
    /<(n|number|count|limit|ms|seconds|minutes|duration|time)>/.test(option.flags),
  );

  it('are parsed by the parsers of cli/options.ts, and their --help says the bounds', () => {
    expect(numeric.map(({ command, option }) => `${command} ${option.long}`).sort()).toEqual([
      'baseline rollout --poll-ms',
      'baseline rollout --timeout',
      'close --poll-ms',
      'close --timeout',
      'enroll --poll-ms',
      'enroll --timeout',
      'events replay --from',
      'events replay --to',
      'executions --since',
      'network converge --poll-ms',
      'network converge --timeout',
      'replay --concurrency',
      'replay --since',
      'request --poll-ms',
      'request --timeout',
      'request --vpc-netmask-length',
      'sandbox alerts --limit',
      'sandbox credentials --duration-seconds',
    ]);
    for (const { command, option } of numeric) {
      const parse = option.parseArg as OptionParser<unknown> | undefined;
      expect({ option: `${command} ${option.long}`, accepts: typeof parse?.accepts }).toEqual({
        option: `${command} ${option.long}`,
        accepts: 'string',
      });
      expect(option.description).toContain(parse?.accepts);
    }
  });

  it('have defaults that their own parser accepts', () => {
    for (const { option } of numeric) {
      if (option.defaultValue === undefined) continue;
      const parse = option.parseArg as OptionParser<unknown>;
      expect(parse(String(option.defaultValue))).toEqual(option.defaultValue);
    }
  });
});

describe('commander argument errors', () => {
  it('end an InvalidArgumentError with exit 2 and its message', async () => {
    const stderr: string[] = [];
    const program = buildProgram().configureOutput({ writeErr: (text) => stderr.push(text) });
    program
      .command('probe')
      .option('--level <n>', 'a level', () => {
        throw new InvalidArgumentError('must be a level');
      })
      .action(() => {
        throw new Error('the action ran');
      });
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    try {
      await expect(program.parseAsync(['node', 'vendguard', 'probe', '--level', '-5'])).rejects.toThrow('exit 2');
    } finally {
      exit.mockRestore();
    }
    expect(stderr.join('')).toContain("option '--level <n>' argument '-5' is invalid. must be a level");
  });

  it('reject an OptionError before the action runs, with exit 2', async () => {
    const action = jest.fn();
    const program = buildProgram();
    program
      .command('probe')
      .option('--level <n>', 'a level', positiveInt('--level', { max: 3 }))
      .action(action);
    await expect(program.parseAsync(['node', 'vendguard', 'probe', '--level', '-5'])).rejects.toMatchObject({
      name: 'OptionError',
      exitCode: EXIT.usage,
      message: '--level -5: must be a whole number, at least 1',
    });
    expect(action).not.toHaveBeenCalled();
  });
});
