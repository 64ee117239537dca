/** Starts a request's span, under the caller's `traceparent` (or `X-Amzn-Trace-Id`) when sent. */
export interface GatewayTracer {
  /** `rawHeaders` as node:http gives them; `traceparent` and `x-amzn-trace-id` are read from them. */
  start(method: string, path: string, rawHeaders: string[], requestId: string): GatewaySpan;
}

export interface GatewaySpan {
  /** `Root=…;Parent=<this span>;Sampled=…`: the event's `x-amzn-trace-id` header, as API Gateway adds. */
  readonly header: string;
  end(routeKey: string | undefined, status: number): void;
}

/** API Gateway hands the function its trace header (`x-amzn-trace-id`; 1.0 events keep its case). */
export function withTraceHeader(event: Record<string, unknown>, value: string): void {
  const v2 = event.version === '2.0';
  const name = v2 ? 'x-amzn-trace-id' : 'X-Amzn-Trace-Id';
  const headers = event.headers as Record<string, string> | null | undefined;
  if (headers) headers[name] = value;
  else event.headers = { [name]: value };
  const multi = event.multiValueHeaders as Record<string, string[]> | null | undefined;
  if (!v2) {
    if (multi) multi[name] = [value];
    else event.multiValueHeaders = { [name]: [value] };
  }
}
