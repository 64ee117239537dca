import { randomBytes, randomUUID } from 'node:crypto';
import { parseLambdaArn } from '../../runtime/async/dispatcher.ts';
import { checkSubscriptionAttributes } from './attributes.ts';
import type { Protocol, SubscriptionRecord, TopicRecord } from './backend.ts';
import { effectiveSubscriptionPolicyJson } from './delivery-policy.ts';
import { confirmationMessage, type HttpDelivery, snsHeaders } from './envelope.ts';
import { invalidParameter } from './errors.ts';
import { page, str, stringMap } from './input.ts';
import type { Input, Output } from './message.ts';
import type { TopicServiceDeps } from './service.ts';

export const QUEUE_ARN_RE = /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:([a-zA-Z0-9_-]{1,80}(?:\.fifo)?)$/;

/** What subscription operations need from the topic service. */
export interface SubscriptionContext {
  deps: TopicServiceDeps;
  arnOf(name: string): string;
  subscriptionArn(s: SubscriptionRecord): string;
  topic(name: string): Promise<TopicRecord | undefined>;
  topicFromArn(arn: string | undefined): Promise<TopicRecord>;
  subscriptionFromArn(arn: string | undefined): Promise<SubscriptionRecord>;
  /** A topic's subscriptions changed: publishes reload them. */
  changed(topic: string): void;
}

/**
 * Subscriptions for the topic service: Subscribe (with the HTTP/S confirmation handshake),
 * ConfirmSubscription, Unsubscribe, the listings, and subscription attributes.
 */
export class Subscriptions {
  private readonly deps: TopicServiceDeps;
  private readonly arnOf: SubscriptionContext['arnOf'];
  private readonly subscriptionArn: SubscriptionContext['subscriptionArn'];
  private readonly topic: SubscriptionContext['topic'];
  private readonly topicFromArn: SubscriptionContext['topicFromArn'];
  private readonly subscriptionFromArn: SubscriptionContext['subscriptionFromArn'];
  private readonly changed: SubscriptionContext['changed'];

  constructor(ctx: SubscriptionContext) {
    this.deps = ctx.deps;
    this.arnOf = ctx.arnOf;
    this.subscriptionArn = ctx.subscriptionArn;
    this.topic = ctx.topic;
    this.topicFromArn = ctx.topicFromArn;
    this.subscriptionFromArn = ctx.subscriptionFromArn;
    this.changed = ctx.changed;
  }

