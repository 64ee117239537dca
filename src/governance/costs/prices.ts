import { readFileSync } from 'node:fs';
import { BatonError } from '../../core/errors.ts';
import type { UsageCounts } from './usage.ts';

/** USD prices. Each field names its unit. */
export interface PriceTable {
  /** When the prices were taken from AWS's public pages (`YYYY-MM-DD`). */
  takenAt: string;
  /** Where they come from (a region, or the operator's own name for a custom table). */
  source: string;
  currency: 'USD';
  /** Lambda: per invocation request. */
  lambdaRequest: number;
  /** Lambda: per GB-second of billed duration (x86). */
  lambdaGbSecond: number;
  /** API Gateway HTTP API: per request (first 300 million a month). */
  gatewayRequest: number;
  /** SQS standard queue: per request (per 64 KB chunk). */
  queueRequest: number;
  /** SNS standard topic: per publish request (per 64 KB chunk). */
  topicRequest: number;
  /** EventBridge: per custom event put (per 64 KB chunk). */
  busEvent: number;
  /** DynamoDB on-demand: per read request unit. */
  tableReadUnit: number;
  /** DynamoDB on-demand: per write request unit. */
  tableWriteUnit: number;
}

const M = 1_000_000;

/**
 * AWS's public us-east-1 list prices, without free tiers or volume discounts, as published on
 * aws.amazon.com/{lambda,api-gateway,sqs,sns,eventbridge,dynamodb}/pricing (DynamoDB's are the
 * on-demand rates after the 2024-11-01 reduction). Override with `BATON_PRICES` (README, "Costs
 * and budgets").
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  takenAt: '2025-06-01',
  source: 'aws us-east-1 public list prices',
  currency: 'USD',
  lambdaRequest: 0.2 / M,
  lambdaGbSecond: 0.0000166667,
  gatewayRequest: 1.0 / M,
  queueRequest: 0.4 / M,
  topicRequest: 0.5 / M,
  busEvent: 1.0 / M,
  tableReadUnit: 0.125 / M,
  tableWriteUnit: 0.625 / M,
});

const NUMERIC = [
  'lambdaRequest',
  'lambdaGbSecond',
  'gatewayRequest',
  'queueRequest',
  'topicRequest',
  'busEvent',
  'tableReadUnit',
  'tableWriteUnit',
] as const;

/** The defaults, with the fields of a JSON object over them; a bad field is refused by name. */
export function parsePrices(raw: unknown, what = 'BATON_PRICES'): PriceTable {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BatonError('InvalidParameterValue', `${what}: must be a JSON object of prices`);
  const o = raw as Record<string, unknown>;
  const out: PriceTable = { ...DEFAULT_PRICES, source: 'custom' };
  for (const k of Object.keys(o)) {
    if ((NUMERIC as readonly string[]).includes(k)) {
      const v = o[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new BatonError('InvalidParameterValue', `${what}: ${k} must be a number ≥ 0 (USD)`);
      out[k as (typeof NUMERIC)[number]] = v;
    } else if (k === 'takenAt' || k === 'source') {
      if (typeof o[k] !== 'string')
        throw new BatonError('InvalidParameterValue', `${what}: ${k} must be a string`);
      out[k] = o[k] as string;
    } else if (k !== 'currency') {
      throw new BatonError('InvalidParameterValue', `${what}: unknown price "${k}"`);
    }
  }
  return out;
}

/** The price table of a JSON file (`BATON_PRICES`), or the defaults when none is given. */
export function loadPrices(file: string | undefined): PriceTable {
  if (!file) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BatonError(
      'InvalidParameterValue',
      `BATON_PRICES: cannot read ${file}: ${(e as Error).message}`,
    );
  }
  return parsePrices(raw, `BATON_PRICES (${file})`);
}

export interface CostBreakdown {
  requests: number;
  compute: number;
  gateway: number;
  queues: number;
  topics: number;
  bus: number;
  tables: number;
  total: number;
}

export function gbSeconds(c: Pick<UsageCounts, 'mbMs'>): number {
  return c.mbMs / 1024 / 1000;
}

/** USD of some usage at some prices. */
export function costOf(c: UsageCounts, p: PriceTable): CostBreakdown {
  const b = {
    requests: c.invocations * p.lambdaRequest,
    compute: gbSeconds(c) * p.lambdaGbSecond,
    gateway: c.gatewayRequests * p.gatewayRequest,
    queues: c.queueRequests * p.queueRequest,
    topics: c.topicRequests * p.topicRequest,
    bus: c.busEvents * p.busEvent,
    tables: (c.readHalfUnits / 2) * p.tableReadUnit + c.writeUnits * p.tableWriteUnit,
  };
  return { ...b, total: b.requests + b.compute + b.gateway + b.queues + b.topics + b.bus + b.tables };
}
