import { resolve } from 'node:path';
import { ADMIN_SERVICE } from '../aws/auth.ts';
import { signRequest } from '../aws/sigv4-sign.ts';
import { type Credentials, credentialsFromEnv, readCredentialsFile } from '../server/credentials.ts';

export interface ClientOptions {
  endpoint?: string;
  data?: string;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Talks to a running server's admin API. The server is found through the same settings the
 * server uses (`--endpoint`, else `BATON_HOST` and `BATON_CONTROL_PORT`); the root credentials
 * come from the environment or the data directory.
 */
export class AdminClient {
  readonly endpoint: string;
  private readonly creds: Credentials;
  private readonly region: string;

  constructor(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = (
      opts.endpoint ??
      env.BATON_ENDPOINT ??
      `http://${env.BATON_HOST ?? '127.0.0.1'}:${env.BATON_CONTROL_PORT ?? '4748'}`
    ).replace(/\/$/, '');
    const dataDir = resolve(opts.data ?? env.BATON_DATA ?? '.baton');
    const creds = credentialsFromEnv(env) ?? readCredentialsFile(dataDir);
    if (!creds)
      throw new CliError(
        `no credentials: set BATON_ACCESS_KEY_ID and BATON_SECRET_ACCESS_KEY, or run from the folder whose ${dataDir} holds the server's credentials.json (or pass --data DIR)`,
        2,
      );
    this.creds = creds;
    this.region = env.BATON_REGION ?? 'us-east-1';
  }

  async request(
    method: string,
    path: string,
    body?: string | Uint8Array,
    contentType?: string,
  ): Promise<Response> {
    // Signed with SigV4 for the admin API's `baton` service, as any AWS client signs.
    return this.signedFetch(
      method,
      new URL(`${this.endpoint}/admin/v1/${path}`),
      body,
      contentType,
      ADMIN_SERVICE,
    );
  }

  /** An AWS query-protocol call (an `Action=…` form posted to `/`), signed for `service`. */
  async query(service: string, params: Record<string, string>): Promise<Response> {
    const form = new URLSearchParams(params).toString();
    const type = 'application/x-www-form-urlencoded; charset=utf-8';
    return this.signedFetch('POST', new URL(`${this.endpoint}/`), form, type, service);
  }

  private async signedFetch(
    method: string,
    url: URL,
    body: string | Uint8Array | undefined,
    contentType: string | undefined,
    service: string,
  ): Promise<Response> {
    const payload = body ?? '';
    const headers = signRequest(
      method,
      url,
      contentType ? { 'content-type': contentType } : {},
      payload,
      this.creds,
      { region: this.region, service, now: Date.now() },
    );
    delete headers.host;
    try {
      return await fetch(url, { method, headers, body: method === 'GET' ? undefined : payload });
    } catch (e) {
      throw new CliError(
        `cannot reach Baton at ${this.endpoint}: ${(e as Error).cause ?? (e as Error).message}. Is \`baton up\` running?`,
      );
    }
  }

  /** Sends a request and returns its JSON, turning API errors into CLI errors. */
  async json<T>(method: string, path: string, body?: string | Uint8Array, contentType?: string): Promise<T> {
    const res = await this.request(method, path, body, contentType);
    const text = await res.text();
    if (!res.ok) throw new CliError(apiErrorText(res.status, text));
    return (text ? JSON.parse(text) : {}) as T;
  }
}

export function apiErrorText(status: number, text: string): string {
  try {
    const o = JSON.parse(text) as { __type?: string; message?: string };
    return `${o.__type ?? `HTTP ${status}`}: ${o.message ?? text}`;
  } catch {
    return `HTTP ${status}: ${text}`;
  }
}
