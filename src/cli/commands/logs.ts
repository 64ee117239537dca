import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredLogRecord } from '../../telemetry/logs/backend.ts';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';
import { parseTimeArg } from '../time-arg.ts';

interface Page {
  events: StoredLogRecord[];
  nextToken?: string;
  nextForwardToken: string;
}

export interface LogsOptions extends ClientOptions {
  since?: string;
  until?: string;
  filter?: string;
  requestId?: string;
  follow?: boolean;
}

/**
 * `baton logs NAME [--filter PATTERN] [--since 10m] [--until TIME] [--request-id ID] [--follow]`:
 * prints the invocations' log lines, oldest first, page by page; `--follow` keeps polling for
 * new ones. Without `--since`, the last 10 minutes (all of them with `--request-id`).
 */
export async function logs(name: string, opts: LogsOptions): Promise<void> {
  const now = Date.now();
  const time = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const t = parseTimeArg(text, now);
    if (t === undefined)
      throw new CliError(
        `--${flag}: "${text}" is not a duration like 30s, 10m, 2h or 1d, epoch milliseconds or an ISO date-time`,
        2,
      );
    return t;
  };
  if (opts.follow && opts.until !== undefined)
    throw new CliError('--follow cannot be combined with --until', 2);
  const since = time('since', opts.since ?? (opts.requestId === undefined ? '10m' : undefined));
  const until = time('until', opts.until);
  const base = new URLSearchParams();
  if (since !== undefined) base.set('startTime', String(Math.floor(since)));
  if (until !== undefined) base.set('endTime', String(Math.floor(until)));
  if (opts.filter !== undefined) base.set('filterPattern', opts.filter);
  if (opts.requestId !== undefined) base.set('requestId', opts.requestId);
  const client = new AdminClient(opts);
  const path = `functions/${encodeURIComponent(name)}/logs`;
  const fetchPage = async (token: string | undefined): Promise<Page> => {
    const q = new URLSearchParams(base);
    if (token !== undefined) q.set('nextToken', token);
    const page = await client.json<Page>('GET', `${path}?${q}`);
    if (page.events.length > 0) process.stdout.write(page.events.map((e) => e.message).join('\n') + '\n');
    return page;
  };
  // Everything there is now, page after page; then, when following, what comes after it.
  let page = await fetchPage(undefined);
  while (page.nextToken !== undefined) page = await fetchPage(page.nextToken);
  while (opts.follow) {
    await sleep(500);
    do page = await fetchPage(page.nextForwardToken);
    while (page.nextToken !== undefined);
  }
}
