import { format } from 'node:util';

/**
 * Captures everything a function prints. `console.*` calls become one log event each, written
 * the way Lambda's Node.js runtime writes them: `time\trequestId\tLEVEL\tmessage`. Raw writes to
 * stdout and stderr are kept as they come. Events wait in a buffer until the runner's next reply,
 * so they travel in the same IPC message as the result and stay in order.
 */
export class LogCapture {
  private events: string[] = [];
  /** The request id stamped on console lines; Lambda uses "undefined" during init. */
  requestId = 'undefined';

  install(): void {
    const levels: [keyof Console, string][] = [
      ['log', 'INFO'],
      ['info', 'INFO'],
      ['warn', 'WARN'],
      ['error', 'ERROR'],
      ['debug', 'DEBUG'],
      ['trace', 'TRACE'],
    ];
    const target = console as unknown as Record<string, (...args: unknown[]) => void>;
    for (const [method, level] of levels) {
      target[method] = (...args: unknown[]) => this.line(level, format(...args));
    }
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

  line(level: string, message: string): void {
    this.events.push(`${new Date().toISOString()}\t${this.requestId}\t${level}\t${message}`);
  }

  /** Takes the buffered events. */
  drain(): string[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}
