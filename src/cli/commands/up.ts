import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { parseManifest } from '../../deploy/manifest.ts';
import { packageDir } from '../../deploy/package-dir.ts';
import { routeLines } from '../../gateway/describe.ts';
import { type ConfigFlags, loadConfig } from '../../server/config.ts';
import { loadOrCreateCredentials } from '../../server/credentials.ts';
import { startServer } from '../../server/server.ts';
import { printDeployResult } from './deploy.ts';

/** Bytes of Baton's own log lines buffered before a write. */
const LOG_BATCH_BYTES = 8192;
/** Ms between two writes of whatever log lines are buffered. */
const LOG_FLUSH_MS = 250;

/** `baton up`: runs the server in the foreground until Ctrl-C. */
export async function up(flags: ConfigFlags & { deploy?: string }): Promise<void> {
  const config = loadConfig(process.env, flags);
  // Baton's own logs (the gateway's access log among them) are written in batches, never on a
  // request's path: when 8 KB are buffered, every 250 ms, and at exit (pino flushes then).
  const dest = pino.destination({ dest: 2, sync: false, minLength: LOG_BATCH_BYTES });
  setInterval(() => dest.flush(), LOG_FLUSH_MS).unref();
  const log = pino(
    { level: config.logLevel, base: { svc: 'baton' }, redact: ['secretAccessKey', '*.secretAccessKey'] },
    dest,
  );
  const { credentials, source } = loadOrCreateCredentials(config.dataDir, process.env);
  const server = await startServer(config, credentials, log);
  const out = process.stdout;
  out.write(
    [
      'Baton is running.',
      `  gateway (app routes):         ${server.gatewayUrl}`,
      `  control plane (APIs, admin):  ${server.controlUrl}`,
      `  data:                         ${config.dataDir} (${config.storage})`,
      `  credentials (${source}):`,
      `    access key id:      ${credentials.accessKeyId}`,
      `    secret access key:  ${credentials.secretAccessKey}`,
      '',
    ].join('\n'),
  );
  if (flags.deploy) {
    const dir = resolve(flags.deploy);
    try {
      const manifest = parseManifest(await readFile(join(dir, 'baton.yaml'), 'utf8'), dir);
      const result = await server.deployer.deployApp(
        manifest.app,
        manifest.functions,
        await packageDir(dir),
        manifest,
      );
      printDeployResult(manifest.app, result);
      const routes = routeLines(server.gatewayUrl, manifest.functions);
      if (routes.length > 0) out.write(`\nRoutes on the gateway:\n${routes.join('\n')}\n`);
      const first = Object.keys(manifest.functions)[0];
      if (first) out.write(`\nTry it:  npx baton invoke ${first} --data '{"name":"Ada"}'\n`);
      const get = Object.values(manifest.functions)
        .flatMap((f) => f.routes ?? [])
        .find((r) => r.route.startsWith('GET ') && !r.route.includes('{') && !r.auth);
      if (get) out.write(`         curl '${server.gatewayUrl}${get.route.slice(4)}?name=Ada'\n`);
    } catch (e) {
      process.stderr.write(`baton: deploying ${dir} failed: ${(e as Error).message}\n`);
    }
  }
  out.write('Press Ctrl-C to stop.\n');
  log.info({ gateway: server.gatewayUrl, control: server.controlUrl }, 'baton started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write('baton: stopping now\n');
      process.exit(130);
    }
    stopping = true;
    out.write(`\nStopping (${signal}): letting running invocations finish...\n`);
    server.close().then(
      () => {
        log.info('baton stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
