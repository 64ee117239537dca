import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredLogRecord } from '../../telemetry/logs/backend.ts';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';
import { parseDuration } from '../duration.ts';

/** `baton logs NAME [--since 10m] [--follow]`. */
export async function logs(
  name: string,
  opts: ClientOptions & { since?: string; follow?: boolean },
): Promise<void> {
  const window = parseDuration(opts.since ?? '10m');
  if (window === undefined)
    throw new CliError(`--since: "${opts.since}" is not a duration like 30s, 10m, 2h or 1d`, 2);
  const client = new AdminClient(opts);
  const since = Date.now() - window;
  let after: number | undefined;
  const print = (events: StoredLogRecord[]): void => {
    if (events.length > 0) process.stdout.write(events.map((e) => e.message).join('\n') + '\n');
    const last = events.at(-1);
    if (last) after = last.id;
  };
  const path = `functions/${encodeURIComponent(name)}/logs`;
  print((await client.json<{ events: StoredLogRecord[] }>('GET', `${path}?since=${since}`)).events);
  while (opts.follow) {
    await sleep(500);
    const q = after === undefined ? `since=${since}` : `after=${after}`;
    print((await client.json<{ events: StoredLogRecord[] }>('GET', `${path}?${q}`)).events);
  }
}
