import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { amznTraceId, installTraceEnv } from '../../src/runtime/runner/trace-env.ts';

const KEY = '_X_AMZN_TRACE_ID';
/** An invocation's context as the instance receives it, and the header the function sees. */
const C1 = '5759e988bd862e3fe1be46a99427279353995c3f42cd8ad81';
const H1 = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

/**
 * An instance's `_X_AMZN_TRACE_ID` is set per invocation without setenv(3) (glibc keeps every
 * value it was given), yet reads, lists, copies and reaches child processes like any variable.
 * Runs in this test file's own process; the real environment is put back after.
 */
describe('_X_AMZN_TRACE_ID in an instance', () => {
  const real = process.env;
  real[KEY] = 'Root=1-00000000-000000000000000000000000;Parent=0000000000000001;Sampled=0';
  real.BATON_TRACE_ENV_TEST = 'kept';
  const set = installTraceEnv();
  after(() => {
    process.env = real;
    delete real.BATON_TRACE_ENV_TEST;
  });

  it('keeps a value set before, and is set per invocation from the compact context', () => {
    assert.match(process.env[KEY]!, /^Root=1-00000000/);
    assert.equal(real[KEY], undefined, 'moved out of the real environment');
    assert.equal(amznTraceId(C1), H1);
    set(C1);
    assert.equal(process.env[KEY], H1);
    assert.ok(KEY in process.env);
    assert.ok(Object.keys(process.env).includes(KEY));
    assert.equal({ ...process.env }[KEY], H1);
    assert.equal(JSON.parse(JSON.stringify(process.env))[KEY], H1);
    set(undefined);
    assert.equal(process.env[KEY], undefined);
    assert.equal(KEY in process.env, false);
    assert.equal(Object.keys(process.env).includes(KEY), false);
  });

  it('behaves as the real environment for handler code: strings, delete, other variables', () => {
    process.env[KEY] = 42 as unknown as string;
    assert.equal(process.env[KEY], '42');
    delete process.env[KEY];
    assert.equal(process.env[KEY], undefined);
    process.env.BATON_TRACE_ENV_NUM = 7 as unknown as string;
    assert.equal(real.BATON_TRACE_ENV_NUM, '7', 'other variables still go to the real environment');
    delete process.env.BATON_TRACE_ENV_NUM;
    assert.equal(real.BATON_TRACE_ENV_NUM, undefined);
    assert.equal(process.env.BATON_TRACE_ENV_TEST, 'kept');
  });

  it('reaches child processes', () => {
    set(C1);
    const out = execFileSync('sh', ['-c', `printf %s "$${KEY} $BATON_TRACE_ENV_TEST"`], { encoding: 'utf8' });
    assert.equal(out, `${H1} kept`);
  });

  it('a new value per invocation does not grow the process', () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200_000; i++)
      set(`Root=1-5759e988-${i.toString(16).padStart(24, '0')};Parent=53995c3f42cd8ad8;Sampled=1`);
    // Through setenv(3) this grows by ~190 bytes a value (about 38 MB here).
    assert.ok(process.memoryUsage().rss - before < 15e6);
  });
});
