/**
 * The AWS SDK for JavaScript v3, shared read-only with every instance, as Lambda's nodejs20.x
 * runtime provides it: a handler imports `@aws-sdk/client-sqs` (ESM or CommonJS) without bundling
 * it. https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 *
 * Instances load their code through `<sandboxRoot>/<id>/code`, a link to the code store that
 * `--preserve-symlinks` keeps as is, so module resolution walks up from there:
 * `<sandboxRoot>/<id>/code/node_modules` (the function's own, which wins), then
 * `<sandboxRoot>/<id>/node_modules`, then `<sandboxRoot>/node_modules`: a link to the node_modules
 * folder that holds Baton's SDK. The permission model checks paths as given, so instances are
 * granted that link (and the folder itself, for code that resolves real paths): all of that
 * node_modules folder becomes readable by functions (README, threat model).
 * Guarded by `test/compat/function-roles.test.ts`.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package whose presence marks the folder to share. */
const MARKER = join('@aws-sdk', 'client-sqs');

/**
 * The node_modules folder Node would find the SDK in from `start` (Baton's package root): its own,
 * or an ancestor's when npm hoisted the SDK there. Undefined when the SDK is not installed.
 */
export function sdkModulesDir(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, MARKER))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Links `modulesDir` into `sandboxRoot` as `node_modules` (replacing a link a previous run left)
 * and returns the paths instances must be allowed to read.
 */
export function shareModules(sandboxRoot: string, modulesDir: string): string[] {
  mkdirSync(sandboxRoot, { recursive: true });
  const link = join(sandboxRoot, 'node_modules');
  let current: string | undefined;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : '';
  } catch {
    current = undefined;
  }
  if (current !== modulesDir) {
    if (current !== undefined) rmSync(link, { recursive: true, force: true });
    symlinkSync(modulesDir, link, 'dir');
  }
  return [link, modulesDir];
}
