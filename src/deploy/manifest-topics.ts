import { BatonError } from '../core/errors.ts';

/** A subscription the manifest declares: to a queue, a function or an HTTP(S) endpoint. */
export interface SubscriptionSpec {
  protocol: 'sqs' | 'lambda' | 'http' | 'https';
  /** A queue or function name (sqs, lambda), or a URL. */
  target: string;
  attributes: Record<string, string>;
  path: string;
}

export interface TopicSpec {
  name: string;
  attributes: Record<string, string>;
  subscriptions: SubscriptionSpec[];
}

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A subscription's options: `rawMessageDelivery`, `filterPolicy`, `filterPolicyScope`. */
function subscriptionAttributes(o: Record<string, unknown>, path: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (o.rawMessageDelivery !== undefined) {
    if (typeof o.rawMessageDelivery !== 'boolean')
      throw invalid(`${path}.rawMessageDelivery`, 'must be true or false');
    attributes.RawMessageDelivery = String(o.rawMessageDelivery);
  }
  if (o.filterPolicy !== undefined) {
    if (!isMapping(o.filterPolicy))
      throw invalid(`${path}.filterPolicy`, 'must be a mapping (an SNS filter policy)');
    attributes.FilterPolicy = JSON.stringify(o.filterPolicy);
  }
  if (o.filterPolicyScope !== undefined) {
    if (o.filterPolicyScope !== 'MessageAttributes' && o.filterPolicyScope !== 'MessageBody')
      throw invalid(`${path}.filterPolicyScope`, 'must be MessageAttributes or MessageBody');
    attributes.FilterPolicyScope = o.filterPolicyScope;
  }
  return attributes;
}

const SUB_OPTIONS = ['rawMessageDelivery', 'filterPolicy', 'filterPolicyScope'];

/**
 * The manifest's `topics` section: `name: { fifo, contentBasedDeduplication, subscriptions: [
 * { queue: NAME | http: URL, rawMessageDelivery, filterPolicy, filterPolicyScope } ] }`. A name
 * ending in `.fifo` is a FIFO topic. Functions subscribe with a `topic` event instead.
 */
export function parseTopics(value: unknown): TopicSpec[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) throw invalid('topics', 'must be a mapping of topic names to their settings');
  const out: TopicSpec[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const path = `topics.${name}`;
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? /^[a-zA-Z0-9_-]{1,251}\.fifo$/ : /^[a-zA-Z0-9_-]{1,256}$/).test(name))
      throw invalid(
        path,
        'topic names are 1-256 letters, digits, hyphens or underscores (FIFO: ending in .fifo)',
      );
    const o = raw === null || raw === undefined ? {} : raw;
    if (!isMapping(o)) throw invalid(path, 'must be a mapping of settings (or empty)');
    for (const k of Object.keys(o))
      if (!['fifo', 'contentBasedDeduplication', 'subscriptions'].includes(k))
        throw invalid(`${path}.${k}`, 'is not a known field');
    if (o.fifo !== undefined && o.fifo !== fifo)
      throw invalid(`${path}.fifo`, fifo ? 'a .fifo topic is FIFO' : 'a FIFO topic name must end in .fifo');
    const attributes: Record<string, string> = fifo ? { FifoTopic: 'true' } : {};
    if (o.contentBasedDeduplication !== undefined) {
      if (!fifo) throw invalid(`${path}.contentBasedDeduplication`, 'applies to FIFO topics only');
      if (typeof o.contentBasedDeduplication !== 'boolean')
        throw invalid(`${path}.contentBasedDeduplication`, 'must be true or false');
      attributes.ContentBasedDeduplication = String(o.contentBasedDeduplication);
    }
    const subs = o.subscriptions ?? [];
    if (!Array.isArray(subs))
      throw invalid(`${path}.subscriptions`, 'must be a list, like [ { queue: orders } ]');
    const subscriptions = subs.map((s, i): SubscriptionSpec => {
      const p = `${path}.subscriptions[${i}]`;
      if (!isMapping(s)) throw invalid(p, 'must be a mapping like { queue: NAME } or { http: URL }');
      const kind = ['queue', 'http'].filter((k) => k in s);
      if (kind.length !== 1)
        throw invalid(p, 'must have one of queue or http (functions subscribe with a topic event)');
      for (const k of Object.keys(s))
        if (k !== kind[0] && !SUB_OPTIONS.includes(k)) throw invalid(`${p}.${k}`, 'is not a known field');
      const target = s[kind[0]!];
      if (typeof target !== 'string' || target.length === 0)
        throw invalid(`${p}.${kind[0]}`, 'must be a name or URL');
      let protocol: SubscriptionSpec['protocol'] = 'sqs';
      if (kind[0] === 'http') {
        if (!/^https?:\/\//.test(target)) throw invalid(`${p}.http`, 'must be an http:// or https:// URL');
        protocol = target.startsWith('https:') ? 'https' : 'http';
      }
      return { protocol, target, attributes: subscriptionAttributes(s, p), path: p };
    });
    out.push({ name, attributes, subscriptions });
  }
  return out;
}

/** A function's `topic` event: `{ topic: NAME, filterPolicy, filterPolicyScope }`. */
export function parseTopicEvent(
  fn: string,
  ev: Record<string, unknown>,
  path: string,
): { topic: string; subscription: SubscriptionSpec } {
  for (const k of Object.keys(ev))
    if (k !== 'topic' && !SUB_OPTIONS.includes(k)) throw invalid(`${path}.${k}`, 'is not a known field');
  if (typeof ev.topic !== 'string' || ev.topic.length === 0)
    throw invalid(`${path}.topic`, 'must name a topic');
  if (ev.rawMessageDelivery !== undefined)
    throw invalid(`${path}.rawMessageDelivery`, 'applies to queue and HTTP subscriptions only');
  return {
    topic: ev.topic,
    subscription: { protocol: 'lambda', target: fn, attributes: subscriptionAttributes(ev, path), path },
  };
}
