import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageKind } from '../backends/index.ts';
import { BatonError } from '../core/errors.ts';
import { limits } from '../core/limits.ts';
import type { Guardrails } from '../governance/guardrails.ts';
import { SESSION_TTL_DEFAULT_S, SESSION_TTL_MAX_S, SESSION_TTL_MIN_S } from '../governance/sessions.ts';
import { sdkModulesDir } from '../runtime/shared-modules.ts';
import { cacheLimits } from '../services/cache/constants.ts';

export type QueueBackendKind = 'sqlite' | 'postgres';

/** Everything the server is configured with. Each field names its unit. */
export interface ServerConfig {
  /** Address both listeners bind to. */
  host: string;
  /** Public gateway port (app HTTP routes). */
  port: number;
  /** Control-plane port (admin API, AWS APIs). */
  controlPort: number;
  /** Data directory (absolute). */
  dataDir: string;
  storage: StorageKind;
  /** Where queues live: `sqlite` keeps them in the storage above; `postgres` in `postgresUrl`. */
  queueBackend: QueueBackendKind;
  /** Where tables live: `sqlite` keeps them in the storage above; `postgres` in `postgresUrl`. */
  tableBackend: QueueBackendKind;
  /** How often the TTL sweeper deletes expired table items (ms). */
  ttlSweepMs: number;
  /** PostgreSQL connection URL; `?options=-c%20search_path%3D<schema>` picks a schema. */
  postgresUrl: string;
  region: string;
  accountId: string;
  /** Most instances across all functions. */
  maxInstances: number;
  /** Pre-started runners kept per memory size. */
  spareRunners: number;
  /** Days function logs are kept. */
  logRetentionDays: number;
  /** Scales `rate(...)` periods of schedules and scheduled rules (tests and demos: 0.01 makes a minute 0.6 s). */
  rateScale: number;
  /** Bytes of keys and values the cache holds before it evicts the least recently used entries. */
  cacheMaxBytes: number;
  /** Level of the platform's own logs (pino). */
  logLevel: string;
  /** Whether the platform records metrics (`BATON_METRICS=off` turns them off). */
  metrics: boolean;
  /** A bearer token that may read `GET /metrics` without a SigV4 signature (Prometheus); unset: none. */
  metricsToken: string | undefined;
  /** Whether usage is metered for costs and budgets (`BATON_METERING=off` turns it off). */
  metering: boolean;
  /** Whether spans are recorded (`BATON_TRACING=off` turns them off). */
  tracing: boolean;
  /** OTLP/HTTP base URL spans are exported to (`BATON_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`); unset: none. */
  otlpEndpoint: string | undefined;
  /** The built runner program. */
  runnerPath: string;
  /**
   * Seconds a function instance's session credentials last (900–43200); an instance is replaced
   * before they expire.
   */
  functionCredentialsTtlS: number;
  /** The node_modules folder holding the AWS SDK that handlers may import unbundled; unset: none. */
  sdkModulesDir: string | undefined;
  /**
   * Account-wide limits on a function's memory (MB) and timeout (seconds), and on the concurrency
   * (instances) all functions may reserve or provision (`BATON_MAX_*`; src/governance/guardrails.ts).
   */
  guardrails: Guardrails;
  /** A JSON price table over the defaults (`BATON_PRICES`); unset: AWS us-east-1 list prices. */
  pricesFile: string | undefined;
  /** Ms between flushes of metered usage to storage (`BATON_USAGE_FLUSH_MS`); a crash may lose one. */
  usageFlushMs: number;
  /** The shortest alarm period allowed, in seconds (`BATON_ALARM_MIN_PERIOD_S`, default 10). */
  alarmMinPeriodS: number;
}

export interface ConfigFlags {
  data?: string;
  port?: string;
  controlPort?: string;
  storage?: string;
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BatonError(
      'InvalidParameterValue',
      `${name} must be a whole number from ${min} to ${max} (got "${raw}")`,
    );
  return n;
}

