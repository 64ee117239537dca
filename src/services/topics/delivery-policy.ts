import { invalidParameter } from './errors.ts';

/**
 * HTTP/S delivery policies: how often, and how far apart, a failed delivery is retried. Pure.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 *
 * A retry policy has four phases after the first attempt: `numNoDelayRetries` at once,
 * `numMinDelayRetries` `minDelayTarget` seconds apart, a backoff phase growing from
 * `minDelayTarget` to `maxDelayTarget` by `backoffFunction`, and `numMaxDelayRetries`
 * `maxDelayTarget` seconds apart. `numRetries` counts them all. Baton applies no jitter, so tests
 * can name the exact times (`test/services/topics/deliverer.test.ts`).
 */
export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: 'linear' | 'arithmetic' | 'geometric' | 'exponential';
}

/** SNS's default for HTTP/S: 3 retries, 20 seconds apart. */
export const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'linear',
};

export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** What a delivery uses: the retry policy and the request's Content-Type. */
export interface EffectiveHttpPolicy {
  retry: RetryPolicy;
  contentType: string;
}

const FUNCTIONS = new Set(['linear', 'arithmetic', 'geometric', 'exponential']);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseRetry(v: unknown): RetryPolicy {
  if (!isObject(v)) throw invalidParameter('DeliveryPolicy: healthyRetryPolicy must be an object');
  const int = (name: keyof RetryPolicy, min: number, max: number, dflt: number): number => {
    const n = v[name] ?? dflt;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw invalidParameter(`DeliveryPolicy: ${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const p: RetryPolicy = {
    minDelayTarget: int('minDelayTarget', 1, 3600, 20),
    maxDelayTarget: int('maxDelayTarget', 1, 3600, 20),
    numRetries: int('numRetries', 0, 100, 3),
    numNoDelayRetries: int('numNoDelayRetries', 0, 100, 0),
    numMinDelayRetries: int('numMinDelayRetries', 0, 100, 0),
    numMaxDelayRetries: int('numMaxDelayRetries', 0, 100, 0),
    backoffFunction: (v.backoffFunction ?? 'linear') as RetryPolicy['backoffFunction'],
  };
  if (!FUNCTIONS.has(p.backoffFunction))
    throw invalidParameter(
      'DeliveryPolicy: backoffFunction must be linear, arithmetic, geometric or exponential',
    );
  if (p.minDelayTarget > p.maxDelayTarget)
    throw invalidParameter('DeliveryPolicy: minDelayTarget must not exceed maxDelayTarget');
  if (p.numNoDelayRetries + p.numMinDelayRetries + p.numMaxDelayRetries > p.numRetries)
    throw invalidParameter('DeliveryPolicy: the phases hold more retries than numRetries');
  let total = 0;
  for (let i = 1; i <= p.numRetries; i++) total += retryDelaySeconds(p, i) ?? 0;
  if (total > 3600) throw invalidParameter('DeliveryPolicy: the retries must fit within 3,600 seconds');
  return p;
}

function parseContentType(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const t = isObject(v) ? v.headerContentType : undefined;
  if (typeof t !== 'string' || t === '')
    throw invalidParameter('DeliveryPolicy: headerContentType must be a string');
  return t;
}

function parseJson(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw invalidParameter('DeliveryPolicy: must be a JSON object');
  }
  if (!isObject(v)) throw invalidParameter('DeliveryPolicy: must be a JSON object');
  return v;
}

interface TopicHttpPolicy {
  retry?: RetryPolicy;
  contentType?: string;
  disableSubscriptionOverrides: boolean;
}

/** A topic's DeliveryPolicy: `{"http": {"defaultHealthyRetryPolicy", "defaultRequestPolicy", …}}`. */
export function parseTopicDeliveryPolicy(text: string): TopicHttpPolicy {
  const http = parseJson(text).http;
  if (http === undefined) return { disableSubscriptionOverrides: false };
  if (!isObject(http)) throw invalidParameter('DeliveryPolicy: http must be an object');
  return {
    retry:
      http.defaultHealthyRetryPolicy === undefined ? undefined : parseRetry(http.defaultHealthyRetryPolicy),
    contentType: parseContentType(http.defaultRequestPolicy),
    disableSubscriptionOverrides: http.disableSubscriptionOverrides === true,
  };
}

/** A subscription's DeliveryPolicy: `{"healthyRetryPolicy", "throttlePolicy", "requestPolicy"}`. */
export function parseSubscriptionDeliveryPolicy(text: string): { retry?: RetryPolicy; contentType?: string } {
  const p = parseJson(text);
  return {
    retry: p.healthyRetryPolicy === undefined ? undefined : parseRetry(p.healthyRetryPolicy),
    contentType: parseContentType(p.requestPolicy),
  };
}

/** The policy a subscription's deliveries follow: its own, unless the topic forbids overrides. */
export function effectiveHttpPolicy(
  topicPolicy: string | undefined,
  subscriptionPolicy: string | undefined,
): EffectiveHttpPolicy {
  const topic = topicPolicy ? parseTopicDeliveryPolicy(topicPolicy) : { disableSubscriptionOverrides: false };
  const sub =
    subscriptionPolicy && !topic.disableSubscriptionOverrides
      ? parseSubscriptionDeliveryPolicy(subscriptionPolicy)
      : {};
  return {
    retry: sub.retry ?? topic.retry ?? DEFAULT_HTTP_RETRY,
    contentType: sub.contentType ?? topic.contentType ?? DEFAULT_CONTENT_TYPE,
  };
}

/** The topic's EffectiveDeliveryPolicy attribute, as SNS shows it. */
export function effectiveTopicPolicyJson(topicPolicy: string | undefined): string {
  const t = topicPolicy ? parseTopicDeliveryPolicy(topicPolicy) : { disableSubscriptionOverrides: false };
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: t.retry ?? DEFAULT_HTTP_RETRY,
      disableSubscriptionOverrides: t.disableSubscriptionOverrides,
      defaultRequestPolicy: { headerContentType: t.contentType ?? DEFAULT_CONTENT_TYPE },
    },
  });
}

/** A subscription's EffectiveDeliveryPolicy attribute. */
export function effectiveSubscriptionPolicyJson(
  topicPolicy: string | undefined,
  sub: string | undefined,
): string {
  const e = effectiveHttpPolicy(topicPolicy, sub);
  return JSON.stringify({
    healthyRetryPolicy: e.retry,
    requestPolicy: { headerContentType: e.contentType },
  });
}

/**
 * Seconds to wait before retry number `retry` (1-based), or undefined when the policy has no
 * such retry (the delivery has failed for good).
 */
export function retryDelaySeconds(p: RetryPolicy, retry: number): number | undefined {
  if (retry < 1 || retry > p.numRetries) return undefined;
  if (retry <= p.numNoDelayRetries) return 0;
  if (retry <= p.numNoDelayRetries + p.numMinDelayRetries) return p.minDelayTarget;
  const backoff = p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries;
  const i = retry - p.numNoDelayRetries - p.numMinDelayRetries;
  if (i > backoff) return p.maxDelayTarget;
  const { minDelayTarget: lo, maxDelayTarget: hi } = p;
  if (backoff <= 1 || lo === hi) return i === backoff ? hi : lo;
  // Step i of n (1…n) goes from lo (i = 1) to hi (i = n).
  const f = (i - 1) / (backoff - 1);
  switch (p.backoffFunction) {
    case 'linear':
      return Math.round(lo + (hi - lo) * f);
    case 'arithmetic':
      return Math.round(lo + (hi - lo) * f * f);
    case 'geometric':
      return Math.round(lo * (hi / lo) ** f);
    case 'exponential':
      return Math.round(lo + (hi - lo) * ((2 ** (i - 1) - 1) / (2 ** (backoff - 1) - 1)));
  }
}
