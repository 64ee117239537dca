import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryAlarms } from '../../../src/backends/memory/alarms.ts';
import { sqliteAlarms } from '../../../src/backends/sqlite/alarms.ts';
import { openSqlite } from '../../../src/backends/sqlite/database.ts';
import { parseManifest } from '../../../src/deploy/manifest.ts';
import type { AlarmBackend } from '../../../src/telemetry/alarms/backend.ts';
import { parseAlarmSpec } from '../../../src/telemetry/alarms/spec.ts';

const spec = (name: string) =>
  parseAlarmSpec({ name, metric: 'errors', threshold: 1, comparison: 'GreaterThanThreshold' }, 'a');

/** One contract, run by each alarm backend. */
const kinds: [string, () => AlarmBackend][] = [
  ['memory', memoryAlarms],
  ['sqlite', () => sqliteAlarms(openSqlite(':memory:'))],
];
for (const [kind, make] of kinds)
  describe(`alarm backend: ${kind}`, () => {
    it('puts, replaces, lists in name order and deletes', async () => {
      const b = make();
      await b.put({ spec: spec('b'), updatedAt: 1 });
      await b.put({ spec: spec('a'), app: 'shop', updatedAt: 2 });
      await b.put({ spec: { ...spec('b'), threshold: 9 }, updatedAt: 3 });
      assert.deepEqual(
        (await b.list()).map((r) => [r.spec.name, r.spec.threshold, r.app ?? null, r.updatedAt]),
        [
          ['a', 1, 'shop', 2],
          ['b', 9, null, 3],
        ],
      );
      assert.equal(await b.delete('a'), true);
      assert.equal(await b.delete('a'), false);
      assert.equal((await b.list()).length, 1);
    });
  });

describe('manifest alarms section', () => {
  const base = 'functions:\n  f:\n    handler: h.handler\n';
  it('parses each alarm under its key', () => {
    const m = parseManifest(
      `${base}alarms:\n  f-errors:\n    metric: errors\n    function: f\n    threshold: 5\n    comparison: GreaterThanThreshold\n`,
      'app',
    );
    assert.deepEqual(
      m.alarms.map((a) => [a.name, a.metric, a.function, a.statistic, a.periodS, a.bus]),
      [['f-errors', 'errors', 'f', 'Sum', 60, 'default']],
    );
  });
  it('names the field that is wrong', () => {
    assert.throws(
      () => parseManifest(`${base}alarms:\n  x:\n    metric: errors\n    threshold: 5\n`, 'app'),
      /alarms\.x\.comparison: must be one of/,
    );
    assert.throws(() => parseManifest(`${base}alarms: [1]\n`, 'app'), /alarms: must be a mapping/);
  });
});
