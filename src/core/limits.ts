/**
 * Lambda's documented quotas, which Baton enforces the same way.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const limits = {
  /** Bytes: synchronous invoke request and response payloads. */
  invokePayloadBytes: 6 * 1024 * 1024,
  /** Bytes: the figure Lambda quotes in Function.ResponseSizeTooLarge. */
  responsePayloadQuotedBytes: 6_291_556,
  /** MB. */
  memoryMin: 128,
  memoryMax: 10_240,
  memoryDefault: 128,
  /** Seconds. */
  timeoutMin: 1,
  timeoutMax: 900,
  timeoutDefault: 3,
  /** Seconds an idle instance is kept before it is reaped. */
  idleTimeoutDefault: 300,
  idleTimeoutMin: 1,
  idleTimeoutMax: 86_400,
  /** Bytes: all environment variables of a function together, as JSON. */
  environmentBytes: 4 * 1024,
  functionNameMax: 64,
  handlerMax: 128,
  /** Bytes: an uploaded code package (zip), and its unpacked size. */
  codeZipBytes: 50 * 1024 * 1024,
  codeUnzippedBytes: 250 * 1024 * 1024,
} as const;
