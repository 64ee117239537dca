import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AttributeForFilter,
  attributeLookup,
  bodyLookup,
  parseBodyForFilter,
} from '../../../src/services/topics/filter-lookups.ts';
import { compileFilterPolicy, FilterPolicyError } from '../../../src/services/topics/filter-policy.ts';

/**
 * A conformance table built from AWS's documented examples of subscription filter policies:
 * https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html,
 * numeric-value-matching.html, attribute-key-matching.html, and-or-logic.html,
 * example-filter-policies.html and subscription-filter-policy-constraints.html. Each row is a
 * policy with messages it must match and messages it must not; attribute messages are SNS message
 * attributes (`{name: [Type, Value]}`), body messages are JSON bodies.
 */

type Attrs = Record<string, [string, string]>;
interface Row {
  name: string;
  policy: unknown;
  attributes?: { match: Attrs[]; miss: Attrs[] };
  body?: { match: unknown[]; miss: unknown[] };
}

const TABLE: Row[] = [
  {
    name: 'exact string values (OR within a key), String.Array elements one by one',
    policy: { customer_interests: ['rugby', 'tennis'] },
    attributes: {
      match: [
        { customer_interests: ['String', 'rugby'] },
        { customer_interests: ['String', 'tennis'] },
        { customer_interests: ['String.Array', '["rugby", "tennis"]'] },
      ],
      miss: [
        { customer_interests: ['String', 'baseball'] },
        { customer_interests: ['String.Array', '["baseball"]'] },
        { other: ['String', 'rugby'] },
        {},
      ],
    },
    body: {
      match: [{ customer_interests: 'rugby' }, { customer_interests: 'tennis' }],
      miss: [{ customer_interests: 'baseball' }, {}],
    },
  },
  {
    name: 'anything-but with a list: any element not listed matches',
    policy: { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] },
    attributes: {
      match: [
        { customer_interests: ['String', 'baseball'] },
        { customer_interests: ['String', 'football'] },
        { customer_interests: ['String.Array', '["rugby", "baseball"]'] },
      ],
      miss: [
        { customer_interests: ['String', 'rugby'] },
        { customer_interests: ['String.Array', '["rugby", "tennis"]'] },
        {},
      ],
    },
    body: {
      match: [{ customer_interests: 'baseball' }, { customer_interests: 'football' }],
      miss: [{ customer_interests: 'rugby' }],
    },
  },
  {
    name: 'anything-but with one value',
    policy: { event: [{ 'anything-but': 'order_cancelled' }] },
    attributes: {
      match: [{ event: ['String', 'order_placed'] }],
      miss: [{ event: ['String', 'order_cancelled'] }],
    },
  },
  {
    name: 'anything-but with a prefix',
    policy: { event: [{ 'anything-but': { prefix: 'order-' } }] },
    attributes: {
      match: [{ event: ['String', 'data-entry'] }, { event: ['String', 'order_number'] }],
      miss: [{ event: ['String', 'order-cancelled'] }],
    },
    body: { match: [{ event: 'data-entry' }], miss: [{ event: 'order-cancelled' }] },
  },
  {
    name: 'equals-ignore-case',
    policy: { customer_interests: [{ 'equals-ignore-case': 'tennis' }] },
    attributes: {
      match: [{ customer_interests: ['String', 'TENNIS'] }, { customer_interests: ['String', 'Tennis'] }],
      miss: [{ customer_interests: ['String', 'baseball'] }],
    },
    body: { match: [{ customer_interests: 'tEnNiS' }], miss: [{ customer_interests: 'rugby' }] },
  },
  {
    name: 'IP address matching (cidr)',
    policy: { source_ip: [{ cidr: '10.0.0.0/24' }] },
    attributes: {
      match: [{ source_ip: ['String', '10.0.0.0'] }, { source_ip: ['String', '10.0.0.255'] }],
      miss: [{ source_ip: ['String', '10.1.1.0'] }, { source_ip: ['String', 'not an ip'] }],
    },
  },
  {
    name: 'IPv6 cidr',
    policy: { source_ip: [{ cidr: '2001:db8::/32' }] },
    body: {
      match: [{ source_ip: '2001:db8:1::7' }],
      miss: [{ source_ip: '2001:db9::1' }, { source_ip: '10.0.0.1' }],
    },
  },
  {
    name: 'prefix',
    policy: { customer_interests: [{ prefix: 'bas' }] },
    attributes: {
      match: [
        { customer_interests: ['String', 'baseball'] },
        { customer_interests: ['String', 'basketball'] },
      ],
      miss: [{ customer_interests: ['String', 'rugby'] }],
    },
    body: { match: [{ customer_interests: 'baseball' }], miss: [{ customer_interests: 'rugby' }] },
  },
  {
    name: 'suffix',
    policy: { customer_interests: [{ suffix: 'ball' }] },
    attributes: {
      match: [
        { customer_interests: ['String', 'baseball'] },
        { customer_interests: ['String', 'basketball'] },
      ],
      miss: [{ customer_interests: ['String', 'rugby'] }],
    },
  },
  {
    name: 'numeric exact matching, in any notation',
    policy: { price_usd: [{ numeric: ['=', 301.5] }] },
    attributes: {
      match: [{ price_usd: ['Number', '301.5'] }, { price_usd: ['Number', '3.015e2'] }],
      miss: [{ price_usd: ['Number', '301.6'] }, { price_usd: ['String', '301.5'] }],
    },
    body: { match: [{ price_usd: 301.5 }, { price_usd: 3.015e2 }], miss: [{ price_usd: '301.5' }] },
  },
  {
    name: 'numeric anything-but, Number.Array elements one by one',
    policy: { price: [{ 'anything-but': [100, 500] }] },
    attributes: {
      match: [
        { price: ['Number', '101'] },
        { price: ['Number', '100.1'] },
        { price: ['Number.Array', '[100, 50]'] },
      ],
      miss: [{ price: ['Number', '100'] }],
    },
    body: { match: [{ price: 101 }, { price: 100.1 }, { price: [100, 50] }], miss: [{ price: 100 }] },
  },
  {
    name: 'numeric comparison',
    policy: { price_usd: [{ numeric: ['<', 0] }] },
    attributes: { match: [{ price_usd: ['Number', '-1'] }], miss: [{ price_usd: ['Number', '0'] }] },
  },
  {
    name: 'numeric range',
    policy: { price_usd: [{ numeric: ['>', 0, '<=', 150] }] },
    attributes: {
      match: [
        { price_usd: ['Number', '0.00001'] },
        { price_usd: ['Number', '150'] },
        { price_usd: ['Number', '75'] },
      ],
      miss: [
        { price_usd: ['Number', '0'] },
        { price_usd: ['Number', '150.00001'] },
        { price_usd: ['String', '75'] },
      ],
    },
    body: { match: [{ price_usd: 100 }], miss: [{ price_usd: 151 }, { price_usd: -5 }] },
  },
  {
    name: 'numbers compare with five decimal places',
    policy: { n: [{ numeric: ['=', 0.123456] }] },
    body: { match: [{ n: 0.12346 }], miss: [{ n: 0.12345 }] },
  },
  {
    name: 'key matching: exists true',
    policy: { store: [{ exists: true }] },
    attributes: {
      match: [{ store: ['String', 'example_corp'] }, { store: ['Number', '1'] }],
      miss: [{}, { other: ['String', 'x'] }, { store: ['Binary', 'AAE='] }],
    },
    body: { match: [{ store: 'x' }, { store: null }, { store: 0 }], miss: [{}, { store: { nested: 1 } }] },
  },
  {
    name: 'key matching: exists false',
    policy: { store: [{ exists: false }] },
    attributes: { match: [{}, { other: ['String', 'x'] }], miss: [{ store: ['String', 'example_corp'] }] },
    body: { match: [{}, { store: { nested: 1 } }], miss: [{ store: 'x' }] },
  },
  {
    name: 'exists false OR a value',
    policy: { store: [{ exists: false }, 'acme'] },
    attributes: {
      match: [{}, { store: ['String', 'acme'] }],
      miss: [{ store: ['String', 'other'] }],
    },
  },
  {
    name: 'AND across keys',
    policy: { customer_interests: ['rugby'], price_usd: [{ numeric: ['>', 100] }] },
    attributes: {
      match: [{ customer_interests: ['String', 'rugby'], price_usd: ['Number', '100.01'] }],
      miss: [
        { customer_interests: ['String', 'rugby'], price_usd: ['Number', '100'] },
        { customer_interests: ['String', 'rugby'] },
        { price_usd: ['Number', '200'] },
      ],
    },
  },
  {
    name: '$or between keys',
    policy: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    attributes: {
      match: [
        { source: ['String', 'aws.cloudwatch'], metricName: ['String', 'CPUUtilization'] },
        { source: ['String', 'aws.cloudwatch'], namespace: ['String', 'AWS/EC2'] },
      ],
      miss: [
        { source: ['String', 'aws.cloudwatch'], metricName: ['String', 'ReadLatency'] },
        { source: ['String', 'aws.s3'], namespace: ['String', 'AWS/EC2'] },
      ],
    },
  },
  {
    name: 'nested $or in a body policy',
    policy: {
      source: ['aws.cloudwatch'],
      $or: [
        { namespace: ['AWS/EC2', 'AWS/ES'] },
        {
          metricType: ['MetricType'],
          $or: [{ metricId: [{ numeric: ['=', 1234] }] }, { spaceId: [{ numeric: ['<', 1000] }] }],
        },
      ],
    },
    body: {
      match: [
        { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
        { source: 'aws.cloudwatch', metricType: 'MetricType', metricId: 1234 },
        { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 999 },
      ],
      miss: [
        { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 },
        { source: 'aws.cloudwatch', metricId: 1234 },
      ],
    },
  },
  {
    name: '"$or" with fewer than two objects is an ordinary key',
    policy: { $or: ['x'] },
    attributes: { match: [{ $or: ['String', 'x'] }], miss: [{ other: ['String', 'x'] }] },
  },
  {
    name: 'the documented transaction example (attributes)',
    policy: {
      store: ['example_corp'],
      event: [{ 'anything-but': 'order_cancelled' }],
      customer_interests: ['rugby', 'football', 'baseball'],
      price_usd: [{ numeric: ['>=', 100] }],
    },
    attributes: {
      match: [
        {
          customer_interests: ['String.Array', '["soccer", "rugby", "hockey"]'],
          store: ['String', 'example_corp'],
          event: ['String', 'order_placed'],
          price_usd: ['Number', '210.75'],
        },
      ],
      miss: [
        {
          customer_interests: ['String.Array', '["soccer", "rugby", "hockey"]'],
          store: ['String', 'example_corp'],
          event: ['String', 'order_cancelled'],
          price_usd: ['Number', '210.75'],
        },
      ],
    },
    body: {
      match: [
        {
          customer_interests: ['soccer', 'rugby', 'hockey'],
          store: 'example_corp',
          event: 'order_placed',
          price_usd: 210.75,
        },
      ],
      miss: [
        { customer_interests: ['soccer'], store: 'example_corp', event: 'order_placed', price_usd: 210.75 },
      ],
    },
  },
  {
    name: 'nested body keys, arrays of objects along the path',
    policy: { customer: { interests: ['rugby'], address: { country: [{ prefix: 'U' }] } } },
    body: {
      match: [
        { customer: { interests: ['soccer', 'rugby'], address: { country: 'UK' } } },
        { customer: [{ interests: 'rugby', address: { country: 'US' } }] },
      ],
      miss: [
        { customer: { interests: ['rugby'], address: { country: 'FR' } } },
        { customer: { interests: 'rugby' } },
        { interests: 'rugby' },
      ],
    },
  },
  {
    name: 'booleans and null in a body',
    policy: { paid: [true], coupon: [null] },
    body: {
      match: [{ paid: true, coupon: null }],
      miss: [
        { paid: false, coupon: null },
        { paid: 'true', coupon: null },
      ],
    },
  },
  {
    name: 'an empty policy matches everything',
    policy: {},
    attributes: { match: [{}, { a: ['String', 'b'] }], miss: [] },
  },
];

