/**
 * The authorization step every control-plane request takes, in µs of CPU: what a router does
 * after SigV4 verification (`sqsAccess` maps the operation, `requestKeys` reads the HTTP
 * request's keys, `Authorizer.checkAll` finds the caller and its cached compiled policies and
 * evaluates), against the bare `evaluate` of the same decision on prebuilt inputs, in the same
 * run. The caller is an IAM user holding the 50 statements of `./lib/policies.ts`.
 *
 * Rows: the root (no policies), an Allow (`sqs:ReceiveMessage`, 22nd statement), and an implicit
 * deny (`sqs:SendMessage`, whose Allow needs TLS), which throws `AccessDenied` with AWS's message.
 */
import type { IncomingMessage } from 'node:http';
import { requestKeys } from '../src/aws/access.ts';
import { sqsAccess } from '../src/aws/sqs/access.ts';
import { Authorizer, type Caller, isAccessDenied, keyCaller } from '../src/governance/authorizer.ts';
import { compilePolicy, evaluate } from '../src/governance/policy/index.ts';
import { ACCT, policyDocuments } from './lib/policies.ts';
import { fmt, median, table } from './lib/stats.ts';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SCOPE = { region: 'us-east-1', account: ACCT };
const NOW = Date.parse('2026-11-26T12:00:00Z');

const texts = Object.freeze(policyDocuments().map((d) => JSON.stringify(d)));
const user = {
  name: 'fn',
  id: 'AIDAFNUSER0000000000',
  arn: `arn:aws:iam::${ACCT}:user/fn`,
  path: '/',
  createdAt: 0,
};
const callers: Record<string, Caller> = {
  ROOTKEY: keyCaller(ACCT, { kind: 'root' }),
  USERKEY: keyCaller(ACCT, { kind: 'user', user }),
};
const authorizer = new Authorizer({
  accountId: ACCT,
  principalOf: (key) => callers[key],
  policiesOf: (holder) => (holder.kind === 'root' ? [] : texts),
  now: () => NOW,
});
const req = { socket: { remoteAddress: '10.1.2.7' } } as IncomingMessage;
const queue = (name: string) => ({ QueueUrl: `http://127.0.0.1:4748/${ACCT}/${name}` });

/** The router's step: map, read the request's keys, decide; a denial is caught as the router does. */
function step(key: string, op: string, input: Record<string, unknown>): string {
  try {
    authorizer.checkAll(key, sqsAccess(op, input, SCOPE), requestKeys(req, 'us-east-1'));
    return 'Allow';
  } catch (e) {
    if (isAccessDenied(e)) return e.decision.decision;
    throw e;
  }
}

const compiled = texts.map((t, i) => compilePolicy(t, { kind: 'identity', name: `inline-${i}` }));
/** The bare engine on the same decision, its inputs built once. */
function bare(key: string, op: string, input: Record<string, unknown>): () => string {
  const [r] = sqsAccess(op, input, SCOPE);
  const caller = callers[key]!;
  const request = {
    principal: caller.principal,
    action: r!.action,
    resource: r!.resource,
    context: requestKeys(req, 'us-east-1'),
    identityPolicies: key === 'ROOTKEY' ? [] : compiled,
    isRoot: key === 'ROOTKEY',
    now: NOW,
  };
  return () => evaluate(request).decision;
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
function perCall(fn: () => string): number {
  let done = 0;
  const start = performance.now();
  const cpu = cpuUs();
  while (performance.now() - start < ROUND_MS) {
    for (let i = 0; i < 64; i++) fn();
    done += 64;
  }
  return (cpuUs() - cpu) / done;
}

const SCENARIOS: [string, string, string, string, Record<string, unknown>][] = [
  ['root', 'Allow', 'ROOTKEY', 'SendMessage', queue('payments-1')],
  ['user, Allow', 'Allow', 'USERKEY', 'ReceiveMessage', queue('audit-jobs')],
  ['user, implicit deny (throws)', 'ImplicitDeny', 'USERKEY', 'SendMessage', queue('payments-1')],
];
const rows: (string | number)[][] = [
  ['request (50 statements)', 'authorization step µs', 'bare evaluate µs'],
];
for (const [name, expected, key, op, input] of SCENARIOS) {
  const viaStep = () => step(key, op, input);
  const viaBare = bare(key, op, input);
  if (viaStep() !== expected || viaBare() !== expected)
    throw new Error(`${name}: expected ${expected}, got ${viaStep()} / ${viaBare()}`);
  perCall(viaStep); // warm-up
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(perCall(viaStep));
    b.push(perCall(viaBare));
  }
  rows.push([name, fmt(median(a), 2), fmt(median(b), 2)]);
}
console.log(
  `authorization per request: µs of CPU, ${ROUNDS} rounds of ${ROUND_MS} ms per column (median); target ≤ 20 µs`,
);
table(rows);
