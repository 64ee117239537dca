/**
 * The awsQuery protocol's XML envelopes, shared by SNS and IAM: `<ActionResponse xmlns=…>` with
 * an `<ActionResult>` (left out when the output is empty) and `<ResponseMetadata>`, and
 * `<ErrorResponse><Error><Type>…`. Each service writes its own members (maps, timestamps).
 */

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\r/g, '&#13;');
}

/** The answer to `action`, around members already written as XML. */
export function queryResponseXml(xmlns: string, action: string, members: string, requestId: string): string {
  const result = members === '' ? '' : `<${action}Result>${members}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${xmlns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryErrorXml(
  xmlns: string,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