/** The package root, found from this file whether it runs from src/ (tests) or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function defaultRunnerPath(): string {
  return join(packageRoot(), 'dist', 'runner.mjs');
}

/** Resolves the configuration from flags, then `BATON_*` variables, then defaults. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): ServerConfig {
  const storage = flags.storage ?? env.BATON_STORAGE ?? 'sqlite';
  if (storage !== 'sqlite' && storage !== 'memory')
    throw new BatonError('InvalidParameterValue', `storage must be "sqlite" or "memory" (got "${storage}")`);
  const queueBackend = env.BATON_QUEUE_BACKEND || 'sqlite';
  if (queueBackend !== 'sqlite' && queueBackend !== 'postgres')
    throw new BatonError(
      'InvalidParameterValue',
      `BATON_QUEUE_BACKEND must be "sqlite" or "postgres" (got "${queueBackend}")`,
    );
  const tableBackend = env.BATON_TABLE_BACKEND || 'sqlite';
  if (tableBackend !== 'sqlite' && tableBackend !== 'postgres')
    throw new BatonError(
      'InvalidParameterValue',
      `BATON_TABLE_BACKEND must be "sqlite" or "postgres" (got "${tableBackend}")`,
    );
  const region = env.BATON_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
    throw new BatonError('InvalidParameterValue', `BATON_REGION is not a region name: "${region}"`);
  const accountId = env.BATON_ACCOUNT_ID ?? '000000000000';
  if (!/^\d{12}$/.test(accountId))
    throw new BatonError('InvalidParameterValue', `BATON_ACCOUNT_ID must be 12 digits (got "${accountId}")`);
  return {
    host: env.BATON_HOST ?? '127.0.0.1',
    port: int('port', flags.port ?? env.BATON_PORT, 4747, 0, 65535),
    controlPort: int('control port', flags.controlPort ?? env.BATON_CONTROL_PORT, 4748, 0, 65535),
    dataDir: resolve(flags.data ?? env.BATON_DATA ?? '.baton'),
    storage,
    queueBackend,
    tableBackend,
    ttlSweepMs: int('BATON_TTL_SWEEP_MS', env.BATON_TTL_SWEEP_MS, 10_000, 50, 86_400_000),
    postgresUrl: env.BATON_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test',
    region,
    accountId,
    maxInstances: int('BATON_MAX_INSTANCES', env.BATON_MAX_INSTANCES, 256, 1, 100_000),
    spareRunners: int('BATON_SPARE_RUNNERS', env.BATON_SPARE_RUNNERS, 2, 0, 64),
    logRetentionDays: int('BATON_LOG_RETENTION_DAYS', env.BATON_LOG_RETENTION_DAYS, 7, 1, 3650),
    rateScale: rateScaleOf(env.BATON_RATE_SCALE),
    cacheMaxBytes: int(
      'BATON_CACHE_MAX_BYTES',
      env.BATON_CACHE_MAX_BYTES,
      cacheLimits.maxBytesDefault,
      cacheLimits.maxBytesMin,
      2 ** 50,
    ),
    logLevel: env.BATON_LOG_LEVEL ?? 'info',
    metrics: onOff('BATON_METRICS', env.BATON_METRICS, true),
    metricsToken: metricsTokenOf(env.BATON_METRICS_TOKEN),
    tracing: onOff('BATON_TRACING', env.BATON_TRACING, true),
    metering: onOff('BATON_METERING', env.BATON_METERING, true),
    otlpEndpoint: env.BATON_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    runnerPath: env.BATON_RUNNER_PATH ?? defaultRunnerPath(),
    functionCredentialsTtlS: int(
      'BATON_FUNCTION_CREDENTIALS_TTL_S',
      env.BATON_FUNCTION_CREDENTIALS_TTL_S,
      SESSION_TTL_DEFAULT_S,
      SESSION_TTL_MIN_S,
      SESSION_TTL_MAX_S,
    ),
    sdkModulesDir: sdkModulesDir(packageRoot()),
    guardrails: guardrailsOf(env),
    pricesFile: env.BATON_PRICES || undefined,
    usageFlushMs: int('BATON_USAGE_FLUSH_MS', env.BATON_USAGE_FLUSH_MS, 1000, 10, 60_000),
    alarmMinPeriodS: int('BATON_ALARM_MIN_PERIOD_S', env.BATON_ALARM_MIN_PERIOD_S, 10, 1, 86_400),
  };
}

/**
 * Unset, BATON_MAX_TOTAL_CONCURRENCY sets no limit on reserved and provisioned concurrency (the Lambda
 * API still refuses reserving more than BATON_MAX_INSTANCES): defaulting it to BATON_MAX_INSTANCES
 * would, with Lambda's 100 unreserved, forbid reserved concurrency on every server of 100
 * instances or fewer.
 */
function guardrailsOf(env: NodeJS.ProcessEnv): Guardrails {
  const total = env.BATON_MAX_TOTAL_CONCURRENCY;
  return {
    maxMemoryMb: int(
      'BATON_MAX_FUNCTION_MEMORY_MB',
      env.BATON_MAX_FUNCTION_MEMORY_MB,
      limits.memoryMax,
      limits.memoryMin,
      limits.memoryMax,
    ),
    maxTimeoutS: int(
      'BATON_MAX_FUNCTION_TIMEOUT_S',
      env.BATON_MAX_FUNCTION_TIMEOUT_S,
      limits.timeoutMax,
      limits.timeoutMin,
      limits.timeoutMax,
    ),
    maxTotalConcurrency:
      total === undefined || total === '' ? null : int('BATON_MAX_TOTAL_CONCURRENCY', total, 0, 1, 1_000_000),
  };
}

function rateScaleOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new BatonError(
      'InvalidParameterValue',
      `BATON_RATE_SCALE must be a number in (0, 1] (got "${raw}")`,
    );
  return n;
}

function onOff(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new BatonError('InvalidParameterValue', `${name} must be "on" or "off" (got "${raw}")`);
}

/** Short tokens are guessable; spaces or control characters would not survive the header. */
function metricsTokenOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw))
    throw new BatonError(
      'InvalidParameterValue',
      'BATON_METRICS_TOKEN must be at least 16 printable characters, without spaces',
    );
  return raw;
}
