import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { parseManifest } from '../../deploy/manifest.ts';
import { packageDir } from '../../deploy/package-dir.ts';
import { type ConfigFlags, loadConfig } from '../../server/config.ts';
import { loadOrCreateCredentials } from '../../server/credentials.ts';
import { startServer } from '../../server/server.ts';
import { printDeployResult } from './deploy.ts';

/** `baton up`: runs the server in the foreground until Ctrl-C. */
export async function up(flags: ConfigFlags & { deploy?: string }): Promise<void> {
  const config = loadConfig(process.env, flags);
  const log = pino(
    { level: config.logLevel, base: { svc: 'baton' }, redact: ['secretAccessKey', '*.secretAccessKey'] },
    pino.destination(2),
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
      const result = await server.deployer.deployApp(manifest.app, manifest.functions, await packageDir(dir));
      printDeployResult(manifest.app, result);
      const first = Object.keys(manifest.functions)[0];
      if (first) out.write(`\nTry it:  npx baton invoke ${first} --data '{"name":"Ada"}'\n`);
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
