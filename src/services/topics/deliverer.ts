import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { BatonError } from '../../core/errors.ts';
import { type TopicTracer, traceAttribute } from '../hop-trace.ts';
import { QueueError } from '../queues/errors.ts';
import type { QueueService } from '../queues/service.ts';
import { parseRedrivePolicy } from './attributes.ts';
import type { OutboxEntry, SubscriptionRecord, TopicBackend, TopicRecord } from './backend.ts';
import { effectiveHttpPolicy, type RetryPolicy, retryDelaySeconds } from './delivery-policy.ts';
import type { HttpDelivery } from './envelope.ts';
import { deadLetterInput, type LambdaDelivery, type QueueDelivery, SNS_SENDER } from './fanout.ts';

/** How long an HTTP/S endpoint has to answer (SNS's own timeout). */
export const HTTP_TIMEOUT_MS = 15_000;

/**
 * Retries for deliveries to functions that could not be handed over (Baton was stopping, or its
 * storage failed), as SNS retries AWS-managed endpoints: 3 at once, 2 a second apart, 10 backing
 * off from 1 to 20 seconds, then every 20 seconds.
 */
const MANAGED_RETRY: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 20,
  numRetries: 100_015,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 100_000,
  backoffFunction: 'exponential',
};

/** The outcome of one HTTP attempt: the status, or why there was none. */
export type PostResult = { status: number } | { error: string };

export type Post = (d: HttpDelivery, contentType: string, timeoutMs: number) => Promise<PostResult>;

export interface TopicDelivererDeps {
  backend: TopicBackend;
  clock: Clock;
  /** The subscription (and its topic) an entry belongs to; undefined once it is gone. */
  subscription: (id: string) => Promise<{ record: SubscriptionRecord; topic: TopicRecord } | undefined>;
  /** Dead-letter queues are written through the queue service. */
  queues: QueueService;
  /** Accepts an async (Event) invocation: `AsyncDispatcher.enqueue`, continuing `trace`. */
  invoke: (fn: string, qualifier: string | undefined, event: string, trace?: string) => Promise<unknown>;
  warn: (message: string, details: Record<string, unknown>) => void;
  /** Sends one HTTP/S request; node:http by default. */
  post?: Post;
  maxInFlight?: number;
  /** Metrics (`telemetry/metrics/event-meters.ts`); absent when they are off. */
  observe?: TopicObserver;
  /** Traces: a span per attempt of a traced publish's delivery; absent when tracing is off. */
  trace?: TopicTracer;
}

/** Why an attempt failed (undefined: it succeeded). */
type Failure = { code: string; message: string } | undefined;

/** Told of notifications delivered, and of those that failed for good (after their retries). */
export interface TopicObserver {
  delivered(topic: string, protocol: string, count?: number): void;
  failed(topic: string, protocol: string, count?: number): void;
}

/** POSTs a delivery with node:http(s), without following redirects; the timeout runs on `clock`. */
export function httpPost(clock: Clock): Post {
  return (d, contentType, timeoutMs) =>
    new Promise<PostResult>((resolve) => {
      let url: URL;
      try {
        url = new URL(d.url);
      } catch {
        resolve({ error: 'invalid endpoint URL' });
        return;
      }
      const body = Buffer.from(d.body, 'utf8');
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      let timer: TimerHandle | undefined;
      const done = (r: PostResult) => {
        timer?.cancel();
        resolve(r);
      };
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...d.headers, 'content-type': contentType, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => done({ status: res.statusCode ?? 0 }));
          res.on('error', (e) => done({ error: e.message }));
        },
      );
      timer = clock.setTimer(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => done({ error: e.message }));
      req.end(body);
    });
}

/**
 * Works through the topic outbox: hands function deliveries to the async invocation queue and
 * POSTs HTTP/S deliveries, retrying by the subscription's delivery policy on the injected clock.
 * A delivery that fails for good goes to the subscription's dead-letter queue (RedrivePolicy), or
 * is dropped with a warning. Entries stay in the outbox until then, so they survive a restart;
 * one that was being tried when Baton stopped is tried again (delivery is at least once).
 */
