import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { compileFilterPattern } from '../../src/telemetry/logs/filter-pattern.ts';
import { splitEvents } from '../../src/telemetry/logs/log-events.ts';

// The example events of CloudWatch's "Match terms in unstructured log events"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
const TEXT_EVENTS = [
  '[ERROR 400] BAD REQUEST',
  '[ERROR 401] UNAUTHORIZED REQUEST',
  '[ERROR 419] MISSING ARGUMENTS',
  '[ERROR 420] INVALID ARGUMENTS',
];

/** Pattern → the indexes of TEXT_EVENTS it matches. */
const TEXT_CASES: [string, number[]][] = [
  ['', [0, 1, 2, 3]],
  ['""', [0, 1, 2, 3]],
  ['ERROR', [0, 1, 2, 3]],
  ['ERROR ARGUMENTS', [2, 3]],
  ['"INVALID ARGUMENTS"', [3]],
  ['"INVALID" "ARGUMENTS"', [3]],
  ['ERROR -ARGUMENTS', [0, 1]],
  ['-ARGUMENTS', [0, 1]],
  ['?ERROR ?ARGUMENTS', [0, 1, 2, 3]],
  ['?ARGUMENTS ?UNAUTHORIZED', [1, 2, 3]],
  ['?"BAD REQUEST" ?"MISSING ARGUMENTS"', [0, 2]],
  // The CDK's anyTermGroup form: each `?` opens an alternative of ANDed terms.
  ['?"ERROR" "REQUEST" ?"INVALID" "ARGUMENTS"', [0, 1, 3]],
  ['?REQUEST -BAD ?MISSING', [1, 2]],
  ['error', []], // terms are case-sensitive
  ['%ERROR 4[01]9%', [2]],
  ['ERROR -%4[0-1]\\d%', [3]],
];

// The example JSON event of CloudWatch's "Match terms in JSON log events".
const JSON_EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
});

// Its compound-condition example event.
const USER_EVENT = JSON.stringify({
  user: { id: 1, email: 'John.Doe@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1],
    [2, 3],
  ],
});

const LAMBDA_RECORD = JSON.stringify({
  timestamp: '2024-05-01T12:00:00.000Z',
  level: 'ERROR',
  requestId: '79b4f56e-95b1-4643-9700-2807f4e68189',
  message: 'payment failed',
  latency: 1250,
});

const JSON_CASES: [string, string, boolean][] = [
  ['{ $.eventType = "UpdateTrail" }', JSON_EVENT, true],
  ['{ $.eventType = "Update*" }', JSON_EVENT, true],
  ['{ $.eventType = UpdateTrail }', JSON_EVENT, true],
  ['{ $.eventType != "UpdateTrail" }', JSON_EVENT, false],
  ['{ $.sourceIPAddress != 123.123.* }', JSON_EVENT, true],
  ['{ $.sourceIPAddress = 111.111.* }', JSON_EVENT, true],
  ['{ $.arrayKey[0] = "value" }', JSON_EVENT, true],
  ['{ $.arrayKey[1] = "value" }', JSON_EVENT, false],
  ['{ $.objectList[1].id = 2 }', JSON_EVENT, true],
  ['{ $.objectList[1].id > 1 }', JSON_EVENT, true],
  ['{ $.objectList[0].id >= 2 }', JSON_EVENT, false],
  ['{ $.SomeObject IS NULL }', JSON_EVENT, true],
  ['{ $.SomeOtherObject NOT EXISTS }', JSON_EVENT, true],
  ['{ $.eventType NOT EXISTS }', JSON_EVENT, false],
  ['{ $.ThisFlag IS TRUE }', JSON_EVENT, true],
  ['{ $.ThisFlag IS FALSE }', JSON_EVENT, false],
  ['{ $.eventType = * }', JSON_EVENT, true],
  ['{ $.missing = * }', JSON_EVENT, false],
  ['{ $.missing != "x" }', JSON_EVENT, false],
  ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USER_EVENT, true],
  [
    '{ ($.user.id = 2 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET" }',
    USER_EVENT,
    false,
  ],
  [
    '{ $.user.email = "John.Doe@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
    USER_EVENT,
    true,
  ],
  [
    '{ ($.user.email = "John.Doe@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
    USER_EVENT,
    false,
  ],
  ['{ $.coordinates[1][0] = 2 }', USER_EVENT, true],
  ['{ $.level = "ERROR" }', LAMBDA_RECORD, true],
  ['{ $.level = "ERROR" && $.latency > 1000 }', LAMBDA_RECORD, true],
  ['{ $.level = "ERROR" && $.latency < 1000 }', LAMBDA_RECORD, false],
  ['{ $.level = "WARN" || $.level = "ERROR" }', LAMBDA_RECORD, true],
  ['{ $.level != "INFO" }', LAMBDA_RECORD, true],
  ['{ $.message = %fail(ed|ure)% }', LAMBDA_RECORD, true],
  ['{ $.message != %fail% }', LAMBDA_RECORD, false],
  ['{ $.latency = 1.25e3 }', LAMBDA_RECORD, true],
  ['{ $.level = "ERROR" }', '2024-05-01T12:00:00.000Z\tabc\tERROR\t{"level":"ERROR"}', false],
];

