/**
 * The runner: the program inside every instance process. It starts generic (pre-started by the
 * pool, before any function is chosen), becomes one function on `init`, then serves invocations
 * one at a time. It runs under Node's permission model, so it can read only the runner file, its
 * own sandbox and the shared AWS SDK (`../shared-modules.ts`), and write only its sandbox's tmp
 * folder.
 */
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { limits } from '../../core/limits.ts';
import { encodeMessage, MessageReader } from '../framing.ts';
import type {
  DoneMessage,
  FromRunner,
  FunctionErrorBody,
  InitMessage,
  InvokeMessage,
  ToRunner,
} from '../protocol.ts';
import { CacheClient, CacheError } from './cache-client.ts';
import { makeContext } from './context.ts';
import { runtimeError, toErrorBody } from './error-shape.ts';
import { holdWhilePending, recordBaseline, whenEventLoopEmpty } from './event-loop.ts';
import { type Handler, loadHandler } from './load-handler.ts';
import { LogCapture } from './log-capture.ts';
import { amznTraceId, installTraceEnv } from './trace-env.ts';

// The parent's channel: fd 3, newline-delimited JSON (see ../framing.ts).
const channel = new Socket({ fd: 3, readable: true, writable: true });
const send = (m: FromRunner, cb?: () => void): void => {
  channel.write(encodeMessage(m), cb);
};

const logs = new LogCapture();
logs.install();

// Platform services for function code, on a global: it needs no import (so no file to read under
// the permission model, and nothing to bundle), and works the same in ESM and CommonJS.
const cache = new CacheClient(send);
holdWhilePending(() => cache.inFlight);
Object.defineProperty(globalThis, 'baton', {
  value: Object.freeze({ cache: cache.api, CacheError }),
  enumerable: false,
  writable: false,
  configurable: false,
});

let init: InitMessage | undefined;
let handler: Handler | undefined;
let initError: FunctionErrorBody | undefined;
let initDuration: number | undefined;
let initLogs: string[] = [];
let current: InvokeMessage | undefined;
let queue: Promise<void> = Promise.resolve();
/** Sets `_X_AMZN_TRACE_ID` (trace-env.ts); until init, the real environment. */
let setTraceEnv = (compact: string | undefined): void => {
  if (compact === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = amznTraceId(compact);
};

function maxMemoryMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function becomeFunction(m: InitMessage): Promise<void> {
  init = m;
  logs.configure(m.logFormat, m.logLevel);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, m.env);
  setTraceEnv = installTraceEnv();
  try {
    process.chdir(m.taskRoot);
  } catch {
    // An unreadable task root shows up as an import error below.
  }
  // The real cwd is the code store; the function is told the path it may read through.
  process.cwd = () => m.taskRoot;
  const start = performance.now();
  const loaded = await loadHandler(m);
  initDuration = performance.now() - start;
  if (loaded.ok) handler = loaded.handler;
  else initError = loaded.error;
  initLogs = logs.drain();
}

function reply(msg: Omit<DoneMessage, 't' | 'logs' | 'maxMemoryMB'>, after?: () => void): void {
  const out: DoneMessage = { t: 'done', ...msg, logs: logs.drain(), maxMemoryMB: maxMemoryMB() };
  if (initDuration !== undefined) {
    out.initDuration = initDuration;
    out.logs = initLogs.concat(out.logs);
    initDuration = undefined;
    initLogs = [];
  }
  current = undefined;
  send(out, after);
}

function failWith(rid: string, start: number, body: FunctionErrorBody, exiting?: boolean): void {
  logs.failure('Invoke Error', body);
  reply(
    { rid, error: true, body: JSON.stringify(body), duration: performance.now() - start, exiting },
    exiting ? () => process.exit(129) : undefined,
  );
}

function serialize(result: unknown): { ok: true; body: string } | { ok: false; error: FunctionErrorBody } {
  let body: string;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    return { ok: false, error: toErrorBody(new Error('Unable to stringify response body', { cause: e })) };
  }
  if (body.length * 3 > limits.invokePayloadBytes && Buffer.byteLength(body) > limits.invokePayloadBytes) {
    return {
      ok: false,
      error: {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${limits.responsePayloadQuotedBytes} bytes).`,
      },
    };
  }
  return { ok: true, body };
}

function invoke(m: InvokeMessage): Promise<void> {
  current = m;
  logs.requestId = m.rid;
  // Lambda sets the trace header per invocation; the AWS SDK forwards it on its calls.
  setTraceEnv(m.trace);
  const start = performance.now();
  if (initError || !handler || !init) {
    // Lambda re-runs init in a fresh environment after an init failure: so do we.
    failWith(m.rid, start, initError ?? runtimeError('Unknown', 'runner not initialised'), true);
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    let settled = false;
    const finish = (error: unknown, result: unknown): void => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) {
        failWith(m.rid, start, toErrorBody(error));
      } else {
        const out = serialize(result);
        if (out.ok) reply({ rid: m.rid, error: false, body: out.body, duration: performance.now() - start });
        else failWith(m.rid, start, out.error);
      }
      resolve();
    };
    const context = makeContext(init!, m.rid, m.deadline, finish, m.arn);
    let callbackCalled = false;
    const callback = (error?: unknown, result?: unknown): void => {
      callbackCalled = true;
      if (error !== null && error !== undefined) finish(error, undefined);
      else if (context.callbackWaitsForEmptyEventLoop)
        void whenEventLoopEmpty().then(() => finish(null, result));
      else finish(null, result);
    };
    try {
      const ret = handler!(m.event, context, callback) as { then?: unknown } | undefined;
      if (ret && typeof ret.then === 'function') {
        (ret as Promise<unknown>).then(
          (v) => finish(null, v),
          (e) => finish(e ?? 'handled', undefined),
        );
      } else {
        // Neither a promise nor (yet) a callback: Lambda answers null once the loop drains.
        void whenEventLoopEmpty().then(() => {
          if (!callbackCalled) finish(null, undefined);
        });
      }
    } catch (e) {
      finish(e === undefined ? null : e, undefined);
    }
  });
}

function onFatal(error: unknown, type?: string): void {
  const body =
    type === undefined
      ? toErrorBody(error)
      : runtimeError(type, String(error), (error as Error | undefined)?.stack);
  logs.failure(type === undefined ? 'Uncaught Exception' : 'Unhandled Promise Rejection', body);
  if (current) failWith(current.rid, performance.now(), body, true);
  else process.exit(129);
}

process.on('uncaughtException', (e) => onFatal(e));
process.on('unhandledRejection', (reason) => onFatal(reason, 'UnhandledPromiseRejection'));
// The parent is gone: so is this instance.
channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));
const reader = new MessageReader((message) => {
  const m = message as ToRunner;
  if (m.t === 'cache-reply') cache.onReply(m);
  else if (m.t === 'init') queue = queue.then(() => becomeFunction(m));
  else queue = queue.then(() => invoke(m));
});
channel.on('data', (chunk: Buffer) => reader.feed(chunk));

// Warm the module loader while the runner is still a spare, so that a cold start's import is
// only the function's own work.
const WARM_UP_MODULE: string = 'data:text/javascript,export default 0';
import(WARM_UP_MODULE).finally(() =>
  setImmediate(() => {
    recordBaseline();
    send({ t: 'ready' });
  }),
);
