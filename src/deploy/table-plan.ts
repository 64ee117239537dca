/**
 * What a deploy asks of the table service for one declared table, worked out without touching
 * it: the CreateTable input for a new table, and for an existing one the UpdateTable and
 * UpdateTimeToLive calls that bring its changeable parts in line. Tests: test/deploy/table-plan.test.ts.
 */
import { BatonError } from '../core/errors.ts';
import type { KeySchema, Projection, TableDefinition } from '../services/tables/types.ts';
import type { IndexSpec, TableSpec } from './manifest-tables.ts';

type Obj = Record<string, unknown>;

/** The tag that marks a table as an app's: a later deploy reports it when the manifest drops it. */
export const OWNER_TAG = 'baton:app';

/** One call on the table service, in DynamoDB's input shape. */
export type TableCall =
  | { op: 'updateTable'; input: Obj }
  | { op: 'updateTimeToLive'; input: Obj }
  | { op: 'tagTable'; input: Obj };

const keySchema = (k: KeySchema) => [
  { AttributeName: k.hash.name, KeyType: 'HASH' },
  ...(k.range ? [{ AttributeName: k.range.name, KeyType: 'RANGE' }] : []),
];

function attributeDefinitions(keys: KeySchema[]): Obj[] {
  const types = new Map<string, string>();
  for (const k of keys) for (const a of [k.hash, ...(k.range ? [k.range] : [])]) types.set(a.name, a.type);
  return [...types].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

const projection = (p: Projection): Obj => ({
  ProjectionType: p.type,
  ...(p.nonKeyAttributes ? { NonKeyAttributes: p.nonKeyAttributes } : {}),
});

const indexInput = (ix: IndexSpec): Obj => ({
  IndexName: ix.name,
  KeySchema: keySchema(ix.key),
  Projection: projection(ix.projection),
});

export const ttlInput = (table: string, attribute: string, enabled: boolean): Obj => ({
  TableName: table,
  TimeToLiveSpecification: { Enabled: enabled, AttributeName: attribute },
});

/** CreateTable's input for a declared table (TTL is set by a second call, as on DynamoDB). */
export function createTableInput(spec: TableSpec, app: string): Obj {
  const gsis = spec.indexes.filter((i) => !i.local);
  const lsis = spec.indexes.filter((i) => i.local);
  return {
    TableName: spec.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions([spec.key, ...spec.indexes.map((i) => i.key)]),
    KeySchema: keySchema(spec.key),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis.map(indexInput) } : {}),
    ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis.map(indexInput) } : {}),
    ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } } : {}),
    Tags: [{ Key: OWNER_TAG, Value: app }],
  };
}

const sameKey = (a: KeySchema, b: KeySchema) =>
  a.hash.name === b.hash.name &&
  a.hash.type === b.hash.type &&
  a.range?.name === b.range?.name &&
  a.range?.type === b.range?.type;

const sameProjection = (a: Projection, b: Projection) =>
  a.type === b.type &&
  JSON.stringify([...(a.nonKeyAttributes ?? [])].sort()) ===
    JSON.stringify([...(b.nonKeyAttributes ?? [])].sort());

const keyText = (k: KeySchema) =>
  `{ ${k.hash.name}: ${k.hash.type}${k.range ? `, ${k.range.name}: ${k.range.type}` : ''} }`;

function fixed(path: string, what: string): BatonError {
  return new BatonError('ResourceConflict', `${path}: ${what}`, { details: { path } });
}

/**
 * Refuses what DynamoDB cannot change on an existing table: its key schema and its local
 * indexes, which are made with the table and live as long as it does.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html
 */
export function checkFixedParts(spec: TableSpec, def: TableDefinition): void {
  const path = `tables.${spec.name}`;
  if (!sameKey(spec.key, def.key))
    throw fixed(
      `${path}.key`,
      `table ${spec.name} exists with the key ${keyText(def.key)}, and a table's key cannot change; keep that key, or declare a new table and copy the items over`,
    );
  const have = def.indexes.filter((i) => i.kind === 'local');
  for (const w of spec.indexes.filter((i) => i.local)) {
    const h = have.find((x) => x.name === w.name);
    if (!h)
      throw fixed(
        `${path}.indexes.${w.name}`,
        `local indexes are made with the table only, and table ${spec.name} exists without this one`,
      );
    if (!sameKey(w.key, h.key) || !sameProjection(w.projection, h.projection))
      throw fixed(
        `${path}.indexes.${w.name}`,
        `local index ${w.name} exists with the key ${keyText(h.key)} and projection ${h.projection.type}; a local index cannot change`,
      );
  }
  for (const h of have)
    if (!spec.indexes.some((w) => w.local && w.name === h.name))
      throw fixed(
        `${path}.indexes`,
        `table ${spec.name} has the local index ${h.name}, which cannot be removed: declare it (with local: true)`,
      );
}

/**
 * The calls that bring an existing table in line with its declaration, and what they change
 * in words. A GSI whose key or projection changed is deleted and made again (DynamoDB cannot
 * update either); a changed stream view type is a new stream, as on DynamoDB; a changed TTL
 * attribute is disabled, then enabled on the new one. One GSI per UpdateTable, as DynamoDB
 * allows. Call `checkFixedParts` first.
 */
export function tableChanges(
  spec: TableSpec,
  def: TableDefinition,
  app: string,
): { calls: TableCall[]; changes: string[] } {
  const calls: TableCall[] = [];
  const changes: string[] = [];
  const update = (input: Obj) => calls.push({ op: 'updateTable', input: { TableName: spec.name, ...input } });
  if (def.billingMode !== 'PAY_PER_REQUEST') {
    update({ BillingMode: 'PAY_PER_REQUEST' });
    changes.push('billing PAY_PER_REQUEST');
  }
  const want = spec.indexes.filter((i) => !i.local);
  const have = def.indexes.filter((i) => i.kind === 'global');
  const same = (w: IndexSpec, h: (typeof have)[number]) =>
    sameKey(w.key, h.key) && sameProjection(w.projection, h.projection);
  for (const h of have) {
    const w = want.find((x) => x.name === h.name);
    if (w && same(w, h)) continue;
    update({ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: h.name } }] });
    if (!w) changes.push(`index ${h.name} removed`);
  }
  for (const w of want) {
    const h = have.find((x) => x.name === w.name);
    if (h && same(w, h)) continue;
    update({
      AttributeDefinitions: attributeDefinitions([w.key]),
      GlobalSecondaryIndexUpdates: [{ Create: indexInput(w) }],
    });
    changes.push(`index ${w.name} ${h ? 'remade' : 'added'}`);
  }
  const stream = def.stream?.enabled ? def.stream.viewType : null;
  if (stream !== spec.stream) {
    if (stream) update({ StreamSpecification: { StreamEnabled: false } });
    if (spec.stream) update({ StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } });
    changes.push(spec.stream ? `stream ${spec.stream}` : 'stream off');
  }
  const ttl = def.ttl?.enabled ? def.ttl.attribute : null;
  if (ttl !== spec.ttl) {
    if (ttl) calls.push({ op: 'updateTimeToLive', input: ttlInput(spec.name, ttl, false) });
    if (spec.ttl) calls.push({ op: 'updateTimeToLive', input: ttlInput(spec.name, spec.ttl, true) });
    changes.push(spec.ttl ? `ttl ${spec.ttl}` : 'ttl off');
  }
  if (def.tags[OWNER_TAG] !== app)
    calls.push({ op: 'tagTable', input: { ResourceArn: def.arn, Tags: [{ Key: OWNER_TAG, Value: app }] } });
  return { calls, changes };
}
