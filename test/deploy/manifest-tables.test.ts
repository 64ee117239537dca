import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';

const rejects = (text: string, message: RegExp): void => {
  assert.throws(
    () => parseManifest(text, '/apps/shop'),
    (e) => isBatonError(e) && message.test(e.message),
  );
};

/** A manifest with one table (settings as YAML flow or block lines) and no functions. */
const table = (lines: string) => `tables:\n  orders:\n${lines}functions: {}\n`;

describe('baton.yaml: tables and table events', () => {
  it('reads a table with its key, indexes, stream and TTL', () => {
    const m = parseManifest(
      `tables:
  orders:
    key: { pk: S, sk: N }
    indexes:
      byCustomer: { key: { customer: S, createdAt: N }, projection: ALL }
      byStatus: { key: { pk: S, status: S }, local: true, projection: KEYS_ONLY }
      withTotals: { key: { customer: S }, projection: [total, status] }
    stream: NEW_AND_OLD_IMAGES
    ttl: expiresAt
  sessions:
    key: { id: B }
functions: {}
`,
      '/apps/shop',
    );
    assert.deepEqual(m.tables, [
      {
        name: 'orders',
        key: { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'N' } },
        indexes: [
          {
            name: 'byCustomer',
            local: false,
            key: { hash: { name: 'customer', type: 'S' }, range: { name: 'createdAt', type: 'N' } },
            projection: { type: 'ALL' },
          },
          {
            name: 'byStatus',
            local: true,
            key: { hash: { name: 'pk', type: 'S' }, range: { name: 'status', type: 'S' } },
            projection: { type: 'KEYS_ONLY' },
          },
          {
            name: 'withTotals',
            local: false,
            key: { hash: { name: 'customer', type: 'S' } },
            projection: { type: 'INCLUDE', nonKeyAttributes: ['total', 'status'] },
          },
        ],
        stream: 'NEW_AND_OLD_IMAGES',
        ttl: 'expiresAt',
      },
      { name: 'sessions', key: { hash: { name: 'id', type: 'B' } }, indexes: [], stream: null, ttl: null },
    ]);
  });

  it('reads table events, short and long, with the defaults filled in', () => {
    const m = parseManifest(
      `tables:
  orders: { key: { pk: S }, stream: NEW_IMAGE }
functions:
  audit:
    handler: a.handler
    events:
      - http: GET /audit
      - table: orders
  ship:
    handler: s.handler
    events:
      - table:
          name: orders
          batchSize: 10
          startingPosition: LATEST
          bisectBatchOnFunctionError: true
          maximumRetryAttempts: 2
          maximumRecordAgeInSeconds: 3600
          reportBatchItemFailures: true
          onFailure: { topic: alerts }
      - table: legacy
        functionResponseTypes: [ReportBatchItemFailures]
        onFailure: arn:aws:sqs:us-east-1:000000000000:dlq
        enabled: false
`,
      '/apps/shop',
    );
    assert.deepEqual(m.tableEvents, [
      {
        function: 'audit',
        table: 'orders',
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeSeconds: -1,
        reportBatchItemFailures: false,
        onFailure: null,
        enabled: true,
        path: 'functions.audit.events[1].table',
      },
      {
        function: 'ship',
        table: 'orders',
        batchSize: 10,
        startingPosition: 'LATEST',
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        maximumRecordAgeSeconds: 3600,
        reportBatchItemFailures: true,
        onFailure: { kind: 'topic', name: 'alerts', path: 'functions.ship.events[0].table.onFailure' },
        enabled: true,
        path: 'functions.ship.events[0].table',
      },
      {
        function: 'ship',
        table: 'legacy',
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeSeconds: -1,
        reportBatchItemFailures: true,
        onFailure: {
          kind: 'arn',
          arn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
          path: 'functions.ship.events[1].onFailure',
        },
        enabled: false,
        path: 'functions.ship.events[1].table',
      },
    ]);
    assert.equal(m.functions.audit?.routes?.[0]?.route, 'GET /audit');
  });

  it('names the field path of a bad table', () => {
    rejects('tables: [orders]\nfunctions: {}\n', /^tables: must be a mapping/);
    rejects('tables:\n  ab: { key: { pk: S } }\nfunctions: {}\n', /^tables\.ab: table names are 3-255/);
    rejects(table('    stream: NEW_IMAGE\n'), /^tables\.orders\.key: is required/);
    rejects(table('    key: { pk: S, sk: N, x: S }\n'), /^tables\.orders\.key: must be \{ ATTRIBUTE/);
    rejects(
      table('    key: { pk: string }\n'),
      /^tables\.orders\.key\.pk: must be S, N or B \(got "string"\)/,
    );
    rejects(
      table('    key: { pk: S, 7: N }\n'),
      /^tables\.orders\.key: attribute names that are whole numbers/,
    );
    rejects(
      table('    key: { pk: S }\n    billing: PROVISIONED\n'),
      /^tables\.orders\.billing: is not a known field/,
    );
    rejects(
      table('    key: { pk: S }\n    stream: ALL\n'),
      /^tables\.orders\.stream: must be one of NEW_AND_OLD_IMAGES/,
    );
    rejects(table('    key: { pk: S }\n    ttl: 3\n'), /^tables\.orders\.ttl: must name the attribute/);
  });

  it('names the field path of a bad index', () => {
    const withIndex = (ix: string, key = '{ pk: S, sk: N }') =>
      table(`    key: ${key}\n    indexes:\n      byX: ${ix}\n`);
    rejects(withIndex('{ local: true }'), /^tables\.orders\.indexes\.byX\.key: is required/);
    rejects(
      withIndex('{ key: { x: S }, sparse: true }'),
      /^tables\.orders\.indexes\.byX\.sparse: is not a known field/,
    );
    rejects(
      withIndex('{ key: { x: S }, projection: SOME }'),
      /^tables\.orders\.indexes\.byX\.projection: must be ALL, KEYS_ONLY or a list/,
    );
    rejects(
      withIndex('{ key: { x: S }, projection: [a, a] }'),
      /^tables\.orders\.indexes\.byX\.projection: lists an attribute twice/,
    );
    rejects(
      withIndex('{ key: { sk: S } }'),
      /^tables\.orders\.indexes\.byX\.key\.sk: is N elsewhere in this table/,
    );
    rejects(
      withIndex('{ key: { other: S, x: S }, local: true }'),
      /^tables\.orders\.indexes\.byX\.key: a local index shares the table's partition key: start with pk: S/,
    );
    rejects(
      withIndex('{ key: { pk: S }, local: true }'),
      /^tables\.orders\.indexes\.byX\.key: a local index needs a sort key/,
    );
    rejects(
      withIndex('{ key: { pk: S, x: S }, local: true }', '{ pk: S }'),
      /^tables\.orders\.indexes\.byX\.local: a local index needs a table with a sort key/,
    );
    rejects(
      withIndex('{ key: { x: S }, local: yes }'),
      /^tables\.orders\.indexes\.byX\.local: must be true or false/,
    );
  });

  it('names the field path of a bad table event', () => {
    const fn = (ev: string, tables = 'tables:\n  orders: { key: { pk: S }, stream: KEYS_ONLY }\n') =>
      `${tables}functions:\n  f:\n    handler: a.b\n    events:\n      - ${ev}\n`;
    rejects(fn('table: ""'), /^functions\.f\.events\[0\]\.table: must name a table/);
    rejects(fn('table: { batchSize: 5 }'), /^functions\.f\.events\[0\]\.table\.name: must name a table/);
    rejects(
      fn('table: orders\n        batchSize: 0'),
      /^functions\.f\.events\[0\]\.batchSize: must be a whole number from 1 to 10000/,
    );
    rejects(
      fn('table: { name: orders, batchSize: 20000 }'),
      /^functions\.f\.events\[0\]\.table\.batchSize: must be a whole number from 1 to 10000/,
    );
    rejects(
      fn('table: { name: orders, startingPosition: AT_TIMESTAMP }'),
      /^functions\.f\.events\[0\]\.table\.startingPosition: must be TRIM_HORIZON or LATEST/,
    );
    rejects(
      fn('table: { name: orders, maximumRecordAgeInSeconds: 30 }'),
      /^functions\.f\.events\[0\]\.table\.maximumRecordAgeInSeconds: must be -1 \(no limit\) or from 60/,
    );
    rejects(
      fn('table: { name: orders, onFailure: { lambda: x } }'),
      /^functions\.f\.events\[0\]\.table\.onFailure: must be a queue or topic name/,
    );
    rejects(
      fn('table: { name: orders, onFailure: "arn:aws:lambda:us-east-1:000000000000:function:x" }'),
      /^functions\.f\.events\[0\]\.table\.onFailure: must be an SQS queue or SNS topic ARN/,
    );
    rejects(
      fn('table: orders\n        window: 5'),
      /^functions\.f\.events\[0\]\.window: is not a known field/,
    );
    rejects(
      fn('table: { name: orders }\n        batchSize: 5'),
      /^functions\.f\.events\[0\]\.batchSize: is not a known field/,
    );
    rejects(
      fn('table: orders\n      - table: { name: orders }'),
      /^functions\.f\.events\[1\]\.table: function f already has an event on table orders/,
    );
    rejects(
      fn('table: orders', 'tables:\n  orders: { key: { pk: S } }\n'),
      /^functions\.f\.events\[0\]\.table: table orders has no stream: add stream: NEW_AND_OLD_IMAGES/,
    );
    rejects(
      fn('tabel: orders'),
      /^functions\.f\.events\[0\]\.tabel: is not a known event type \(known: .*table\)/,
    );
  });
});
