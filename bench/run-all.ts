/** Runs every benchmark in turn: `npm run bench`. Each prints its figures beside its baseline. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const benches = [
  'cold-start.ts',
  'warm.ts',
  'metrics-overhead.ts',
  'throughput.ts',
  'gateway.ts',
  'memory.ts',
  'sigv4.ts',
  'lambda-api.ts',
  'async.ts',
  'topics.ts',
  'sqs.ts',
  'queue-function.ts',
  'bus-patterns.ts',
  'events.ts',
  'cache.ts',
  'tables.ts',
  'policy.ts',
  'governance-overhead.ts',
  'authorize.ts',
  'table-streams.ts',
];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== bench/${b} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, b)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
