import type { EventInvokeConfig } from '../../registry/records.ts';
import { parseLambdaArn } from '../../runtime/async/dispatcher.ts';
import { parseJsonObject, sendJson } from '../../server/http-io.ts';
import {
  invalid,
  type LambdaApiDeps,
  type LambdaContext,
  type Op,
  onlyKnown,
  optInt,
  SQS_ARN,
} from './common.ts';
import { parseFunctionRef } from './names.ts';
import { eventInvokeConfiguration } from './shapes.ts';

/** Async invocation settings (EventInvokeConfig). */
export function asyncConfigOps(deps: LambdaApiDeps, ctx: LambdaContext) {
  const { registry, identity } = deps;
  const { refOf, latest, recordFor, noInvokeConfig, paginate } = ctx;
  // --- Async configuration -----------------------------------------------------------------

  const destinationOf = (o: unknown, which: 'OnSuccess' | 'OnFailure'): string | null | undefined => {
    if (o === undefined || o === null) return undefined;
    const d = (o as Record<string, { Destination?: unknown } | undefined>)[which];
    if (d === undefined || d === null) return null;
    const arn = d.Destination;
    if (arn === undefined || arn === null || arn === '') return null;
    if (typeof arn !== 'string') throw invalid(`DestinationConfig.${which}.Destination must be an ARN`);
    const fn = parseLambdaArn(arn);
    if (!fn && !SQS_ARN.test(arn))
      throw invalid(
        `The destination ARN ${arn} is invalid: Baton delivers to Lambda functions and SQS queues (topics and buses come with those services).`,
      );
    return arn;
  };
  const putInvokeConfig =
    (merge: boolean): Op =>
    async ({ res, name, url, body }) => {
      const ref = refOf(name, url);
      const qualifier = ref.qualifier ?? '$LATEST';
      if (qualifier !== '$LATEST') recordFor(ref.name, qualifier);
      else latest(ref.name);
      const o = parseJsonObject(body);
      onlyKnown(
        o,
        ['MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig'],
        'PutFunctionEventInvokeConfig',
      );
      const current = registry.getInvokeConfig(ref.name, qualifier);
      if (merge && !current) throw noInvokeConfig(ref.name, qualifier);
      const retries = optInt(o, 'MaximumRetryAttempts', 0, 2);
      const age = optInt(o, 'MaximumEventAgeInSeconds', 60, 21_600);
      const onSuccess = destinationOf(o.DestinationConfig, 'OnSuccess');
      const onFailure = destinationOf(o.DestinationConfig, 'OnFailure');
      const base = merge ? current! : undefined;
      const config: EventInvokeConfig = {
        function: ref.name,
        qualifier,
        maximumRetryAttempts: retries ?? base?.maximumRetryAttempts ?? null,
        maximumEventAgeSeconds: age ?? base?.maximumEventAgeSeconds ?? null,
        onSuccess: onSuccess === undefined ? (base?.onSuccess ?? null) : onSuccess,
        onFailure: onFailure === undefined ? (base?.onFailure ?? null) : onFailure,
        lastModified: deps.clock.now(),
      };
      await registry.putInvokeConfig(config);
      sendJson(res, 200, eventInvokeConfiguration(config, identity));
    };
  const getInvokeConfig: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    const c = registry.getInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    if (!c) throw noInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    sendJson(res, 200, eventInvokeConfiguration(c, identity));
  };
  const deleteInvokeConfig: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    if (!(await registry.deleteInvokeConfig(ref.name, ref.qualifier ?? '$LATEST')))
      throw noInvokeConfig(ref.name, ref.qualifier ?? '$LATEST');
    res.writeHead(204).end();
  };
  const listInvokeConfigs: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const { page, next } = paginate(registry.invokeConfigs(fn.name), (c) => c.qualifier, url);
    sendJson(res, 200, {
      FunctionEventInvokeConfigs: page.map((c) => eventInvokeConfiguration(c, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  return { putInvokeConfig, getInvokeConfig, deleteInvokeConfig, listInvokeConfigs };
}
