import { nextCronTime, parseCron } from '../../../../../sandbox/services/eventbridge/cron';
import { parseSchedule } from '../../../../../sandbox/services/eventbridge/schedule';

/** The next `count` fire times of an expression after `from` (ISO, UTC). */
function nextTimes(expression: string, from: string, count = 3): string[] {
  const cron = parseCron(expression.split(' '));
  if (!cron) throw new Error(`${expression} did not parse`);
  const out: string[] = [];
  let at = Date.parse(from);
  for (let i = 0; i < count; i++) {
    const next = nextCronTime(cron, at);
    if (next === undefined) break;
    out.push(new Date(next).toISOString().replace(':00.000Z', 'Z'));
    at = next;
  }
  return out;
}

describe('cron expressions', () => {
  // 2026-01-01 is a Thursday; 2026-02 has 28 days; 2028 is a leap year.
  it.each([
    ['0 10 * * ? *', '2026-01-01T12:00:00Z', ['2026-01-02T10:00Z', '2026-01-03T10:00Z', '2026-01-04T10:00Z']],
    ['15 12 * * ? *', '2026-01-01T12:15:00Z', ['2026-01-02T12:15Z', '2026-01-03T12:15Z', '2026-01-04T12:15Z']],
    ['0 18 ? * MON-FRI *', '2026-01-01T20:00:00Z', ['2026-01-02T18:00Z', '2026-01-05T18:00Z', '2026-01-06T18:00Z']],
    ['0 8 1 * ? *', '2026-01-01T08:00:00Z', ['2026-02-01T08:00Z', '2026-03-01T08:00Z', '2026-04-01T08:00Z']],
    ['0/15 * * * ? *', '2026-01-01T12:07:30Z', ['2026-01-01T12:15Z', '2026-01-01T12:30Z', '2026-01-01T12:45Z']],
    ['1/10 * * * ? *', '2026-01-01T12:00:00Z', ['2026-01-01T12:01Z', '2026-01-01T12:11Z', '2026-01-01T12:21Z']],
    ['*/20 9-10 * * ? *', '2026-01-01T10:30:00Z', ['2026-01-01T10:40Z', '2026-01-02T09:00Z', '2026-01-02T09:20Z']],
    ['0/10 * ? * MON-FRI *', '2026-01-02T23:55:00Z', ['2026-01-05T00:00Z', '2026-01-05T00:10Z', '2026-01-05T00:20Z']],
    ['5,35 14 * * ? *', '2026-01-01T14:10:00Z', ['2026-01-01T14:35Z', '2026-01-02T14:05Z', '2026-01-02T14:35Z']],
    [
      '30 0 1 JAN,APR,JUL,OCT ? *',
      '2026-01-01T00:30:00Z',
      ['2026-04-01T00:30Z', '2026-07-01T00:30Z', '2026-10-01T00:30Z'],
    ],
    ['0 0 L * ? *', '2026-01-15T00:00:00Z', ['2026-01-31T00:00Z', '2026-02-28T00:00Z', '2026-03-31T00:00Z']],
    ['0 0 L 2 ? 2027-2028', '2026-06-01T00:00:00Z', ['2027-02-28T00:00Z', '2028-02-29T00:00Z']],
    // 2026-01-03 is a Saturday (-> Fri 2nd), 2026-05-03 a Sunday (-> Mon 4th), 2026-08-01 a Saturday (-> Mon 3rd)
    ['0 9 3W * ? *', '2026-01-01T00:00:00Z', ['2026-01-02T09:00Z', '2026-02-03T09:00Z', '2026-03-03T09:00Z']],
    ['0 9 3W 5 ? *', '2026-01-01T00:00:00Z', ['2026-05-04T09:00Z', '2027-05-03T09:00Z', '2028-05-03T09:00Z']],
    ['0 9 1W 8 ? *', '2026-01-01T00:00:00Z', ['2026-08-03T09:00Z', '2027-08-02T09:00Z', '2028-08-01T09:00Z']],
    // 2026-05-31 is a Sunday -> Friday 29th
    ['0 9 LW 5 ? *', '2026-01-01T00:00:00Z', ['2026-05-29T09:00Z', '2027-05-31T09:00Z', '2028-05-31T09:00Z']],
    ['0 12 ? * 3#2 *', '2026-01-01T00:00:00Z', ['2026-01-13T12:00Z', '2026-02-10T12:00Z', '2026-03-10T12:00Z']],
    ['0 12 ? * 6L *', '2026-01-01T00:00:00Z', ['2026-01-30T12:00Z', '2026-02-27T12:00Z', '2026-03-27T12:00Z']],
    ['0 12 ? * L *', '2026-01-01T00:00:00Z', ['2026-01-03T12:00Z', '2026-01-10T12:00Z', '2026-01-17T12:00Z']],
    ['0 12 ? * SAT,SUN *', '2026-01-01T00:00:00Z', ['2026-01-03T12:00Z', '2026-01-04T12:00Z', '2026-01-10T12:00Z']],
    ['0 22 ? * FRI-MON *', '2026-01-05T23:00:00Z', ['2026-01-09T22:00Z', '2026-01-10T22:00Z', '2026-01-11T22:00Z']],
    ['0 0 29 2 ? *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00Z', '2032-02-29T00:00Z', '2036-02-29T00:00Z']],
    ['0 0 31 * ? 2026', '2026-10-31T00:00:00Z', ['2026-12-31T00:00Z']],
    ['0 0 1 1 ? 2025', '2020-01-01T00:00:00Z', ['2025-01-01T00:00Z']],
    ['59 23 31 12 ? 2199', '2199-12-31T23:58:00Z', ['2199-12-31T23:59Z']],
  ])('%s after %s fires at %j', (expression, from, expected) => {
    expect(nextTimes(expression, from)).toEqual(expected);
  });

  it('never fires again once its years are over', () => {
    const cron = parseCron('0 0 1 1 ? 2025'.split(' '));
    expect(cron && nextCronTime(cron, Date.UTC(2025, 0, 1, 0, 0))).toBeUndefined();
  });

  it.each([
    ['0 10 * * * *', 'both day fields set'],
    ['0 10 ? * ? *', 'both day fields ?'],
    ['0 10 * * ?', 'five fields'],
    ['60 10 * * ? *', 'minute 60'],
    ['0 24 * * ? *', 'hour 24'],
    ['0 10 0 * ? *', 'day 0'],
    ['0 10 32 * ? *', 'day 32'],
    ['0 10 ? 13 MON *', 'month 13'],
    ['0 10 ? * 8 *', 'day-of-week 8'],
    ['0 10 ? * 3#1,6#3 *', 'two # expressions'],
    ['0 10 ? * 3#6 *', 'a sixth weekday'],
    ['0 10 * * ? 1969', 'year before 1970'],
    ['0 10 * * ? 2200', 'year after 2199'],
    ['0/0 10 * * ? *', 'a zero increment'],
    ['0 10 W * ? *', 'W without a day'],
    ['0 L * * ? *', 'L in hours'],
    ['0 10 * FOO ? *', 'an unknown month name'],
    ['0 ? * * ? *', '? in hours'],
  ])('refuses %s (%s)', (expression) => {
    expect(parseCron(expression.split(' '))).toBeUndefined();
    expect(parseSchedule(`cron(${expression})`)).toBeUndefined();
  });

  it('accepts lower-case names and the documented examples as schedules', () => {
    for (const e of ['0 10 * * ? *', '0/5 8-17 ? * mon-fri *', '0 9 ? * 2#1 *', '0 0 1 jan ? *']) {
      expect(parseSchedule(`cron(${e})`)).toMatchObject({ kind: 'cron' });
    }
  });
});
