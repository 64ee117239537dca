/**
 * Memory: unique memory (USS: private pages) per idle warm instance; then 1,000 deployed
 * functions with 100 warm instances: what the platform and its instances hold, and whether
 * reaping gives it back. Baseline, same run: the USS of a bare idle `node` child process.
 * Run with --expose-gc for a settled platform heap figure.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTrivial, startBaton } from './lib/runtime.ts';
import { fmt, median, table } from './lib/stats.ts';

function ussMiB(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return (kb('Private_Clean') + kb('Private_Dirty')) / 1024;
  } catch {
    return Number.NaN;
  }
}

function rssMiB(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function runnerPids(): number[] {
  const pids: number[] = [];
  for (const line of readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)) {
    if (line) pids.push(Number(line));
  }
  return pids;
}

const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 300));
};
const platform = () => rssMiB(process.pid);

const server = await startBaton({ BATON_SPARE_RUNNERS: '1', BATON_MAX_INSTANCES: '256' });
await server.spares.whenFull();
await settle();
const rssStart = platform();

// Baseline: a bare idle node child with an IPC channel, measured as long after its start as the
// instances are.
const bare = fork(join(import.meta.dirname, 'peers', 'ipc-echo.mjs'), [], { stdio: 'ignore', execArgv: [] });

// 1,000 functions (the same code is stored once), 100 of them warm.
const FUNCTIONS = 1000;
const WARM = 100;
for (let i = 0; i < FUNCTIONS; i++) await createTrivial(server, `fn${i}`, { idleTimeout: 20 });
await settle();
const rssDeployed = platform();
for (let i = 0; i < WARM; i++) await server.invoker.invoke(`fn${i}`, '{}');
await new Promise((r) => setTimeout(r, 500));
await settle();
const instancePids = runnerPids().filter((p) => p !== bare.pid);
const uss = instancePids.map(ussMiB).filter(Number.isFinite);
const rss = instancePids.map(rssMiB);
const rssWarm = platform();
const bareUss = ussMiB(bare.pid!);
bare.kill();
const live = server.pool.stats().live;

// Reaping: idleTimeout is 20 s and the scaling pass runs every second.
const t0 = Date.now();
while (server.pool.stats().live > 0 && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 200));
await settle();
const afterPids = runnerPids();
const rssReaped = platform();

console.log('Memory (MiB)');
table([
  ['what', 'value'],
  ['unique memory per idle warm instance (USS, median)', fmt(median(uss))],
  ['baseline: bare idle node child with IPC (USS)', fmt(bareUss)],
  ['resident memory per instance (RSS, median; mostly shared pages)', fmt(median(rss))],
  [`platform RSS at start`, fmt(rssStart)],
  [`platform RSS with ${FUNCTIONS} functions deployed`, fmt(rssDeployed)],
  [`platform RSS with ${live} warm instances`, fmt(rssWarm)],
  [`instances' unique memory, all ${uss.length} processes`, fmt(uss.reduce((a, b) => a + b, 0))],
  ['platform RSS after reaping', fmt(rssReaped)],
  ['processes left after reaping (spares)', String(afterPids.length)],
  ['live instances after reaping', String(server.pool.stats().live)],
]);
await server.close();
