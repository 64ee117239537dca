import type { Clock } from '../../core/clock.ts';
import { parseLambdaArn } from '../../runtime/async/dispatcher.ts';
import type { TopicTracer } from '../hop-trace.ts';
import type { QueueService } from '../queues/service.ts';
import { checkTopicAttribute, filterOf, parseRedrivePolicy } from './attributes.ts';
import type { SubscriptionRecord, TopicBackend, TopicRecord } from './backend.ts';
import type { TopicObserver } from './deliverer.ts';
import { effectiveTopicPolicyJson } from './delivery-policy.ts';
import { invalidParameter, subscriptionNotFound, TopicError, topicNotFound } from './errors.ts';
import type { LiveSubscription } from './fanout.ts';
import { list, page, str, stringMap } from './input.ts';
import { checkPublication, type Input, type Output } from './message.ts';
import { Publisher, topicRules } from './publisher.ts';
import type { MessageSigner } from './signing.ts';
import { QUEUE_ARN_RE, Subscriptions } from './subscriptions.ts';

export interface TopicServiceDeps {
  backend: TopicBackend;
  clock: Clock;
  queues: QueueService;
  signer: MessageSigner;
  accountId: string;
  region: string;
  /** Base of URLs in messages (SubscribeURL, UnsubscribeURL): `http://host:port`. */
  endpoint: () => string;
  /**
   * Whether queue messages can be written in the publish's transaction: the queues live in the
   * topic backend's database. Otherwise (queues in PostgreSQL, topics in SQLite) a publish stores
   * its queue deliveries in the outbox, and the deliverer sends them right after.
   */
  queuesInTransaction: boolean;
  /** Called after outbox entries were stored: the deliverer looks for work. */
  wake: () => void;
  warn: (message: string, details: Record<string, unknown>) => void;
  /** Metrics: queue deliveries made in a publish's transaction (the deliverer reports the rest). */
  observe?: TopicObserver;
  /** Traces: a traced publish's deliveries continue its trace; absent when tracing is off. */
  trace?: TopicTracer;
}

const TOPIC_NAME_RE = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN_RE = /^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:(\d{12}):([A-Za-z0-9_.-]{1,256})$/;

/**
 * SNS's semantics over a TopicBackend: topics and their attributes and tags, subscriptions
 * (sqs, lambda, http/https with the confirmation handshake), filter policies, and Publish and
 * PublishBatch. A publish is acknowledged once every delivery it fans out to is stored (see
 * `TopicBackend.publish`); the `TopicDeliverer` then works through the outbox. Operations take and
 * return SNS's shapes as plain objects (the awsQuery adapter translates).
 */
export class TopicService {
  private readonly topics = new Map<string, TopicRecord>();
  private readonly live = new Map<string, Promise<LiveSubscription[]>>();
  private readonly publisher: Publisher;
  private readonly subscriptions: Subscriptions;

  constructor(private readonly deps: TopicServiceDeps) {
    this.publisher = new Publisher(
      deps,
      (arn) => this.topicFromArn(arn),
      (topic) => this.liveSubscriptions(topic),
      (name) => this.arnOf(name),
    );
    this.subscriptions = new Subscriptions({
      deps,
      arnOf: (name) => this.arnOf(name),
      subscriptionArn: (sub) => this.subscriptionArn(sub),
      topic: (name) => this.topic(name),
      topicFromArn: (arn) => this.topicFromArn(arn),
      subscriptionFromArn: (arn) => this.subscriptionFromArn(arn),
      changed: (topic) => this.changed(topic),
    });
  }

  // --- Names and ARNs --------------------------------------------------------------------------

  arnOf(name: string): string {
    return `arn:aws:sns:${this.deps.region}:${this.deps.accountId}:${name}`;
  }

  subscriptionArn(s: SubscriptionRecord): string {
    return `${this.arnOf(s.topic)}:${s.id}`;
  }

