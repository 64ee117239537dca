/**
 * CreateTable and UpdateTable input, checked as DynamoDB checks it, into table definitions.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import { randomUUID } from 'node:crypto';
import { checkTableName, constraint } from './constraints.ts';
import { TableError, validationError } from './errors.ts';
import type {
  IndexDefinition,
  KeyAttribute,
  KeySchema,
  KeyType,
  Projection,
  StreamDefinition,
  StreamViewType,
  TableDefinition,
} from './types.ts';

type Obj = Record<string, unknown>;

// Moved to `constraints.ts`; re-exported for the modules that still import them from here.

const MAX_GSIS = 20;
const MAX_LSIS = 5;
const MAX_PROJECTED = 100;
const VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

const invalid = (m: string) => validationError(`One or more parameter values were invalid: ${m}`);
const tooManyGsis = () =>
  new TableError(
    'LimitExceededException',
    `Subscriber limit exceeded: the number of global secondary indexes is limited to ${MAX_GSIS}`,
  );
const indexNotFound = (name: unknown) =>
  new TableError(
    'ResourceNotFoundException',
    `Requested resource not found: Index: ${String(name)} not found`,
  );

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function keySchemaOf(value: unknown, path: string, types: Map<string, KeyType>): KeySchema {
  if (!Array.isArray(value)) throw constraint(value, path, 'Member must not be null');
  if (value.length < 1 || value.length > 2)
    throw constraint(
      '[...]',
      path,
      `Member must have length ${value.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 2'}`,
    );
  const parts = value.map((k, i) => {
    if (!isObj(k) || typeof k.AttributeName !== 'string' || (k.KeyType !== 'HASH' && k.KeyType !== 'RANGE'))
      throw constraint(
        JSON.stringify(k),
        `${path}.${i + 1}.member`,
        'Member must have AttributeName and KeyType',
      );
    return { name: k.AttributeName, kind: k.KeyType as 'HASH' | 'RANGE' };
  });
  if (parts[0]!.kind !== 'HASH')
    throw invalid('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (parts[1] && parts[1].kind !== 'RANGE')
    throw invalid('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  if (parts[1] && parts[1].name === parts[0]!.name)
    throw invalid('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  const attr = (name: string): KeyAttribute => {
    const type = types.get(name);
    if (!type)
      throw invalid(
        `Some index key attributes are not defined in AttributeDefinitions. Keys: [${parts.map((p) => p.name).join(', ')}], AttributeDefinitions: [${[...types.keys()].join(', ')}]`,
      );
    return { name, type };
  };
  return { hash: attr(parts[0]!.name), ...(parts[1] ? { range: attr(parts[1].name) } : {}) };
}

function projectionOf(value: unknown, path: string): Projection {
  if (!isObj(value)) throw constraint(value, path, 'Member must not be null');
  const type = value.ProjectionType ?? 'ALL';
  if (type !== 'ALL' && type !== 'KEYS_ONLY' && type !== 'INCLUDE')
    throw constraint(
      type,
      `${path}.projectionType`,
      'Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]',
    );
  const nonKey = value.NonKeyAttributes;
  if (type !== 'INCLUDE') {
    if (nonKey !== undefined)
      throw invalid('ProjectionType is ' + type + ', but NonKeyAttributes is specified');
    return { type };
  }
  if (!Array.isArray(nonKey) || nonKey.length === 0 || nonKey.some((n) => typeof n !== 'string'))
    throw invalid('NonKeyAttributes must not be empty when ProjectionType is INCLUDE');
  if (nonKey.length > MAX_PROJECTED)
    throw invalid(`Number of projected attributes exceeds the limit of ${MAX_PROJECTED}`);
  return { type, nonKeyAttributes: [...new Set(nonKey as string[])] };
}

function throughputOf(value: unknown, path: string): { read: number; write: number } {
  if (!isObj(value)) throw constraint(value, path, 'Member must not be null');
  const read = value.ReadCapacityUnits;
  const write = value.WriteCapacityUnits;
  for (const [v, p] of [
    [read, 'readCapacityUnits'],
    [write, 'writeCapacityUnits'],
  ] as const)
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw constraint(v, `${path}.${p}`, 'Member must have value greater than or equal to 1');
  return { read: read as number, write: write as number };
}

/** BillingMode and ProvisionedThroughput, checked together as DynamoDB does. */
function billingOf(
  input: Obj,
  current?: Pick<TableDefinition, 'billingMode' | 'provisioned'>,
): Pick<TableDefinition, 'billingMode' | 'provisioned'> {
  const mode = input.BillingMode ?? current?.billingMode ?? 'PROVISIONED';
  if (mode !== 'PROVISIONED' && mode !== 'PAY_PER_REQUEST')
    throw constraint(
      mode,
      'billingMode',
      'Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]',
    );
  if (mode === 'PAY_PER_REQUEST') {
    if (input.ProvisionedThroughput !== undefined)
      throw invalid(
        'Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST',
      );
    return { billingMode: mode };
  }
  if (input.ProvisionedThroughput === undefined) {
    if (current?.provisioned) return { billingMode: mode, provisioned: current.provisioned };
    throw invalid(
      'ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED',
    );
  }
  return {
    billingMode: mode,
    provisioned: throughputOf(input.ProvisionedThroughput, 'provisionedThroughput'),
  };
}