describe('CloudWatch filter patterns', () => {
  for (const [pattern, expected] of TEXT_CASES)
    it(`text: ${pattern || '(empty)'} matches events ${expected.join(', ') || 'none'}`, () => {
      const p = compileFilterPattern(pattern);
      const got = TEXT_EVENTS.flatMap((e, i) => (p.test(e) ? [i] : []));
      assert.deepEqual(got, expected);
    });

  for (const [pattern, event, expected] of JSON_CASES)
    it(`json: ${pattern} is ${expected}`, () => {
      assert.equal(compileFilterPattern(pattern).test(event), expected);
    });

  it('names the terms a store may narrow with, only when every match must hold them', () => {
    assert.deepEqual(compileFilterPattern('ERROR "BAD REQUEST" -x %re%').required, ['ERROR', 'BAD REQUEST']);
    assert.deepEqual(compileFilterPattern('?ERROR ?WARN').required, []);
    assert.deepEqual(compileFilterPattern('{ $.level = "ERROR" }').required, []);
  });

  for (const bad of [
    '[ip, user, status = 404]',
    '"unclosed',
    '{ $.level = }',
    '{ $.level ~ "x" }',
    '{ $.latency > fast }',
    '{ level = "x" }',
    '{ ($.a = 1 }',
    '{ $.a = 1',
    '%(%',
    '{ $.a IS MAYBE }',
  ])
    it(`refuses ${bad}`, () => {
      assert.throws(
        () => compileFilterPattern(bad),
        (e) => isBatonError(e, 'InvalidParameterValue') && e.message.startsWith('filterPattern: '),
      );
    });
});

describe('splitting an invocation record into log events', () => {
  it('keeps a multi-line console message and its stack in one event', () => {
    const message = [
      'START RequestId: r Version: $LATEST',
      '2024-05-01T12:00:00.000Z\tr\tINFO\tone',
      '2024-05-01T12:00:00.001Z\tr\tERROR\tError: boom',
      '    at handler (file:///code/index.mjs:2:9)',
      '{"timestamp":"2024-05-01T12:00:00.002Z","level":"INFO","requestId":"r","message":"json"}',
      'raw stdout',
      'more raw',
      'END RequestId: r',
      'REPORT RequestId: r\tDuration: 1.00 ms',
    ].join('\n');
    const events = splitEvents(message);
    assert.equal(events.length, 8);
    assert.equal(
      events[2],
      '2024-05-01T12:00:00.001Z\tr\tERROR\tError: boom\n    at handler (file:///code/index.mjs:2:9)',
    );
    assert.equal(events[4], 'raw stdout');
    assert.equal(events[5], 'more raw');
  });
});