function attrs(a: Attrs): Record<string, AttributeForFilter> {
  const out: Record<string, AttributeForFilter> = {};
  for (const [k, [DataType, value]] of Object.entries(a))
    out[k] = DataType.startsWith('Binary') ? { DataType } : { DataType, StringValue: value };
  return out;
}

describe('filter policies: conformance with AWS documented examples', () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const text = JSON.stringify(row.policy);
      if (row.attributes) {
        const p = compileFilterPolicy(text, 'MessageAttributes');
        for (const m of row.attributes.match)
          assert.equal(p.matches(attributeLookup(attrs(m))), true, `should match ${JSON.stringify(m)}`);
        for (const m of row.attributes.miss)
          assert.equal(p.matches(attributeLookup(attrs(m))), false, `should not match ${JSON.stringify(m)}`);
      }
      if (row.body) {
        const p = compileFilterPolicy(text, 'MessageBody');
        for (const m of row.body.match)
          assert.equal(
            p.matches(bodyLookup(parseBodyForFilter(JSON.stringify(m)))),
            true,
            `should match ${JSON.stringify(m)}`,
          );
        for (const m of row.body.miss)
          assert.equal(
            p.matches(bodyLookup(parseBodyForFilter(JSON.stringify(m)))),
            false,
            `should not match ${JSON.stringify(m)}`,
          );
      }
    });
  }

  it('a body that is not a JSON object matches only policies that need keys absent', () => {
    const needs = compileFilterPolicy('{"a":["x"]}', 'MessageBody');
    const absent = compileFilterPolicy('{"a":[{"exists":false}]}', 'MessageBody');
    for (const body of ['plain text', '[1,2]', '"a"', '']) {
      assert.equal(needs.matches(bodyLookup(parseBodyForFilter(body))), false);
      assert.equal(absent.matches(bodyLookup(parseBodyForFilter(body))), true);
    }
  });
});

