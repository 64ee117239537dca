// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${aws:userid}` is an IAM policy variable, written in a plain string on purpose.
/**
 * Policy evaluation cost per request, in µs of CPU, against 50 statements (issue 7's target: ≤ 20 µs).
 *
 * The caller is a function's role session with three inline policies, 50 statements in all, shaped
 * like real ones: exact and wildcard actions over Lambda, SQS, SNS, EventBridge, DynamoDB, S3 and
 * Logs; specific and wildcard ARNs, one with `${aws:userid}`; about half the statements with
 * conditions (region, source IP, TLS, time window, source ARN, a numeric key); two Deny statements
 * and a region lock (`Deny` + `NotAction` + `StringNotEquals`) that every action must get past.
 * Three requests: the Allow is the 49th statement, nothing allows (implicit deny: every statement
 * that names the action is tried), and an explicit Deny.
 *
 * Columns, all measured in the same run on the same requests:
 * - compiled: `compilePolicy` once, then `evaluate` (service index + per-action memo);
 * - index only: the same with the per-action memo off (`actionCache: 0`), as for a first request;
 * - naive: walks every statement of the parsed documents and builds each regular expression, IP
 *   range and date anew on every request, as an interpreter without a compile step would.
 * The decisions of all three must agree, or the run fails.
 */
import {
  compilePolicy,
  type EvaluationRequest,
  evaluate,
  type PolicyDocument,
  type PolicyStatement,
  type RequestContext,
  roleSessionPrincipal,
} from '../src/governance/policy/index.ts';
import { ACCT, arn, statements } from './lib/policies.ts';
import { fmt, median, table } from './lib/stats.ts';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const docs: PolicyDocument[] = statements().map((st) => ({ version: '2012-10-17', statements: st }));
const total = docs.reduce((n, d) => n + d.statements.length, 0);
if (total !== 50) throw new Error(`expected 50 statements, built ${total}`);

// ---- naive: an interpreter that compiles nothing -------------------------------------------------

function naiveGlob(pattern: string, arnMode: boolean, flags = 's'): RegExp {
  let out = '';
  let colons = 0;
  const segmented = arnMode && pattern.split(':').length > 5;
  for (const c of pattern) {
    if (c === '*' || c === '?') {
      const inSegment = segmented && colons < 5;
      out += c === '*' ? (inSegment ? '[^:]*' : '.*') : inSegment ? '[^:]' : '.';
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      if (c === ':') colons++;
    }
  }
  return new RegExp(`^${out}$`, flags);
}

function naiveIp(ip: string, cidr: string): boolean {
  const toBits = (a: string): string | undefined => {
    if (a.includes(':')) {
      const [h, t = ''] = a.split('::');
      const head = h ? h.split(':') : [];
      const tail = t ? t.split(':') : [];
      const groups = [...head, ...new Array(8 - head.length - tail.length).fill('0'), ...tail];
      return groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
    }
    return a
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
  };
  const [net, bits] = cidr.split('/');
  const a = toBits(ip);
  const b = toBits(net!);
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  const n = Number(bits ?? a.length);
  return a.slice(0, n) === b.slice(0, n);
}

