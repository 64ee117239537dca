/**
 * A stored record is one invocation's log events joined by newlines (invocation-log.ts). Filter
 * patterns match one event at a time, as CloudWatch's do, so a record is split back into events:
 * a line starts a new event when it is a platform line (START, END, REPORT), a JSON record, or a
 * console line (`2024-01-01T00:00:00.000Z<TAB>…`). Any other line continues a console event before
 * it (a multi-line message, a stack trace), or else stands alone (raw stdout writes).
 */
const EVENT_START = /^(?:(?:START|END|REPORT|INIT_START) |\{|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z[\t ])/;
const CONSOLE_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\t/;

export function splitEvents(message: string): string[] {
  const events: string[] = [];
  let continuable = false;
  for (const line of message.split('\n')) {
    if (continuable && !EVENT_START.test(line)) {
      events[events.length - 1] += `\n${line}`;
      continue;
    }
    events.push(line);
    continuable = CONSOLE_LINE.test(line);
  }
  return events;
}