function attributeTypes(value: unknown): Map<string, KeyType> {
  if (!Array.isArray(value) || value.length === 0)
    throw constraint(value, 'attributeDefinitions', 'Member must not be null');
  const types = new Map<string, KeyType>();
  for (const [i, d] of value.entries()) {
    if (!isObj(d) || typeof d.AttributeName !== 'string')
      throw constraint(d, `attributeDefinitions.${i + 1}.member.attributeName`, 'Member must not be null');
    if (d.AttributeType !== 'S' && d.AttributeType !== 'N' && d.AttributeType !== 'B')
      throw constraint(
        d.AttributeType,
        `attributeDefinitions.${i + 1}.member.attributeType`,
        'Member must satisfy enum value set: [B, N, S]',
      );
    if (types.has(d.AttributeName))
      throw invalid(`Cannot have two attributes with the same name: ${d.AttributeName}`);
    types.set(d.AttributeName, d.AttributeType);
  }
  return types;
}

function indexName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(value))
    throw constraint(
      value,
      path,
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255',
    );
  return value;
}

/** One GlobalSecondaryIndexes entry (CreateTable, or UpdateTable's Create). */
export function globalIndexOf(
  g: unknown,
  path: string,
  types: Map<string, KeyType>,
  billing: TableDefinition['billingMode'],
): IndexDefinition {
  if (!isObj(g)) throw constraint(g, path, 'Member must not be null');
  const name = indexName(g.IndexName, `${path}.indexName`);
  const key = keySchemaOf(g.KeySchema, `${path}.keySchema`, types);
  const index: IndexDefinition = {
    name,
    kind: 'global',
    key,
    projection: projectionOf(g.Projection, `${path}.projection`),
    status: 'ACTIVE',
  };
  if (billing === 'PROVISIONED') {
    if (g.ProvisionedThroughput === undefined)
      throw invalid(`ProvisionedThroughput is not specified for index: ${name}`);
    index.provisioned = throughputOf(g.ProvisionedThroughput, `${path}.provisionedThroughput`);
  } else if (g.ProvisionedThroughput !== undefined)
    throw invalid(
      `ProvisionedThroughput should not be specified for index: ${name} when BillingMode is PAY_PER_REQUEST`,
    );
  return index;
}