export class TopicDeliverer {
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly post: Post;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumping = false;
  private again = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: TopicDelivererDeps) {
    this.maxInFlight = deps.maxInFlight ?? 16;
    this.post = deps.post ?? httpPost(deps.clock);
  }

  /** Starts delivering what the outbox holds, including entries a stopped process was trying. */
  async start(): Promise<void> {
    await this.deps.backend.releaseDeliveryLeases(this.deps.clock.now());
    this.wake();
  }

  /** Looks for due entries now (after a publish stored some). */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((e) => this.deps.warn('topic deliveries: claiming failed', { error: String(e) }))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.closed && this.inFlight < this.maxInFlight) {
      const now = this.deps.clock.now();
      const room = this.maxInFlight - this.inFlight;
      const entries = await this.deps.backend.claimDeliveries(now, room, now + 5 * 60_000);
      // Closed while claiming: the entries stay leased, and the next start releases them.
      if (this.closed) break;
      for (const e of entries) {
        this.inFlight++;
        void this.process(e)
          .catch((err) =>
            this.deps.warn('topic delivery: storage failed; it is tried again after a restart', {
              delivery: e.id,
              error: String(err),
            }),
          )
          .finally(() => {
            this.inFlight--;
            if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
            this.wake();
          });
      }
      if (entries.length < room) break;
    }
    await this.arm();
  }

  private async arm(): Promise<void> {
    const next = await this.deps.backend.nextDeliveryDue();
    if (next === undefined || this.closed) return;
    if (this.timer && this.timerAt <= next) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.deps.clock.setTimer(Math.max(0, next - this.deps.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    });
  }

  private async process(e: OutboxEntry): Promise<void> {
    const sub = await this.deps.subscription(e.subscription);
    if (!sub) {
      // Unsubscribed (or the topic deleted) since the publish: nothing to deliver to.
      await this.deps.backend.removeDelivery(e.id);
      return;
    }
    // A traced publish's delivery: its span's header goes with the event, message or request.
    const span = this.deps.trace?.delivery(e, sub.record);
    let failure: Failure;
    try {
      if (e.kind === 'lambda') failure = await this.toFunction(e, sub.record, span?.header);
      else if (e.kind === 'sqs') failure = await this.toQueue(e, sub.record, span?.header);
      else failure = await this.toHttp(e, sub.record, sub.topic, span?.header);
    } finally {
      span?.end(failure?.message);
    }
  }

  private async toFunction(e: OutboxEntry, s: SubscriptionRecord, trace?: string): Promise<Failure> {
    const d = JSON.parse(e.payload) as LambdaDelivery;
    try {
      await this.deps.invoke(d.function, d.qualifier, d.event, trace);
      await this.deps.backend.removeDelivery(e.id);
      this.deps.observe?.delivered(s.topic, s.protocol);
      return undefined;
    } catch (err) {
      const code = err instanceof BatonError ? err.code : 'InternalError';
      const error = { code, message: String((err as Error).message ?? err) };
      if (code === 'ShuttingDown' || code === 'BackendFailure' || !(err instanceof BatonError))
        await this.retry(e, s, MANAGED_RETRY, error);
      // The function is gone, or refuses the event: a client-side error, not retried.
      else await this.failed(e, s, lambdaDeadLetter(d.event), error);
      return error;
    }
  }

  /** A queue in another database than the outbox: sent through the queue service. */
  private async toQueue(e: OutboxEntry, s: SubscriptionRecord, trace?: string): Promise<Failure> {
    const d = JSON.parse(e.payload) as QueueDelivery;
    try {
      const sys = trace === undefined ? {} : { MessageSystemAttributes: traceAttribute(trace) };
      await this.deps.queues.sendMessage({ QueueUrl: d.queue, ...d.input, ...sys }, SNS_SENDER);
      await this.deps.backend.removeDelivery(e.id);
      this.deps.observe?.delivered(s.topic, s.protocol);
      return undefined;
    } catch (err) {
      const code = err instanceof QueueError ? err.code : 'InternalError';
      const error = { code, message: String((err as Error).message) };
      // The queue refused the message (it is gone, or the message does not fit): not retried.
      if (err instanceof QueueError)
        await this.failed(e, s, { body: d.deadLetterBody, messageId: d.messageId }, error);
      else await this.retry(e, s, MANAGED_RETRY, error);
      return error;
    }
  }

  private async toHttp(
    e: OutboxEntry,
    s: SubscriptionRecord,
    topic: TopicRecord,
    trace?: string,
  ): Promise<Failure> {
    const stored = JSON.parse(e.payload) as HttpDelivery;
    const d =
      trace === undefined ? stored : { ...stored, headers: { ...stored.headers, 'x-amzn-trace-id': trace } };
    const policy = effectiveHttpPolicy(
      topic.attributes.DeliveryPolicy || undefined,
      s.attributes.DeliveryPolicy,
    );
    const r = await this.post(d, policy.contentType, HTTP_TIMEOUT_MS);
    if ('status' in r && r.status >= 200 && r.status < 300) {
      await this.deps.backend.removeDelivery(e.id);
      if (d.type === 'Notification') this.deps.observe?.delivered(s.topic, s.protocol);
      return undefined;
    }
    const error =
      'status' in r
        ? { code: String(r.status), message: `The endpoint answered HTTP ${r.status}` }
        : { code: 'EndpointUnavailable', message: r.error };
    // Retried: no answer, 429 and 5xx. Any other status is the endpoint refusing the message.
    const retryable = !('status' in r) || r.status === 429 || r.status >= 500;
    if (retryable) await this.retry(e, s, policy.retry, error, stored);
    else await this.failed(e, s, httpDeadLetter(stored), error);
    return error;
  }

  private async retry(
    e: OutboxEntry,
    s: SubscriptionRecord,
    policy: RetryPolicy,
    error: { code: string; message: string },
    http?: HttpDelivery,
  ): Promise<void> {
    const delay = retryDelaySeconds(policy, e.attempts + 1);
    if (delay === undefined) {
      const dead = http ? httpDeadLetter(http) : outboxDeadLetter(e);
      await this.failed(e, s, dead, error);
      return;
    }
    await this.deps.backend.rescheduleDelivery(e.id, this.deps.clock.now() + delay * 1000, e.attempts + 1);
  }

  /** A delivery failed for good: to the dead-letter queue, or dropped. `dead` undefined: a confirmation. */
  private async failed(
    e: OutboxEntry,
    s: SubscriptionRecord,
    dead: DeadLetter | undefined,
    error: { code: string; message: string },
  ): Promise<void> {
    if (dead !== undefined) this.deps.observe?.failed(s.topic, s.protocol);
    const redrive = s.attributes.RedrivePolicy;
    let parked = false;
    if (dead !== undefined && redrive) {
      const queue = parseRedrivePolicy(redrive).deadLetterQueue;
      try {
        await this.deps.queues.sendMessage(
          { QueueUrl: queue, ...deadLetterInput(dead.body, dead.messageId, error) },
          SNS_SENDER,
        );
        parked = true;
      } catch (err) {
        this.deps.warn('topic dead-letter queue refused a message', {
          delivery: e.id,
          queue,
          error: String(err),
        });
      }
    }
    if (!parked)
      this.deps.warn(
        dead === undefined ? 'subscription confirmation not delivered' : 'topic delivery dropped',
        {
          delivery: e.id,
          subscription: s.id,
          endpoint: s.endpoint,
          error: error.message,
        },
      );
    await this.deps.backend.removeDelivery(e.id);
  }

  /** Resolves when no delivery is in progress. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking entries; those in progress finish (the outbox keeps the rest). */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }
}

