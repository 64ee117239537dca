/**
 * IAM's awsQuery answers: `<ActionResponse xmlns=…><ActionResult>…` with lists as `<member>`
 * elements, timestamps in ISO 8601, and `<ErrorResponse><Error><Type>…` for errors.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html (example response)
 */

import { escapeXml, queryErrorXml, queryResponseXml } from '../query-xml.ts';

export const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** An output value: structures in member order, lists, timestamps (Date), scalars. */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [k: string]: XmlValue };

/** IAM writes timestamps to the second: `2024-05-01T12:00:00Z`. */
const timestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function element(name: string, v: XmlValue): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return `<${name}>${v.map((m) => element('member', m)).join('')}</${name}>`;
  if (v instanceof Date) return `<${name}>${timestamp(v)}</${name}>`;
  if (typeof v === 'object')
    return `<${name}>${Object.entries(v)
      .map(([k, x]) => element(k, x))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** The answer to `action`; an empty output has no `…Result` element, as IAM answers DeleteUser. */
export function responseXml(action: string, out: Record<string, XmlValue>, requestId: string): string {
  const members = Object.entries(out)
    .map(([k, v]) => element(k, v))
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