  private async topic(name: string): Promise<TopicRecord | undefined> {
    const cached = this.topics.get(name);
    if (cached) return cached;
    const rec = await this.deps.backend.getTopic(name);
    if (rec) this.topics.set(name, rec);
    return rec;
  }

  /** The topic a TopicArn names; InvalidParameter for a malformed ARN, NotFound for an unknown topic. */
  async topicFromArn(arn: string | undefined, param = 'TopicArn'): Promise<TopicRecord> {
    if (arn === undefined) return this.topicFromArn(str({}, param, true));
    const m = TOPIC_ARN_RE.exec(arn);
    if (!m) throw invalidParameter(param);
    const rec = m[1] === this.deps.accountId ? await this.topic(m[2]!) : undefined;
    if (!rec) throw topicNotFound();
    return rec;
  }

  private async subscriptionFromArn(arn: string | undefined): Promise<SubscriptionRecord> {
    if (arn === undefined) str({}, 'SubscriptionArn', true);
    const cut = arn!.lastIndexOf(':');
    const topicArn = arn!.slice(0, cut);
    const id = arn!.slice(cut + 1);
    if (cut < 0 || !TOPIC_ARN_RE.test(topicArn) || !/^[0-9a-f-]{36}$/.test(id))
      throw invalidParameter('SubscriptionArn');
    const rec = await this.deps.backend.getSubscription(id);
    if (!rec || this.arnOf(rec.topic) !== topicArn) throw subscriptionNotFound();
    return rec;
  }

  /** A subscription by id (for the deliverer), or undefined once it is gone. */
  async subscription(id: string): Promise<{ record: SubscriptionRecord; topic: TopicRecord } | undefined> {
    const record = await this.deps.backend.getSubscription(id);
    const topic = record && (await this.topic(record.topic));
    return record && topic ? { record, topic } : undefined;
  }

  /** A topic's subscriptions as publishes use them, loaded once and kept until one changes. */
  private liveSubscriptions(topic: string): Promise<LiveSubscription[]> {
    let subs = this.live.get(topic);
    if (!subs) {
      subs = this.deps.backend.listSubscriptions(topic).then((records) => records.map((r) => this.toLive(r)));
      this.live.set(topic, subs);
      subs.catch(() => this.live.delete(topic));
    }
    return subs;
  }

  private toLive(r: SubscriptionRecord): LiveSubscription {
    const s: LiveSubscription = {
      record: r,
      arn: this.subscriptionArn(r),
      filter: filterOf(r.attributes),
      raw: r.attributes.RawMessageDelivery === 'true',
    };
    if (r.protocol === 'sqs') s.queue = QUEUE_ARN_RE.exec(r.endpoint)?.[1];
    if (r.protocol === 'lambda') s.fn = parseLambdaArn(r.endpoint);
    if (r.attributes.RedrivePolicy)
      s.deadLetterQueue = parseRedrivePolicy(r.attributes.RedrivePolicy).deadLetterQueue;
    return s;
  }

  private changed(topic: string): void {
    this.live.delete(topic);
  }

  // --- Topics ----------------------------------------------------------------------------------

  async createTopic(input: Input): Promise<Output> {
    const name = str(input, 'Name', true);
    const attributes = stringMap(input, 'Attributes');
    const fifo = name.endsWith('.fifo');
    const base = fifo ? name.slice(0, -5) : name;
    if (!TOPIC_NAME_RE.test(base) || name.length > 256) throw invalidParameter('Topic Name');
    if ((attributes.FifoTopic === 'true') !== fifo)
      throw invalidParameter(
        'Topic Name: a FIFO topic name ends with .fifo, and the topic is created with the FifoTopic attribute set to true',
      );
    for (const [k, v] of Object.entries(attributes)) checkTopicAttribute(k, v, fifo, true);
    delete attributes.FifoTopic;
    const dataProtection = str(input, 'DataProtectionPolicy');
    if (dataProtection !== undefined) {
      checkTopicAttribute('DataProtectionPolicy', dataProtection, fifo, true);
      attributes.DataProtectionPolicy = dataProtection;
    }
    const tags = this.checkTags(list(input, 'Tags'));
    const out = await this.deps.backend.createTopic({
      name,
      fifo,
      attributes,
      tags,
      createdAt: this.deps.clock.now(),
    });
    if (!out.created) {
      // CreateTopic is idempotent, unless it asks for other attributes or tags.
      for (const [k, v] of Object.entries(attributes))
        if ((out.record.attributes[k] ?? '') !== v)
          throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      for (const [k, v] of Object.entries(tags))
        if (out.record.tags[k] !== v)
          throw invalidParameter('Tags Reason: Topic already exists with different tags');
    } else this.topics.set(name, out.record);
    return { TopicArn: this.arnOf(name) };
  }

