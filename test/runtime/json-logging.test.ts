import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHarness, FIXTURES, type Harness } from '../helpers/harness.ts';

type JsonLine = Record<string, unknown> & { record?: Record<string, unknown> };

/** The invocation's lines: JSON ones parsed, the rest as strings. */
const parse = (lines: string[]): (JsonLine | string)[] =>
  lines.map((l) => (l.startsWith('{') ? (JSON.parse(l) as JsonLine) : l));
const app = (lines: (JsonLine | string)[]) =>
  lines.filter((l): l is JsonLine => typeof l !== 'string' && 'level' in l);
const platform = (lines: (JsonLine | string)[]) =>
  lines.filter((l): l is JsonLine => typeof l !== 'string' && 'type' in l).map((l) => l.type);

describe('LoggingConfig in real instances', () => {
  let h: Harness;
  const dir = join(FIXTURES, 'logging');
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('keeps the Text format by default: every level, START/END/REPORT', async () => {
    await h.deploy('text', { handler: 'levels.handler' }, dir);
    const r = await h.call('text');
    assert.deepEqual(r.body, {
      format: null,
      level: null,
      group: '/aws/lambda/text',
      contextGroup: '/aws/lambda/text',
    });
    assert.match(r.logs[0]!, /^START RequestId: \S+ Version: \$LATEST$/);
    assert.match(r.logs[1]!, /^\S+Z\tundefined\tINFO\tinit$/, 'init lines carry no request id');
    for (const level of ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])
      assert.ok(
        r.logs.some((l) => l.includes(`\t${level}\tat ${level.toLowerCase()}`)),
        level,
      );
    assert.ok(r.logs.includes('raw write'));
    assert.match(r.logs.at(-1)!, /^REPORT RequestId: /);
  });

  it('writes JSON records and drops those below the application log level', async () => {
    await h.deploy(
      'jwarn',
      { handler: 'levels.handler', logging: { format: 'JSON', applicationLogLevel: 'WARN' } },
      dir,
    );
    const r = await h.call('jwarn');
    assert.deepEqual(r.body, {
      format: 'JSON',
      level: 'WARN',
      group: '/aws/lambda/jwarn',
      contextGroup: '/aws/lambda/jwarn',
    });
    const lines = parse(r.logs);
    const records = app(lines);
    assert.deepEqual(
      records.map((l) => l.level),
      ['WARN', 'ERROR', 'FATAL'],
      'the init INFO line and everything below WARN are dropped',
    );
    const [warn, error] = records;
    assert.deepEqual(Object.keys(warn!), ['timestamp', 'level', 'requestId', 'message']);
    assert.match(String(warn!.timestamp), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.equal(warn!.message, 'at warn');
    const rid = (lines.find((l) => typeof l !== 'string' && l.type === 'platform.start') as JsonLine).record!
      .requestId;
    assert.equal(warn!.requestId, rid);
    assert.equal(error!.errorType, 'TypeError', 'an Error argument is described beside the message');
    assert.equal(error!.errorMessage, 'boom');
    assert.ok(Array.isArray(error!.stackTrace));
    assert.match(String(error!.message), /^at error TypeError: boom/);
    assert.ok(lines.includes('raw write'), 'raw writes stay as written');
    assert.deepEqual(platform(lines), ['platform.start', 'platform.report'], 'system level INFO');
    const report = lines.find((l) => typeof l !== 'string' && l.type === 'platform.report') as JsonLine;
    assert.equal(report.record!.status, 'success');
    const metrics = report.record!.metrics as Record<string, number>;
    assert.equal(metrics.memorySizeMB, 128);
    assert.ok(metrics.billedDurationMs! >= 1);
    assert.ok(metrics.initDurationMs! > 0, 'a cold start reports its init');
    assert.equal(r.logs.filter((l) => l.startsWith('START') || l.startsWith('REPORT')).length, 0);
  });

  it('keeps objects as JSON, init lines without a request id, and runtimeDone at system DEBUG', async () => {
    await h.deploy(
      'jdebug',
      {
        handler: 'levels.handler',
        logging: {
          format: 'JSON',
          applicationLogLevel: 'DEBUG',
          systemLogLevel: 'DEBUG',
          logGroup: '/shop/api',
        },
      },
      dir,
    );
    const r = await h.call('jdebug');
    assert.deepEqual(r.body, {
      format: 'JSON',
      level: 'DEBUG',
      group: '/shop/api',
      contextGroup: '/shop/api',
    });
    const lines = parse(r.logs);
    const records = app(lines);
    assert.deepEqual(
      records.map((l) => l.level),
      ['INFO', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'FATAL', 'INFO'],
    );
    assert.equal(records[0]!.message, 'init');
    assert.equal('requestId' in records[0]!, false, 'no request during init');
    assert.equal(records[3]!.message, 'at log 42', 'several arguments are formatted as util.format does');
    assert.deepEqual(records.at(-1)!.message, { nested: { a: 1 } }, 'one object stays an object');
    assert.deepEqual(platform(lines), ['platform.start', 'platform.runtimeDone', 'platform.report']);
  });

  it('writes a failure as an error record and marks the report', async () => {
    await h.deploy(
      'jfail',
      { handler: 'levels.handler', logging: { format: 'JSON', applicationLogLevel: 'ERROR' } },
      dir,
    );
    const r = await h.call('jfail', { fail: true });
    assert.equal(r.error, true);
    const lines = parse(r.logs);
    const last = app(lines).at(-1)!;
    assert.equal(last.level, 'ERROR');
    const body = last.message as { errorType: string; errorMessage: string; stackTrace: string[] };
    assert.equal(body.errorType, 'RangeError');
    assert.equal(body.errorMessage, 'bad input');
    assert.ok(body.stackTrace.length > 0);
    const report = lines.find((l) => typeof l !== 'string' && l.type === 'platform.report') as JsonLine;
    assert.equal(report.record!.status, 'error');
  });

  it('leaves out platform records below system level WARN, and drops everything below FATAL', async () => {
    await h.deploy(
      'jquiet',
      {
        handler: 'levels.handler',
        logging: { format: 'JSON', applicationLogLevel: 'FATAL', systemLogLevel: 'WARN' },
      },
      dir,
    );
    const r = await h.call('jquiet', { fail: true });
    const lines = parse(r.logs);
    assert.deepEqual(platform(lines), []);
    assert.deepEqual(
      app(lines).map((l) => l.level),
      ['FATAL'],
      'even the invoke error, which the runtime logs at ERROR',
    );
  });

  it('drains instances when the log settings change', async () => {
    await h.deploy('switch', { handler: 'levels.handler' }, dir);
    await h.call('switch');
    assert.equal((await h.call('switch')).cold, false);
    await h.deploy('switch', { handler: 'levels.handler', logging: { format: 'JSON' } }, dir);
    const r = await h.call('switch');
    assert.equal(r.cold, true, 'a new instance, initialised with the new settings');
    assert.equal((r.body as { format: string }).format, 'JSON');
    assert.deepEqual(
      app(parse(r.logs)).map((l) => l.level),
      ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'FATAL', 'INFO'],
      'JSON defaults to INFO',
    );
  });
});