function streamOf(value: unknown, table: { arn: string }, now: number): StreamDefinition | undefined {
  if (value === undefined) return undefined;
  if (!isObj(value) || typeof value.StreamEnabled !== 'boolean')
    throw constraint(value, 'streamSpecification.streamEnabled', 'Member must not be null');
  if (!value.StreamEnabled) {
    if (value.StreamViewType !== undefined)
      throw invalid('StreamSpecification: StreamViewType cannot be specified when StreamEnabled is false');
    return undefined;
  }
  const view = value.StreamViewType;
  if (view === undefined)
    throw invalid('StreamSpecification: StreamViewType is required when StreamEnabled is true');
  if (!VIEW_TYPES.includes(view as StreamViewType))
    throw constraint(
      view,
      'streamSpecification.streamViewType',
      'Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]',
    );
  const label = new Date(now).toISOString().replace('Z', '');
  return {
    viewType: view as StreamViewType,
    label,
    arn: `${table.arn}/stream/${label}`,
    createdAt: now,
    enabled: true,
  };
}

function tagsOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw constraint(value, 'tags', 'Member must be a list');
  const tags: Record<string, string> = {};
  for (const t of value)
    if (isObj(t) && typeof t.Key === 'string' && typeof t.Value === 'string') tags[t.Key] = t.Value;
    else throw invalid('Tag keys and values must be strings');
  return tags;
}

/** Every attribute the key schemas use must be defined, and every definition used. */
function checkDefinitionsUsed(types: Map<string, KeyType>, schemas: KeySchema[]): void {
  const used = new Set<string>();
  for (const k of schemas) {
    used.add(k.hash.name);
    if (k.range) used.add(k.range.name);
  }
  if (used.size !== types.size)
    throw invalid(
      'Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
    );
}

/** A new table's definition from CreateTable's input. */
export function tableFromInput(
  input: Obj,
  where: { region: string; accountId: string },
  now: number,
): TableDefinition {
  const name = checkTableName(input.TableName);
  const types = attributeTypes(input.AttributeDefinitions);
  const key = keySchemaOf(input.KeySchema, 'keySchema', types);
  const billing = billingOf(input);
  const arn = `arn:aws:dynamodb:${where.region}:${where.accountId}:table/${name}`;
  const indexes: IndexDefinition[] = [];
  const gsis = input.GlobalSecondaryIndexes;
  if (gsis !== undefined) {
    if (!Array.isArray(gsis) || gsis.length === 0) throw invalid('List of GlobalSecondaryIndexes is empty');
    if (gsis.length > MAX_GSIS) throw tooManyGsis();
    for (const [i, g] of gsis.entries())
      indexes.push(globalIndexOf(g, `globalSecondaryIndexes.${i + 1}.member`, types, billing.billingMode));
  }
  const lsis = input.LocalSecondaryIndexes;
  if (lsis !== undefined) {
    if (!Array.isArray(lsis) || lsis.length === 0) throw invalid('List of LocalSecondaryIndexes is empty');
    if (lsis.length > MAX_LSIS)
      throw invalid(`Number of LocalSecondaryIndexes exceeds the limit of ${MAX_LSIS}`);
    if (!key.range)
      throw invalid(
        'Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex',
      );
    lsis.forEach((l, i) => {
      const path = `localSecondaryIndexes.${i + 1}.member`;
      if (!isObj(l)) throw constraint(l, path, 'Member must not be null');
      const lname = indexName(l.IndexName, `${path}.indexName`);
      const lkey = keySchemaOf(l.KeySchema, `${path}.keySchema`, types);
      if (lkey.hash.name !== key.hash.name)
        throw invalid(
          `Index KeySchema does not have the same leading hash key as table KeySchema for index: ${lname}. index hash key: ${lkey.hash.name}, table hash key: ${key.hash.name}`,
        );
      if (!lkey.range) throw invalid(`Index KeySchema does not have a range key for index: ${lname}`);
      indexes.push({
        name: lname,
        kind: 'local',
        key: lkey,
        projection: projectionOf(l.Projection, `${path}.projection`),
        status: 'ACTIVE',
      });
    });
  }
  const seen = new Set<string>();
  for (const ix of indexes) {
    if (seen.has(ix.name)) throw invalid(`Duplicate index name: ${ix.name}`);
    seen.add(ix.name);
  }
  checkDefinitionsUsed(types, [key, ...indexes.map((i) => i.key)]);
  const stream = streamOf(input.StreamSpecification, { arn }, now);
  return {
    name,
    arn,
    id: randomUUID(),
    key,
    attributes: [...types].map(([n, type]) => ({ name: n, type })),
    indexes,
    ...billing,
    ...(stream ? { stream } : {}),
    status: 'ACTIVE',
    deletionProtection: input.DeletionProtectionEnabled === true,
    tags: tagsOf(input.Tags),
    createdAt: now,
  };
}

