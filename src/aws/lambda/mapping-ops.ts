import { randomUUID } from 'node:crypto';
import { BatonError } from '../../core/errors.ts';
import type { EventSourceMapping } from '../../registry/records.ts';
import { functionArn } from '../../runtime/function-env.ts';
import { parseJsonObject, sendJson } from '../../server/http-io.ts';
import {
  invalid,
  type LambdaApiDeps,
  type LambdaContext,
  type Op,
  onlyKnown,
  optInt,
  optString,
  SQS_ARN,
} from './common.ts';
import { parseFunctionRef } from './names.ts';
import { STREAM_FIELDS, startingPositionOf, streamSettingsOf, streamShape } from './stream-mapping.ts';

/** A DynamoDB stream's ARN. */
const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}\/stream\/.+$/;

/** Event source mappings: queues that drive functions. */
export function mappingOps(deps: LambdaApiDeps, ctx: LambdaContext) {
  const { registry, identity } = deps;
  const { latest, recordFor, paginate } = ctx;
  // --- Event source mappings (SQS queues and DynamoDB streams) ---------------------------------

  const mappingShape = (m: EventSourceMapping, state?: string) => ({
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowSeconds,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: functionArn(identity, m.qualifier ? `${m.function}:${m.qualifier}` : m.function),
    LastModified: m.lastModified / 1000,
    LastProcessingResult: deps.lastProcessingResult?.(m.uuid) ?? 'No records processed',
    State: state ?? (m.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
    ...(m.maximumConcurrency !== null ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
    ...(m.stream ? streamShape(m.stream) : {}),
  });
  const MAPPING_FIELDS = [
    'FunctionName',
    'EventSourceArn',
    'Enabled',
    'BatchSize',
    'MaximumBatchingWindowInSeconds',
    'FunctionResponseTypes',
    'ScalingConfig',
    'FilterCriteria',
    'Tags',
    ...STREAM_FIELDS,
  ];
  const mappingOf = (uuid: string): EventSourceMapping => {
    const m = registry.getMapping(uuid);
    if (!m)
      throw new BatonError(
        'ResourceNotFound',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${randomUUID()})`,
      );
    return m;
  };
  /** Checks a mapping's settings, over `base` for an update. */
  const mappingSettings = (o: Record<string, unknown>, base?: EventSourceMapping, stream = false) => {
    if (!stream)
      for (const f of STREAM_FIELDS)
        if (o[f] !== undefined) throw invalid(`${f} is not valid for an SQS event source mapping`);
    const batchSize = optInt(o, 'BatchSize', 1, 10_000) ?? base?.batchSize ?? (stream ? 100 : 10);
    const window =
      optInt(o, 'MaximumBatchingWindowInSeconds', 0, 300) ?? base?.maximumBatchingWindowSeconds ?? 0;
    if (!stream && batchSize > 10 && window < 1)
      throw invalid(
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
    let report = base?.reportBatchItemFailures ?? false;
    if (o.FunctionResponseTypes !== undefined) {
      const types = o.FunctionResponseTypes;
      if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))
        throw invalid(
          `1 validation error detected: Value '${JSON.stringify(types)}' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy enum value set: [ReportBatchItemFailures]`,
        );
      report = types.length > 0;
    }
    let maxConcurrency = base?.maximumConcurrency ?? null;
    if (o.ScalingConfig !== undefined) {
      const sc = (o.ScalingConfig ?? {}) as Record<string, unknown>;
      maxConcurrency = optInt(sc, 'MaximumConcurrency', 2, 1000) ?? null;
    }
    const enabled = o.Enabled === undefined ? (base?.enabled ?? true) : o.Enabled === true;
    return {
      batchSize,
      maximumBatchingWindowSeconds: window,
      reportBatchItemFailures: report,
      maximumConcurrency: maxConcurrency,
      enabled,
    };
  };
  const createMapping: Op = async ({ res, body }) => {
    const o = parseJsonObject(body);
    onlyKnown(o, MAPPING_FIELDS, 'CreateEventSourceMapping');
    const ref = parseFunctionRef(optString(o, 'FunctionName', 140) ?? '');
    const fn = latest(ref.name);
    if (ref.qualifier !== undefined) recordFor(fn.name, ref.qualifier);
    const arn = optString(o, 'EventSourceArn', 1024);
    const isStream = arn !== undefined && STREAM_ARN.test(arn);
    if (!arn || (!SQS_ARN.test(arn) && !isStream))
      throw invalid('EventSourceArn must be the ARN of an SQS queue or of a DynamoDB stream');
    let stream: EventSourceMapping['stream'];
    if (isStream) {
      const startingPosition = startingPositionOf(o);
      const startAfter = await deps.streams?.startAfter(arn, startingPosition);
      if (startAfter === undefined) throw invalid(`Stream not found: ${arn}`);
      stream = streamSettingsOf(o, { startingPosition, startAfter });
    } else {
      const queue = arn.slice(arn.lastIndexOf(':') + 1);
      if (!(await deps.queues?.exists(queue)))
        throw invalid(
          `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`,
        );
    }
    const clash = registry
      .mappings(fn.name)
      .find((m) => m.eventSourceArn === arn && (m.qualifier ?? undefined) === ref.qualifier);
    if (clash)
      throw new BatonError(
        'ResourceConflict',
        `An event source mapping with ${isStream ? 'DynamoDB' : 'SQS'} arn (" ${arn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${clash.uuid}`,
      );
    const m: EventSourceMapping = {
      uuid: randomUUID(),
      function: fn.name,
      qualifier: ref.qualifier ?? null,
      eventSourceArn: arn,
      ...mappingSettings(o, undefined, isStream),
      ...(stream ? { stream } : {}),
      app: null,
      lastModified: deps.clock.now(),
    };
    await registry.putMapping(m);
    sendJson(res, 202, mappingShape(m, 'Creating'));
  };
  const getMapping: Op = async ({ res, name }) => {
    sendJson(res, 200, mappingShape(mappingOf(name)));
  };
  const updateMapping: Op = async ({ res, name, body }) => {
    const current = mappingOf(name);
    const o = parseJsonObject(body);
    onlyKnown(
      o,
      MAPPING_FIELDS.filter((f) => f !== 'EventSourceArn' && f !== 'StartingPosition'),
      'UpdateEventSourceMapping',
    );
    let fn = current.function;
    let qualifier = current.qualifier;
    if (o.FunctionName !== undefined) {
      const ref = parseFunctionRef(optString(o, 'FunctionName', 140) ?? '');
      fn = latest(ref.name).name;
      qualifier = ref.qualifier ?? null;
    }
    const m: EventSourceMapping = {
      ...current,
      function: fn,
      qualifier,
      ...mappingSettings(o, current, current.stream !== undefined),
      ...(current.stream ? { stream: streamSettingsOf(o, current.stream) } : {}),
      lastModified: deps.clock.now(),
    };
    if (fn !== current.function) await registry.deleteMapping(current);
    await registry.putMapping(m);
    sendJson(res, 202, mappingShape(m, 'Updating'));
  };
  const deleteMapping: Op = async ({ res, name }) => {
    const m = mappingOf(name);
    await registry.deleteMapping(m);
    sendJson(res, 202, mappingShape(m, 'Deleting'));
  };
  const listMappings: Op = async ({ res, url }) => {
    const fnName = url.searchParams.get('FunctionName');
    const source = url.searchParams.get('EventSourceArn');
    const fn = fnName ? parseFunctionRef(fnName).name : undefined;
    const all = registry
      .mappings(fn)
      .filter((m) => source === null || m.eventSourceArn === source)
      .sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    const { page, next } = paginate(all, (m) => m.uuid, url);
    sendJson(res, 200, {
      EventSourceMappings: page.map((m) => mappingShape(m)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  return { createMapping, getMapping, updateMapping, deleteMapping, listMappings };
}
