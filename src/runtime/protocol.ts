import type { ApplicationLogLevel } from '../core/logging-config.ts';

/**
 * Messages between the pool (parent) and a runner process (child), over the runner's fd 3
 * (framing.ts). One invocation at a time per runner; `rid` ties a reply to its request. Cache
 * operations travel the other way (runner asks, host answers), many at a time, tied by `id`.
 */

/** Everything a generic runner needs to become an instance of one function. */
export interface InitMessage {
  t: 'init';
  /** Absolute path of the code root as the function sees it (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** Module file relative to the task root, or null when the handler's file is missing. */
  entry: string | null;
  /** The handler string, for error messages (`index.handler`). */
  handler: string;
  /** Export path inside the module (`handler`, or nested `a.b`). */
  exportPath: string;
  /** The module name Lambda would report as missing (`src/app`). */
  module: string;
  /** The complete environment the function sees. */
  env: Record<string, string>;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /**
   * Lambda's LoggingConfig as the runtime applies it: with `JSON`, console calls become JSON
   * records and those below `logLevel` are dropped. Absent: Text, nothing dropped.
   */
  logFormat?: 'JSON';
  logLevel?: ApplicationLogLevel;
}

export interface InvokeMessage {
  t: 'invoke';
  rid: string;
  /** The parsed event. */
  event: unknown;
  /** Epoch ms at which the invocation times out. */
  deadline: number;
  /** The ARN invoked, when it differs from the init's (a version or an alias). */
  arn?: string;
  /**
   * The invocation's trace context, compact: its trace id (32 hex digits), its span id (16) and
   * `1` or `0` for sampled. The runner sets `_X_AMZN_TRACE_ID` from it while the invocation runs
   * (`Root=1-…;Parent=…;Sampled=…`); absent: unset. Hex digits only, so the host appends it to the
   * message's JSON text without escaping (`instance.ts`).
   */
  trace?: string;
}

/** The answer to a `CacheRequest`, matched by `id`. */
export type CacheReply =
  | { t: 'cache-reply'; id: number; ok: true; value: unknown }
  | { t: 'cache-reply'; id: number; ok: false; error: { code: string; message: string } };

export type ToRunner = InitMessage | InvokeMessage | CacheReply;

/** Lambda's error shape. */
export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface ReadyMessage {
  t: 'ready';
}

export interface DoneMessage {
  t: 'done';
  rid: string;
  /** True when the handler failed; `body` is then a `FunctionErrorBody` as JSON. */
  error: boolean;
  /** The JSON response payload (or error body). */
  body: string;
  /** Log events written since the last reply, each already formatted as Lambda writes them. */
  logs: string[];
  /** Handler time in ms (init excluded). */
  duration: number;
  /** Module load time in ms, on the first invocation of a cold instance. */
  initDuration?: number;
  /** Peak resident memory of the process, in MB. */
  maxMemoryMB: number;
  /** The runner exits right after this reply (uncaught exception): do not reuse it. */
  exiting?: boolean;
}

/**
 * A cache operation from function code (the runtime client, runner/cache-client.ts). The host
 * runs it in the function's namespace, which it knows from the instance; the runner never names
 * one. `id` is the runner's own counter, so that many operations can be in flight at once.
 */
export type CacheRequest = { t: 'cache'; id: number } & CacheOp;

export type CacheOp =
  | { op: 'get'; key: string }
  | { op: 'getMany'; keys: string[] }
  | { op: 'set'; key: string; value: string; ttlMs?: number }
  | { op: 'setMany'; entries: { key: string; value: string; ttlMs?: number }[] }
  | { op: 'delete'; key: string }
  | { op: 'increment'; key: string; by: number; ttlMs?: number }
  | { op: 'compareAndSet'; key: string; expected: string | null; value: string; ttlMs?: number };

export type FromRunner = ReadyMessage | DoneMessage | CacheRequest;
