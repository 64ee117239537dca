import { AdminClient, type ClientOptions } from '../client.ts';

interface Described {
  name: string;
  app: string | null;
  handler: string;
  memory: number;
  timeout: number;
  instances: { live: number; idle: number };
  lastModified: string;
}

/** `baton functions`: one line per deployed function. */
export async function functions(opts: ClientOptions): Promise<void> {
  const client = new AdminClient(opts);
  const { functions } = await client.json<{ functions: Described[] }>('GET', 'functions');
  const rows = [['NAME', 'APP', 'HANDLER', 'MEMORY', 'TIMEOUT', 'INSTANCES', 'LAST MODIFIED']];
  for (const f of functions)
    rows.push([
      f.name,
      f.app ?? '-',
      f.handler,
      `${f.memory} MB`,
      `${f.timeout} s`,
      `${f.instances.live} (${f.instances.idle} idle)`,
      f.lastModified,
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
}
