import type { IncomingMessage } from 'node:http';
import type { RequestTarget } from '../../server/http-io.ts';
import { QueueError } from '../../services/queues/errors.ts';
import type { Input, Output } from '../../services/queues/service.ts';
import { members, type Tree, toTree } from '../query-params.ts';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const QUEUE_PATH = /^\/\d{12}\/[a-zA-Z0-9_.-]+\/?$/;

/** The signing service named in a request's SigV4 scope (header or presigned query), if any. */
export function scopeService(req: IncomingMessage, url: RequestTarget): string | undefined {
  const auth = req.headers.authorization;
  const credential =
    typeof auth === 'string'
      ? /Credential=([^,\s]+)/.exec(auth)?.[1]
      : url.query.includes('X-Amz-Credential')
        ? (url.searchParams.get('X-Amz-Credential') ?? undefined)
        : undefined;
  return credential?.split('/')[3];
}

/**
 * Whether a request is an SQS query-protocol call: a form POST (or a GET with `Action`) that is
 * signed for `sqs`, or sent to a queue URL (`/<account>/<queue>`).
 */
export function isQueryRequest(req: IncomingMessage, url: RequestTarget): boolean {
  const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const get = req.method === 'GET' && url.query.includes('Action=');
  if (!(req.method === 'POST' && form) && !get) return false;
  return scopeService(req, url) === 'sqs' || QUEUE_PATH.test(url.pathname);
}

/** `Attribute.N.Name` / `Attribute.N.Value` → `{ name: value }`. */
function nameValueMap(
  node: Tree | string | undefined,
  key = 'Name',
  value = 'Value',
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const m of members(node)) {
    if (typeof m === 'string') continue;
    const k = m[key];
    if (typeof k === 'string') out[k] = m[value];
  }
  return out;
}

/** Message attributes: `MessageAttribute.N.Name` + `.Value.DataType/StringValue/BinaryValue`. */
function messageAttributes(node: Tree | string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, v] of Object.entries(nameValueMap(node))) {
    const val = (typeof v === 'object' ? v : {}) as Tree;
    out[name] = { DataType: val.DataType, StringValue: val.StringValue, BinaryValue: val.BinaryValue };
  }
  return out;
}

function strings(node: Tree | string | undefined): string[] {
  return members(node).filter((m): m is string => typeof m === 'string');
}

function message(t: Tree): Input {
  const { MessageAttribute, MessageSystemAttribute, ...rest } = t;
  const out: Input = { ...rest };
  if (MessageAttribute) out.MessageAttributes = messageAttributes(MessageAttribute);
  if (MessageSystemAttribute) out.MessageSystemAttributes = messageAttributes(MessageSystemAttribute);
  return out;
}

/** Reads a query-protocol request's action and its parameters, shaped as the JSON protocol's input. */
export function parseQueryInput(
  req: IncomingMessage,
  url: RequestTarget,
  body: Buffer,
): { action: string; input: Input } {
  const params = new URLSearchParams(url.query);
  if (req.method === 'POST' && body.length > 0)
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  for (const k of [...params.keys()]) if (k.startsWith('X-Amz-')) params.delete(k);
  const action = params.get('Action');
  if (!action) throw new QueueError('MissingParameter', 'The request must contain the parameter Action.');
  params.delete('Action');
  params.delete('Version');
  const t = toTree(params);
  const input: Input = Object.create(null);
  for (const [k, v] of Object.entries(t)) {
    switch (k) {
      case 'Attribute':
        input.Attributes = nameValueMap(v);
        break;
      case 'Tag':
        input[action === 'CreateQueue' ? 'tags' : 'Tags'] = nameValueMap(v, 'Key', 'Value');
        break;
      case 'TagKey':
        input.TagKeys = strings(v);
        break;
      case 'AttributeName':
        input.AttributeNames = strings(v);
        break;
      case 'MessageSystemAttributeName':
        input.MessageSystemAttributeNames = strings(v);
        break;
      case 'MessageAttributeName':
        input.MessageAttributeNames = strings(v);
        break;
      case 'MessageAttribute':
        input.MessageAttributes = messageAttributes(v);
        break;
      case 'MessageSystemAttribute':
        input.MessageSystemAttributes = messageAttributes(v);
        break;
      case 'SendMessageBatchRequestEntry':
      case 'DeleteMessageBatchRequestEntry':
      case 'ChangeMessageVisibilityBatchRequestEntry':
        input.Entries = members(v).map((m) => (typeof m === 'string' ? {} : message(m)));
        break;
      default:
        input[k] = v;
    }
  }
  // A request sent to a queue's URL names its queue by the path.
  if (input.QueueUrl === undefined && QUEUE_PATH.test(url.pathname)) input.QueueUrl = url.pathname;
  return { action, input };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\r/g, '&#13;');
}

