import { BatonError } from './errors.ts';

/**
 * A function's log settings: Lambda's LoggingConfig
 * (https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html) and a retention period
 * as CloudWatch Logs' PutRetentionPolicy takes it.
 */

/** Application log levels, most detailed first (the runtime's priorities 1–6). */
export const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type ApplicationLogLevel = (typeof APPLICATION_LOG_LEVELS)[number];

/** System (platform) log levels, most detailed first. */
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
export type SystemLogLevel = (typeof SYSTEM_LOG_LEVELS)[number];

export type LogFormat = 'Text' | 'JSON';

/** As stored with a function. With `JSON`, both levels are set (Lambda's default is INFO). */
export interface LoggingSettings {
  format: LogFormat;
  /** Only with JSON: console calls below this level are dropped in the instance. */
  applicationLogLevel?: ApplicationLogLevel;
  /** Only with JSON: platform records (`platform.start`, `platform.report` …) below it are dropped. */
  systemLogLevel?: SystemLogLevel;
  /** Accepted and stored; the function sees it as AWS_LAMBDA_LOG_GROUP_NAME. Absent: /aws/lambda/NAME. */
  logGroup?: string;
}

/** The values CloudWatch Logs accepts for a log group's retention, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_GROUP_RE = /^[.\-_/#A-Za-z0-9]{1,512}$/;

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  const v = typeof value === 'string' ? value.toUpperCase() : value;
  const hit = allowed.find((a) => a.toUpperCase() === v);
  if (hit === undefined) throw invalid(path, `must be one of ${allowed.join(', ')}`);
  return hit;
}

/** The group a function's logs belong to. */
export function logGroupOf(name: string, logging: LoggingSettings | undefined): string {
  return logging?.logGroup ?? `/aws/lambda/${name}`;
}

/**
 * Validates `{ format, applicationLogLevel, systemLogLevel, logGroup }` (the manifest's and the
 * admin API's spelling). Levels need the JSON format, as Lambda requires; absent levels of a JSON
 * function become INFO. `null` or absent: Lambda's defaults (Text), stored as absent.
 */
export function parseLogging(input: unknown, path: string): LoggingSettings | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid(path, 'must be a mapping');
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!['format', 'applicationLogLevel', 'systemLogLevel', 'logGroup'].includes(key))
      throw invalid(`${path}.${key}`, 'is not a known field');
  const format = o.format === undefined ? 'Text' : oneOf(o.format, ['Text', 'JSON'], `${path}.format`);
  const out: LoggingSettings = { format };
  if (format === 'JSON') {
    out.applicationLogLevel =
      o.applicationLogLevel === undefined
        ? 'INFO'
        : oneOf(o.applicationLogLevel, APPLICATION_LOG_LEVELS, `${path}.applicationLogLevel`);
    out.systemLogLevel =
      o.systemLogLevel === undefined
        ? 'INFO'
        : oneOf(o.systemLogLevel, SYSTEM_LOG_LEVELS, `${path}.systemLogLevel`);
  } else if (o.applicationLogLevel !== undefined || o.systemLogLevel !== undefined) {
    throw invalid(path, 'applicationLogLevel and systemLogLevel need format JSON (as on Lambda)');
  }
  if (o.logGroup !== undefined) {
    if (typeof o.logGroup !== 'string' || !LOG_GROUP_RE.test(o.logGroup))
      throw invalid(`${path}.logGroup`, 'must be 1-512 characters of letters, digits and . - _ / #');
    out.logGroup = o.logGroup;
  }
  return format === 'Text' && out.logGroup === undefined ? undefined : out;
}

/** One of CloudWatch's retention values; `null` or absent: the platform's default. */
export function parseRetentionDays(input: unknown, path: string): number | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'number' || !(RETENTION_DAYS as readonly number[]).includes(input))
    throw invalid(path, `must be one of CloudWatch's retention values: ${RETENTION_DAYS.join(', ')} (days)`);
  return input;
}
