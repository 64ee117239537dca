import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isScheduleError } from '../../../src/services/schedules/errors.ts';
import {
  type FireWindow,
  nextFireTimes,
  parseScheduleExpression,
} from '../../../src/services/schedules/expression.ts';
import { misfirePolicy } from '../../../src/services/schedules/misfire.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (s: string) => Date.parse(s);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The next `count` slots as ISO strings, so failures read as dates. */
function next(expr: string, window: FireWindow | string, count = 3): string[] {
  const w = typeof window === 'string' ? { after: at(window) } : window;
  return nextFireTimes(expr, w, count).map(iso);
}

describe('parseScheduleExpression', () => {
  const valid = [
    // AWS's documented examples (eb-cron-expressions, eb-rate-expressions, schedule-types).
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 3W * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 ? * L *)',
    'cron(0 0 ? * 3#2 *)',
    'cron(0 12 * JAN,FEB,MAR ? 2030-2035)',
    'cron(1/10 * * * ? *)',
    'cron(0 0 1-15 * ? *)',
    'cron(0 0 * * ? 2026/2)',
    'cron(*/5 * * * ? *)',
    'cron(0 18 ? * mon-fri *)',
    'cron(0 0 ? * 1,7 *)',
    'cron(0 0 1 1 ? 1970)',
    'cron(0 0 1 1 ? 2199)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
    'at(2026-12-01T09:00:00)',
    'at(2028-02-29T23:59:59)',
  ];
  for (const expr of valid) {
    it(`accepts ${expr}`, () => {
      assert.equal(parseScheduleExpression(expr).source, expr);
    });
  }

  const invalid: [string, RegExp][] = [
    ['rate(1 minutes)', /value of 1/],
    ['rate(5 minute)', /value of 1/],
    ['rate(1 hours)', /value of 1/],
    ['rate(5 hour)', /value of 1/],
    ['rate(0 minutes)', /positive/],
    ['rate(-1 minutes)', /value unit/],
    ['rate(1.5 hours)', /value unit/],
    ['rate(5 seconds)', /value unit/],
    ['rate(2 weeks)', /value unit/],
    ['rate(5)', /value unit/],
    ['cron(0 10 * * * *)', /Exactly one/],
    ['cron(0 10 ? * ? *)', /Exactly one/],
    ['cron(0 10 1 * MON *)', /Exactly one/],
    ['cron(0 10 * * ?)', /6 fields/],
    ['cron(0 0 10 * * ? *)', /6 fields/],
    ['cron(60 10 * * ? *)', /Minutes/],
    ['cron(0 24 * * ? *)', /Hours/],
    ['cron(0 0 0 * ? *)', /Day-of-month/],
    ['cron(0 0 32 * ? *)', /Day-of-month/],
    ['cron(0 0 * 13 ? *)', /Month/],
    ['cron(0 0 * FOO ? *)', /Month/],
    ['cron(0 0 ? * 8 *)', /Day-of-week/],
    ['cron(0 0 ? * 0 *)', /Day-of-week/],
    ['cron(0 0 ? * 2#6 *)', /1-5/],
    ['cron(0 0 ? * 3#1,6#3 *)', /Day-of-week/],
    ['cron(0 0 ? * MON-FRI/2 *)', /does not take '\/'/],
    ['cron(0 0 ? * FRI-MON *)', /backwards/],
    ['cron(0 0 L-2 * ? *)', /L or W/],
    ['cron(0 0 5W,10 * ? *)', /L or W/],
    ['cron(0 0 32W * ? *)', /Day-of-month/],
    ['cron(0 L * * ? *)', /Hours/],
    ['cron(0 0 * * ? 1969)', /Year/],
    ['cron(0 0 * * ? 2200)', /Year/],
    ['cron(0/0 * * * ? *)', /increment/],
    ['cron(0/60 * * * ? *)', /increment/],
    ['cron(0 ? * * ? *)', /Hours/],
    ['cron(0,,5 * * * ? *)', /Minutes/],
    ['at(2026-02-30T00:00:00)', /real date/],
    ['at(2026-12-01T24:00:00)', /real date/],
    ['at(2026-12-01 09:00:00)', /yyyy-mm-dd/],
    ['at(2026-12-01T09:00)', /yyyy-mm-dd/],
    ['every 5 minutes', /rate\(/],
    ['cron 0 10 * * ? *', /rate\(/],
    ['', /rate\(/],
  ];
  for (const [expr, message] of invalid) {
    it(`refuses ${expr || '(empty)'}`, () => {
      assert.throws(
        () => parseScheduleExpression(expr),
        (e: unknown) =>
          isScheduleError(e, 'ValidationException') &&
          e.message.startsWith('Parameter ScheduleExpression is not valid.') &&
          message.test(e.message),
      );
    });
  }
});

describe('nextFireTimes: cron in UTC (EventBridge rules)', () => {
  it('runs daily at 10:00, strictly after `after`', () => {
    assert.deepEqual(next('cron(0 10 * * ? *)', '2026-01-01T00:00:00Z'), [
      '2026-01-01T10:00:00Z',
      '2026-01-02T10:00:00Z',
      '2026-01-03T10:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 10 * * ? *)', '2026-01-01T10:00:00Z', 1), ['2026-01-02T10:00:00Z']);
    assert.deepEqual(next('cron(0 10 * * ? *)', '2026-01-01T09:59:59.999Z', 1), ['2026-01-01T10:00:00Z']);
  });

  it('steps within the hour and keeps to working hours on weekdays', () => {
    assert.deepEqual(next('cron(0/15 * * * ? *)', '2026-01-01T00:50:00Z'), [
      '2026-01-01T01:00:00Z',
      '2026-01-01T01:15:00Z',
      '2026-01-01T01:30:00Z',
    ]);
    assert.deepEqual(next('cron(1/10 * * * ? *)', '2026-01-01T00:00:00Z'), [
      '2026-01-01T00:01:00Z',
      '2026-01-01T00:11:00Z',
      '2026-01-01T00:21:00Z',
    ]);
    // Friday 2 January 2026, 17:50: one more slot, then Monday morning.
    assert.deepEqual(next('cron(0/5 8-17 ? * MON-FRI *)', '2026-01-02T17:50:00Z'), [
      '2026-01-02T17:55:00Z',
      '2026-01-05T08:00:00Z',
      '2026-01-05T08:05:00Z',
    ]);
    assert.deepEqual(next('cron(0 18 ? * MON-FRI *)', '2026-01-02T19:00:00Z', 2), [
      '2026-01-05T18:00:00Z',
      '2026-01-06T18:00:00Z',
    ]);
  });

  it('handles month ends and leap years', () => {
    assert.deepEqual(next('cron(0 0 31 * ? *)', '2026-01-01T00:00:00Z', 5), [
      '2026-01-31T00:00:00Z',
      '2026-03-31T00:00:00Z',
      '2026-05-31T00:00:00Z',
      '2026-07-31T00:00:00Z',
      '2026-08-31T00:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 0 L * ? *)', '2027-12-15T00:00:00Z', 5), [
      '2027-12-31T00:00:00Z',
      '2028-01-31T00:00:00Z',
      '2028-02-29T00:00:00Z',
      '2028-03-31T00:00:00Z',
      '2028-04-30T00:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 0 L 2 ? *)', '2023-01-01T00:00:00Z'), [
      '2023-02-28T00:00:00Z',
      '2024-02-29T00:00:00Z',
      '2025-02-28T00:00:00Z',
    ]);
    // 2100 is not a leap year.
    assert.deepEqual(next('cron(0 0 29 2 ? *)', '2096-03-01T00:00:00Z', 1), ['2104-02-29T00:00:00Z']);
  });

  it('W picks the nearest weekday without leaving the month', () => {
    // 1 Aug 2026 is a Saturday: Monday the 3rd, not Friday 31 July.
    assert.deepEqual(next('cron(0 9 1W * ? *)', '2026-07-15T00:00:00Z', 2), [
      '2026-08-03T09:00:00Z',
      '2026-09-01T09:00:00Z',
    ]);
    // 15 Feb 2026 is a Sunday: Monday the 16th.
    assert.deepEqual(next('cron(0 9 15W * ? *)', '2026-02-01T00:00:00Z', 1), ['2026-02-16T09:00:00Z']);
    // 31 Jan 2026 is a Saturday: Friday the 30th; February has no 31st; 31 March is a Tuesday.
    assert.deepEqual(next('cron(0 9 31W * ? *)', '2026-01-01T00:00:00Z', 2), [
      '2026-01-30T09:00:00Z',
      '2026-03-31T09:00:00Z',
    ]);
  });

  it('LW is the last weekday of the month', () => {
    assert.deepEqual(next('cron(0 9 LW * ? *)', '2026-01-01T00:00:00Z', 3), [
      '2026-01-30T09:00:00Z', // 31st is a Saturday
      '2026-02-27T09:00:00Z', // 28th is a Saturday
      '2026-03-31T09:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 9 LW * ? *)', '2026-05-01T00:00:00Z', 1), ['2026-05-29T09:00:00Z']);
  });

  it('# and nL pick a weekday instance in the month', () => {
    // 1 Jan 2026 is a Thursday.
    assert.deepEqual(next('cron(0 9 ? * 2#1 *)', '2026-01-01T00:00:00Z'), [
      '2026-01-05T09:00:00Z',
      '2026-02-02T09:00:00Z',
      '2026-03-02T09:00:00Z',
    ]);
    // A fifth Monday exists only in some months.
    assert.deepEqual(next('cron(0 9 ? * MON#5 *)', '2026-01-01T00:00:00Z'), [
      '2026-03-30T09:00:00Z',
      '2026-06-29T09:00:00Z',
      '2026-08-31T09:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 9 ? * 6L *)', '2026-01-01T00:00:00Z'), [
      '2026-01-30T09:00:00Z',
      '2026-02-27T09:00:00Z',
      '2026-03-27T09:00:00Z',
    ]);
    // L alone in day-of-week is the last day of the week: Saturday.
    assert.deepEqual(next('cron(0 9 ? * L *)', '2026-01-01T00:00:00Z', 2), [
      '2026-01-03T09:00:00Z',
      '2026-01-10T09:00:00Z',
    ]);
  });

  it('stops at the last year and honours the year field', () => {
    assert.deepEqual(next('cron(0 0 1 1 ? 2199)', '2199-06-01T00:00:00Z'), []);
    assert.deepEqual(next('cron(0 0 1 1 ? *)', '2198-06-01T00:00:00Z'), ['2199-01-01T00:00:00Z']);
    assert.deepEqual(next('cron(0 12 1 JAN,JUL ? 2030/5)', '2026-01-01T00:00:00Z'), [
      '2030-01-01T12:00:00Z',
      '2030-07-01T12:00:00Z',
      '2035-01-01T12:00:00Z',
    ]);
    assert.deepEqual(next('cron(0 0 30 2 ? *)', '2026-01-01T00:00:00Z'), []);
  });

  it('keeps within startDate and endDate (both inclusive)', () => {
    const window = {
      after: at('2026-01-01T00:00:00Z'),
      startDate: at('2026-01-03T10:00:00Z'),
      endDate: at('2026-01-05T10:00:00Z'),
    };
    assert.deepEqual(next('cron(0 10 * * ? *)', window, 9), [
      '2026-01-03T10:00:00Z',
      '2026-01-04T10:00:00Z',
      '2026-01-05T10:00:00Z',
    ]);
  });

  it('returns nothing for a count of zero', () => {
    assert.deepEqual(next('cron(0 10 * * ? *)', '2026-01-01T00:00:00Z', 0), []);
  });
});

describe('nextFireTimes: DST (Scheduler time zones)', () => {
  const ny = (after: string) => ({ after: at(after), timezone: 'America/New_York' });
  const berlin = (after: string) => ({ after: at(after), timezone: 'Europe/Berlin' });

  it('skips a local time that does not exist (New York, 8 March 2026)', () => {
    assert.deepEqual(next('cron(30 2 * * ? *)', ny('2026-03-06T12:00:00Z')), [
      '2026-03-07T07:30:00Z', // 02:30 EST
      '2026-03-09T06:30:00Z', // 02:30 EDT; the 8th has no 02:30
      '2026-03-10T06:30:00Z',
    ]);
    assert.deepEqual(next('cron(0/30 * * * ? *)', ny('2026-03-08T06:15:00Z')), [
      '2026-03-08T06:30:00Z', // 01:30 EST
      '2026-03-08T07:00:00Z', // 03:00 EDT: 02:00 and 02:30 never happen
      '2026-03-08T07:30:00Z',
    ]);
  });

  it('runs a repeated local time once, at its first occurrence (New York, 1 November 2026)', () => {
    assert.deepEqual(next('cron(30 1 * * ? *)', ny('2026-10-31T12:00:00Z')), [
      '2026-11-01T05:30:00Z', // 01:30 EDT, and not again at 01:30 EST
      '2026-11-02T06:30:00Z',
      '2026-11-03T06:30:00Z',
    ]);
    // Every 15 minutes: the repeated hour runs once, so 01:00-01:45 EST are quiet.
    assert.deepEqual(next('cron(0/15 * * * ? *)', ny('2026-11-01T05:40:00Z')), [
      '2026-11-01T05:45:00Z', // 01:45 EDT
      '2026-11-01T07:00:00Z', // 02:00 EST
      '2026-11-01T07:15:00Z',
    ]);
    // Asked from inside the second 01:xx hour, the next slot is still 02:00 EST.
    assert.deepEqual(next('cron(0/15 * * * ? *)', ny('2026-11-01T06:10:00Z'), 1), ['2026-11-01T07:00:00Z']);
  });

  it('follows the Berlin changes (29 March and 25 October 2026)', () => {
    assert.deepEqual(next('cron(30 2 * * ? *)', berlin('2026-03-27T12:00:00Z')), [
      '2026-03-28T01:30:00Z', // 02:30 CET
      '2026-03-30T00:30:00Z', // 02:30 CEST; the 29th has none
      '2026-03-31T00:30:00Z',
    ]);
    assert.deepEqual(next('cron(30 2 * * ? *)', berlin('2026-10-24T12:00:00Z')), [
      '2026-10-25T00:30:00Z', // 02:30 CEST, once
      '2026-10-26T01:30:00Z', // 02:30 CET
      '2026-10-27T01:30:00Z',
    ]);
    assert.deepEqual(next('cron(0 9 ? * MON-FRI *)', berlin('2026-03-26T12:00:00Z')), [
      '2026-03-27T08:00:00Z',
      '2026-03-30T07:00:00Z',
      '2026-03-31T07:00:00Z',
    ]);
  });

  it('rate counts fixed durations: rate(1 day) is 24 hours across a change', () => {
    const created = at('2026-03-07T14:00:00Z'); // 09:00 EST
    const window = { after: created - 1, createdAt: created, timezone: 'America/New_York' };
    assert.deepEqual(next('rate(1 day)', window), [
      '2026-03-07T14:00:00Z',
      '2026-03-08T14:00:00Z', // 10:00 EDT on the local clock
      '2026-03-09T14:00:00Z',
    ]);
  });

  it('at() reads its wall time in the zone; gap moves forward, fold takes the first', () => {
    assert.deepEqual(next('at(2026-12-01T09:00:00)', berlin('2026-01-01T00:00:00Z')), [
      '2026-12-01T08:00:00Z',
    ]);
    assert.deepEqual(next('at(2026-12-01T09:00:00)', berlin('2026-12-01T08:00:00Z')), []);
    assert.deepEqual(next('at(2026-12-01T09:00:00)', '2026-01-01T00:00:00Z'), ['2026-12-01T09:00:00Z']);
    assert.deepEqual(next('at(2026-03-08T02:30:00)', ny('2026-01-01T00:00:00Z')), ['2026-03-08T07:30:00Z']);
    assert.deepEqual(next('at(2026-11-01T01:30:00)', ny('2026-01-01T00:00:00Z')), ['2026-11-01T05:30:00Z']);
  });

  it('refuses an unknown time zone', () => {
    assert.throws(
      () => nextFireTimes('cron(0 10 * * ? *)', { after: 0, timezone: 'Mars/Olympus_Mons' }, 1),
      (e: unknown) => isScheduleError(e, 'ValidationException') && /Timezone/.test(e.message),
    );
  });
});

describe('nextFireTimes: rate', () => {
  const t0 = at('2026-01-01T12:00:07Z');

  it('fires at creation, then every period', () => {
    assert.deepEqual(nextFireTimes('rate(5 minutes)', { after: t0 - 1, createdAt: t0 }, 3), [
      t0,
      t0 + 5 * MIN,
      t0 + 10 * MIN,
    ]);
    assert.deepEqual(nextFireTimes('rate(5 minutes)', { after: t0 + 7 * MIN, createdAt: t0 }, 1), [
      t0 + 10 * MIN,
    ]);
    assert.deepEqual(nextFireTimes('rate(5 minutes)', { after: t0 + 10 * MIN, createdAt: t0 }, 1), [
      t0 + 15 * MIN,
    ]);
  });

  it('counts from startDate when given, and stops at endDate', () => {
    const startDate = t0 + DAY;
    assert.deepEqual(
      nextFireTimes(
        'rate(2 hours)',
        { after: t0, createdAt: t0, startDate, endDate: startDate + 4 * HOUR },
        9,
      ),
      [startDate, startDate + 2 * HOUR, startDate + 4 * HOUR],
    );
  });

  it('needs an anchor', () => {
    assert.throws(
      () => nextFireTimes('rate(1 hour)', { after: t0 }, 1),
      (e: unknown) => isScheduleError(e),
    );
  });
});

describe('misfirePolicy', () => {
  const t0 = at('2026-01-01T00:00:00Z');

  it('fires only the most recent missed slot, counting the ones passed over', () => {
    const d = misfirePolicy('rate(1 hour)', {
      createdAt: t0,
      lastFired: t0 + 2 * HOUR,
      now: t0 + 5.5 * HOUR,
    });
    assert.deepEqual(d, { fire: [t0 + 5 * HOUR], skipped: 2, expired: false, resumeAfter: t0 + 5.5 * HOUR });
  });

  it('fires nothing when nothing was missed', () => {
    const d = misfirePolicy('rate(1 hour)', {
      createdAt: t0,
      lastFired: t0 + 5 * HOUR,
      now: t0 + 5.5 * HOUR,
    });
    assert.deepEqual(d.fire, []);
    assert.equal(d.skipped, 0);
    assert.equal(d.expired, false);
  });

  it('treats a slot due exactly now as missed', () => {
    const d = misfirePolicy('rate(1 hour)', { createdAt: t0, lastFired: t0 + 4 * HOUR, now: t0 + 5 * HOUR });
    assert.deepEqual(d.fire, [t0 + 5 * HOUR]);
  });

  it('drops slots older than the 24-hour maximum event age', () => {
    // Down from 1 January 10:00 to 4 January 12:00: 2 and 3 January are too old.
    const late = misfirePolicy('cron(0 10 * * ? *)', {
      lastFired: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-04T12:00:00Z'),
    });
    assert.deepEqual(late, {
      fire: [at('2026-01-04T10:00:00Z')],
      skipped: 0,
      expired: true,
      resumeAfter: at('2026-01-04T12:00:00Z'),
    });
    // Back up at 09:00 on the 4th: the 3rd's 10:00 slot is 23 hours old and still fires.
    const early = misfirePolicy('cron(0 10 * * ? *)', {
      lastFired: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-04T09:00:00Z'),
    });
    assert.deepEqual(early.fire, [at('2026-01-03T10:00:00Z')]);
    assert.equal(early.expired, true);
    // A weekly slot missed by two days is not fired at all.
    const weekly = misfirePolicy('cron(0 9 ? * MON *)', {
      lastFired: at('2026-01-05T09:00:00Z'),
      now: at('2026-01-14T09:00:00Z'),
    });
    assert.deepEqual(weekly.fire, []);
    assert.equal(weekly.expired, true);
  });

  it('honours a shorter maximum event age', () => {
    const d = misfirePolicy('cron(* * * * ? *)', {
      lastFired: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T12:00:30Z'),
      maxEventAgeMs: 60_000,
    });
    assert.deepEqual(d.fire, [at('2026-01-01T12:00:00Z')]);
    assert.equal(d.skipped, 0);
    assert.equal(d.expired, true);
  });

  it('for a schedule that never fired, counts from its creation', () => {
    const d = misfirePolicy('rate(10 minutes)', { createdAt: t0, now: t0 + 25 * MIN });
    assert.deepEqual(d.fire, [t0 + 20 * MIN]);
    assert.equal(d.skipped, 2);
    const none = misfirePolicy('cron(0 10 * * ? *)', {
      createdAt: at('2026-01-01T10:30:00Z'),
      now: at('2026-01-01T20:00:00Z'),
    });
    assert.deepEqual(none.fire, []);
    assert.deepEqual(misfirePolicy('cron(0 10 * * ? *)', { now: t0 }).fire, []);
  });

  it('respects endDate and time zones', () => {
    const ended = misfirePolicy('rate(1 hour)', {
      createdAt: t0,
      endDate: t0 + 3 * HOUR,
      lastFired: t0 + 2 * HOUR,
      now: t0 + 6 * HOUR,
    });
    assert.deepEqual(ended.fire, [t0 + 3 * HOUR]);
    const berlin = misfirePolicy('cron(0 9 * * ? *)', {
      timezone: 'Europe/Berlin',
      lastFired: at('2026-01-01T08:00:00Z'),
      now: at('2026-01-02T08:30:00Z'),
    });
    assert.deepEqual(berlin.fire, [at('2026-01-02T08:00:00Z')]);
  });

  it('fires a missed one-time schedule once, unless it is older than the age limit', () => {
    const expr = 'at(2026-01-01T09:00:00)';
    assert.deepEqual(misfirePolicy(expr, { createdAt: t0, now: at('2026-01-01T10:00:00Z') }).fire, [
      at('2026-01-01T09:00:00Z'),
    ]);
    const stale = misfirePolicy(expr, { createdAt: t0, now: at('2026-01-03T10:00:00Z') });
    assert.deepEqual(stale.fire, []);
    assert.equal(stale.expired, true);
    const fired = misfirePolicy(expr, {
      createdAt: t0,
      lastFired: at('2026-01-01T09:00:00Z'),
      now: t0 + 2 * DAY,
    });
    assert.deepEqual(fired, { fire: [], skipped: 0, expired: false, resumeAfter: t0 + 2 * DAY });
  });

  it('hands back a resume point from which nextFireTimes carries on', () => {
    const d = misfirePolicy('rate(1 hour)', { createdAt: t0, lastFired: t0 + HOUR, now: t0 + 3.5 * HOUR });
    assert.deepEqual(nextFireTimes('rate(1 hour)', { after: d.resumeAfter, createdAt: t0 }, 1), [
      t0 + 4 * HOUR,
    ]);
  });
});
