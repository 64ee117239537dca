import { randomUUID } from 'node:crypto';
import type { BusDelivery, RuleRecord, TargetRecord } from './backend.ts';
import { transformInput } from './input-transformer.ts';
import { compileEventPattern } from './pattern.ts';
import { RuleIndex } from './rule-index.ts';
import { DEFAULT_MAX_EVENT_AGE_S, DEFAULT_MAX_RETRIES } from './targets.ts';

/**
 * The rules of every bus in memory: each record, and its compiled pattern in one `RuleIndex` per
 * bus, so that matching an event tests only candidate rules. Told of every change, it tells
 * `changed` in turn (scheduled rules follow it).
 */
export class RuleBook {
  readonly #rules = new Map<string, Map<string, RuleRecord>>();
  readonly #indexes = new Map<string, RuleIndex>();

  constructor(private readonly changed?: (bus: string, name: string, rule: RuleRecord | undefined) => void) {}

  get(bus: string, name: string): RuleRecord | undefined {
    return this.#rules.get(bus)?.get(name);
  }

  /** A bus's rules, in no particular order. */
  all(bus: string): RuleRecord[] {
    return [...(this.#rules.get(bus)?.values() ?? [])];
  }

  /** Adds or replaces a rule (a bad stored pattern throws, as when it was put). */
  file(r: RuleRecord): void {
    const pattern = r.eventPattern !== undefined ? compileEventPattern(r.eventPattern) : undefined;
    let rules = this.#rules.get(r.bus);
    if (!rules) {
      rules = new Map();
      this.#rules.set(r.bus, rules);
    }
    let index = this.#indexes.get(r.bus);
    if (!index) {
      index = new RuleIndex();
      this.#indexes.set(r.bus, index);
    }
    rules.set(r.name, r);
    if (pattern && r.state === 'ENABLED') index.add(r.name, pattern);
    else index.remove(r.name);
    this.changed?.(r.bus, r.name, r);
  }

  unfile(bus: string, name: string): void {
    this.#rules.get(bus)?.delete(name);
    this.#indexes.get(bus)?.remove(name);
    this.changed?.(bus, name, undefined);
  }

  /** Forgets a deleted bus and its rules. */
  dropBus(bus: string): void {
    for (const name of this.#rules.get(bus)?.keys() ?? []) this.changed?.(bus, name, undefined);
    this.#rules.delete(bus);
    this.#indexes.delete(bus);
  }

  /** The enabled rules of a bus whose pattern matches the event. */
  match(bus: string, event: Record<string, unknown>): RuleRecord[] {
    const index = this.#indexes.get(bus);
    if (!index) return [];
    const out: RuleRecord[] = [];
    for (const name of index.match(event)) {
      const rule = this.get(bus, name);
      if (rule) out.push(rule);
    }
    return out;
  }
}

/** A rule's deliveries for one event: one per target, each with its input already transformed. */
export function deliveriesFor(
  rule: RuleRecord,
  ruleArn: string,
  event: Record<string, unknown>,
  now: number,
): BusDelivery[] {
  const text = JSON.stringify(event);
  return rule.targets.map((t: TargetRecord) => {
    const d: BusDelivery = {
      id: randomUUID(),
      bus: rule.bus,
      rule: rule.name,
      ruleArn,
      targetId: t.Id,
      targetArn: t.Arn,
      event: text,
      payload: transformInput(t, event, { ruleName: rule.name, ruleArn }),
      maxRetries: t.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
      maxAgeMs: (t.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000,
      createdAt: now,
      dueAt: now,
      attempts: 0,
    };
    if (t.SqsParameters?.MessageGroupId) d.messageGroupId = t.SqsParameters.MessageGroupId;
    if (t.DeadLetterConfig?.Arn) d.deadLetterArn = t.DeadLetterConfig.Arn;
    return d;
  });
}
