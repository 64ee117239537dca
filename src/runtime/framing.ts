/**
 * The channel between the pool and a runner: newline-delimited JSON over the runner's fd 3 (a
 * socket pair). JSON.stringify never emits a raw newline, so a newline always ends a message.
 * Cheaper per message than Node's built-in IPC channel (bench/warm.ts), and the runner gets no
 * `process.send` that function code could reach.
 */
export function encodeMessage(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits incoming chunks into messages; a message may span chunks. */
export class MessageReader {
  private pending: Buffer[] = [];

  constructor(
    private readonly onMessage: (message: unknown) => void,
    /** Called instead of throwing when a line is not JSON (a runner whose code wrote to fd 3). */
    private readonly onGarbage: (line: string) => void = () => undefined,
  ) {}

  feed(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, nl);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = Buffer.concat(this.pending);
        this.pending = [];
      }
      start = nl + 1;
      const text = line.toString('utf8');
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        this.onGarbage(text);
        continue;
      }
      this.onMessage(message);
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }
}
