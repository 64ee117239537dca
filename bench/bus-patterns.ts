/**
 * Event pattern matching: events/s matched against 10, 100, 1,000 and 10,000 rules on one core,
 * through the rule index (`src/services/bus/rule-index.ts`) beside the naive loop that tests
 * every rule, in the same run. Rules look like real ones: most pin `source` (one of n/25
 * services) and `detail-type`, and add detail filters with a mix of operators (anything-but,
 * numeric ranges, prefix, equals-ignore-case, exists, cidr, `$or`); 1% pin no exact value at all
 * and are tested for every event. Events are parsed once, as the bus will; parsing is not timed.
 * The target (issue 5): ≥ 50,000 events/s against 1,000 rules.
 */
import { compileEventPattern, type EventPattern } from '../src/services/bus/pattern.ts';
import { RuleIndex } from '../src/services/bus/rule-index.ts';
import { fmt, median, table } from './lib/stats.ts';

const SIZES = (process.env.BENCH_RULES ?? '10,100,1000,10000').split(',').map(Number);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TYPES = [
  'Order Created',
  'Order Paid',
  'Order Shipped',
  'Order Cancelled',
  'User Signed Up',
  'User Deleted',
  'Invoice Issued',
  'Invoice Overdue',
  'Payment Failed',
  'Stock Low',
  'Item Returned',
  'Review Posted',
];
const STATES = ['new', 'pending', 'paid', 'shipped', 'void'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];

/** A seeded generator, so that every run compares the same rules and events. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function rules(n: number, r: () => number): EventPattern[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sources = Math.max(3, Math.ceil(n / 25));
  const out: EventPattern[] = [];
  for (let i = 0; i < n; i++) {
    const detail: Record<string, unknown> = {};
    const ops = Math.floor(r() * 3);
    for (let k = 0; k < ops; k++) {
      switch (Math.floor(r() * 7)) {
        case 0:
          detail.state = [{ 'anything-but': pick(STATES) }];
          break;
        case 1:
          detail.amount = [{ numeric: ['>=', Math.floor(r() * 500), '<', 500 + Math.floor(r() * 500)] }];
          break;
        case 2:
          detail.region = [{ prefix: pick(REGIONS).slice(0, 3) }];
          break;
        case 3:
          detail.tier = [{ 'equals-ignore-case': pick(['gold', 'silver']) }];
          break;
        case 4:
          detail.coupon = [{ exists: r() < 0.5 }];
          break;
        case 5:
          detail.ip = [{ cidr: `10.${Math.floor(r() * 4)}.0.0/16` }];
          break;
        default:
          detail.$or = [{ state: [pick(STATES)] }, { amount: [{ numeric: ['>', 900] }] }];
      }
    }
    const pattern: Record<string, unknown> =
      r() < 0.01
        ? { source: [{ prefix: 'com.acme.' }], 'detail-type': [{ 'anything-but': pick(TYPES) }] }
        : { source: [`com.acme.svc${Math.floor(r() * sources)}`], 'detail-type': [pick(TYPES)] };
    if (Object.keys(detail).length > 0) pattern.detail = detail;
    out.push(compileEventPattern(JSON.stringify(pattern)));
  }
  return out;
}

function events(n: number, count: number, r: () => number): unknown[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sources = Math.max(3, Math.ceil(n / 25));
  return Array.from({ length: count }, (_, i) => ({
    version: '0',
    id: `e${i}`,
    'detail-type': pick(TYPES),
    source: `com.acme.svc${Math.floor(r() * sources)}`,
    account: '123456789012',
    time: '2026-11-26T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      state: pick(STATES),
      amount: Math.floor(r() * 1000),
      region: pick(REGIONS),
      tier: pick(['Gold', 'SILVER', 'bronze']),
      ip: `10.${Math.floor(r() * 8)}.1.2`,
      ...(r() < 0.5 ? { coupon: 'X' } : {}),
    },
  }));
}

/** Events/s of `fn` over the events, looping for about ROUND_MS; and the matches it found. */
function rate(evs: readonly unknown[], fn: (e: unknown) => number): { perSec: number; matches: number } {
  let done = 0;
  let matches = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (let i = 0; i < evs.length; i++) matches += fn(evs[i]);
    done += evs.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { perSec: (done / elapsed) * 1000, matches: matches / (done / evs.length) };
}

const rows: (string | number)[][] = [['rules', 'index ev/s', 'naive ev/s', 'speed-up', 'matches/event']];
for (const n of SIZES) {
  const r = random(n);
  const patterns = rules(n, r);
  const evs = events(n, 1000, r);
  const index = new RuleIndex();
  for (const [i, p] of patterns.entries()) index.add(`r${i}`, p);
  const naive = (e: unknown) => {
    let m = 0;
    for (const p of patterns) if (p.matches(e)) m++;
    return m;
  };
  const indexed = (e: unknown) => index.match(e).length;
  const a: number[] = [];
  const b: number[] = [];
  let ma = 0;
  let mb = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const x = rate(evs, indexed);
    const y = rate(evs, naive);
    a.push(x.perSec);
    b.push(y.perSec);
    ma = x.matches;
    mb = y.matches;
  }
  if (ma !== mb) throw new Error(`index and naive loop disagree at ${n} rules: ${ma} vs ${mb} matches`);
  rows.push([
    n,
    fmt(median(a), 0),
    fmt(median(b), 0),
    `${fmt(median(a) / median(b), 1)}x`,
    fmt(ma / evs.length, 2),
  ]);
}
console.log(`event pattern matching, one core, ${ROUNDS} rounds of ${ROUND_MS} ms (median)`);
table(rows);