/** What a dead-letter queue gets: the message as delivered, and the published message's id. */
interface DeadLetter {
  body: string;
  messageId: string;
}

/** An HTTP/S delivery's dead letter: its body (notification JSON, or the raw message); none for a confirmation. */
function httpDeadLetter(d: HttpDelivery): DeadLetter | undefined {
  if (d.type !== 'Notification') return undefined;
  return { body: d.body, messageId: d.headers['x-amz-sns-message-id'] ?? '' };
}

/** The dead letter of a function or queue delivery that ran out of retries. */
function outboxDeadLetter(e: OutboxEntry): DeadLetter {
  if (e.kind === 'sqs') {
    const d = JSON.parse(e.payload) as QueueDelivery;
    return { body: d.deadLetterBody, messageId: d.messageId };
  }
  return lambdaDeadLetter((JSON.parse(e.payload) as LambdaDelivery).event);
}

/** A function delivery's dead letter: the notification JSON, rebuilt from the Lambda event. */
function lambdaDeadLetter(event: string): DeadLetter {
  const sns = (JSON.parse(event) as { Records: { Sns: Record<string, unknown> }[] }).Records[0]!.Sns;
  const { SigningCertUrl, UnsubscribeUrl, Subject, ...rest } = sns;
  const body = JSON.stringify({
    ...rest,
    ...(Subject === null ? {} : { Subject }),
    SigningCertURL: SigningCertUrl,
    UnsubscribeURL: UnsubscribeUrl,
  });
  return { body, messageId: String(sns.MessageId) };
}
