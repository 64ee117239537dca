import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';

interface AlarmInfo {
  name: string;
  metric: string;
  function?: string;
  queue?: string;
  statistic: string;
  period: number;
  comparison: string;
  threshold: number;
  state: string;
  stateReason: string;
  app: string | null;
}

const OPS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/**
 * `baton alarms [list]`, `baton alarms get NAME`, `baton alarms put NAME FILE` (the alarm's
 * settings in YAML or JSON, as under the manifest's `alarms.NAME`), `baton alarms delete NAME`.
 */
export async function alarms(args: string[], opts: ClientOptions): Promise<void> {
  const [action = 'list', name, file] = args;
  const client = new AdminClient(opts);
  const path = (n: string | undefined) => {
    if (!n) throw new CliError(`baton alarms ${action}: an alarm name is required`, 2);
    return `alarms/${encodeURIComponent(n)}`;
  };
  switch (action) {
    case 'list': {
      const { alarms } = await client.json<{ alarms: AlarmInfo[] }>('GET', 'alarms');
      const lines = ['STATE              NAME  RULE'];
      for (const a of alarms) {
        const on = a.function ?? a.queue;
        const rule = `${a.statistic}(${a.metric}${on ? ` of ${on}` : ''}) over ${a.period}s ${OPS[a.comparison] ?? a.comparison} ${a.threshold}`;
        lines.push(`${a.state.padEnd(17)}  ${a.name}  ${rule}${a.app ? `  (app ${a.app})` : ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    case 'get': {
      const { alarm } = await client.json<{ alarm: AlarmInfo }>('GET', path(name));
      process.stdout.write(`${JSON.stringify(alarm, null, 2)}\n`);
      return;
    }
    case 'put': {
      const target = path(name);
      if (!file) throw new CliError('baton alarms put: a settings file (YAML or JSON) is required', 2);
      const settings: unknown = parse(await readFile(file, 'utf8'));
      const { alarm } = await client.json<{ alarm: AlarmInfo }>(
        'PUT',
        target,
        JSON.stringify(settings ?? {}),
        'application/json',
      );
      process.stdout.write(`Put alarm ${alarm.name} (${alarm.state})\n`);
      return;
    }
    case 'delete': {
      await client.json('DELETE', path(name));
      process.stdout.write(`Deleted alarm ${name}\n`);
      return;
    }
    default:
      throw new CliError(
        `baton alarms: unknown action "${action}" (list, get NAME, put NAME FILE, delete NAME)`,
        2,
      );
  }
}
