import type { Clock } from '../../core/clock.ts';
import type { BusTracer } from '../hop-trace.ts';
import { isScheduleError } from '../schedules/errors.ts';
import { parseScheduleExpression } from '../schedules/expression.ts';
import type { BusBackend, BusDelivery, BusRecord, RuleRecord } from './backend.ts';
import { type BusEvent, entrySize, makeEvent } from './envelope.ts';
import { BusError } from './errors.ts';
import { type Input, invalid, need, type Output, page, str } from './input.ts';
import { compileEventPattern, testEventPattern } from './pattern.ts';
import { deliveriesFor, RuleBook } from './rule-book.ts';
import { checkTarget, MAX_TARGETS_PER_RULE } from './targets.ts';

export type { Input, Output } from './input.ts';

export const DEFAULT_BUS = 'default';
/** PutEvents: entries per call, and bytes per call as EventBridge counts them. */
export const MAX_PUT_EVENTS_ENTRIES = 10;
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

const BUS_NAME_RE = /^[/.\-_A-Za-z0-9]{1,256}$/;
const RULE_NAME_RE = /^[.\-_A-Za-z0-9]{1,64}$/;

export interface BusServiceDeps {
  backend: BusBackend;
  clock: Clock;
  accountId: string;
  region: string;
  /** Tells the deliverer that new deliveries are waiting. */
  wake: () => void;
  /** Told of every rule filed (at start and on changes) or removed: scheduled rules follow. */
  ruleChanged?: (bus: string, name: string, rule: RuleRecord | undefined) => void;
  /** Traces: a traced event's deliveries keep its header; absent when tracing is off. */
  trace?: BusTracer;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * EventBridge's buses, rules, targets and PutEvents. Rules live in the backend and, compiled, in
 * one `RuleIndex` per bus; a PutEvents call stores every matched (event, target) delivery in the
 * backend's outbox in one transaction, and `BusDeliverer` sends them.
 */
export class BusService {
  readonly #rules: RuleBook;

  constructor(private readonly deps: BusServiceDeps) {
    this.#rules = new RuleBook(deps.ruleChanged);
  }

