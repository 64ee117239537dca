import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { pino } from 'pino';
import { parseFunctionConfig } from '../../src/core/function-spec.ts';
import { loadConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';

export const TRIVIAL = zipSync({
  'index.mjs': strToU8(
    "export const handler = async () => 'ok';\nexport const echo = async (e) => e;\nexport const pid = async () => process.pid;\n",
  ),
});

/** Starts Baton in this process, on free ports, with a fresh SQLite data directory. */
export async function startBaton(
  env: Record<string, string> = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const config = loadConfig(
    { BATON_LOG_LEVEL: 'warn', ...env },
    { data: dataDir, port: '0', controlPort: '0' },
  );
  const server = await startServer(
    config,
    { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' },
    pino({ level: 'warn' }),
  );
  return Object.assign(server, { dataDir });
}

export async function createTrivial(
  server: RunningServer,
  name: string,
  config: Record<string, unknown> = {},
): Promise<void> {
  await server.deployer.create(
    name,
    parseFunctionConfig({ handler: 'index.handler', ...config }, 'bench'),
    TRIVIAL,
  );
}