/** The definition UpdateTable makes of `current`. */
export function updatedTable(current: TableDefinition, input: Obj, now: number): TableDefinition {
  const next: TableDefinition = structuredClone(current);
  const types = new Map(current.attributes.map((a) => [a.name, a.type] as const));
  if (input.AttributeDefinitions !== undefined)
    for (const [n, t] of attributeTypes(input.AttributeDefinitions)) {
      if (types.has(n) && types.get(n) !== t)
        throw invalid(`Cannot change the type of attribute ${n} in AttributeDefinitions`);
      types.set(n, t);
    }
  let changed = false;
  if (input.BillingMode !== undefined || input.ProvisionedThroughput !== undefined) {
    const billing = billingOf(input, current);
    next.billingMode = billing.billingMode;
    if (billing.provisioned) next.provisioned = billing.provisioned;
    else delete next.provisioned;
    changed = true;
  }
  const updates = input.GlobalSecondaryIndexUpdates;
  if (updates !== undefined) {
    if (!Array.isArray(updates))
      throw constraint(updates, 'globalSecondaryIndexUpdates', 'Member must be a list');
    for (const [i, u] of updates.entries()) {
      if (!isObj(u)) continue;
      const path = `globalSecondaryIndexUpdates.${i + 1}.member`;
      if (isObj(u.Create)) {
        const ix = globalIndexOf(u.Create, `${path}.create`, types, next.billingMode);
        if (next.indexes.some((x) => x.name === ix.name))
          throw invalid(`Attempting to create an index which already exists: ${ix.name}`);
        if (next.indexes.filter((x) => x.kind === 'global').length >= MAX_GSIS) throw tooManyGsis();
        next.indexes.push(ix);
      } else if (isObj(u.Delete)) {
        const name = u.Delete.IndexName;
        const at = next.indexes.findIndex((x) => x.name === name && x.kind === 'global');
        if (at < 0) throw indexNotFound(name);
        next.indexes.splice(at, 1);
      } else if (isObj(u.Update)) {
        const name = u.Update.IndexName;
        const ix = next.indexes.find((x) => x.name === name && x.kind === 'global');
        if (!ix) throw indexNotFound(name);
        ix.provisioned = throughputOf(u.Update.ProvisionedThroughput, `${path}.update.provisionedThroughput`);
      } else throw invalid('One of GlobalSecondaryIndexUpdate Create, Update or Delete must be specified');
      changed = true;
    }
  }
  if (input.StreamSpecification !== undefined) {
    const wanted = streamOf(input.StreamSpecification, current, now);
    const live = current.stream?.enabled ? current.stream : undefined;
    if (wanted && live) throw invalid(`Table already has an enabled stream: ${live.arn}`);
    if (!wanted && !live) throw invalid('Table does not have a stream to disable');
    next.stream = wanted ?? { ...live!, enabled: false };
    changed = true;
  }
  if (input.DeletionProtectionEnabled !== undefined) {
    next.deletionProtection = input.DeletionProtectionEnabled === true;
    changed = true;
  }
  if (!changed) throw invalid('Nothing to update');
  // Definitions must cover exactly the keys in use after the change.
  const used = new Set<string>();
  for (const k of [next.key, ...next.indexes.map((i) => i.key)]) {
    used.add(k.hash.name);
    if (k.range) used.add(k.range.name);
  }
  next.attributes = [...types].filter(([n]) => used.has(n)).map(([n, type]) => ({ name: n, type }));
  return next;
}
