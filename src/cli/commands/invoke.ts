import { readFile } from 'node:fs/promises';
import { AdminClient, apiErrorText, CliError, type ClientOptions } from '../client.ts';

/**
 * `baton invoke NAME`: prints the function's JSON result. On a function error it prints Lambda's
 * error JSON and exits 1.
 */
export async function invoke(
  name: string,
  client: ClientOptions,
  opts: { data?: string; file?: string },
): Promise<number> {
  if (opts.data !== undefined && opts.file !== undefined)
    throw new CliError('give --data or --file, not both', 2);
  const payload = opts.file !== undefined ? await readFile(opts.file) : (opts.data ?? '');
  const api = new AdminClient(client);
  const res = await api.request(
    'POST',
    `functions/${encodeURIComponent(name)}/invoke`,
    payload,
    'application/json',
  );
  const text = await res.text();
  if (!res.ok) throw new CliError(apiErrorText(res.status, text));
  process.stdout.write(text + '\n');
  return res.headers.get('x-amz-function-error') ? 1 : 0;
}
