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

  constructor(private readonly onMessage: (message: unknown) => void) {}

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
      this.onMessage(JSON.parse(line.toString('utf8')));
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }
}
