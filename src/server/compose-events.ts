import type { Logger } from 'pino';
import type { Backends } from '../backends/index.ts';
import type { Clock } from '../core/clock.ts';
import type { ArnSenderDeps, SendOptions } from '../services/arn-sender.ts';
import { BusDeliverer } from '../services/bus/deliverer.ts';
import { RULE_SCHEDULE_GROUP, ruleSchedule, scheduledEvent } from '../services/bus/rule-schedules.ts';
import { deadLetterSender, targetSender } from '../services/bus/senders.ts';
import { BusService } from '../services/bus/service.ts';
import type { BusTracer, ScheduleTracer } from '../services/hop-trace.ts';
import type { QueueService } from '../services/queues/service.ts';
import { scheduleDeliverer } from '../services/scheduler/deliver.ts';
import { ScheduleLoop } from '../services/scheduler/loop.ts';
import { SchedulerService } from '../services/scheduler/service.ts';
import type { ServerConfig } from './config.ts';

export interface ComposedEvents {
  bus: BusService;
  scheduler: SchedulerService;
  /** Starts the bus and its delivery outbox. */
  startBus(): Promise<void>;
  /** Loads schedules and scheduled rules and fires what is due (after queues have started). */
  startSchedules(): Promise<void>;
  /** Stops taking new work. */
  close(): void;
  /** Resolves once deliveries in flight are done. */
  idle(): Promise<unknown>;
}

/**
 * The event bus (rules, targets, its delivery outbox), EventBridge Scheduler and the schedule
 * loops (one for schedules, one for scheduled rules, sharing the fire-once ledger), as the server
 * composes them.
 */
export async function composeEvents(deps: {
  backends: Backends;
  clock: Clock;
  config: ServerConfig;
  log: Logger;
  queues: QueueService;
  /** How targets and schedules reach functions, queues, topics and buses. */
  senders: ArnSenderDeps;
  send: (arn: string, payload: string, opts: SendOptions) => Promise<boolean>;
  observeBus?: ConstructorParameters<typeof BusDeliverer>[0]['observe'];
  /** Trace hooks (`compose-traces.ts`): each undefined when tracing is off. */
  traces?: { bus?: BusTracer | undefined; schedules?: ScheduleTracer | undefined };
}): Promise<ComposedEvents> {
  const { backends, clock, config, log } = deps;
  const warn = (message: string, details: Record<string, unknown>) => log.warn(details, message);
  const trace = { bus: deps.traces?.bus, schedules: deps.traces?.schedules };
  const scheduleLoop = new ScheduleLoop({
    backend: backends.schedules,
    clock,
    deliver: scheduleDeliverer(deps.send, () => clock.now()),
    rateScale: config.rateScale,
    deleteSchedule: (group, name) => scheduler.deleteRecord(group, name),
    warn,
    trace: trace.schedules,
  });
  const scheduler = await SchedulerService.open({
    backend: backends.schedules,
    clock,
    region: config.region,
    accountId: config.accountId,
    onChange: (group, name, record) => void scheduleLoop.sync(group, name, record),
  });
  const bus = new BusService({
    backend: backends.bus,
    clock,
    accountId: config.accountId,
    region: config.region,
    wake: () => busDeliveries.wake(),
    ruleChanged: (busName, name, rule) => {
      const schedule = rule && ruleSchedule(rule, bus.ruleArn(busName, name));
      void ruleLoop.sync(RULE_SCHEDULE_GROUP, `${busName}/${name}`, schedule);
    },
    trace: trace.bus,
  });
  // Scheduled rules fire through a schedule loop of their own, with the same fire-once ledger.
  const ruleLoop = new ScheduleLoop({
    backend: backends.schedules,
    clock,
    deliver: async (ruleArn, _payload, schedule, fire) => {
      const slash = schedule.name.indexOf('/');
      const event = scheduledEvent(ruleArn, clock.now(), config);
      await bus.fireRule(schedule.name.slice(0, slash), schedule.name.slice(slash + 1), event, fire);
    },
    rateScale: config.rateScale,
    deleteSchedule: async () => undefined,
    warn,
    trace: trace.schedules,
  });
  const busDeliveries = new BusDeliverer({
    backend: backends.bus,
    clock,
    send: targetSender(deps.senders),
    deadLetter: deadLetterSender(deps.queues),
    warn,
    ...(deps.observeBus ? { observe: deps.observeBus } : {}),
    trace: trace.bus,
  });
  return {
    bus,
    scheduler,
    async startBus() {
      await bus.start();
      await busDeliveries.start();
    },
    async startSchedules() {
      await scheduleLoop.start(await scheduler.allSchedules());
      await ruleLoop.evaluate();
    },
    close() {
      busDeliveries.close();
      scheduleLoop.close();
      ruleLoop.close();
    },
    idle: () => Promise.all([busDeliveries.idle(), scheduleLoop.idle()]),
  };
}
