import { AdminClient, CliError, type ClientOptions } from '../client.ts';

interface KeyInfo {
  accessKeyId: string;
  name: string;
  createdAt: number;
  secretAccessKey?: string;
}

/**
 * `baton keys [list]`, `baton keys create NAME`, `baton keys revoke ACCESS_KEY_ID`: named
 * access keys beside the root credentials. A new key's secret is printed once, on stdout only.
 */
export async function keys(
  action: string | undefined,
  arg: string | undefined,
  opts: ClientOptions,
): Promise<void> {
  const client = new AdminClient(opts);
  switch (action ?? 'list') {
    case 'list': {
      const { accessKeys } = await client.json<{ accessKeys: KeyInfo[] }>('GET', 'access-keys');
      const lines = ['ACCESS KEY ID         NAME  CREATED'];
      for (const k of accessKeys)
        lines.push(`${k.accessKeyId}  ${k.name}  ${new Date(k.createdAt).toISOString()}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    case 'create': {
      if (!arg) throw new CliError('baton keys create: a name is required', 2);
      const k = await client.json<KeyInfo>(
        'POST',
        'access-keys',
        JSON.stringify({ name: arg }),
        'application/json',
      );
      process.stdout.write(
        `AWS_ACCESS_KEY_ID=${k.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${k.secretAccessKey}\n`,
      );
      process.stderr.write(`Created access key "${k.name}". The secret is shown only this once.\n`);
      return;
    }
    case 'revoke': {
      if (!arg) throw new CliError('baton keys revoke: an access key id is required', 2);
      await client.json('DELETE', `access-keys/${encodeURIComponent(arg)}`);
      process.stdout.write(`Revoked ${arg}\n`);
      return;
    }
    default:
      throw new CliError(`baton keys: unknown action "${action}" (list, create NAME, revoke ID)`, 2);
  }
}
