import { format } from 'node:util';
import { APPLICATION_LOG_LEVELS, type ApplicationLogLevel } from '../../core/logging-config.ts';
import type { FunctionErrorBody } from '../protocol.ts';

/** Console methods and the level Lambda's Node.js runtime gives each (`console.fatal` is its own). */
const METHODS: [string, ApplicationLogLevel][] = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
  ['fatal', 'FATAL'],
];

/** Errors in a JSON record, as the runtime serialises them. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    errorType: value.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

/**
 * Captures everything a function prints. `console.*` calls become one log event each, written
 * the way Lambda's Node.js runtime writes them: `time\trequestId\tLEVEL\tmessage` in the Text
 * format, or with `LogFormat: JSON` a JSON record `{"timestamp","level","requestId","message"}`
 * (calls below the application log level are dropped). Raw writes to stdout and stderr are kept
 * as they come. Events wait in a buffer until the runner's next reply, so they travel in the
 * same IPC message as the result and stay in order.
 */
export class LogCapture {
  private events: string[] = [];
  private json = false;
  /** Index in APPLICATION_LOG_LEVELS of the least severe level written. */
  private minimum = 0;
  /** The request id stamped on console lines; none during init (Text writes "undefined"). */
  requestId: string | undefined;

  install(): void {
    this.patchConsole('TRACE');
    const capture = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
            );
      this.events.push(text.endsWith('\n') ? text.slice(0, -1) : text);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
  }

  /** Applies the function's LoggingConfig (from its init message). */
  configure(logFormat: 'JSON' | undefined, level: ApplicationLogLevel | undefined): void {
    this.json = logFormat === 'JSON';
    this.patchConsole(this.json ? (level ?? 'INFO') : 'TRACE');
  }

  private patchConsole(minimum: ApplicationLogLevel): void {
    this.minimum = APPLICATION_LOG_LEVELS.indexOf(minimum);
    const target = console as unknown as Record<string, (...args: unknown[]) => void>;
    for (const [method, level] of METHODS) {
      // As in Lambda's runtime, a method below the level does nothing at all.
      target[method] = this.writes(level) ? (...args) => this.log(level, args) : () => undefined;
    }
  }

  private writes(level: ApplicationLogLevel): boolean {
    return APPLICATION_LOG_LEVELS.indexOf(level) >= this.minimum;
  }

  private log(level: ApplicationLogLevel, args: unknown[]): void {
    if (!this.json) {
      this.line(level, format(...args));
      return;
    }
    const record: Record<string, unknown> = {
      timestamp: new Date().toISOString(),
      level,
      requestId: this.requestId,
    };
    const [message, ...params] = args;
    if (params.length === 0) {
      record.message = message;
      try {
        this.events.push(JSON.stringify(record, errorReplacer));
      } catch {
        record.message = format(message);
        this.events.push(JSON.stringify(record));
      }
      return;
    }
    record.message = format(...args);
    const error = params.find((p) => p instanceof Error) as Error | undefined;
    if (error) {
      record.errorType = error.constructor?.name ?? 'UnknownError';
      record.errorMessage = error.message;
      record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    }
    this.events.push(JSON.stringify(record));
  }

  /** A Text-format line, whatever the format (the runtime's own lines go through `failure`). */
  line(level: string, message: string): void {
    this.events.push(`${new Date().toISOString()}\t${this.requestId}\t${level}\t${message}`);
  }

  /** The runtime's report of a failed invocation or a crash (`Invoke Error`, `Uncaught Exception`). */
  failure(what: string, body: FunctionErrorBody): void {
    if (!this.json) {
      this.line('ERROR', `${what} \t${JSON.stringify(body)}`);
      return;
    }
    const { errorType, errorMessage, trace } = body;
    if (this.writes('ERROR')) this.log('ERROR', [{ errorType, errorMessage, stackTrace: trace ?? [] }]);
  }

  /** Takes the buffered events. */
  drain(): string[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}
