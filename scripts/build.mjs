// Builds dist/: the CLI (which holds the server) and the runner that every instance process runs.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', packages: 'external' }),
  // The runner is self-contained: an instance may read no file but this one and its own code.
  build({
    ...common,
    entryPoints: ['src/runtime/runner/main.ts'],
    outfile: 'dist/runner.mjs',
    sourcemap: false,
  }),
]);