  /** Loads the stored rules into the indexes. */
  async start(): Promise<void> {
    for (const r of await this.deps.backend.listRules()) this.#rules.file(r);
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.deps.region}:${this.deps.accountId}:event-bus/${name}`;
  }

  ruleArn(bus: string, name: string): string {
    const path = bus === DEFAULT_BUS ? name : `${bus}/${name}`;
    return `arn:aws:events:${this.deps.region}:${this.deps.accountId}:rule/${path}`;
  }

  // --- Buses ----------------------------------------------------------------------------------

  /** A bus name from a name or an ARN; throws ResourceNotFoundException when there is no such bus. */
  async #bus(nameOrArn: string | undefined): Promise<BusRecord> {
    const name =
      nameOrArn === undefined
        ? DEFAULT_BUS
        : nameOrArn.replace(/^arn:[^:]+:events:[^:]*:\d*:event-bus\//, '');
    if (name === DEFAULT_BUS) return { name, createdAt: 0 };
    const bus = await this.deps.backend.getBus(name);
    if (!bus) throw new BusError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  async createEventBus(input: Input): Promise<Output> {
    const name = need(input, 'Name');
    if (!BUS_NAME_RE.test(name) || name.includes('/'))
      throw invalid(
        `Event bus name ${name} is not valid: it must match [.\\-_A-Za-z0-9]+ (1 to 256 characters).`,
      );
    if (name.startsWith('aws.') && !str(input, 'EventSourceName'))
      throw invalid('Event bus names starting with aws. are reserved for partner event sources.');
    const record: BusRecord = { name, createdAt: this.deps.clock.now() };
    const description = str(input, 'Description');
    if (description !== undefined) record.description = description;
    if (name === DEFAULT_BUS || !(await this.deps.backend.createBus(record)))
      throw new BusError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return {
      EventBusArn: this.busArn(name),
      ...(description !== undefined ? { Description: description } : {}),
    };
  }

  #describeBus(b: BusRecord): Output {
    return {
      Name: b.name,
      Arn: this.busArn(b.name),
      ...(b.description !== undefined ? { Description: b.description } : {}),
      ...(b.createdAt ? { CreationTime: seconds(b.createdAt), LastModifiedTime: seconds(b.createdAt) } : {}),
    };
  }

  async describeEventBus(input: Input): Promise<Output> {
    return this.#describeBus(await this.#bus(str(input, 'Name')));
  }

  async listEventBuses(input: Input): Promise<Output> {
    const prefix = str(input, 'NamePrefix') ?? '';
    const all = [{ name: DEFAULT_BUS, createdAt: 0 }, ...(await this.deps.backend.listBuses())]
      .filter((b) => b.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, next } = page(all, input);
    return { EventBuses: items.map((b) => this.#describeBus(b)), ...(next ? { NextToken: next } : {}) };
  }

  async deleteEventBus(input: Input): Promise<Output> {
    const name = need(input, 'Name');
    if (name === DEFAULT_BUS) throw invalid('Cannot delete event bus default.');
    if (await this.deps.backend.deleteBus(name)) {
      this.#rules.dropBus(name);
    }
    return {};
  }

  // --- Rules ----------------------------------------------------------------------------------

  async #rule(input: Input): Promise<RuleRecord> {
    const bus = await this.#bus(str(input, 'EventBusName'));
    const name = str(input, 'Rule') ?? need(input, 'Name');
    const rule = this.#rules.get(bus.name, name);
    if (!rule)
      throw new BusError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  async putRule(input: Input): Promise<Output> {
    const name = need(input, 'Name');
    if (!RULE_NAME_RE.test(name))
      throw invalid(`Rule name ${name} is not valid: it must match [.\\-_A-Za-z0-9]+ (1 to 64 characters).`);
    const bus = await this.#bus(str(input, 'EventBusName'));
    const eventPattern = str(input, 'EventPattern');
    const schedule = str(input, 'ScheduleExpression');
    if (eventPattern === undefined && schedule === undefined)
      throw invalid('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (eventPattern !== undefined) compileEventPattern(eventPattern);
    if (schedule !== undefined) {
      if (bus.name !== DEFAULT_BUS)
        throw invalid('ScheduleExpression is supported only on the default event bus.');
      try {
        const parsed = parseScheduleExpression(schedule);
        if (parsed.kind === 'at') throw invalid('Parameter ScheduleExpression is not valid.');
      } catch (e) {
        if (isScheduleError(e)) throw invalid(`Parameter ScheduleExpression is not valid: ${e.message}`);
        throw e;
      }
    }
    const state = str(input, 'State') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED.');
    const old = this.#rules.get(bus.name, name);
    const record: RuleRecord = {
      bus: bus.name,
      name,
      state,
      targets: old?.targets ?? [],
      createdAt: old?.createdAt ?? this.deps.clock.now(),
    };
    if (eventPattern !== undefined) record.eventPattern = eventPattern;
    if (schedule !== undefined) record.scheduleExpression = schedule;
    const description = str(input, 'Description');
    if (description !== undefined) record.description = description;
    const roleArn = str(input, 'RoleArn');
    if (roleArn !== undefined) record.roleArn = roleArn;
    await this.deps.backend.putRule(record);
    this.#rules.file(record);
    return { RuleArn: this.ruleArn(bus.name, name) };
  }

  #describeRule(r: RuleRecord): Output {
    return {
      Name: r.name,
      Arn: this.ruleArn(r.bus, r.name),
      ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
      ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
      State: r.state,
      ...(r.description !== undefined ? { Description: r.description } : {}),
      ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
      EventBusName: r.bus,
    };
  }

  async describeRule(input: Input): Promise<Output> {
    const r = await this.#rule(input);
    return { ...this.#describeRule(r), CreatedBy: this.deps.accountId };
  }

  async listRules(input: Input): Promise<Output> {
    const bus = await this.#bus(str(input, 'EventBusName'));
    const prefix = str(input, 'NamePrefix') ?? '';
    const all = this.#rules
      .all(bus.name)
      .filter((r) => r.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, next } = page(all, input);
    return { Rules: items.map((r) => this.#describeRule(r)), ...(next ? { NextToken: next } : {}) };
  }

  async #setState(input: Input, state: RuleRecord['state']): Promise<Output> {
    const r = await this.#rule(input);
    const record = { ...r, state };
    await this.deps.backend.putRule(record);
    this.#rules.file(record);
    return {};
  }

  enableRule(input: Input): Promise<Output> {
    return this.#setState(input, 'ENABLED');
  }

  disableRule(input: Input): Promise<Output> {
    return this.#setState(input, 'DISABLED');
  }

  async deleteRule(input: Input): Promise<Output> {
    const bus = await this.#bus(str(input, 'EventBusName'));
    const name = need(input, 'Name');
    const r = this.#rules.get(bus.name, name);
    if (!r) return {};
    if (r.targets.length > 0 && input.Force !== true)
      throw invalid("Rule can't be deleted since it has targets.");
    await this.deps.backend.deleteRule(bus.name, name);
    this.#rules.unfile(bus.name, name);
    return {};
  }

  async listRuleNamesByTarget(input: Input): Promise<Output> {
    const bus = await this.#bus(str(input, 'EventBusName'));
    const arn = need(input, 'TargetArn');
    const names = this.#rules
      .all(bus.name)
      .filter((r) => r.targets.some((t) => t.Arn === arn))
      .map((r) => r.name)
      .sort();
    const { items, next } = page(names, input);
    return { RuleNames: items, ...(next ? { NextToken: next } : {}) };
  }

  async testEventPattern(input: Input): Promise<Output> {
    return { Result: testEventPattern(need(input, 'EventPattern'), need(input, 'Event')) };
  }

  /** A rule, for the schedule loop: undefined when it is gone. */
  getRule(bus: string, name: string): RuleRecord | undefined {
    return this.#rules.get(bus, name);
  }

  // --- Targets --------------------------------------------------------------------------------

  async putTargets(input: Input): Promise<Output> {
    const r = await this.#rule(input);
    if (!Array.isArray(input.Targets) || input.Targets.length === 0)
      throw invalid('Parameter Targets is required.');
    if (input.Targets.length > 100) throw invalid('Targets can have at most 100 entries.');
    const given = input.Targets.map(checkTarget);
    const targets = [...r.targets];
    for (const t of given) {
      const i = targets.findIndex((x) => x.Id === t.Id);
      if (i >= 0) targets[i] = t;
      else targets.push(t);
    }
    if (targets.length > MAX_TARGETS_PER_RULE)
      throw new BusError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed: at most ${MAX_TARGETS_PER_RULE} targets per rule.`,
      );
    const record = { ...r, targets };
    await this.deps.backend.putRule(record);
    this.#rules.file(record);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  async removeTargets(input: Input): Promise<Output> {
    const r = await this.#rule(input);
    if (!Array.isArray(input.Ids) || input.Ids.length === 0) throw invalid('Parameter Ids is required.');
    const ids = new Set(input.Ids as string[]);
    const record = { ...r, targets: r.targets.filter((t) => !ids.has(t.Id)) };
    await this.deps.backend.putRule(record);
    this.#rules.file(record);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  async listTargetsByRule(input: Input): Promise<Output> {
    const r = await this.#rule(input);
    const { items, next } = page(r.targets, input);
    return { Targets: items, ...(next ? { NextToken: next } : {}) };
  }

  // --- Events ---------------------------------------------------------------------------------

  /**
   * `trace`: the request's X-Amzn-Trace-Id; an entry's own `TraceHeader` overrides it. Targets
   * continue it (the event itself does not carry it, as on EventBridge).
   */
  async putEvents(input: Input, trace?: string): Promise<Output> {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) throw invalid('Parameter Entries is required.');
    if (entries.length > MAX_PUT_EVENTS_ENTRIES)
      throw invalid(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES}`,
      );
    let total = 0;
    for (const e of entries as Input[]) total += entrySize(e);
    if (total > MAX_PUT_EVENTS_BYTES)
      throw invalid('Total size of the entries in the request is over the limit.');
    const now = this.deps.clock.now();
    const results: Output[] = [];
    const deliveries: BusDelivery[] = [];
    let failed = 0;
    for (const raw of entries as Input[]) {
      const outcome = await this.#accept(raw, now);
      if ('error' in outcome) {
        failed++;
        results.push({ ErrorCode: outcome.error[0], ErrorMessage: outcome.error[1] });
        continue;
      }
      results.push({ EventId: outcome.event.id });
      const header = typeof raw.TraceHeader === 'string' ? raw.TraceHeader : trace;
      deliveries.push(...this.#traced(this.#match(outcome.bus, outcome.event, now), header));
    }
    await this.#store(deliveries);
    return { FailedEntryCount: failed, Entries: results };
  }

  /** An entry made into an event on its bus, or why it was refused (ErrorCode, ErrorMessage). */
  async #accept(
    e: Input,
    now: number,
  ): Promise<{ bus: string; event: BusEvent } | { error: [string, string] }> {
    const made = makeEvent(e, now, this.deps);
    if ('error' in made) return made;
    try {
      return { bus: (await this.#bus(str(e, 'EventBusName'))).name, event: made.event };
    } catch (err) {
      if (err instanceof BusError) return { error: [err.code, err.message] };
      throw err;
    }
  }

  /** The deliveries an event makes on a bus: one per target of each enabled matching rule. */
  #match(bus: string, event: Record<string, unknown>, now: number): BusDelivery[] {
    return this.#rules.match(bus, event).flatMap((rule) => this.deliveriesFor(rule, event, now));
  }

  /** A rule's deliveries for one event (the schedule loop calls this for scheduled rules). */
  deliveriesFor(rule: RuleRecord, event: Record<string, unknown>, now: number): BusDelivery[] {
    return deliveriesFor(rule, this.ruleArn(rule.bus, rule.name), event, now);
  }

  /** Keeps `header` (in memory) for the deliveries, which then continue it. */
  #traced(deliveries: BusDelivery[], header: string | undefined): BusDelivery[] {
    const tracer = this.deps.trace;
    if (tracer && header !== undefined) for (const d of deliveries) tracer.keep(d.id, header);
    return deliveries;
  }

  async #store(deliveries: BusDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.deps.backend.addDeliveries(deliveries);
    this.deps.wake();
  }

  /** Fires a rule's targets with an event (scheduled rules); false when the rule is gone or disabled. */
  async fireRule(
    bus: string,
    name: string,
    event: Record<string, unknown>,
    trace?: string,
  ): Promise<boolean> {
    const rule = this.getRule(bus, name);
    if (rule?.state !== 'ENABLED') return false;
    await this.#store(this.#traced(this.deliveriesFor(rule, event, this.deps.clock.now()), trace));
    return true;
  }

  /** Puts an event, as matched on another bus, onto a bus (a bus target); false when the bus is gone. */
  async forward(busArn: string, eventText: string, trace?: string): Promise<boolean> {
    const bus = await this.#bus(busArn).catch(() => undefined);
    if (!bus) return false;
    const event = JSON.parse(eventText) as Record<string, unknown>;
    await this.#store(this.#traced(this.#match(bus.name, event, this.deps.clock.now()), trace));
    return true;
  }
}
