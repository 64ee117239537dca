import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqlite, type SqliteDatabase } from '../../../src/backends/sqlite/database.ts';
import { sqliteSchedules } from '../../../src/backends/sqlite/schedules.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { ScheduleLoop } from '../../../src/services/scheduler/loop.ts';
import { SchedulerService } from '../../../src/services/scheduler/service.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:jobs';
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';

interface Fire {
  arn: string;
  payload: string;
  at: number;
}

/** One Baton process: a loop and a service over a shared database file and clock. */
async function boot(db: SqliteDatabase, clock: ManualClock, fires: Fire[]) {
  const backend = sqliteSchedules(db);
  const warnings: string[] = [];
  const loop: ScheduleLoop = new ScheduleLoop({
    backend,
    clock,
    deliver: async (arn, payload) => {
      fires.push({ arn, payload, at: clock.now() });
    },
    deleteSchedule: (g, n) => service.deleteRecord(g, n),
    warn: (m) => warnings.push(m),
  });
  const service: SchedulerService = await SchedulerService.open({
    backend,
    clock,
    region: 'us-east-1',
    accountId: '000000000000',
    onChange: (g, n, r) => void loop.sync(g, n, r),
  });
  await loop.start(await service.allSchedules());
  /** Advances the clock timer by timer until `until`, letting each evaluation finish. */
  const runUntil = async (until: number) => {
    for (;;) {
      await loop.idle();
      const next = loop.nextWake();
      if (next === undefined || next > until) break;
      clock.advance(Math.max(0, next - clock.now()));
      await loop.idle();
    }
    if (clock.now() < until) clock.advance(until - clock.now());
    await loop.idle();
  };
  return { loop, service, backend, runUntil, warnings };
}

const freshDb = () => openSqlite(join(mkdtempSync(join(tmpdir(), 'baton-sched-')), 'baton.db'));
const body = (expr: string, extra: Record<string, unknown> = {}) => ({
  ScheduleExpression: expr,
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: QUEUE, RoleArn: ROLE, Input: '{"hello":"world"}' },
  ...extra,
});

