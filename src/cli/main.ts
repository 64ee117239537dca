import { parseArgs } from 'node:util';
import { BatonError } from '../core/errors.ts';
import { CliError } from './client.ts';
import { alarms } from './commands/alarms.ts';
import { cache } from './commands/cache.ts';
import { budgets, costs } from './commands/costs.ts';
import { deploy } from './commands/deploy.ts';
import { functions } from './commands/functions.ts';
import { iam } from './commands/iam.ts';
import { invoke } from './commands/invoke.ts';
import { keys } from './commands/keys.ts';
import { logs } from './commands/logs.ts';
import { traces } from './commands/traces.ts';
import { up } from './commands/up.ts';

const USAGE = `Usage: baton <command> [options]

Commands:
  up [--data DIR] [--port N] [--control-port N] [--storage sqlite|memory] [--deploy DIR]
                                   start Baton in the foreground
  deploy [DIR]                     deploy the functions of DIR/baton.yaml and print what changed
  invoke NAME [--data JSON | --file F]
                                   invoke a function and print its JSON result
  logs NAME [--filter PATTERN] [--since 10m] [--until TIME] [--request-id ID] [--follow]
                                   print a function's logs (PATTERN: CloudWatch filter syntax)
  traces ID                        print a trace as a tree with timings (ID: a request id or trace id)
  functions                        list deployed functions
  keys [list | create NAME | revoke ACCESS_KEY_ID]
                                   manage named access keys (a new secret is printed once)
  iam [users | create-user NAME | delete-user NAME | create-access-key USER | roles
       | create-role NAME [TRUST-FILE] | get-role NAME | delete-role NAME
       | put-user-policy USER POLICY FILE | get-user-policy USER POLICY | delete-user-policy USER POLICY
       | put-role-policy ROLE POLICY FILE | get-role-policy ROLE POLICY | delete-role-policy ROLE POLICY]
                                   manage IAM users, access keys, roles and inline policies
  cache [stats | get NS KEY | set NS KEY [VALUE | --file F] [--ttl 30s] | del NS KEY
         | incr NS KEY [--by N] [--ttl 30s] | clear NS]
                                   read and write the cache of an app (namespace NS)
  alarms [list | get NAME | put NAME FILE | delete NAME]
                                   manage metric alarms (FILE: the alarm's settings, YAML or JSON)
  costs [--by function|app|day] [--since 7d|YYYY-MM-DD] [--until TIME]
                                   print metered usage and its cost
  budgets [list | set app|function NAME USD [--thresholds 80,100] [--hard-stop]
           | delete app|function NAME]
                                   manage monthly budgets (alerts; optional hard stop)

Client options (all but up): --endpoint URL, --data DIR (where credentials.json is; not for invoke)
Environment: BATON_HOST, BATON_PORT, BATON_CONTROL_PORT, BATON_DATA, BATON_ACCESS_KEY_ID,
  BATON_SECRET_ACCESS_KEY, BATON_REGION, BATON_MAX_INSTANCES (see README)`;

const OPTIONS = {
  data: { type: 'string' },
  port: { type: 'string' },
  'control-port': { type: 'string' },
  storage: { type: 'string' },
  deploy: { type: 'string' },
  endpoint: { type: 'string' },
  file: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  since: { type: 'string' },
  until: { type: 'string' },
  filter: { type: 'string' },
  'request-id': { type: 'string' },
  ttl: { type: 'string' },
  by: { type: 'string' },
  thresholds: { type: 'string' },
  'hard-stop': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`baton: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, arg, arg2] = positionals;
  if (v.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined && !v.help ? 2 : 0;
  }
  // For invoke, --data is the payload; the data directory then comes from BATON_DATA or ./.baton.
  const client = { endpoint: v.endpoint, data: command === 'invoke' ? undefined : v.data };
  const needName = (): string => {
    if (!arg) throw new CliError(`baton ${command}: a function name is required`, 2);
    return arg;
  };
  switch (command) {
    case 'up':
      await up({
        data: v.data,
        port: v.port,
        controlPort: v['control-port'],
        storage: v.storage,
        deploy: v.deploy,
      });
      return -1;
    case 'deploy':
      await deploy(arg, client);
      return 0;
    case 'invoke':
      return invoke(needName(), client, { data: v.data, file: v.file });
    case 'logs':
      await logs(needName(), {
        ...client,
        since: v.since,
        until: v.until,
        filter: v.filter,
        requestId: v['request-id'],
        follow: v.follow,
      });
      return 0;
    case 'traces':
      await traces(needName(), client);
      return 0;
    case 'functions':
      await functions(client);
      return 0;
    case 'keys':
      await keys(arg, arg2, client);
      return 0;
    case 'iam':
      await iam(positionals.slice(1), client);
      return 0;
    case 'alarms':
      await alarms(positionals.slice(1), client);
      return 0;
    case 'cache':
      await cache(positionals.slice(1), { ttl: v.ttl, by: v.by, file: v.file }, client);
      return 0;
    case 'costs':
      await costs({ ...client, by: v.by, since: v.since, until: v.until });
      return 0;
    case 'budgets':
      await budgets(positionals.slice(1), { thresholds: v.thresholds, hardStop: v['hard-stop'] }, client);
      return 0;
    default:
      process.stderr.write(`baton: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`baton: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else if (e instanceof BatonError) {
      process.stderr.write(`baton: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`baton: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
