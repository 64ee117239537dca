import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BatonError } from '../core/errors.ts';
import { type FunctionConfig, type FunctionRecord, validateFunctionName } from '../core/function-spec.ts';
import type { Registry } from '../registry/registry.ts';
import type { CodeStore } from './code-store.ts';

export interface DeployResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  /** Problems that do not stop a deploy (a handler file that is missing). */
  warnings: string[];
}

/** Applies function changes: one function at a time (admin API) or a whole app (manifest). */
export class Deployer {
  constructor(
    private readonly registry: Registry,
    private readonly code: CodeStore,
    private readonly clock: Clock,
  ) {}

  private async record(
    name: string,
    config: FunctionConfig,
    code: { sha256: string; size: number },
    app: string | null,
    previous: FunctionRecord | undefined,
  ): Promise<FunctionRecord> {
    const entry = await this.code.resolveEntry(code.sha256, config.handler);
    // Only what an instance is built from: a change to these drains the old instances.
    const revision = createHash('sha256')
      .update(JSON.stringify([code.sha256, entry, config.handler, config.memory, config.environment]))
      .digest('hex')
      .slice(0, 16);
    const now = this.clock.now();
    return {
      ...config,
      name,
      app,
      runtime: 'nodejs20.x',
      codeSha256: code.sha256,
      codeSize: code.size,
      entry,
      revision,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
  }

  private static warningsFor(rec: FunctionRecord, path: string): string[] {
    return rec.entry === null
      ? [
          `${path}.handler: no file ${rec.handler.slice(0, rec.handler.lastIndexOf('.'))}.{js,mjs,cjs,ts} in the code; invocations will fail with Runtime.ImportModuleError`,
        ]
      : [];
  }

  async create(
    name: string,
    config: FunctionConfig,
    zip: Uint8Array,
  ): Promise<{ record: FunctionRecord; warnings: string[] }> {
    validateFunctionName(name);
    if (this.registry.get(name)) throw new BatonError('ResourceConflict', `Function already exist: ${name}`);
    const code = await this.code.putZip(zip);
    const record = await this.record(name, config, code, null, undefined);
    await this.registry.put(record);
    return { record, warnings: Deployer.warningsFor(record, 'function') };
  }

  async update(
    name: string,
    change: { config?: FunctionConfig; zip?: Uint8Array },
  ): Promise<{ record: FunctionRecord; warnings: string[] }> {
    const previous = this.registry.get(name);
    if (!previous) throw new BatonError('ResourceNotFound', `Function not found: ${name}`);
    const code = change.zip
      ? await this.code.putZip(change.zip)
      : { sha256: previous.codeSha256, size: previous.codeSize };
    const record = await this.record(name, change.config ?? previous, code, previous.app, previous);
    await this.registry.put(record);
    return { record, warnings: Deployer.warningsFor(record, 'function') };
  }

  async delete(name: string): Promise<void> {
    if (!(await this.registry.delete(name)))
      throw new BatonError('ResourceNotFound', `Function not found: ${name}`);
  }

  /**
   * Makes the running app match a manifest: creates and updates its functions, leaves the
   * unchanged ones (and their warm instances) alone, and deletes the app's functions that the
   * manifest no longer has. Functions of other apps are never touched.
   */
  async deployApp(
    app: string,
    functions: Record<string, FunctionConfig>,
    zip: Uint8Array,
  ): Promise<DeployResult> {
    const result: DeployResult = { created: [], updated: [], unchanged: [], deleted: [], warnings: [] };
    for (const name of Object.keys(functions)) {
      validateFunctionName(name, `functions.${name}`);
      const owner = this.registry.get(name)?.app;
      if (owner !== undefined && owner !== app)
        throw new BatonError(
          'ResourceConflict',
          `functions.${name}: a function of that name belongs to ${owner === null ? 'no app' : `app "${owner}"`}`,
        );
    }
    const code = await this.code.putZip(zip);
    for (const [name, config] of Object.entries(functions)) {
      const previous = this.registry.get(name);
      const record = await this.record(name, config, code, app, previous);
      result.warnings.push(...Deployer.warningsFor(record, `functions.${name}`));
      if (previous && sameDeployment(previous, record)) {
        result.unchanged.push(name);
        continue;
      }
      await this.registry.put(record);
      (previous ? result.updated : result.created).push(name);
    }
    for (const rec of this.registry.list()) {
      if (rec.app === app && !(rec.name in functions)) {
        await this.registry.delete(rec.name);
        result.deleted.push(rec.name);
      }
    }
    return result;
  }
}

function sameDeployment(a: FunctionRecord, b: FunctionRecord): boolean {
  const strip = ({ createdAt: _c, updatedAt: _u, ...rest }: FunctionRecord) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