function el(name: string, value: unknown): string {
  return value === undefined || value === null ? '' : `<${name}>${esc(String(value))}</${name}>`;
}

function nameValues(tag: string, map: unknown, key = 'Name', value = 'Value'): string {
  if (!map || typeof map !== 'object') return '';
  return Object.entries(map as Record<string, unknown>)
    .map(([k, v]) => `<${tag}>${el(key, k)}${el(value, v)}</${tag}>`)
    .join('');
}

function messageXml(m: Output): string {
  const attrs = m.MessageAttributes as Record<string, Record<string, string>> | undefined;
  return `<Message>${el('MessageId', m.MessageId)}${el('ReceiptHandle', m.ReceiptHandle)}${el('MD5OfBody', m.MD5OfBody)}${el('Body', m.Body)}${nameValues('Attribute', m.Attributes)}${el('MD5OfMessageAttributes', m.MD5OfMessageAttributes)}${Object.entries(
    attrs ?? {},
  )
    .map(
      ([k, v]) =>
        `<MessageAttribute>${el('Name', k)}<Value>${el('StringValue', v.StringValue)}${el('BinaryValue', v.BinaryValue)}${el('DataType', v.DataType)}</Value></MessageAttribute>`,
    )
    .join('')}</Message>`;
}

function batchXml(entry: string, out: Output): string {
  const ok = (out.Successful as Output[]).map(
    (e) =>
      `<${entry}>${Object.entries(e)
        .map(([k, v]) => el(k, v))
        .join('')}</${entry}>`,
  );
  const failed = (out.Failed as Output[]).map(
    (e) =>
      `<BatchResultErrorEntry>${el('Id', e.Id)}${el('SenderFault', e.SenderFault)}${el('Code', e.Code)}${el('Message', e.Message)}</BatchResultErrorEntry>`,
  );
  return ok.join('') + failed.join('');
}

/** The query protocol's XML answer for an action's output. */
export function queryResponseXml(action: string, out: Output, requestId: string): string {
  let result: string;
  switch (action) {
    case 'ListQueues':
      result =
        (out.QueueUrls as string[]).map((u) => el('QueueUrl', u)).join('') + el('NextToken', out.NextToken);
      break;
    case 'GetQueueAttributes':
      result = nameValues('Attribute', out.Attributes);
      break;
    case 'ListQueueTags':
      result = nameValues('Tag', out.Tags, 'Key', 'Value');
      break;
    case 'ReceiveMessage':
      result = ((out.Messages as Output[] | undefined) ?? []).map(messageXml).join('');
      break;
    case 'ListMessageMoveTasks':
      result = ((out.Results as Output[] | undefined) ?? [])
        .map(
          (t) =>
            `<ListMessageMoveTasksResultEntry>${Object.entries(t)
              .map(([k, v]) => el(k, v))
              .join('')}</ListMessageMoveTasksResultEntry>`,
        )
        .join('');
      break;
    case 'SendMessageBatch':
      result = batchXml('SendMessageBatchResultEntry', out);
      break;
    case 'DeleteMessageBatch':
      result = batchXml('DeleteMessageBatchResultEntry', out);
      break;
    case 'ChangeMessageVisibilityBatch':
      result = batchXml('ChangeMessageVisibilityBatchResultEntry', out);
      break;
    default:
      result = Object.entries(out)
        .map(([k, v]) => el(k, v))
        .join('');
  }
  const body =
    result.length > 0 || Object.keys(out).length > 0 ? `<${action}Result>${result}</${action}Result>` : '';
  return `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryErrorXml(type: string, code: string, message: string, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type>${el('Code', code)}${el('Message', message)}<Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
