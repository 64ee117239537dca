import { readFileSync } from 'node:fs';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';
import { xmlBlocks, xmlText } from '../query-xml.ts';

const USAGE = `baton iam users | create-user NAME | delete-user NAME | create-access-key USER
  | roles | create-role NAME [TRUST-FILE] | get-role NAME | delete-role NAME
  | put-user-policy USER POLICY FILE | get-user-policy USER POLICY | delete-user-policy USER POLICY
  | put-role-policy ROLE POLICY FILE | get-role-policy ROLE POLICY | delete-role-policy ROLE POLICY`;

/** Without a trust file, a role can be taken by functions, as Lambda execution roles are. */
const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

type Call = (action: string, params?: Record<string, string>) => Promise<string>;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A policy document as IAM answers it (URL-encoded JSON), pretty-printed. */
function policy(encoded: string | undefined): string {
  const text = decodeURIComponent(encoded ?? '');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function readPolicy(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`baton iam: cannot read ${file}: ${(e as Error).message}`, 2);
  }
}

/** A subcommand: its positional arguments (`?`: optional), and what it does with them. */
type Command = [args: string[], run: (a: string[], call: Call) => Promise<string>];

const deleting = (action: string, member: string): Command => [
  ['NAME'],
  async ([name], call) => {
    await call(action, { [member]: name! });
    return `Deleted ${name}`;
  },
];

const COMMANDS: Record<string, Command> = {
  users: [
    [],
    async (_a, call) => {
      const users = xmlBlocks(await call('ListUsers', { MaxItems: '1000' }), 'member');
      const rows = users.map((u) => [xmlText(u, 'UserName')!, xmlText(u, 'Arn')!, xmlText(u, 'CreateDate')!]);
      return table([['NAME', 'ARN', 'CREATED'], ...rows]);
    },
  ],
  'create-user': [
    ['NAME'],
    async ([name], call) => xmlText(await call('CreateUser', { UserName: name! }), 'Arn')!,
  ],
  'delete-user': deleting('DeleteUser', 'UserName'),
  'create-access-key': [
    ['USER'],
    async ([user], call) => {
      const xml = await call('CreateAccessKey', { UserName: user! });
      process.stderr.write(`Created an access key of user "${user}". The secret is shown only this once.\n`);
      return `AWS_ACCESS_KEY_ID=${xmlText(xml, 'AccessKeyId')}\nAWS_SECRET_ACCESS_KEY=${xmlText(xml, 'SecretAccessKey')}`;
    },
  ],
  roles: [
    [],
    async (_a, call) => {
      const roles = xmlBlocks(await call('ListRoles', { MaxItems: '1000' }), 'member');
      const rows = roles.map((r) => [xmlText(r, 'RoleName')!, xmlText(r, 'Arn')!, xmlText(r, 'CreateDate')!]);
      return table([['NAME', 'ARN', 'CREATED'], ...rows]);
    },
  ],
  'create-role': [
    ['NAME', 'TRUST-FILE?'],
    async ([name, file], call) => {
      const trust = file === undefined ? LAMBDA_TRUST : readPolicy(file);
      return xmlText(await call('CreateRole', { RoleName: name!, AssumeRolePolicyDocument: trust }), 'Arn')!;
    },
  ],
  'get-role': [
    ['NAME'],
    async ([name], call) => {
      const xml = await call('GetRole', { RoleName: name! });
      const names = xmlBlocks(await call('ListRolePolicies', { RoleName: name! }), 'member');
      return [
        `arn:          ${xmlText(xml, 'Arn')}`,
        `id:           ${xmlText(xml, 'RoleId')}`,
        `created:      ${xmlText(xml, 'CreateDate')}`,
        ...(xmlText(xml, 'Description') ? [`description:  ${xmlText(xml, 'Description')}`] : []),
        `policies:     ${names.length > 0 ? names.join(', ') : '(none)'}`,
        `trust policy: ${policy(xmlText(xml, 'AssumeRolePolicyDocument'))}`,
      ].join('\n');
    },
  ],
  'delete-role': deleting('DeleteRole', 'RoleName'),
};

for (const [kind, member] of [
  ['user', 'UserName'],
  ['role', 'RoleName'],
] as const) {
  const Kind = kind === 'user' ? 'User' : 'Role';
  const HOLDER = kind.toUpperCase();
  COMMANDS[`put-${kind}-policy`] = [
    [HOLDER, 'POLICY', 'FILE'],
    async ([holder, name, file], call) => {
      await call(`Put${Kind}Policy`, {
        [member]: holder!,
        PolicyName: name!,
        PolicyDocument: readPolicy(file!),
      });
      return `Put policy ${name} of ${kind} ${holder}`;
    },
  ];
  COMMANDS[`get-${kind}-policy`] = [
    [HOLDER, 'POLICY'],
    async ([holder, name], call) =>
      policy(
        xmlText(await call(`Get${Kind}Policy`, { [member]: holder!, PolicyName: name! }), 'PolicyDocument'),
      ),
  ];
  COMMANDS[`delete-${kind}-policy`] = [
    [HOLDER, 'POLICY'],
    async ([holder, name], call) => {
      await call(`Delete${Kind}Policy`, { [member]: holder!, PolicyName: name! });
      return `Deleted policy ${name} of ${kind} ${holder}`;
    },
  ];
}

/**
 * `baton iam …`: IAM users, their access keys, roles and inline policies, through the IAM API
 * (awsQuery, SigV4-signed for `iam`, as the AWS CLI calls it). Policy files are JSON.
 */
export async function iam(args: string[], opts: ClientOptions): Promise<void> {
  const [action = 'users', ...rest] = args;
  const command = Object.hasOwn(COMMANDS, action) ? COMMANDS[action] : undefined;
  if (!command) throw new CliError(`baton iam: unknown action "${action}"\nusage: ${USAGE}`, 2);
  const [params, run] = command;
  const required = params.filter((p) => !p.endsWith('?')).length;
  if (rest.length < required || rest.length > params.length)
    throw new CliError(
      `usage: baton iam ${action} ${params.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1)}]` : p)).join(' ')}`,
      2,
    );
  const client = new AdminClient(opts);
  const call: Call = async (a, p = {}) => {
    const res = await client.query('iam', { Action: a, Version: '2010-05-08', ...p });
    const text = await res.text();
    if (!res.ok)
      throw new CliError(
        `${xmlText(text, 'Code') ?? `HTTP ${res.status}`}: ${xmlText(text, 'Message') ?? text}`,
      );
    return text;
  };
  process.stdout.write(`${await run(rest, call)}\n`);
}
