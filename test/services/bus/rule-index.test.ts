import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileEventPattern, type EventPattern } from '../../../src/services/bus/pattern.ts';
import { RuleIndex } from '../../../src/services/bus/rule-index.ts';

/** A seeded generator, so that a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SOURCES = ['app.orders', 'app.users', 'app.billing'];
const TYPES = ['Created', 'Updated', 'Deleted'];
const STATES = ['new', 'paid', 'shipped', 'void'];

function randomPattern(r: () => number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const p: Record<string, unknown> = {};
  if (r() < 0.8) p.source = r() < 0.8 ? [pick(SOURCES)] : [pick(SOURCES), pick(SOURCES)];
  else p.source = [{ prefix: 'app.' }];
  if (r() < 0.6) p['detail-type'] = [pick(TYPES)];
  const detail: Record<string, unknown> = {};
  if (r() < 0.5) detail.state = r() < 0.5 ? [pick(STATES)] : [{ 'anything-but': pick(STATES) }];
  if (r() < 0.4) detail.amount = [{ numeric: ['>=', Math.floor(r() * 50), '<', 50 + Math.floor(r() * 50)] }];
  if (r() < 0.2) detail.tags = [pick(['a', 'b', 'c'])];
  if (r() < 0.2) detail.$or = [{ state: [pick(STATES)] }, { amount: [{ numeric: ['<', 10] }] }];
  if (Object.keys(detail).length > 0) p.detail = detail;
  return p;
}

function randomEvent(r: () => number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  return {
    source: pick(SOURCES),
    'detail-type': pick(TYPES),
    detail: {
      state: pick(STATES),
      amount: Math.floor(r() * 100),
      ...(r() < 0.5 ? { tags: [pick(['a', 'b', 'c']), pick(['a', 'b', 'c'])] } : {}),
    },
  };
}

describe('RuleIndex', () => {
  it('answers exactly what the naive loop answers, on random rules and events', () => {
    const r = random(42);
    const index = new RuleIndex();
    const rules = new Map<string, EventPattern>();
    for (let i = 0; i < 500; i++) {
      const p = compileEventPattern(JSON.stringify(randomPattern(r)));
      rules.set(`r${i}`, p);
      index.add(`r${i}`, p);
    }
    for (let i = 0; i < 100; i += 3) {
      index.remove(`r${i}`);
      rules.delete(`r${i}`);
    }
    assert.equal(index.size, rules.size);
    let matched = 0;
    for (let i = 0; i < 2000; i++) {
      const event = randomEvent(r);
      const naive = [...rules].filter(([, p]) => p.matches(event)).map(([id]) => id);
      const got = index.match(event);
      assert.deepEqual([...got].sort(), naive.sort());
      matched += got.length;
    }
    assert.ok(matched > 0);
  });

  it('files a rule with several pinned values once per value, and reports it once', () => {
    const index = new RuleIndex();
    index.add('a', compileEventPattern('{"resources": ["x", "y"], "source": ["s"]}'));
    assert.deepEqual(index.match({ source: 's', resources: ['x', 'y'] }), ['a']);
    assert.deepEqual(index.match({ source: 's', resources: ['z'] }), []);
  });

  it('replaces a rule added again under the same id, and removes it', () => {
    const index = new RuleIndex();
    index.add('a', compileEventPattern('{"source": ["s1"]}'));
    index.add('a', compileEventPattern('{"source": ["s2"]}'));
    assert.deepEqual(index.match({ source: 's1' }), []);
    assert.deepEqual(index.match({ source: 's2' }), ['a']);
    assert.equal(index.remove('a'), true);
    assert.equal(index.remove('a'), false);
    assert.deepEqual(index.match({ source: 's2' }), []);
  });
});