  private checkEndpoint(topic: TopicRecord, protocol: string, endpoint: string | undefined): Protocol {
    if (!['sqs', 'lambda', 'http', 'https'].includes(protocol))
      throw invalidParameter(
        `Invalid protocol type: ${protocol}. Baton delivers to sqs, lambda, http and https.`,
      );
    if (endpoint === undefined || endpoint === '') throw invalidParameter('Endpoint');
    if (protocol === 'sqs') {
      const queue = QUEUE_ARN_RE.exec(endpoint)?.[1];
      if (!queue) throw invalidParameter('SQS endpoint ARN');
      if (queue.endsWith('.fifo') && !topic.fifo)
        throw invalidParameter(
          'Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
        );
    } else if (topic.fifo) {
      throw invalidParameter(`Invalid protocol type: ${protocol}. A FIFO topic delivers to SQS queues only.`);
    } else if (protocol === 'lambda') {
      if (!parseLambdaArn(endpoint)) throw invalidParameter('Lambda endpoint ARN');
    } else {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== `${protocol}:`)
        throw invalidParameter(`Endpoint must match the specified protocol`);
    }
    return protocol as Protocol;
  }

  async subscribe(input: Input): Promise<Output> {
    const topic = await this.topicFromArn(str(input, 'TopicArn', true));
    const protocol = this.checkEndpoint(
      topic,
      str(input, 'Protocol', true).toLowerCase(),
      str(input, 'Endpoint'),
    );
    const endpoint = str(input, 'Endpoint')!;
    const attributes = stringMap(input, 'Attributes');
    checkSubscriptionAttributes(attributes, protocol, topic.fifo);
    for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
    const returnArn = String(input.ReturnSubscriptionArn ?? 'false').toLowerCase() === 'true';
    const existing = (await this.deps.backend.listSubscriptions(topic.name)).find(
      (s) => s.protocol === protocol && s.endpoint === endpoint,
    );
    if (existing) {
      for (const [k, v] of Object.entries(attributes))
        if (existing.attributes[k] !== v)
          throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
      return {
        SubscriptionArn:
          existing.confirmed || returnArn ? this.subscriptionArn(existing) : 'pending confirmation',
      };
    }
    const http = protocol === 'http' || protocol === 'https';
    const record: SubscriptionRecord = {
      id: randomUUID(),
      topic: topic.name,
      protocol,
      endpoint,
      owner: this.deps.accountId,
      attributes,
      token: http ? randomBytes(64).toString('hex') : null,
      confirmed: !http,
      authenticated: !http,
      authenticateOnUnsubscribe: false,
      createdAt: this.deps.clock.now(),
    };
    await this.deps.backend.putSubscription(record);
    this.changed(topic.name);
    if (http) await this.sendConfirmation(topic, record);
    return { SubscriptionArn: !http || returnArn ? this.subscriptionArn(record) : 'pending confirmation' };
  }

  /** Queues the SubscriptionConfirmation POST to a new HTTP/S subscriber. */
  private async sendConfirmation(topic: TopicRecord, s: SubscriptionRecord): Promise<void> {
    const now = this.deps.clock.now();
    const messageId = randomUUID();
    const topicArn = this.arnOf(topic.name);
    const payload: HttpDelivery = {
      url: s.endpoint,
      type: 'SubscriptionConfirmation',
      headers: snsHeaders('SubscriptionConfirmation', messageId, topicArn, undefined),
      body: confirmationMessage(this.deps.signer, {
        topicArn,
        messageId,
        token: s.token!,
        timestamp: new Date(now).toISOString(),
        endpoint: this.deps.endpoint(),
        version: topic.attributes.SignatureVersion || '1',
      }),
    };
    await this.deps.backend.addDeliveries([
      {
        id: randomUUID(),
        subscription: s.id,
        kind: 'http',
        payload: JSON.stringify(payload),
        createdAt: now,
        dueAt: now,
        attempts: 0,
      },
    ]);
    this.deps.wake();
  }

  /** ConfirmSubscription; `signed` is false for the SubscribeURL an endpoint fetches unsigned. */
  async confirmSubscription(input: Input, signed: boolean): Promise<Output> {
    const topic = await this.topicFromArn(str(input, 'TopicArn', true));
    const token = str(input, 'Token', true);
    const s = (await this.deps.backend.listSubscriptions(topic.name)).find(
      (x) => x.token !== null && x.token === token,
    );
    if (!s) throw invalidParameter('Token');
    if (!s.confirmed) {
      const authOnUnsubscribe = String(input.AuthenticateOnUnsubscribe ?? 'false').toLowerCase() === 'true';
      await this.deps.backend.putSubscription({
        ...s,
        confirmed: true,
        authenticated: signed,
        authenticateOnUnsubscribe: signed && authOnUnsubscribe,
      });
      this.changed(topic.name);
    }
    return { SubscriptionArn: this.subscriptionArn(s) };
  }

  async unsubscribe(input: Input): Promise<Output> {
    const s = await this.subscriptionFromArn(str(input, 'SubscriptionArn', true));
    await this.deps.backend.deleteSubscription(s.id);
    this.changed(s.topic);
    return {};
  }

  private listed(s: SubscriptionRecord): Output {
    return {
      SubscriptionArn: s.confirmed ? this.subscriptionArn(s) : 'PendingConfirmation',
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: this.arnOf(s.topic),
    };
  }

  async listSubscriptions(input: Input): Promise<Output> {
    const p = page(await this.deps.backend.listSubscriptions(), str(input, 'NextToken'));
    return { Subscriptions: p.items.map((s) => this.listed(s)), NextToken: p.next };
  }

  async listSubscriptionsByTopic(input: Input): Promise<Output> {
    const t = await this.topicFromArn(str(input, 'TopicArn', true));
    const p = page(await this.deps.backend.listSubscriptions(t.name), str(input, 'NextToken'));
    return { Subscriptions: p.items.map((s) => this.listed(s)), NextToken: p.next };
  }

  async getSubscriptionAttributes(input: Input): Promise<Output> {
    const s = await this.subscriptionFromArn(str(input, 'SubscriptionArn', true));
    const topic = await this.topic(s.topic);
    const attrs: Record<string, string> = {
      SubscriptionArn: this.subscriptionArn(s),
      TopicArn: this.arnOf(s.topic),
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      ConfirmationWasAuthenticated: String(s.authenticated),
      PendingConfirmation: String(!s.confirmed),
      RawMessageDelivery: s.attributes.RawMessageDelivery ?? 'false',
      ...s.attributes,
    };
    if (s.attributes.FilterPolicy)
      attrs.FilterPolicyScope = s.attributes.FilterPolicyScope ?? 'MessageAttributes';
    if (s.protocol === 'http' || s.protocol === 'https')
      attrs.EffectiveDeliveryPolicy = effectiveSubscriptionPolicyJson(
        topic?.attributes.DeliveryPolicy || undefined,
        s.attributes.DeliveryPolicy,
      );
    return { Attributes: attrs };
  }

  async setSubscriptionAttributes(input: Input): Promise<Output> {
    const s = await this.subscriptionFromArn(str(input, 'SubscriptionArn', true));
    const name = str(input, 'AttributeName', true);
    const value = str(input, 'AttributeValue') ?? '';
    const topic = await this.topic(s.topic);
    const attributes = { ...s.attributes, [name]: value };
    checkSubscriptionAttributes(attributes, s.protocol, topic?.fifo ?? false);
    if (value === '') delete attributes[name];
    await this.deps.backend.putSubscription({ ...s, attributes });
    this.changed(s.topic);
    return {};
  }
}
