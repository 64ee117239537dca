import { readFileSync } from 'node:fs';
import type { CacheStats } from '../../services/cache/backend.ts';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';
import { parseDuration } from '../duration.ts';

export interface CacheFlags {
  /** `30s`, `10m` … (cli/duration.ts). */
  ttl?: string;
  /** Increment amount. */
  by?: string;
  /** File holding the value to set. */
  file?: string;
}

const USAGE =
  'baton cache [stats] | get NS KEY | set NS KEY [VALUE | --file F] [--ttl 30s] | del NS KEY | incr NS KEY [--by N] [--ttl 30s] | clear NS';

const path = (ns: string, key?: string): string =>
  `cache/${encodeURIComponent(ns)}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

function ttlMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1)
    throw new CliError(`baton cache: --ttl "${text}" is not a duration like 30s`, 2);
  return Math.round(ms);
}

/**
 * `baton cache …`: reads and writes a namespace's entries through the admin API. A namespace is
 * an app's name, or `function:NAME` for a function deployed outside an app.
 */
export async function cache(args: string[], flags: CacheFlags, opts: ClientOptions): Promise<void> {
  const [action = 'stats', ns, key, value] = args;
  const need = (...parts: (string | undefined)[]): void => {
    if (parts.some((p) => p === undefined || p === '')) throw new CliError(`usage: ${USAGE}`, 2);
  };
  const client = new AdminClient(opts);
  const send = <T>(method: string, p: string, body?: unknown) =>
    client.json<T>(method, p, body === undefined ? undefined : JSON.stringify(body), 'application/json');
  switch (action) {
    case 'stats': {
      const s = await send<CacheStats>('GET', 'cache');
      const rows = [['NAMESPACE', 'KEYS', 'BYTES']];
      for (const n of s.namespaces) rows.push([n.namespace, String(n.keys), String(n.bytes)]);
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      const lines = rows.map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
      lines.push(
        `${s.keys} keys, ${s.bytes} of ${s.maxBytes} bytes; ${s.evictions} evicted, ${s.expirations} expired`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    case 'get': {
      need(ns, key);
      const r = await send<{ value: string }>('GET', path(ns!, key));
      process.stdout.write(`${r.value}\n`);
      return;
    }
    case 'set': {
      need(ns, key);
      const v = flags.file !== undefined ? readFileSync(flags.file, 'utf8') : value;
      if (v === undefined) throw new CliError(`usage: ${USAGE}`, 2);
      await send('PUT', path(ns!, key), { value: v, ttlMs: ttlMs(flags.ttl) });
      return;
    }
    case 'del': {
      need(ns, key);
      const r = await send<{ deleted: boolean }>('DELETE', path(ns!, key));
      process.stdout.write(r.deleted ? `Deleted ${key}\n` : `${key} was not there\n`);
      return;
    }
    case 'incr': {
      need(ns, key);
      const by = flags.by === undefined ? 1 : Number(flags.by);
      if (!Number.isSafeInteger(by)) throw new CliError(`baton cache incr: --by must be a whole number`, 2);
      const r = await send<{ value: number }>('POST', `${path(ns!, key)}/increment`, {
        by,
        ttlMs: ttlMs(flags.ttl),
      });
      process.stdout.write(`${r.value}\n`);
      return;
    }
    case 'clear': {
      need(ns);
      const r = await send<{ deleted: number }>('DELETE', path(ns!));
      process.stdout.write(`Deleted ${r.deleted} keys from ${ns}\n`);
      return;
    }
    default:
      throw new CliError(`baton cache: unknown action "${action}"\nusage: ${USAGE}`, 2);
  }
}