  async deleteTopic(input: Input): Promise<Output> {
    const arn = str(input, 'TopicArn', true);
    // Deleting a topic that does not exist is not an error.
    const topic = await this.topicFromArn(arn).catch((e: unknown) => {
      if (e instanceof TopicError && e.code === 'NotFound') return undefined;
      throw e;
    });
    if (topic) {
      await this.deps.backend.deleteTopic(topic.name);
      this.topics.delete(topic.name);
      this.changed(topic.name);
    }
    return {};
  }

  async listTopics(input: Input): Promise<Output> {
    const names = (await this.deps.backend.listTopics()).map((t) => t.name);
    const p = page(names, str(input, 'NextToken'));
    return { Topics: p.items.map((n) => ({ TopicArn: this.arnOf(n) })), NextToken: p.next };
  }

  async getTopicAttributes(input: Input): Promise<Output> {
    const t = await this.topicFromArn(str(input, 'TopicArn', true));
    const subs = await this.deps.backend.listSubscriptions(t.name);
    const arn = this.arnOf(t.name);
    const attrs: Record<string, string> = {
      Owner: this.deps.accountId,
      Policy: t.attributes.Policy || this.defaultPolicy(arn),
      TopicArn: arn,
      DisplayName: t.attributes.DisplayName ?? '',
      SubscriptionsPending: String(subs.filter((s) => !s.confirmed).length),
      SubscriptionsConfirmed: String(subs.filter((s) => s.confirmed).length),
      SubscriptionsDeleted: '0',
      EffectiveDeliveryPolicy: effectiveTopicPolicyJson(t.attributes.DeliveryPolicy || undefined),
    };
    for (const [k, v] of Object.entries(t.attributes)) if (v !== '' && !(k in attrs)) attrs[k] = v;
    if (t.fifo) {
      attrs.FifoTopic = 'true';
      attrs.ContentBasedDeduplication = t.attributes.ContentBasedDeduplication ?? 'false';
      attrs.FifoThroughputScope = t.attributes.FifoThroughputScope ?? 'Topic';
    }
    return { Attributes: attrs };
  }

