import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { UnitUsage } from '../../runtime/function-state.ts';
import { parseRedrivePolicy } from '../../services/queues/attributes.ts';
import type { QueueBackend } from '../../services/queues/backend.ts';

/** What the queue gauges read on scrape. */
export type QueueSource = Pick<QueueBackend, 'listQueues' | 'counts' | 'oldestSentAt'>;

/** One queue as a scrape sees it. */
export interface QueueSample {
  name: string;
  visible: number;
  inflight: number;
  delayed: number;
  /** Seconds since the oldest message was sent; 0 when the queue is empty. */
  oldestAgeSeconds: number;
  /** Whether some queue's RedrivePolicy names this one as its dead-letter queue. */
  deadLetterTarget: boolean;
}

/** Reads every queue's counts once (each is one query per backend call); `now` from the clock. */
export async function sampleQueues(source: QueueSource, clock: Clock): Promise<QueueSample[]> {
  const now = clock.now();
  const records = await source.listQueues();
  const targets = new Set<string>();
  for (const q of records) {
    if (!q.attributes.RedrivePolicy) continue;
    try {
      const arn = parseRedrivePolicy(q.attributes.RedrivePolicy).deadLetterTargetArn;
      targets.add(arn.slice(arn.lastIndexOf(':') + 1));
    } catch {
      // Stored policies were checked when set; one that no longer parses names no queue.
    }
  }
  return Promise.all(
    records.map(async (q) => {
      const [counts, oldest] = await Promise.all([source.counts(q.name, now), source.oldestSentAt(q.name)]);
      return {
        name: q.name,
        ...counts,
        oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000,
        deadLetterTarget: targets.has(q.name),
      };
    }),
  );
}

/** A gauge whose series are rebuilt on each scrape from `fill`; nothing is recorded between scrapes. */
function scrapeGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  fill: (set: (labels: Record<L, string>, value: number) => void) => void | Promise<void>,
): void {
  const gauge: Gauge<L> = new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const values: [Record<L, string>, number][] = [];
      await fill((labels, value) => values.push([labels, value]));
      // Reset after reading: a queue or function that is gone since the last scrape drops out.
      gauge.reset();
      for (const [labels, value] of values) gauge.set(labels, value);
    },
  });
}

/**
 * Queue depth gauges, computed on scrape from the queue backend: SQS's
 * ApproximateNumberOfMessages{Visible,NotVisible,Delayed} and ApproximateAgeOfOldestMessage, and
 * the depth of each queue that is some queue's dead-letter target. The gauges of one scrape share
 * one sample. A backend that fails leaves them empty for that scrape, and `warn` says why.
 */
export function queueGauges(
  registry: Registry,
  source: QueueSource,
  clock: Clock,
  warn: (message: string, details: Record<string, unknown>) => void,
): void {
  let pending: Promise<QueueSample[]> | undefined;
  // prom-client asks every metric for its values in one synchronous loop: they share `pending`.
  const sample = (): Promise<QueueSample[]> => {
    pending ??= sampleQueues(source, clock)
      .catch((e: unknown) => {
        warn('metrics: reading queue depths failed', { error: String(e) });
        return [];
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const perQueue = (name: string, help: string, value: (q: QueueSample) => number | undefined) =>
    scrapeGauge(registry, name, help, ['queue'], async (set) => {
      for (const q of await sample()) {
        const v = value(q);
        if (v !== undefined) set({ queue: q.name }, v);
      }
    });
  perQueue('baton_queue_messages_visible', 'Messages available to receive.', (q) => q.visible);
  perQueue('baton_queue_messages_in_flight', 'Messages received and not yet deleted.', (q) => q.inflight);
  perQueue('baton_queue_messages_delayed', 'Messages not yet visible (DelaySeconds).', (q) => q.delayed);
  perQueue(
    'baton_queue_oldest_message_age_seconds',
    'Age of the oldest message in the queue, in flight and delayed ones included; 0 when empty.',
    (q) => q.oldestAgeSeconds,
  );
  perQueue(
    'baton_queue_dead_letter_messages',
    'Messages in a queue that is some queue’s dead-letter target (visible, in flight and delayed).',
    (q) => (q.deadLetterTarget ? q.visible + q.inflight + q.delayed : undefined),
  );
}

/** Concurrency gauges, read from the pool on scrape. */
export function poolGauges(registry: Registry, usage: () => UnitUsage[]): void {
  const labelsOf = (u: UnitUsage) => ({
    function: u.record.name,
    version: u.record.version ?? '$LATEST',
    app: u.record.app ?? '',
  });
  scrapeGauge(
    registry,
    'baton_function_concurrent_executions',
    'Instances running an invocation at the time of the scrape (CloudWatch ConcurrentExecutions).',
    ['function', 'version', 'app'],
    (set) => {
      for (const u of usage()) set(labelsOf(u), u.busy);
    },
  );
  scrapeGauge(
    registry,
    'baton_function_provisioned_concurrency_utilization',
    'Busy provisioned instances over provisioned concurrency, 0 to 1, for units that have some.',
    ['function', 'version', 'app'],
    (set) => {
      for (const u of usage())
        if (u.record.provisionedConcurrency > 0)
          set(labelsOf(u), Math.min(1, u.provisionedBusy / u.record.provisionedConcurrency));
    },
  );
}
