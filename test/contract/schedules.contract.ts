import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ScheduleBackend } from '../../src/services/scheduler/backend.ts';
import type { ScheduleRecord } from '../../src/services/scheduler/records.ts';

const NOW = 1_800_000_000_000;

const schedule = (name: string, group = 'default', extra: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
  group,
  name,
  arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${name}`,
  expression: 'rate(1 minute)',
  state: 'ENABLED',
  actionAfterCompletion: 'NONE',
  target: {
    arn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
    roleArn: 'arn:aws:iam::000000000000:role/r',
    input: `{"from":"${name}"}`,
    retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
  },
  createdAt: NOW,
  lastModifiedAt: NOW,
  ...extra,
});

const group = (name: string) => ({
  name,
  arn: `arn:aws:scheduler:us-east-1:000000000000:schedule-group/${name}`,
  createdAt: NOW,
  lastModifiedAt: NOW,
});

/** The contract every ScheduleBackend keeps (groups, schedules and the fire ledger). */
export function schedulesContract(open: () => Promise<ScheduleBackend>): void {
  it('creates, lists and deletes groups, refusing a second of the same name', async () => {
    const b = await open();
    assert.equal(await b.insertGroup(group('b')), true);
    assert.equal(await b.insertGroup(group('a')), true);
    assert.equal(await b.insertGroup(group('a')), false);
    assert.deepEqual(
      (await b.listGroups()).map((g) => g.name),
      ['a', 'b'],
    );
    assert.equal((await b.getGroup('a'))?.arn, group('a').arn);
    assert.equal(await b.deleteGroup('a'), true);
    assert.equal(await b.deleteGroup('a'), false);
    assert.equal(await b.getGroup('a'), undefined);
  });

  it('stores schedules per group, in name order, and updates them in place', async () => {
    const b = await open();
    assert.equal(await b.insertSchedule(schedule('z')), true);
    assert.equal(await b.insertSchedule(schedule('a')), true);
    assert.equal(await b.insertSchedule(schedule('a', 'other')), true);
    assert.equal(await b.insertSchedule(schedule('a')), false, 'a name is unique within its group');
    assert.deepEqual(
      (await b.listSchedules('default')).map((s) => s.name),
      ['a', 'z'],
    );
    assert.deepEqual(
      (await b.listSchedules()).map((s) => `${s.group}/${s.name}`),
      ['default/a', 'default/z', 'other/a'],
    );
    assert.equal(await b.updateSchedule(schedule('a', 'default', { expression: 'rate(5 minutes)' })), true);
    assert.equal((await b.getSchedule('default', 'a'))?.expression, 'rate(5 minutes)');
    assert.equal(await b.updateSchedule(schedule('missing')), false);
    assert.equal(await b.deleteSchedule('default', 'a'), true);
    assert.equal(await b.deleteSchedule('default', 'a'), false);
    assert.equal(await b.getSchedule('default', 'a'), undefined);
  });

  it('claims each (schedule, fire time) once and remembers the latest', async () => {
    const b = await open();
    const s = schedule('m');
    await b.insertSchedule(s);
    assert.equal(await b.lastFired('default', 'm'), undefined);
    assert.equal(await b.claimFire(s, NOW + 60_000, NOW), true);
    assert.equal(await b.claimFire(s, NOW + 60_000, NOW + 1), false, 'a second claim of a slot loses');
    assert.equal(await b.claimFire(s, NOW + 120_000, NOW + 2), true);
    assert.equal(await b.lastFired('default', 'm'), NOW + 120_000);
    assert.equal(await b.lastFired('default', 'other'), undefined);
  });

  it('hands back claimed fires not yet delivered, with the schedule as it was', async () => {
    const b = await open();
    const s = schedule('m');
    await b.insertSchedule(s);
    await b.claimFire(s, NOW + 120_000, NOW);
    await b.claimFire(s, NOW + 60_000, NOW);
    await b.updateSchedule(schedule('m', 'default', { target: { ...s.target, input: 'changed' } }));
    const pending = await b.undelivered();
    assert.deepEqual(
      pending.map((p) => [p.name, p.fireTime, p.schedule?.target.input]),
      [
        ['m', NOW + 60_000, '{"from":"m"}'],
        ['m', NOW + 120_000, '{"from":"m"}'],
      ],
      'oldest first, as claimed',
    );
    await b.markDelivered('default', 'm', NOW + 60_000, NOW + 5);
    assert.deepEqual(
      (await b.undelivered()).map((p) => p.fireTime),
      [NOW + 120_000],
    );
    assert.equal(await b.lastFired('default', 'm'), NOW + 120_000, 'delivered or not, a claim counts');
  });

  it('keeps an undelivered fire of a deleted schedule until it is delivered, then drops it', async () => {
    const b = await open();
    const s = schedule('once', 'default', { expression: 'at(2027-01-01T00:00:00)' });
    await b.insertSchedule(s);
    await b.claimFire(s, NOW, NOW);
    await b.claimFire(s, NOW - 60_000, NOW);
    await b.markDelivered('default', 'once', NOW - 60_000, NOW);
    assert.equal(await b.deleteSchedule('default', 'once'), true);
    assert.equal(
      await b.lastFired('default', 'once'),
      undefined,
      'a new schedule of that name starts afresh',
    );
    const pending = await b.undelivered();
    assert.deepEqual(
      pending.map((p) => [p.name, p.fireTime, p.schedule?.expression]),
      [['once', NOW, 'at(2027-01-01T00:00:00)']],
    );
    await b.markDelivered('default', 'once', NOW, NOW + 1);
    assert.deepEqual(await b.undelivered(), []);
    // The orphaned row is gone: the slot may be claimed by a new schedule of that name.
    await b.insertSchedule(s);
    assert.equal(await b.claimFire(s, NOW, NOW + 2), true);
  });

  it('deleting a group deletes its schedules and keeps their undelivered fires', async () => {
    const b = await open();
    await b.insertGroup(group('g'));
    const s = schedule('x', 'g');
    await b.insertSchedule(s);
    await b.insertSchedule(schedule('y', 'g'));
    await b.insertSchedule(schedule('x'));
    await b.claimFire(s, NOW, NOW);
    assert.equal(await b.deleteGroup('g'), true);
    assert.deepEqual(await b.listSchedules('g'), []);
    assert.equal((await b.listSchedules()).length, 1, 'other groups keep theirs');
    assert.deepEqual(
      (await b.undelivered()).map((p) => `${p.group}/${p.name}`),
      ['g/x'],
    );
  });
}