describe('filter policies: what SNS refuses', () => {
  const refused: [string, unknown, 'MessageAttributes' | 'MessageBody', RegExp][] = [
    [
      'more than five keys',
      { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] },
      'MessageAttributes',
      /more than 5 keys/,
    ],
    [
      'more than 150 combinations',
      { a: [1, 2, 3, 4, 5, 6], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6] },
      'MessageAttributes',
      /too complex/,
    ],
    [
      'nesting with scope MessageAttributes',
      { a: { b: ['x'] } },
      'MessageAttributes',
      /does not support nested/,
    ],
    [
      'an unknown operator',
      { a: [{ contains: 'x' }] },
      'MessageAttributes',
      /Unrecognized match type contains/,
    ],
    ['a number out of range', { a: [{ numeric: ['>', 1e10] }] }, 'MessageAttributes', /out of range/],
    ['an empty list', { a: [] }, 'MessageAttributes', /Empty arrays/],
    ['exists with a non-boolean', { a: [{ exists: 'yes' }] }, 'MessageAttributes', /exists match pattern/],
    [
      'anything-but with a suffix',
      { a: [{ 'anything-but': { suffix: 'x' } }] },
      'MessageAttributes',
      /anything-but/,
    ],
    ['a range upside down', { a: [{ numeric: ['<', 5, '>', 1] }] }, 'MessageAttributes', /range operator/],
    [
      'a range with bounds reversed',
      { a: [{ numeric: ['>', 5, '<', 1] }] },
      'MessageAttributes',
      /Bottom must be less/,
    ],
    ['a nested list value', { a: [['x']] }, 'MessageBody', /Match value must be/],
    ['a scalar where a list belongs', { a: 'x' }, 'MessageBody', /must be an object or an array/],
    ['a malformed CIDR', { a: [{ cidr: '10.0.0.0/33' }] }, 'MessageAttributes', /CIDR/],
    ['not an object', ['a'], 'MessageAttributes', /JSON object/],
  ];
  for (const [what, policy, scope, message] of refused)
    it(what, () => {
      assert.throws(
        () => compileFilterPolicy(JSON.stringify(policy), scope),
        (e: unknown) => e instanceof FilterPolicyError && message.test(e.message),
      );
    });

  it('counts combinations as AWS documents: the product of each key’s values, summed over $or branches', () => {
    // 3 × 1 × 2 = 6.
    compileFilterPolicy('{"key_a":["v1","v2","v3"],"key_b":["v1"],"key_c":["v1","v2"]}', 'MessageAttributes');
    // 5 × 5 × 6 = 150: at the limit. One more value is too many.
    compileFilterPolicy(
      JSON.stringify({ a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6] }),
      'MessageBody',
    );
    assert.throws(
      () =>
        compileFilterPolicy(
          JSON.stringify({ a: [1, 2, 3, 4, 5, 6], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6] }),
          'MessageBody',
        ),
      /too complex/,
    );
    // 10 × (8 + 8) = 160 over the two $or branches.
    const eight = [1, 2, 3, 4, 5, 6, 7, 8];
    assert.throws(
      () =>
        compileFilterPolicy(
          JSON.stringify({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], $or: [{ b: eight }, { c: eight }] }),
          'MessageAttributes',
        ),
      /too complex/,
    );
  });

  it('matches 1,000 policies against a message quickly', () => {
    const policies = Array.from({ length: 1000 }, (_, i) =>
      compileFilterPolicy(
        JSON.stringify({ tenant: [`t${i}`], price: [{ numeric: ['>=', i] }], kind: [{ prefix: 'order' }] }),
        'MessageAttributes',
      ),
    );
    const message = attrs({
      tenant: ['String', 't500'],
      price: ['Number', '900'],
      kind: ['String', 'order.placed'],
    });
    const start = process.hrtime.bigint();
    let matched = 0;
    for (let n = 0; n < 100; n++) {
      const lookup = attributeLookup(message);
      for (const p of policies) if (p.matches(lookup)) matched++;
    }
    const perPublishUs = Number(process.hrtime.bigint() - start) / 1000 / 100;
    assert.equal(matched, 100);
    // A generous bound (about 20 µs is typical): it catches an accidental quadratic, not noise.
    assert.ok(perPublishUs < 5000, `1,000 policies took ${perPublishUs.toFixed(0)} µs per publish`);
  });
});
