import type { StoredSpan } from '../../telemetry/traces/span-store.ts';
import { AdminClient, type ClientOptions } from '../client.ts';

/**
 * Prints a trace as a tree, each span with its offset from the trace's start and its duration:
 *
 * ```
 * trace 6650f3a1… (3 spans, 12.4 ms)
 * GET /hello                       +0.0 ms   12.4 ms  http.response.status_code=200
 * └─ hello                         +0.6 ms   11.1 ms  faas.coldstart=true
 * ```
 */
export function formatTrace(traceId: string, spans: StoredSpan[]): string {
  const t0 = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.durationMs));
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, StoredSpan[]>();
  for (const s of spans) {
    // A parent that is not kept (the caller's own span) makes its children roots here.
    const parent = s.parentSpanId !== undefined && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const lines = [`trace ${traceId} (${spans.length} spans, ${(end - t0).toFixed(1)} ms)`];
  const walk = (parent: string | undefined, prefix: string, depth: number): void => {
    const list = children.get(parent) ?? [];
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
      const label = `${prefix}${branch}${s.name}${s.status === 2 ? ' (error)' : ''}`;
      const at = `+${(s.startTime - t0).toFixed(1)} ms`;
      lines.push(
        `${label.padEnd(44)} ${at.padStart(10)} ${`${s.durationMs.toFixed(1)} ms`.padStart(10)}  ${details(s)}`,
      );
      walk(s.spanId, depth === 0 ? '' : prefix + (last ? '   ' : '│  '), depth + 1);
    });
  };
  walk(undefined, '', 0);
  return lines.join('\n');
}

const SHOWN = [
  'faas.invocation_id',
  'faas.coldstart',
  'http.response.status_code',
  'rpc.method',
  'aws.request_id',
];

function details(s: StoredSpan): string {
  return SHOWN.filter((k) => s.attributes[k] !== undefined)
    .map((k) => `${k}=${String(s.attributes[k])}`)
    .join(' ');
}

/** `baton traces ID`: the trace of a request id (an invocation's or the gateway's) or a trace id. */
export async function traces(id: string, opts: ClientOptions): Promise<void> {
  const client = new AdminClient(opts);
  const found = await client.json<{ traceId: string; spans: StoredSpan[] }>(
    'GET',
    `traces/${encodeURIComponent(id)}`,
  );
  process.stdout.write(`${formatTrace(found.traceId, found.spans)}\n`);
}