describe('ScheduleLoop', () => {
  it('fires each slot once, on time, with the target Input', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const fires: Fire[] = [];
    const { service, loop, runUntil } = await boot(freshDb(), clock, fires);
    await service.createSchedule('every-minute', body('cron(* * * * ? *)'));
    await runUntil(Date.UTC(2024, 0, 1, 12, 3, 30));
    assert.deepEqual(
      fires.map((f) => new Date(f.at).toISOString()),
      ['2024-01-01T12:01:00.000Z', '2024-01-01T12:02:00.000Z', '2024-01-01T12:03:00.000Z'],
    );
    assert.equal(fires[0]!.payload, '{"hello":"world"}');
    // Evaluating again at the same instant fires nothing new.
    await loop.evaluate();
    assert.equal(fires.length, 3);
    loop.close();
  });

  it('sends {} when the target has no Input', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const fires: Fire[] = [];
    const { service, loop, runUntil } = await boot(freshDb(), clock, fires);
    await service.createSchedule('bare', {
      ...body('cron(* * * * ? *)'),
      Target: { Arn: QUEUE, RoleArn: ROLE },
    });
    await runUntil(Date.UTC(2024, 0, 1, 12, 1, 0));
    assert.deepEqual(
      fires.map((f) => f.payload),
      ['{}'],
    );
    loop.close();
  });

  it('does not fire a slot again after a restart (the fire ledger)', async () => {
    const db = freshDb();
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const fires: Fire[] = [];
    const first = await boot(db, clock, fires);
    await first.service.createSchedule('m', body('cron(* * * * ? *)'));
    await first.runUntil(Date.UTC(2024, 0, 1, 12, 1, 0));
    first.loop.close();
    assert.equal(fires.length, 1);
    // Same instant, new process: the 12:01 slot is in the ledger.
    const second = await boot(db, clock, fires);
    await second.loop.evaluate();
    assert.equal(fires.length, 1);
    const m = await second.backend.getSchedule('default', 'm');
    assert.ok(m);
    assert.equal(await second.backend.claimFire(m, Date.UTC(2024, 0, 1, 12, 1), clock.now()), false);
    await second.runUntil(Date.UTC(2024, 0, 1, 12, 2, 0));
    assert.deepEqual(
      fires.map((f) => new Date(f.at).toISOString()),
      ['2024-01-01T12:01:00.000Z', '2024-01-01T12:02:00.000Z'],
    );
    second.loop.close();
  });

  it('sends again, after a restart, a slot claimed but never handed over', async () => {
    const db = freshDb();
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const fires: Fire[] = [];
    const first = await boot(db, clock, fires);
    // The target is down: the claimed 12:01 slot waits in the loop's retries when Baton stops.
    first.backend.markDelivered = async () => undefined;
    await first.service.createSchedule('m', body('cron(* * * * ? *)'));
    await first.runUntil(Date.UTC(2024, 0, 1, 12, 1, 0));
    first.loop.close();
    assert.equal(fires.length, 1, 'handed over once');
    assert.deepEqual(
      (await first.backend.undelivered()).map((u) => [u.group, u.name, u.fireTime, u.schedule?.name]),
      [['default', 'm', Date.UTC(2024, 0, 1, 12, 1), 'm']],
    );
    const second = await boot(db, clock, fires);
    await second.loop.idle();
    assert.equal(fires.length, 2, 'the unacknowledged slot is sent again at start');
    assert.deepEqual(await second.backend.undelivered(), [], 'and then marked delivered');
    await second.runUntil(Date.UTC(2024, 0, 1, 12, 2, 0));
    assert.equal(fires.length, 3, 'the next slot fires once');
    second.loop.close();
  });

  it('fires at most the most recent missed slot after downtime', async () => {
    const db = freshDb();
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const fires: Fire[] = [];
    const first = await boot(db, clock, fires);
    await first.service.createSchedule('m', body('cron(* * * * ? *)'));
    await first.runUntil(Date.UTC(2024, 0, 1, 12, 1, 0));
    first.loop.close();
    // Down for ten minutes: 12:02 … 12:11 are missed.
    clock.advance(10 * 60_000 + 20_000);
    const second = await boot(db, clock, fires);
    await second.loop.idle();
    assert.equal(fires.length, 2);
    assert.equal(new Date(fires[1]!.at).toISOString(), '2024-01-01T12:11:20.000Z');
    assert.ok(second.warnings.some((w) => w.includes('dropped')));
    await second.runUntil(Date.UTC(2024, 0, 1, 12, 12, 0));
    assert.equal(fires.length, 3);
    // Down for two days: the minutely schedule fires its latest slot once; a one-time schedule
    // missed by more than the event-age limit (24 h) is dropped.
    await second.service.createSchedule('once', {
      ...body('at(2024-01-01T12:30:00)'),
      Target: { Arn: `${QUEUE}-once`, RoleArn: ROLE },
    });
    second.loop.close();
    clock.advance(2 * 86_400_000);
    const third = await boot(db, clock, fires);
    await third.loop.idle();
    assert.equal(fires.length, 4);
    assert.equal(fires[3]!.arn, QUEUE);
    third.loop.close();
  });

  it('follows DST in a named zone: the spring-forward gap is skipped', async () => {
    const clock = new ManualClock(Date.UTC(2024, 2, 8, 12, 0, 0));
    const fires: Fire[] = [];
    const { service, loop, runUntil } = await boot(freshDb(), clock, fires);
    await service.createSchedule(
      'nightly',
      body('cron(30 2 * * ? *)', { ScheduleExpressionTimezone: 'America/New_York' }),
    );
    await runUntil(Date.UTC(2024, 2, 12, 12, 0, 0));
    assert.deepEqual(
      fires.map((f) => new Date(f.at).toISOString()),
      // 02:30 EST, then no 02:30 on 10 March (clocks jump 02:00 → 03:00), then 02:30 EDT.
      ['2024-03-09T07:30:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z'],
    );
    loop.close();
  });

  it('deletes a one-time at() schedule with ActionAfterCompletion DELETE after it fires', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 0));
    const fires: Fire[] = [];
    const { service, loop, runUntil, backend } = await boot(freshDb(), clock, fires);
    await service.createSchedule(
      'once',
      body('at(2024-01-01T13:00:00)', {
        ScheduleExpressionTimezone: 'Europe/Paris',
        ActionAfterCompletion: 'DELETE',
      }),
    );
    await service.createSchedule('kept', body('at(2024-01-01T12:30:00)'));
    await runUntil(Date.UTC(2024, 0, 1, 13, 0, 0));
    assert.deepEqual(
      fires.map((f) => new Date(f.at).toISOString()),
      ['2024-01-01T12:00:00.000Z', '2024-01-01T12:30:00.000Z'],
    );
    assert.equal(await backend.getSchedule('default', 'once'), undefined);
    assert.ok(await backend.getSchedule('default', 'kept'));
    loop.close();
  });

  it('still delivers a deleted one-time schedule whose hand-over a crash cut short', async () => {
    const db = freshDb();
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 0));
    const fires: Fire[] = [];
    const first = await boot(db, clock, fires);
    // The process dies between the hand-over and the ledger's "delivered" mark.
    first.backend.markDelivered = async () => undefined;
    await first.service.createSchedule(
      'once',
      body('at(2024-01-01T12:30:00)', { ActionAfterCompletion: 'DELETE' }),
    );
    await first.runUntil(Date.UTC(2024, 0, 1, 12, 30, 0));
    first.loop.close();
    assert.equal(fires.length, 1);
    assert.equal(await first.backend.getSchedule('default', 'once'), undefined, 'deleted after firing');
    assert.equal(await first.backend.lastFired('default', 'once'), undefined, 'its claim is orphaned');
    const second = await boot(db, clock, fires);
    await second.loop.idle();
    assert.deepEqual(
      fires.map((f) => [f.payload, new Date(f.at).toISOString()]),
      [
        ['{"hello":"world"}', '2024-01-01T12:30:00.000Z'],
        ['{"hello":"world"}', '2024-01-01T12:30:00.000Z'],
      ],
      'sent again from the ledger snapshot, the schedule being gone',
    );
    assert.deepEqual(await second.backend.undelivered(), [], 'and then dropped');
    const third = await boot(db, clock, fires);
    await third.loop.idle();
    assert.equal(fires.length, 2, 'never a third time');
    third.loop.close();
    second.loop.close();
  });

  it('retries a failed delivery, then sends it to the dead-letter queue', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 12, 0, 30));
    const backend = sqliteSchedules(freshDb());
    const attempts: string[] = [];
    const loop = new ScheduleLoop({
      backend,
      clock,
      deliver: async (arn) => {
        attempts.push(arn);
        if (arn === QUEUE) throw new Error('gone');
      },
      deleteSchedule: async () => {},
      warn: () => {},
    });
    const service = await SchedulerService.open({
      backend,
      clock,
      region: 'us-east-1',
      accountId: '000000000000',
      onChange: (g, n, r) => void loop.sync(g, n, r),
    });
    await service.createSchedule('r', {
      ...body('at(2024-01-01T12:01:00)'),
      Target: {
        Arn: QUEUE,
        RoleArn: ROLE,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
      },
    });
    await loop.idle();
    clock.advance(30_000);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) {
      clock.advance(2_000);
      await new Promise((r) => setImmediate(r));
    }
    await loop.idle();
    assert.deepEqual(attempts, [QUEUE, QUEUE, QUEUE, 'arn:aws:sqs:us-east-1:000000000000:dlq']);
    loop.close();
  });
});
