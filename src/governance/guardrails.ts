import { BatonError } from '../core/errors.ts';
import type { FunctionConfig } from '../core/function-spec.ts';
import { limits } from '../core/limits.ts';

/**
 * Account-wide limits an operator sets (issue 7, "Guardrails"). A deploy or API call that breaks
 * one is refused before anything changes. Guarded by test/governance/guardrails.test.ts.
 */
export interface Guardrails {
  /** MB: the most memory a function may have (`BATON_MAX_FUNCTION_MEMORY_MB`). */
  maxMemoryMb: number;
  /** Seconds: the longest timeout a function may have (`BATON_MAX_FUNCTION_TIMEOUT_S`). */
  maxTimeoutS: number;
  /**
   * Instances: the account's concurrency limit (`BATON_MAX_TOTAL_CONCURRENCY`), against which
   * reserved and provisioned concurrency are committed; `null`: no such limit.
   */
  maxTotalConcurrency: number | null;
}

export const DEFAULT_GUARDRAILS: Guardrails = {
  maxMemoryMb: limits.memoryMax,
  maxTimeoutS: limits.timeoutMax,
  maxTotalConcurrency: null,
};

/**
 * Lambda keeps 100 of the account's concurrency unreserved for the functions without reserved
 * concurrency; an account whose limit is lower keeps all of it ("below its minimum value of
 * [50]"). https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
export const UNRESERVED_MINIMUM = 100;

/** The concurrency that must stay unreserved under an account limit. */
export function unreservedMinimum(limit: number): number {
  return Math.min(UNRESERVED_MINIMUM, limit);
}

type Concurrency = Pick<FunctionConfig, 'reservedConcurrency' | 'provisionedConcurrency'>;

/**
 * Instances a function takes out of the account: its reserved concurrency, or, without one, its
 * provisioned instances (which are never more than the reserved ones).
 */
export function committedConcurrency(c: Concurrency): number {
  return Math.max(c.reservedConcurrency ?? 0, c.provisionedConcurrency);
}

/** How a caller names a function's fields in its messages: `functions.big.memory`, `MemorySize`. */
export interface FieldNames {
  memory: string;
  timeout: string;
  /** Named when the function reserves concurrency, or else `provisioned`. */
  reserved: string;
  provisioned: string;
}

/** Field paths under a manifest or admin API base, e.g. `functions.big`. */
export function fieldsUnder(base: string): FieldNames {
  return {
    memory: `${base}.memory`,
    timeout: `${base}.timeout`,
    reserved: `${base}.reservedConcurrency`,
    provisioned: `${base}.provisionedConcurrency`,
  };
}

/** The Lambda API's member names. */
export const LAMBDA_FIELDS: FieldNames = {
  memory: 'MemorySize',
  timeout: 'Timeout',
  reserved: 'ReservedConcurrentExecutions',
  provisioned: 'ProvisionedConcurrentExecutions',
};

function refuse(path: string, message: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${message}`, { details: { path } });
}

/**
 * Refuses memory or a timeout over the account's limits. With `previous`, only a value that
 * changes is checked: a limit lowered later does not strand the functions deployed before it.
 */
export function checkFunctionLimits(
  g: Guardrails,
  config: Pick<FunctionConfig, 'memory' | 'timeout'>,
  names: FieldNames,
  previous?: Pick<FunctionConfig, 'memory' | 'timeout'>,
): void {
  if (config.memory > g.maxMemoryMb && config.memory !== previous?.memory)
    throw refuse(
      names.memory,
      `${config.memory} MB is over this account's limit of ${g.maxMemoryMb} MB (BATON_MAX_FUNCTION_MEMORY_MB)`,
    );
  if (config.timeout > g.maxTimeoutS && config.timeout !== previous?.timeout)
    throw refuse(
      names.timeout,
      `${config.timeout} seconds is over this account's limit of ${g.maxTimeoutS} seconds (BATON_MAX_FUNCTION_TIMEOUT_S)`,
    );
}

/** The most concurrency the account's functions may reserve or provision together. */
export function committable(limit: number): number {
  return limit - unreservedMinimum(limit);
}

/**
 * Refuses functions whose reserved and provisioned concurrency, added to what the rest of the
 * account commits (`elsewhere`), would leave less than Lambda's minimum unreserved. The first
 * function that crosses the line is named. `previous` is what these functions commit now: a
 * change that does not raise it passes, so a limit lowered later strands nothing.
 */
export function checkTotalConcurrency(
  g: Guardrails,
  elsewhere: number,
  functions: { names: FieldNames; config: Concurrency }[],
  previous?: number,
): void {
  const limit = g.maxTotalConcurrency;
  if (limit === null) return;
  const allowed = committable(limit);
  const requested = functions.reduce((sum, f) => sum + committedConcurrency(f.config), 0);
  if (elsewhere + requested <= allowed || (previous !== undefined && requested <= previous)) return;
  let total = elsewhere;
  for (const { names, config } of functions) {
    const own = committedConcurrency(config);
    total += own;
    if (own === 0 || total <= allowed) continue;
    const reserved = config.reservedConcurrency !== null;
    throw refuse(
      reserved ? names.reserved : names.provisioned,
      `${own} ${reserved ? 'reserved' : 'provisioned'} instances would bring the concurrency reserved or provisioned across this account's functions to ${total}, over the ${allowed} allowed (BATON_MAX_TOTAL_CONCURRENCY is ${limit}, and ${unreservedMinimum(limit)} of it must stay unreserved)`,
    );
  }
}

/** What other functions than `except` commit. */
export function committedElsewhere(
  records: readonly (Concurrency & { name: string; app: string | null })[],
  except: (rec: { name: string; app: string | null }) => boolean,
): number {
  return records.reduce((sum, r) => sum + (except(r) ? 0 : committedConcurrency(r)), 0);
}

/** A manifest's functions, which replace every function of `app`: all of their values are checked. */
export function checkAppGuardrails(
  g: Guardrails,
  records: readonly (FunctionConfig & { name: string; app: string | null })[],
  app: string,
  functions: Record<string, FunctionConfig>,
): void {
  const entries = Object.entries(functions).map(([name, config]) => ({
    names: fieldsUnder(`functions.${name}`),
    config,
  }));
  for (const f of entries) checkFunctionLimits(g, f.config, f.names);
  checkTotalConcurrency(
    g,
    committedElsewhere(records, (r) => r.app === app),
    entries,
  );
}

/**
 * One function, created (no `previous`) or reconfigured. `names` defaults to the admin API's
 * paths (`function.memory`).
 */
export function checkFunctionGuardrails(
  g: Guardrails,
  records: readonly (FunctionConfig & { name: string; app: string | null })[],
  name: string,
  config: FunctionConfig,
  previous?: FunctionConfig,
  names: FieldNames = fieldsUnder('function'),
): void {
  checkFunctionLimits(g, config, names, previous);
  checkTotalConcurrency(
    g,
    committedElsewhere(records, (r) => r.name === name),
    [{ names, config }],
    previous && committedConcurrency(previous),
  );
}
