import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { DeployResult } from '../../deploy/deployer.ts';
import { parseManifest } from '../../deploy/manifest.ts';
import { packageDir } from '../../deploy/package-dir.ts';
import { AdminClient, CliError, type ClientOptions } from '../client.ts';

export function printDeployResult(app: string, r: DeployResult): void {
  const lines = [`Deployed app "${app}":`];
  for (const n of r.created) lines.push(`  + ${n} (created)`);
  for (const n of r.updated) lines.push(`  ~ ${n} (updated)`);
  for (const n of r.unchanged) lines.push(`  = ${n} (unchanged)`);
  for (const n of r.deleted) lines.push(`  - ${n} (deleted)`);
  if (lines.length === 1) lines.push('  (no functions)');
  for (const q of r.queues ?? []) lines.push(`  queue ${q}`);
  for (const m of r.mappings ?? []) lines.push(`  queue event ${m}`);
  for (const t of r.topics ?? []) lines.push(`  topic ${t}`);
  for (const t of r.rules ?? []) lines.push(`  ${t}`);
  for (const t of r.tables ?? []) lines.push(`  table ${t}`);
  for (const m of r.tableEvents ?? []) lines.push(`  table event ${m}`);
  for (const a of r.alarms ?? []) lines.push(`  ${a}`);
  process.stdout.write(lines.join('\n') + '\n');
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
}

/** `baton deploy [DIR]`: ships DIR (with its baton.yaml) and prints what changed. */
export async function deploy(dirArg: string | undefined, opts: ClientOptions): Promise<void> {
  const dir = resolve(dirArg ?? '.');
  let text: string;
  try {
    text = await readFile(join(dir, 'baton.yaml'), 'utf8');
  } catch {
    throw new CliError(`no baton.yaml in ${dir}`, 2);
  }
  // Checked here first so that a bad manifest fails before anything is uploaded.
  try {
    parseManifest(text, dir);
  } catch (e) {
    throw new CliError(`baton.yaml: ${(e as Error).message}`, 2);
  }
  const client = new AdminClient(opts);
  const zip = await packageDir(dir);
  const r = await client.json<DeployResult & { app: string }>(
    'POST',
    `deploy?app=${encodeURIComponent(basename(dir))}`,
    zip,
    'application/zip',
  );
  printDeployResult(r.app, r);
}
