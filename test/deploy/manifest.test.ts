import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { parseFunctionConfig, parseHandler, validateFunctionName } from '../../src/core/function-spec.ts';
import { parseManifest } from '../../src/deploy/manifest.ts';

const rejects = (text: string, message: RegExp): void => {
  assert.throws(
    () => parseManifest(text, '/apps/demo'),
    (e) => isBatonError(e) && message.test(e.message),
  );
};

describe('baton.yaml', () => {
  it("parses the issue's example with defaults filled in", () => {
    const m = parseManifest(
      `functions:
  hello:
    handler: src/hello.handler
    memory: 128
    timeout: 3
    environment: { GREETING: hi }
    reservedConcurrency: 10
    provisionedConcurrency: 0
`,
      '/apps/demo',
    );
    assert.deepEqual(m, {
      app: 'demo',
      functions: {
        hello: {
          handler: 'src/hello.handler',
          memory: 128,
          timeout: 3,
          environment: { GREETING: 'hi' },
          reservedConcurrency: 10,
          provisionedConcurrency: 0,
          idleTimeout: 300,
        },
      },
      queues: [],
      queueEvents: [],
      topics: [],
      topicEvents: [],
      buses: [],
      ruleEvents: [],
      tables: [],
      tableEvents: [],
      alarms: [],
    });
  });

  it('reads queues and queue events, dead-letter queues first', () => {
    const m = parseManifest(
      `queues:
  orders:
    visibilityTimeout: 60
    deadLetter: { queue: orders-dlq, maxReceiveCount: 4 }
  orders-dlq: {}
  jobs.fifo: { contentBasedDeduplication: true }
functions:
  worker:
    handler: w.handler
    events:
      - http: GET /orders
      - queue: orders
        batchSize: 50
        maximumBatchingWindowInSeconds: 2
        functionResponseTypes: [ReportBatchItemFailures]
`,
      '/apps/shop',
    );
    assert.deepEqual(
      m.queues.map((q) => q.name),
      ['orders-dlq', 'jobs.fifo', 'orders'],
    );
    assert.deepEqual(m.queues[2], {
      name: 'orders',
      attributes: { VisibilityTimeout: '60' },
      deadLetter: { queue: 'orders-dlq', maxReceiveCount: 4 },
    });
    assert.deepEqual(m.queues[1]?.attributes, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    assert.deepEqual(m.queueEvents, [
      {
        function: 'worker',
        queue: 'orders',
        batchSize: 50,
        maximumBatchingWindowSeconds: 2,
        reportBatchItemFailures: true,
        maximumConcurrency: null,
        enabled: true,
        path: 'functions.worker.events[1].queue',
      },
    ]);
    assert.equal(m.functions.worker?.routes?.[0]?.route, 'GET /orders');
    rejects(
      'queues:\n  q:\n    visibilityTimeout: -1\nfunctions: {}\n',
      /^queues\.q\.visibilityTimeout: must be a whole number from 0 to 43200/,
    );
    rejects(
      'queues:\n  q:\n    deadLetter: { queue: ghost }\nfunctions: {}\n',
      /^queues\.q\.deadLetter\.queue: must name a queue/,
    );
    rejects(
      'functions:\n  f:\n    handler: a.b\n    events:\n      - queue: q\n        batchSize: 100\n',
      /^functions\.f\.events\[0\]\.maximumBatchingWindowInSeconds: must be at least 1/,
    );
  });

  it('names the field path and what is wrong', () => {
    rejects(
      'functions:\n  hello:\n    handler: a.b\n    memory: 64\n',
      /^functions\.hello\.memory: must be between 128 and 10240 MB \(got 64\)$/,
    );
    rejects(
      'functions:\n  hello:\n    handler: a.b\n    timeout: 901\n',
      /^functions\.hello\.timeout: must be between 1 and 900 seconds/,
    );
    rejects(
      'functions:\n  hello:\n    handler: a.b\n    timeout: "3"\n',
      /^functions\.hello\.timeout: must be a whole number/,
    );
    rejects('functions:\n  hello:\n    memory: 128\n', /^functions\.hello\.handler: is required/);
    rejects(
      'functions:\n  hello:\n    handler: nodot\n',
      /^functions\.hello\.handler: "nodot" is not of the form/,
    );
    rejects(
      'functions:\n  hello:\n    handler: a.b\n    memroy: 256\n',
      /^functions\.hello\.memroy: is not a known field$/,
    );
    rejects('functions:\n  bad name:\n    handler: a.b\n', /^functions\.bad name: may contain only letters/);
    rejects(
      'functions:\n  h:\n    handler: a.b\n    environment: { AWS_REGION: x }\n',
      /^functions\.h\.environment: contains reserved keys that cannot be set: AWS_REGION/,
    );
    rejects(
      'functions:\n  h:\n    handler: a.b\n    environment: { "1X": y }\n',
      /^functions\.h\.environment\.1X: names must match/,
    );
    rejects(
      'functions:\n  h:\n    handler: a.b\n    reservedConcurrency: 1\n    provisionedConcurrency: 2\n',
      /^functions\.h\.provisionedConcurrency: must not exceed reservedConcurrency/,
    );
    rejects('functions: [a, b]\n', /^functions: is required: a mapping/);
    rejects('funtions: {}\n', /^funtions: is not a known section$/);
    rejects('functions:\n  h: {\n', /^baton\.yaml is not valid YAML/);
  });

  it('reads log settings: retention in CloudWatch days and Lambda’s LoggingConfig', () => {
    const m = parseManifest(
      `functions:
  api:
    handler: src/api.handler
    logRetentionDays: 14
    logging: { format: json, applicationLogLevel: debug, logGroup: /shop/api }
  plain:
    handler: src/plain.handler
    logging: { format: Text }
`,
      '/apps/demo',
    );
    assert.equal(m.functions.api?.logRetentionDays, 14);
    assert.deepEqual(m.functions.api?.logging, {
      format: 'JSON',
      applicationLogLevel: 'DEBUG',
      systemLogLevel: 'INFO',
      logGroup: '/shop/api',
    });
    assert.equal(m.functions.plain?.logging, undefined, 'Text in the default group is the default');
    assert.equal(m.functions.plain?.logRetentionDays, undefined);
    const fn = (extra: string) => `functions:\n  f:\n    handler: a.handler\n${extra}`;
    rejects(
      fn('    logRetentionDays: 10\n'),
      /functions\.f\.logRetentionDays: must be one of .*1, 3, 5, 7, 14/,
    );
    rejects(fn('    logging: { format: XML }\n'), /functions\.f\.logging\.format: must be one of Text, JSON/);
    rejects(
      fn('    logging: { applicationLogLevel: DEBUG }\n'),
      /functions\.f\.logging: applicationLogLevel and systemLogLevel need format JSON/,
    );
    rejects(
      fn('    logging: { format: JSON, systemLogLevel: TRACE }\n'),
      /functions\.f\.logging\.systemLogLevel: must be one of DEBUG, INFO, WARN/,
    );
    rejects(
      fn('    logging: { format: JSON, level: INFO }\n'),
      /functions\.f\.logging\.level: is not a known field/,
    );
  });

  it('limits environment variables to 4 KB together', () => {
    const big = { BIG: 'x'.repeat(4100) };
    assert.throws(
      () => parseFunctionConfig({ handler: 'a.b', environment: big }, 'f'),
      /f\.environment: exceeds the 4 KB limit/,
    );
  });

  it("follows Lambda's function name rules", () => {
    assert.equal(validateFunctionName('my-Func_1'), 'my-Func_1');
    assert.throws(() => validateFunctionName('x'.repeat(65)), /at most 64 characters/);
    assert.throws(() => validateFunctionName('a.b'), /may contain only/);
    assert.throws(() => validateFunctionName(''), /non-empty/);
  });

  it("splits handlers as Lambda's Node.js runtime does", () => {
    assert.deepEqual(parseHandler('src/app.handler'), { module: 'src/app', exportPath: 'handler' });
    assert.deepEqual(parseHandler('index.a.b'), { module: 'index', exportPath: 'a.b' });
    assert.equal(parseHandler('../up.handler'), null);
    assert.equal(parseHandler('index'), null);
  });
});
