import { AdminClient, CliError, type ClientOptions } from '../client.ts';
import { parseTimeArg } from '../time-arg.ts';

interface Line {
  key: string;
  invocations: number;
  billedMs: number;
  gbSeconds: number;
  gatewayRequests: number;
  queueRequests: number;
  topicRequests: number;
  busEvents: number;
  readHalfUnits: number;
  writeUnits: number;
  cost: { total: number };
}

interface Report {
  by: string;
  prices: { takenAt: string; source: string };
  lines: Line[];
  total: Line;
  stopped: string[];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

const dayArg = (name: string, v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const t = parseTimeArg(v, Date.now());
  if (t === undefined) throw new CliError(`baton costs: --${name}: not a time: ${v}`, 2);
  return new Date(t).toISOString().slice(0, 10);
};

/** `baton costs [--by function|app|day] [--since 7d|YYYY-MM-DD] [--until …]`: a cost report. */
export async function costs(
  opts: ClientOptions & { by?: string; since?: string; until?: string },
): Promise<void> {
  const q = new URLSearchParams();
  if (opts.by) q.set('by', opts.by);
  const since = dayArg('since', opts.since);
  const until = dayArg('until', opts.until);
  if (since) q.set('since', since);
  if (until) q.set('until', until);
  const r = await new AdminClient(opts).json<Report>('GET', `costs?${q}`);
  const rows = [
    [
      r.by.toUpperCase(),
      'INVOCATIONS',
      'BILLED MS',
      'GB-S',
      'GATEWAY REQ',
      'QUEUE REQ',
      'TOPIC REQ',
      'BUS EVENTS',
      'RRU',
      'WRU',
      'COST (USD)',
    ],
  ];
  for (const l of [...r.lines, r.total])
    rows.push([
      l.key,
      String(l.invocations),
      String(l.billedMs),
      l.gbSeconds.toFixed(6),
      String(l.gatewayRequests),
      String(l.queueRequests ?? 0),
      String(l.topicRequests ?? 0),
      String(l.busEvents ?? 0),
      String((l.readHalfUnits ?? 0) / 2),
      String(l.writeUnits ?? 0),
      l.cost.total.toFixed(8),
    ]);
  process.stdout.write(table(rows));
  process.stdout.write(`prices: ${r.prices.source}, taken ${r.prices.takenAt}\n`);
  if (r.stopped.length) process.stdout.write(`hard-stopped (budget spent): ${r.stopped.join(', ')}\n`);
}

interface Budget {
  scope: string;
  name: string;
  monthlyUsd: number;
  thresholds: number[];
  hardStop: boolean;
}

/**
 * `baton budgets [list | set app|function NAME USD [--thresholds 80,100] [--hard-stop]
 * | delete app|function NAME]`.
 */
export async function budgets(
  args: string[],
  flags: { thresholds?: string; hardStop?: boolean },
  opts: ClientOptions,
): Promise<void> {
  const client = new AdminClient(opts);
  const [sub = 'list', scope, name, usd] = args;
  const path = () => {
    if ((scope !== 'app' && scope !== 'function') || !name)
      throw new CliError(`baton budgets ${sub}: give app|function and a name`, 2);
    return `budgets/${scope}/${encodeURIComponent(name)}`;
  };
  if (sub === 'list') {
    const { budgets: list } = await client.json<{ budgets: Budget[] }>('GET', 'budgets');
    const rows = [['SCOPE', 'NAME', 'MONTHLY USD', 'THRESHOLDS %', 'HARD STOP']];
    for (const b of list)
      rows.push([b.scope, b.name, String(b.monthlyUsd), b.thresholds.join(','), b.hardStop ? 'yes' : 'no']);
    process.stdout.write(table(rows));
  } else if (sub === 'set') {
    const p = path();
    const monthlyUsd = Number(usd);
    if (!(monthlyUsd > 0)) throw new CliError('baton budgets set: USD must be a number > 0', 2);
    const body: Record<string, unknown> = { monthlyUsd, hardStop: flags.hardStop ?? false };
    if (flags.thresholds) body.thresholds = flags.thresholds.split(',').map(Number);
    await client.json('PUT', p, JSON.stringify(body), 'application/json');
    process.stdout.write(`budget set: ${scope} ${name} ${monthlyUsd} USD/month\n`);
  } else if (sub === 'delete') {
    await client.json('DELETE', path());
    process.stdout.write(`budget deleted: ${scope} ${name}\n`);
  } else throw new CliError(`baton budgets: unknown subcommand "${sub}"`, 2);
}
