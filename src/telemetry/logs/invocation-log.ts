import { type LoggingSettings, SYSTEM_LOG_LEVELS, type SystemLogLevel } from '../../core/logging-config.ts';
import type { LogRecord } from './backend.ts';

/**
 * What an invocation logged, kept structured on the invoke path and turned into Lambda's lines
 * (START, the function's lines, END, REPORT, or their JSON records) only when logs are written
 * or read.
 */
export interface InvocationLog {
  requestId: string;
  version: string;
  /** The function's own lines, already formatted by the runner, plus platform lines. */
  lines: string[];
  durationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** On a cold start. */
  initDurationMs?: number;
  /** `timeout`, or `error\tError Type: …`, when the platform ended the invocation. */
  status?: string;
  /**
   * Set when the function logs in JSON (its LoggingConfig): the platform's lines are then JSON
   * records, each written when at or above `systemLogLevel`; `failed` (the function returned an
   * error) makes the report's status `error`.
   */
  json?: { systemLogLevel: SystemLogLevel; failed: boolean };
}

/** Marks an invocation's log for JSON when its function's LoggingConfig asks for it. */
export function applyLogFormat(
  log: InvocationLog,
  logging: LoggingSettings | undefined,
  failed: boolean,
): void {
  if (logging?.format === 'JSON') log.json = { systemLogLevel: logging.systemLogLevel ?? 'INFO', failed };
}

export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/**
 * The lines as Lambda writes them to CloudWatch: START, the function's lines, END and REPORT; or,
 * in JSON, `platform.start`, the function's records, `platform.runtimeDone` (at DEBUG) and
 * `platform.report`. `startedAt` (epoch ms) stamps the JSON records.
 */
export function formatInvocationLog(log: InvocationLog, startedAt = Date.now() - log.durationMs): string[] {
  if (log.json) return jsonInvocationLog(log, log.json, startedAt);
  const rid = log.requestId;
  let report =
    `REPORT RequestId: ${rid}\tDuration: ${log.durationMs.toFixed(2)} ms\tBilled Duration: ${billedMs(log.durationMs)} ms` +
    `\tMemory Size: ${log.memorySizeMB} MB\tMax Memory Used: ${log.maxMemoryUsedMB} MB`;
  if (log.initDurationMs !== undefined) report += `\tInit Duration: ${log.initDurationMs.toFixed(2)} ms`;
  if (log.status !== undefined) report += `\tStatus: ${log.status}`;
  return [`START RequestId: ${rid} Version: ${log.version}`, ...log.lines, `END RequestId: ${rid}`, report];
}

/**
 * Lambda's platform records in JSON, as its Telemetry API shapes them
 * (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html) and as they
 * reach CloudWatch with `LogFormat: JSON`; a record below the system log level is left out.
 */
function jsonInvocationLog(
  log: InvocationLog,
  json: NonNullable<InvocationLog['json']>,
  startedAt: number,
): string[] {
  const at = (level: SystemLogLevel) =>
    SYSTEM_LOG_LEVELS.indexOf(level) >= SYSTEM_LOG_LEVELS.indexOf(json.systemLogLevel);
  const time = (ms: number) => new Date(ms).toISOString();
  const end = startedAt + log.durationMs;
  const errorType = log.status?.startsWith('error') ? log.status.split('Error Type: ')[1] : undefined;
  const status =
    log.status === 'timeout' ? 'timeout' : errorType !== undefined || json.failed ? 'error' : 'success';
  const outcome = { status, ...(errorType ? { errorType } : {}) };
  const metrics: Record<string, number> = {
    durationMs: round(log.durationMs),
    billedDurationMs: billedMs(log.durationMs),
    memorySizeMB: log.memorySizeMB,
    maxMemoryUsedMB: log.maxMemoryUsedMB,
  };
  if (log.initDurationMs !== undefined) metrics.initDurationMs = round(log.initDurationMs);
  const rid = log.requestId;
  const out: string[] = [];
  const record = (t: number, type: string, body: Record<string, unknown>) =>
    out.push(JSON.stringify({ time: time(t), type, record: { requestId: rid, ...body } }));
  if (at('INFO')) record(startedAt, 'platform.start', { version: log.version });
  out.push(...log.lines);
  if (at('DEBUG'))
    record(end, 'platform.runtimeDone', { ...outcome, metrics: { durationMs: metrics.durationMs } });
  if (at('INFO')) record(end, 'platform.report', { metrics, ...outcome });
  return out;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The stored form: one record per invocation, its lines joined. */
export function toLogRecord(functionName: string, ts: number, log: InvocationLog): LogRecord {
  return {
    function: functionName,
    ts,
    requestId: log.requestId,
    message: formatInvocationLog(log, ts).join('\n'),
  };
}
