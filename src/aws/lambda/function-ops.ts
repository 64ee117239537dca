import { BatonError } from '../../core/errors.ts';
import type { FunctionConfig, FunctionRecord } from '../../core/function-spec.ts';
import { limits } from '../../core/limits.ts';
import {
  checkFunctionGuardrails,
  committedConcurrency,
  committedElsewhere,
  LAMBDA_FIELDS,
  unreservedMinimum,
} from '../../governance/guardrails.ts';
import { resolveTarget } from '../../registry/resolve.ts';
import { ASYNC_PAYLOAD_BYTES } from '../../runtime/async/dispatcher.ts';
import { parseJsonObject, sendJson } from '../../server/http-io.ts';
import { formatInvocationLog } from '../../telemetry/logs/invocation-log.ts';
import {
  CREATE_FIELDS,
  invalid,
  type LambdaApiDeps,
  type LambdaContext,
  type Op,
  onlyKnown,
  optInt,
  optString,
  TAIL_BYTES,
  UPDATE_CODE_FIELDS,
  UPDATE_CONFIG_FIELDS,
} from './common.ts';
import { parseFunctionRef } from './names.ts';
import { functionConfiguration } from './shapes.ts';

/** Functions, invocations, concurrency and account settings. */
export function functionOps(deps: LambdaApiDeps, ctx: LambdaContext) {
  const { registry, identity } = deps;
  const {
    refOf,
    latest,
    recordFor,
    configOf,
    zipOf,
    checkRuntime,
    deadLetterOf,
    checkRevision,
    paginate,
    random,
  } = ctx;
  // --- Functions ---------------------------------------------------------------------------
  /** The account's limits, named as Lambda names the members (src/governance/guardrails.ts). */
  const guardrails = (fn: string, config: FunctionConfig, previous?: FunctionRecord) =>
    checkFunctionGuardrails(deps.deployer.guardrails, registry.list(), fn, config, previous, LAMBDA_FIELDS);

  const create: Op = async ({ res, body }) => {
    const o = parseJsonObject(body);
    onlyKnown(o, CREATE_FIELDS, 'CreateFunction');
    checkRuntime(o.Runtime);
    const name = parseFunctionRef(String(o.FunctionName ?? '')).name;
    const description = optString(o, 'Description');
    const dlq = deadLetterOf(o);
    const config = configOf(o);
    guardrails(name, config);
    const zip = zipOf(o.Code);
    let { record } = await deps.deployer.create(name, config, zip, {
      description,
      deadLetterTargetArn: dlq ?? undefined,
    });
    if (o.Publish === true) record = await deps.deployer.publish(name);
    sendJson(res, 201, functionConfiguration(record, identity));
  };
  const list: Op = async ({ res, url }) => {
    const all =
      url.searchParams.get('FunctionVersion') === 'ALL'
        ? registry.list().flatMap((r) => [r, ...registry.versions(r.name)])
        : registry.list();
    const key = (r: FunctionRecord) => `${r.name}:${r.version ?? '$LATEST'}`;
    const { page, next } = paginate(all, key, url);
    sendJson(res, 200, {
      Functions: page.map((r) => functionConfiguration(r, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  const get: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    const rec = recordFor(ref.name, ref.qualifier);
    const reserved = latest(ref.name).reservedConcurrency;
    sendJson(res, 200, {
      Configuration: functionConfiguration(rec, identity),
      Code: { RepositoryType: 'S3', Location: '' },
      ...(reserved !== null ? { Concurrency: { ReservedConcurrentExecutions: reserved } } : {}),
    });
  };
  const getConfiguration: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    sendJson(res, 200, functionConfiguration(recordFor(ref.name, ref.qualifier), identity));
  };
  const updateConfiguration: Op = async ({ res, name, body }) => {
    const rec = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, UPDATE_CONFIG_FIELDS, 'UpdateFunctionConfiguration');
    checkRuntime(o.Runtime);
    checkRevision(o, rec.revision);
    const description = optString(o, 'Description');
    const config = configOf(o, { ...rec });
    guardrails(rec.name, config, rec);
    const out = await deps.deployer.update(rec.name, {
      config,
      description,
      deadLetterTargetArn: deadLetterOf(o),
    });
    sendJson(res, 200, functionConfiguration(out.record, identity));
  };
  const updateCode: Op = async ({ res, name, body }) => {
    const rec = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, UPDATE_CODE_FIELDS, 'UpdateFunctionCode');
    checkRevision(o, rec.revision);
    const zip = zipOf({ ZipFile: o.ZipFile });
    if (o.DryRun === true) {
      sendJson(res, 200, functionConfiguration(rec, identity));
      return;
    }
    let { record } = await deps.deployer.update(rec.name, { zip });
    if (o.Publish === true) record = await deps.deployer.publish(rec.name);
    sendJson(res, 200, functionConfiguration(record, identity));
  };
  const remove: Op = async ({ res, name, url }) => {
    const ref = refOf(name, url);
    latest(ref.name);
    if (ref.qualifier === undefined) await deps.deployer.delete(ref.name);
    else if (ref.qualifier === '$LATEST')
      throw invalid('$LATEST version cannot be deleted without deleting the function.');
    else if (!/^\d+$/.test(ref.qualifier))
      throw invalid('Deletion of aliases is not supported through DeleteFunction; use DeleteAlias.');
    else await deps.deployer.deleteVersion(ref.name, ref.qualifier);
    res.writeHead(204).end();
  };

  // --- Invocation --------------------------------------------------------------------------

  const invoke: Op = async ({ req, res, name, body, url }) => {
    const ref = refOf(name, url);
    const type = (req.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    // The caller's trace (the SDK forwards `_X_AMZN_TRACE_ID`; traces/hooks.ts makes it this call's span).
    const trace = req.headers['x-amzn-trace-id'] as string | undefined;
    if (type === 'DryRun') {
      const target = resolveTarget(registry, identity, ref.name, ref.qualifier, random);
      res.writeHead(204, { 'x-amz-executed-version': target.version }).end();
      return;
    }
    if (type === 'Event') {
      if (body.length > ASYNC_PAYLOAD_BYTES)
        throw new BatonError(
          'RequestTooLarge',
          `Request must be smaller than ${ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        );
      const id = await deps.async.enqueue(ref.name, ref.qualifier, body, trace);
      res.writeHead(202, { 'x-amzn-requestid': id, 'content-length': 0 }).end();
      return;
    }
    if (type !== 'RequestResponse')
      throw invalid(
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    const r = await deps.invoker.invoke(ref.name, body, { qualifier: ref.qualifier, trace });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': r.requestId,
      'x-amz-executed-version': r.executedVersion,
    };
    if (r.functionError) headers['x-amz-function-error'] = r.functionError;
    if (req.headers['x-amz-log-type'] === 'Tail') {
      const text = Buffer.from(`${formatInvocationLog(r.log).join('\n')}\n`);
      headers['x-amz-log-result'] = text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString('base64');
    }
    res.writeHead(200, headers);
    res.end(r.payload);
  };
  /** The deprecated InvokeAsync: an Event invoke that answers `{"Status":202}`. */
  const invokeAsync: Op = async ({ res, name, body }) => {
    const ref = parseFunctionRef(name);
    const id = await deps.async.enqueue(ref.name, ref.qualifier, body);
    sendJson(res, 202, { Status: 202 }, { 'x-amzn-requestid': id });
  };

  // --- Concurrency and account ---------------------------------------------------------------

  /**
   * The account's concurrency: BATON_MAX_TOTAL_CONCURRENCY with Lambda's minimum unreserved, or,
   * without it, the instance cap with none kept back (Baton's behaviour before the guardrail).
   */
  const account = () => {
    const configured = deps.deployer.guardrails.maxTotalConcurrency;
    if (configured === null) return { limit: deps.accountConcurrency, minimum: 0 };
    return { limit: configured, minimum: unreservedMinimum(configured) };
  };

  const putConcurrency: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, ['ReservedConcurrentExecutions'], 'PutFunctionConcurrency');
    const { limit, minimum } = account();
    const n = optInt(o, 'ReservedConcurrentExecutions', 0, limit);
    if (n === undefined) throw invalid('ReservedConcurrentExecutions is required');
    // Provisioned instances of functions without reserved concurrency count too; lowering this
    // function's own share always passes, so a limit lowered later strands nothing.
    const others = committedElsewhere(registry.list(), (r) => r.name === fn.name);
    if (others + n > limit - minimum && n > committedConcurrency(fn))
      throw invalid(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`,
      );
    await deps.deployer.update(fn.name, {
      config: {
        ...fn,
        reservedConcurrency: n,
        provisionedConcurrency: Math.min(fn.provisionedConcurrency, n),
      },
    });
    sendJson(res, 200, { ReservedConcurrentExecutions: n });
  };
  const getConcurrency: Op = async ({ res, name }) => {
    const fn = latest(parseFunctionRef(name).name);
    sendJson(
      res,
      200,
      fn.reservedConcurrency === null ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency },
    );
  };
  const deleteConcurrency: Op = async ({ res, name }) => {
    const fn = latest(parseFunctionRef(name).name);
    await deps.deployer.update(fn.name, { config: { ...fn, reservedConcurrency: null } });
    res.writeHead(204).end();
  };
  const accountSettings: Op = async ({ res }) => {
    const fns = registry.list();
    const reserved = fns.reduce((sum, r) => sum + (r.reservedConcurrency ?? 0), 0);
    const codeSize = fns.reduce((sum, r) => sum + r.codeSize, 0);
    const { limit } = account();
    sendJson(res, 200, {
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: limits.codeUnzippedBytes,
        CodeSizeZipped: limits.codeZipBytes,
        ConcurrentExecutions: limit,
        UnreservedConcurrentExecutions: Math.max(0, limit - reserved),
      },
      AccountUsage: { TotalCodeSize: codeSize, FunctionCount: fns.length },
    });
  };
  return {
    create,
    list,
    get,
    getConfiguration,
    updateConfiguration,
    updateCode,
    remove,
    invoke,
    invokeAsync,
    putConcurrency,
    getConcurrency,
    deleteConcurrency,
    accountSettings,
  };
}
