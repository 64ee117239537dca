import type { Publication, SnsAttribute } from './message.ts';
import { messageFor } from './message.ts';
import type { MessageSigner } from './signing.ts';

/**
 * What subscribers receive, in AWS's shapes: the notification JSON (SQS and HTTP subscribers,
 * unless raw), the Lambda event (`Records[].Sns`), and the HTTP request's headers. Built once per
 * publish and protocol; only the subscription's ARN (in `UnsubscribeURL`) differs per subscriber,
 * so it is spliced into a prepared string.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */

/** One published message, as every delivery of it shares it. */
export interface Notice {
  topicArn: string;
  messageId: string;
  /** FIFO topics: the topic's sequence number (FIFO notifications carry it and no signature). */
  sequenceNumber: string | undefined;
  /** ISO 8601 with milliseconds: the publish time. */
  timestamp: string;
  publication: Publication;
  /** The topic's SignatureVersion ('1' or '2'). */
  signatureVersion: string;
}

/** `MessageAttributes` as notifications carry them: `{name: {Type, Value}}`, binary as base64. */
export function envelopeAttributes(attrs: Readonly<Record<string, SnsAttribute>>): Record<string, unknown> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [k, a] of Object.entries(attrs))
    out[k] = { Type: a.DataType, Value: a.BinaryValue ?? a.StringValue ?? '' };
  return out;
}

export function unsubscribeUrl(endpoint: string, subscriptionArn: string): string {
  return `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

/** Builds the per-protocol pieces of one notice, each computed (and signed) at most once. */
export class NoticeRenderer {
  private readonly signatures = new Map<string, string>();
  private readonly envelopes = new Map<string, [string, string]>();
  private readonly lambdaParts = new Map<string, [string, string, string]>();
  private attributesJson: string | undefined;

  constructor(
    private readonly notice: Notice,
    private readonly signer: MessageSigner,
    private readonly endpoint: string,
  ) {}

  private signature(message: string): string {
    let sig = this.signatures.get(message);
    if (sig === undefined) {
      const n = this.notice;
      sig = this.signer.sign(
        {
          Type: 'Notification',
          MessageId: n.messageId,
          TopicArn: n.topicArn,
          Subject: n.publication.subject,
          Message: message,
          Timestamp: n.timestamp,
        },
        n.signatureVersion,
      );
      this.signatures.set(message, sig);
    }
    return sig;
  }

  private attrs(): string {
    this.attributesJson ??= JSON.stringify(envelopeAttributes(this.notice.publication.attributes));
    return this.attributesJson;
  }

  /** The notification JSON for a protocol's subscriber. */
  envelope(protocol: string, subscriptionArn: string): string {
    let parts = this.envelopes.get(protocol);
    if (!parts) {
      const n = this.notice;
      const message = messageFor(n.publication, protocol);
      const head: Record<string, unknown> = { Type: 'Notification', MessageId: n.messageId };
      if (n.sequenceNumber !== undefined) head.SequenceNumber = n.sequenceNumber;
      head.TopicArn = n.topicArn;
      if (n.publication.subject !== undefined) head.Subject = n.publication.subject;
      head.Message = message;
      head.Timestamp = n.timestamp;
      if (n.sequenceNumber === undefined) {
        head.SignatureVersion = n.signatureVersion;
        head.Signature = this.signature(message);
        head.SigningCertURL = this.signer.certUrl;
      }
      const tail =
        Object.keys(n.publication.attributes).length > 0 ? `,"MessageAttributes":${this.attrs()}}` : '}';
      parts = [`${JSON.stringify(head).slice(0, -1)},"UnsubscribeURL":`, tail];
      this.envelopes.set(protocol, parts);
    }
    return parts[0] + JSON.stringify(unsubscribeUrl(this.endpoint, subscriptionArn)) + parts[1];
  }

  /** The Lambda event for a function subscriber: `{"Records": [{"EventSource": "aws:sns", …, "Sns": {…}}]}`. */
  lambdaEvent(subscriptionArn: string): string {
    let parts = this.lambdaParts.get('lambda');
    if (!parts) {
      const n = this.notice;
      const message = messageFor(n.publication, 'lambda');
      const sns = {
        Type: 'Notification',
        MessageId: n.messageId,
        TopicArn: n.topicArn,
        Subject: n.publication.subject ?? null,
        Message: message,
        Timestamp: n.timestamp,
        SignatureVersion: n.signatureVersion,
        Signature: this.signature(message),
        SigningCertUrl: this.signer.certUrl,
      };
      parts = [
        '{"Records":[{"EventSource":"aws:sns","EventVersion":"1.0","EventSubscriptionArn":',
        `,"Sns":${JSON.stringify(sns).slice(0, -1)},"UnsubscribeUrl":`,
        `,"MessageAttributes":${this.attrs()}}}]}`,
      ];
      this.lambdaParts.set('lambda', parts);
    }
    const arn = JSON.stringify(subscriptionArn);
    return (
      parts[0] + arn + parts[1] + JSON.stringify(unsubscribeUrl(this.endpoint, subscriptionArn)) + parts[2]
    );
  }
}

/** An HTTP delivery as the outbox keeps it. */
export interface HttpDelivery {
  url: string;
  /** Message type, for the `x-amz-sns-message-type` header and DLQ handling. */
  type: 'Notification' | 'SubscriptionConfirmation';
  headers: Record<string, string>;
  body: string;
}

/** The headers SNS sends with every HTTP/S delivery. */
export function snsHeaders(
  type: HttpDelivery['type'],
  messageId: string,
  topicArn: string,
  subscriptionArn: string | undefined,
): Record<string, string> {
  const h: Record<string, string> = {
    'x-amz-sns-message-type': type,
    'x-amz-sns-message-id': messageId,
    'x-amz-sns-topic-arn': topicArn,
    'user-agent': 'Amazon Simple Notification Service Agent',
  };
  if (subscriptionArn !== undefined) h['x-amz-sns-subscription-arn'] = subscriptionArn;
  return h;
}

/** The SubscriptionConfirmation message an HTTP/S endpoint gets when it is subscribed. */
export function confirmationMessage(
  signer: MessageSigner,
  opts: {
    topicArn: string;
    messageId: string;
    token: string;
    timestamp: string;
    endpoint: string;
    version: string;
  },
): string {
  const m: Record<string, string> = {
    Type: 'SubscriptionConfirmation',
    MessageId: opts.messageId,
    Token: opts.token,
    TopicArn: opts.topicArn,
    Message: `You have chosen to subscribe to the topic ${opts.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `${opts.endpoint}/?Action=ConfirmSubscription&TopicArn=${opts.topicArn}&Token=${opts.token}`,
    Timestamp: opts.timestamp,
    SignatureVersion: opts.version,
  };
  m.Signature = signer.sign(m, opts.version);
  m.SigningCertURL = signer.certUrl;
  return JSON.stringify(m);
}
