import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import type { TableSpec } from '../../src/deploy/manifest-tables.ts';
import { checkFixedParts, createTableInput, OWNER_TAG, tableChanges } from '../../src/deploy/table-plan.ts';
import type { TableDefinition } from '../../src/services/tables/types.ts';

const spec: TableSpec = {
  name: 'orders',
  key: { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'N' } },
  indexes: [
    {
      name: 'byCustomer',
      local: false,
      key: { hash: { name: 'customer', type: 'S' } },
      projection: { type: 'INCLUDE', nonKeyAttributes: ['total'] },
    },
    {
      name: 'byStatus',
      local: true,
      key: { hash: { name: 'pk', type: 'S' }, range: { name: 'status', type: 'S' } },
      projection: { type: 'KEYS_ONLY' },
    },
  ],
  stream: 'NEW_IMAGE',
  ttl: 'expiresAt',
};

/** The table as `spec` made it, owned by app shop. */
const made = (): TableDefinition => ({
  name: 'orders',
  arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
  id: 'id',
  key: spec.key,
  attributes: [],
  indexes: spec.indexes.map((i) => ({
    name: i.name,
    kind: i.local ? 'local' : 'global',
    key: i.key,
    projection: i.projection,
    status: 'ACTIVE',
  })),
  billingMode: 'PAY_PER_REQUEST',
  stream: { viewType: 'NEW_IMAGE', label: 'l', arn: 'arn:s', createdAt: 0, enabled: true },
  ttl: { attribute: 'expiresAt', enabled: true },
  status: 'ACTIVE',
  deletionProtection: false,
  tags: { [OWNER_TAG]: 'shop' },
  createdAt: 0,
});

const conflict = (path: string) => (e: unknown) =>
  isBatonError(e, 'ResourceConflict') && e.message.startsWith(`${path}: `);

describe('table plans', () => {
  it('creates a table as DynamoDB takes it, on demand and tagged with its app', () => {
    assert.deepEqual(createTableInput(spec, 'shop'), {
      TableName: 'orders',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'customer', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byCustomer',
          KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'status', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      Tags: [{ Key: OWNER_TAG, Value: 'shop' }],
    });
  });

  it('changes nothing on a table that matches', () => {
    assert.deepEqual(tableChanges(spec, made(), 'shop'), { calls: [], changes: [] });
  });

  it('remakes a changed GSI, drops an undeclared one, and moves stream and TTL', () => {
    const def = made();
    def.indexes.push({
      name: 'old',
      kind: 'global',
      key: { hash: { name: 'x', type: 'S' } },
      projection: { type: 'ALL' },
      status: 'ACTIVE',
    });
    const next: TableSpec = {
      ...spec,
      indexes: spec.indexes.map((i) => (i.local ? i : { ...i, projection: { type: 'ALL' } })),
      stream: 'KEYS_ONLY',
      ttl: 'until',
    };
    const { calls, changes } = tableChanges(next, def, 'shop');
    assert.deepEqual(changes, [
      'index old removed',
      'index byCustomer remade',
      'stream KEYS_ONLY',
      'ttl until',
    ]);
    assert.deepEqual(
      calls.map((c) => [c.op, c.input]),
      [
        [
          'updateTable',
          { TableName: 'orders', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byCustomer' } }] },
        ],
        [
          'updateTable',
          { TableName: 'orders', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'old' } }] },
        ],
        [
          'updateTable',
          {
            TableName: 'orders',
            AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }],
            GlobalSecondaryIndexUpdates: [
              {
                Create: {
                  IndexName: 'byCustomer',
                  KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
                  Projection: { ProjectionType: 'ALL' },
                },
              },
            ],
          },
        ],
        ['updateTable', { TableName: 'orders', StreamSpecification: { StreamEnabled: false } }],
        [
          'updateTable',
          { TableName: 'orders', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } },
        ],
        [
          'updateTimeToLive',
          { TableName: 'orders', TimeToLiveSpecification: { Enabled: false, AttributeName: 'expiresAt' } },
        ],
        [
          'updateTimeToLive',
          { TableName: 'orders', TimeToLiveSpecification: { Enabled: true, AttributeName: 'until' } },
        ],
      ],
    );
  });

  it('turns stream and TTL off, makes a PROVISIONED table on demand, and adopts an untagged one', () => {
    const def = { ...made(), billingMode: 'PROVISIONED' as const, tags: {} };
    const { calls, changes } = tableChanges({ ...spec, stream: null, ttl: null }, def, 'shop');
    assert.deepEqual(changes, ['billing PAY_PER_REQUEST', 'stream off', 'ttl off']);
    assert.deepEqual(
      calls.map((c) => c.op),
      ['updateTable', 'updateTable', 'updateTimeToLive', 'tagTable'],
    );
    assert.deepEqual(calls[3]?.input, { ResourceArn: def.arn, Tags: [{ Key: OWNER_TAG, Value: 'shop' }] });
  });

  it('refuses a changed key or local index, as DynamoDB cannot change them', () => {
    assert.doesNotThrow(() => checkFixedParts(spec, made()));
    assert.throws(
      () => checkFixedParts({ ...spec, key: { hash: { name: 'pk', type: 'S' } } }, made()),
      conflict('tables.orders.key'),
    );
    assert.throws(
      () => checkFixedParts({ ...spec, indexes: spec.indexes.filter((i) => !i.local) }, made()),
      conflict('tables.orders.indexes'),
    );
    const renamed = spec.indexes.map((i) => (i.local ? { ...i, name: 'byState' } : i));
    assert.throws(
      () => checkFixedParts({ ...spec, indexes: renamed }, made()),
      conflict('tables.orders.indexes.byState'),
    );
    const reprojected = spec.indexes.map((i) =>
      i.local ? { ...i, projection: { type: 'ALL' as const } } : i,
    );
    assert.throws(
      () => checkFixedParts({ ...spec, indexes: reprojected }, made()),
      conflict('tables.orders.indexes.byStatus'),
    );
  });
});