  private defaultPolicy(arn: string): string {
    return JSON.stringify({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'SNS:GetTopicAttributes',
            'SNS:SetTopicAttributes',
            'SNS:AddPermission',
            'SNS:RemovePermission',
            'SNS:DeleteTopic',
            'SNS:Subscribe',
            'SNS:ListSubscriptionsByTopic',
            'SNS:Publish',
          ],
          Resource: arn,
          Condition: { StringEquals: { 'AWS:SourceOwner': this.deps.accountId } },
        },
      ],
    });
  }

  async setTopicAttributes(input: Input): Promise<Output> {
    const t = await this.topicFromArn(str(input, 'TopicArn', true));
    const name = str(input, 'AttributeName', true);
    const value = str(input, 'AttributeValue') ?? '';
    checkTopicAttribute(name, value, t.fifo, false);
    const attributes = { ...t.attributes, [name]: value };
    if (value === '') delete attributes[name];
    await this.saveTopic({ ...t, attributes });
    return {};
  }

  private async saveTopic(rec: TopicRecord): Promise<void> {
    await this.deps.backend.updateTopic(rec);
    this.topics.set(rec.name, rec);
  }

  private checkTags(raw: unknown[]): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const t of raw) {
      const { Key, Value } = (t ?? {}) as { Key?: unknown; Value?: unknown };
      if (
        typeof Key !== 'string' ||
        Key.length < 1 ||
        Key.length > 128 ||
        typeof Value !== 'string' ||
        Value.length > 256
      )
        throw new TopicError(
          'TagPolicy',
          'A tag key is 1 to 128 characters and a tag value 0 to 256 characters',
        );
      if (/^aws:/i.test(Key)) throw new TopicError('TagPolicy', 'Tag keys starting with aws: are reserved');
      tags[Key] = Value;
    }
    return tags;
  }

  private async taggable(input: Input): Promise<TopicRecord> {
    try {
      return await this.topicFromArn(str(input, 'ResourceArn', true), 'ResourceArn');
    } catch (e) {
      if (e instanceof TopicError && e.code === 'NotFound')
        throw new TopicError('ResourceNotFound', 'Resource does not exist');
      throw e;
    }
  }

  async tagResource(input: Input): Promise<Output> {
    const t = await this.taggable(input);
    const tags = { ...t.tags, ...this.checkTags(list(input, 'Tags')) };
    if (Object.keys(tags).length > 50)
      throw new TopicError(
        'TagLimitExceeded',
        'Could not complete request: tag quota of per resource exceeded',
      );
    await this.saveTopic({ ...t, tags });
    return {};
  }

  async untagResource(input: Input): Promise<Output> {
    const t = await this.taggable(input);
    const tags = { ...t.tags };
    for (const k of list(input, 'TagKeys')) delete tags[String(k)];
    await this.saveTopic({ ...t, tags });
    return {};
  }

  async listTagsForResource(input: Input): Promise<Output> {
    const t = await this.taggable(input);
    return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // --- Subscriptions (subscriptions.ts) -------------------------------------------------------

  subscribe(input: Input): Promise<Output> {
    return this.subscriptions.subscribe(input);
  }

  /** ConfirmSubscription; `signed` is false for the SubscribeURL an endpoint fetches unsigned. */
  confirmSubscription(input: Input, signed: boolean): Promise<Output> {
    return this.subscriptions.confirmSubscription(input, signed);
  }

  unsubscribe(input: Input): Promise<Output> {
    return this.subscriptions.unsubscribe(input);
  }

  listSubscriptions(input: Input): Promise<Output> {
    return this.subscriptions.listSubscriptions(input);
  }

  listSubscriptionsByTopic(input: Input): Promise<Output> {
    return this.subscriptions.listSubscriptionsByTopic(input);
  }

  getSubscriptionAttributes(input: Input): Promise<Output> {
    return this.subscriptions.getSubscriptionAttributes(input);
  }

  setSubscriptionAttributes(input: Input): Promise<Output> {
    return this.subscriptions.setSubscriptionAttributes(input);
  }

  // --- Publishing ------------------------------------------------------------------------------

  /** `trace`: the request's X-Amzn-Trace-Id (the API call's span), which deliveries continue. */
  async publish(input: Input, trace?: string): Promise<Output> {
    return this.publisher.publish(input, trace);
  }

  async publishBatch(input: Input, trace?: string): Promise<Output> {
    return this.publisher.publishBatch(input, trace);
  }

  /**
   * Publishes a message from inside Baton (an async invocation's destination or dead letter, a
   * bus target, a schedule), continuing `trace`; false when the topic cannot take it (unknown, or FIFO).
   */
  async publishInternal(topicArn: string, message: string, trace?: string): Promise<boolean> {
    const topic = await this.topicFromArn(topicArn).catch(() => undefined);
    if (!topic || topic.fifo) return false;
    const pub = checkPublication({ Message: message }, topicRules(topic));
    await this.publisher.publishAll(topic, [pub], trace);
    return true;
  }
}
