import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GatewayResponse, responseV1, responseV2 } from '../../src/gateway/response.ts';

const plain = (r: GatewayResponse | string) =>
  typeof r === 'string'
    ? r
    : {
        status: r.status,
        headers: { ...r.headers },
        body: Buffer.isBuffer(r.body) ? r.body.toString('hex') : r.body,
      };

const JSON_200 = { 'content-type': 'application/json' };

describe('payload 2.0 responses', () => {
  const cases: [string, unknown, ReturnType<typeof plain>][] = [
    [
      'an object without statusCode is the JSON body',
      { a: 1 },
      { status: 200, headers: JSON_200, body: '{"a":1}' },
    ],
    [
      'a string is the body itself',
      'Hello from Lambda!',
      { status: 200, headers: JSON_200, body: 'Hello from Lambda!' },
    ],
    ['a number is its JSON', 42, { status: 200, headers: JSON_200, body: '42' }],
    ['null is its JSON', null, { status: 200, headers: JSON_200, body: 'null' }],
    ['a list is its JSON', [1, 2], { status: 200, headers: JSON_200, body: '[1,2]' }],
    [
      'an object with statusCode is the response',
      {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-Count': 3, 'Transfer-Encoding': 'chunked' },
        cookies: ['a=1; Path=/', 'b=2'],
        body: 'made',
      },
      {
        status: 201,
        headers: { 'content-type': 'text/plain', 'x-count': '3', 'set-cookie': ['a=1; Path=/', 'b=2'] },
        body: 'made',
      },
    ],
    ['no body is an empty body', { statusCode: 204 }, { status: 204, headers: {}, body: '' }],
    [
      'a numeric string status is taken',
      { statusCode: '404', body: 'no' },
      { status: 404, headers: {}, body: 'no' },
    ],
    [
      'a base64 body is decoded',
      { statusCode: 200, body: Buffer.from([1, 2, 255]).toString('base64'), isBase64Encoded: true },
      { status: 200, headers: {}, body: '0102ff' },
    ],
    [
      'a status out of range is malformed',
      { statusCode: 700 },
      'statusCode must be a whole number from 100 to 599',
    ],
    [
      'a status that is not a number is malformed',
      { statusCode: 'ok' },
      'statusCode must be a whole number from 100 to 599',
    ],
    [
      'a body that is not a string is malformed',
      { statusCode: 200, body: { a: 1 } },
      'body must be a string',
    ],
    [
      'headers that are not a map are malformed',
      { statusCode: 200, headers: ['a'] },
      'headers must be an object',
    ],
    [
      'a header value that is an object is malformed',
      { statusCode: 200, headers: { a: {} } },
      'header values must be strings',
    ],
    [
      'a header with a line break is malformed',
      { statusCode: 200, headers: { a: 'x\r\ny: z' } },
      'header "a" is not valid',
    ],
    [
      'cookies that are not a list are malformed',
      { statusCode: 200, cookies: 'a=1' },
      'cookies must be a list of strings',
    ],
  ];
  for (const [name, result, expected] of cases)
    it(name, () => {
      assert.deepEqual(plain(responseV2(JSON.stringify(result))), expected);
    });
});

describe('payload 1.0 responses', () => {
  const cases: [string, unknown, ReturnType<typeof plain>][] = [
    [
      'headers and multiValueHeaders merge; multiValueHeaders wins a clash',
      {
        statusCode: 200,
        headers: { 'X-A': 'single', 'X-B': 'only-single' },
        multiValueHeaders: { 'x-a': ['m1', 'm2'], 'Set-Cookie': ['a=1', 'b=2'] },
        body: 'ok',
      },
      {
        status: 200,
        headers: { 'x-b': 'only-single', 'x-a': 'm1,m2', 'set-cookie': ['a=1', 'b=2'] },
        body: 'ok',
      },
    ],
    ['a result without statusCode is malformed', { a: 1 }, 'a 1.0 result must be an object with statusCode'],
    ['a string result is malformed', 'hello', 'a 1.0 result must be an object with statusCode'],
    [
      'multiValueHeaders values must be lists',
      { statusCode: 200, multiValueHeaders: { a: 'x' } },
      'multiValueHeaders values must be lists',
    ],
  ];
  for (const [name, result, expected] of cases)
    it(name, () => {
      assert.deepEqual(plain(responseV1(JSON.stringify(result))), expected);
    });
});
