import type { IncomingMessage } from 'node:http';
import type { RequestTarget } from '../../server/http-io.ts';
import type { Input, Output } from '../../services/topics/message.ts';
import { members, type Tree, toTree } from '../query-params.ts';
import { escapeXml, queryErrorXml, queryResponseXml } from '../query-xml.ts';
import { scopeService } from '../sqs/query.ts';

/** The namespace of SNS's XML answers. */
export const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Whether a request is an SNS call: a form POST (or a GET with `Action`) signed for `sns`. */
export function isSnsRequest(req: IncomingMessage, url: RequestTarget): boolean {
  const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const get = req.method === 'GET' && url.query.includes('Action=');
  if (!(req.method === 'POST' && form) && !get) return false;
  return scopeService(req, url) === 'sns';
}

/**
 * The awsQuery serialisation, undone: `X.member.N` is a list, `X.entry.N.key`/`.value` (or
 * `.Name`/`.Value`, for message attributes) is a map, anything else a structure.
 */
function fromTree(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') return members(node.member).map(fromTree);
  if (keys.length === 1 && keys[0] === 'entry') {
    const map: Record<string, unknown> = Object.create(null);
    for (const e of members(node.entry)) {
      if (typeof e === 'string') continue;
      const k = e.key ?? e.Name;
      const v = e.value ?? e.Value;
      if (typeof k === 'string' && v !== undefined) map[k] = fromTree(v);
    }
    return map;
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const k of keys) out[k] = fromTree(node[k]!);
  return out;
}

/** A query-protocol request's action and its parameters, shaped as the API's input structure. */
export function parseQuery(
  url: RequestTarget,
  body: Buffer | undefined,
): { action: string | undefined; input: Input } {
  const params = new URLSearchParams(url.query);
  if (body && body.length > 0)
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  for (const k of [...params.keys()]) if (k.startsWith('X-Amz-')) params.delete(k);
  const action = params.get('Action') ?? undefined;
  params.delete('Action');
  params.delete('Version');
  return { action, input: fromTree(toTree(params)) as Input };
}

/** Members that are maps in SNS's output shapes (the rest are structures or lists). */
const MAPS = new Set(['Attributes']);

function xml(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return `<${name}>${v.map((m) => xml('member', m)).join('')}</${name}>`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (MAPS.has(name))
      return `<${name}>${entries.map(([k, x]) => `<entry><key>${escapeXml(k)}</key>${xml('value', x)}</entry>`).join('')}</${name}>`;
    return `<${name}>${entries.map(([k, x]) => xml(k, x)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** The query protocol's XML answer for an action's output. */
export function responseXml(action: string, out: Output, requestId: string): string {
  const members = Object.entries(out)
    .map(([k, v]) => xml(k, v))
    .join('');
  return queryResponseXml(XMLNS, action, members, requestId);
}

export function errorXml(
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return queryErrorXml(XMLNS, type, code, message, requestId);
}
