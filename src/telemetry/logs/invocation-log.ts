import type { LogRecord } from './backend.ts';

/**
 * What an invocation logged, kept structured on the invoke path and turned into Lambda's text
 * lines (START, the function's lines, END, REPORT) only when logs are written or read.
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
}

export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** The lines as Lambda writes them to CloudWatch. */
export function formatInvocationLog(log: InvocationLog): string[] {
  const rid = log.requestId;
  let report =
    `REPORT RequestId: ${rid}\tDuration: ${log.durationMs.toFixed(2)} ms\tBilled Duration: ${billedMs(log.durationMs)} ms` +
    `\tMemory Size: ${log.memorySizeMB} MB\tMax Memory Used: ${log.maxMemoryUsedMB} MB`;
  if (log.initDurationMs !== undefined) report += `\tInit Duration: ${log.initDurationMs.toFixed(2)} ms`;
  if (log.status !== undefined) report += `\tStatus: ${log.status}`;
  return [`START RequestId: ${rid} Version: ${log.version}`, ...log.lines, `END RequestId: ${rid}`, report];
}

/** The stored form: one record per invocation, its lines joined. */
export function toLogRecord(functionName: string, ts: number, log: InvocationLog): LogRecord {
  return {
    function: functionName,
    ts,
    requestId: log.requestId,
    message: formatInvocationLog(log).join('\n'),
  };
}