function naiveEvaluate(req: EvaluationRequest): string {
  const ctx = new Map<string, unknown>();
  for (const [k, v] of Object.entries(req.context ?? {})) ctx.set(k.toLowerCase(), v);
  const userId = req.principal.userId;
  const fits = (st: PolicyStatement): boolean => {
    const actions = st.action ?? st.notAction ?? [];
    const actionHit = actions.some((a) => naiveGlob(a, false, 'si').test(req.action));
    if (actionHit === (st.notAction !== undefined)) return false;
    const resources = (st.resource ?? st.notResource ?? []).map((r) =>
      r.includes('${aws:userid}')
        ? userId === undefined
          ? undefined
          : r.replaceAll('${aws:userid}', userId)
        : r,
    );
    if (resources.includes(undefined)) return false;
    const resourceHit = resources.some((r) => naiveGlob(r!, true).test(req.resource));
    if (resourceHit === (st.notResource !== undefined)) return false;
    for (const { operator, key, values } of st.condition) {
      const v = ctx.get(key.toLowerCase());
      const s = v === undefined ? undefined : String(v);
      let ok: boolean;
      switch (operator) {
        case 'StringEquals':
          ok = s !== undefined && values.includes(s);
          break;
        case 'StringNotEquals':
          ok = s === undefined || !values.includes(s);
          break;
        case 'Bool':
          ok = s !== undefined && values.some((x) => x.toLowerCase() === s.toLowerCase());
          break;
        case 'IpAddress':
          ok = s !== undefined && values.some((c) => naiveIp(s, c));
          break;
        case 'DateLessThan':
          ok = s !== undefined && values.some((d) => Date.parse(s) < Date.parse(d));
          break;
        case 'ArnLike':
          ok = s !== undefined && values.some((p) => naiveGlob(p, true).test(s));
          break;
        case 'NumericLessThanEquals':
          ok = s !== undefined && values.some((n) => Number(s) <= Number(n));
          break;
        default:
          throw new Error(`naive evaluator lacks ${operator}`);
      }
      if (!ok) return false;
    }
    return true;
  };
  let allowed = false;
  for (const d of docs)
    for (const st of d.statements) {
      if (!fits(st)) continue;
      if (st.effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

// ---- requests ----------------------------------------------------------------------------------

const compiled = docs.map((d, i) => compilePolicy(d, { kind: 'identity', name: `fn-role/p${i}` }));
const indexOnly = docs.map((d, i) =>
  compilePolicy(d, { kind: 'identity', name: `fn-role/p${i}`, actionCache: 0 }),
);

function requests(action: string, resource: (i: number) => string): EvaluationRequest[] {
  return Array.from({ length: 64 }, (_, i) => {
    const context: RequestContext = {
      'aws:RequestedRegion': 'us-east-1',
      'aws:SourceIp': `10.${i % 4}.${i}.7`,
      'aws:SecureTransport': true,
      'aws:CurrentTime': '2026-11-26T12:00:00Z',
      'sqs:DelaySeconds': 0,
    };
    return {
      principal: roleSessionPrincipal(ACCT, 'fn-role', `payments-fn-${i}`, 'AROAFNROLE'),
      action,
      resource: resource(i),
      context,
      identityPolicies: compiled,
    };
  });
}

const SCENARIOS: [string, string, EvaluationRequest[]][] = [
  ['Allow at statement 49', 'Allow', requests('sqs:SendMessage', (i) => arn('sqs', `payments-${i}`))],
  ['no match (implicit deny)', 'ImplicitDeny', requests('sqs:SendMessage', (i) => arn('sqs', `other-${i}`))],
  ['explicit Deny', 'ExplicitDeny', requests('dynamodb:DeleteTable', (i) => arn('dynamodb', `table/t${i}`))],
];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * µs of CPU per call of `fn` over the requests, looping for about ROUND_MS of wall time. CPU time,
 * not wall time, so that other work on a shared machine does not inflate the figure.
 */
function perCall(reqs: readonly EvaluationRequest[], fn: (r: EvaluationRequest) => string): number {
  let done = 0;
  const start = performance.now();
  const cpu = cpuMs();
  while (performance.now() - start < ROUND_MS) {
    for (const r of reqs) fn(r);
    done += reqs.length;
  }
  return ((cpuMs() - cpu) * 1000) / done;
}

const rows: (string | number)[][] = [
  ['request (50 statements)', 'compiled µs', 'index only µs', 'naive µs', 'speed-up'],
];
for (const [name, expected, reqs] of SCENARIOS) {
  const viaCompiled = (r: EvaluationRequest) => evaluate(r).decision;
  const viaIndex = (r: EvaluationRequest) => evaluate({ ...r, identityPolicies: indexOnly }).decision;
  for (const r of reqs) {
    const got = [viaCompiled(r), viaIndex(r), naiveEvaluate(r)];
    if (got.some((g) => g !== expected))
      throw new Error(`${name}: expected ${expected}, got ${got.join(' / ')}`);
  }
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  perCall(reqs, viaCompiled); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    a.push(perCall(reqs, viaCompiled));
    b.push(perCall(reqs, viaIndex));
    c.push(perCall(reqs, naiveEvaluate));
  }
  rows.push([
    name,
    fmt(median(a), 2),
    fmt(median(b), 2),
    fmt(median(c), 1),
    `${fmt(median(c) / median(a), 0)}x`,
  ]);
}
console.log(
  `policy evaluation: µs of CPU per request, ${ROUNDS} rounds of ${ROUND_MS} ms per column (median); target ≤ 20 µs`,
);
table(rows);
