import type { InitMessage } from '../protocol.ts';

/** The Lambda `context` object handed to a Node.js handler. */
export interface LambdaContext
  extends Pick<
    InitMessage,
    | 'functionName'
    | 'functionVersion'
    | 'invokedFunctionArn'
    | 'memoryLimitInMB'
    | 'logGroupName'
    | 'logStreamName'
  > {
  awsRequestId: string;
  callbackWaitsForEmptyEventLoop: boolean;
  identity: undefined;
  clientContext: undefined;
  getRemainingTimeInMillis(): number;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
  done(error?: unknown, result?: unknown): void;
}

export function makeContext(
  init: InitMessage,
  requestId: string,
  deadline: number,
  done: (error: unknown, result: unknown) => void,
  invokedFunctionArn = init.invokedFunctionArn,
): LambdaContext {
  return {
    awsRequestId: requestId,
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn,
    memoryLimitInMB: init.memoryLimitInMB,
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Legacy completion methods: only the first call of any of them counts.
    succeed: (result) => done(null, result),
    fail: (error) => done(error ?? 'handled', undefined),
    done: (error, result) => done(error, result),
  };
}
