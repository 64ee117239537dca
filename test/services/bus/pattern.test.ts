import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusError } from '../../../src/services/bus/errors.ts';
import { compileEventPattern, testEventPattern } from '../../../src/services/bus/pattern.ts';

/**
 * A conformance table built from AWS's documented examples of event patterns:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
 * eb-event-patterns-content-based-filtering.html, eb-event-patterns-arrays.html,
 * eb-event-patterns-null-values.html and eb-create-pattern.html. Each row is a pattern with
 * events it must match and events it must not; `op` names the operator the row covers. Errors
 * are event-ruler's reasons (`JsonRuleCompiler`), which EventBridge returns.
 */

interface Row {
  op: string;
  name: string;
  pattern: unknown;
  match: unknown[];
  miss: unknown[];
}

const TABLE: Row[] = [
  {
    op: 'exact',
    name: 'source and detail-type and a nested state (eb-create-pattern)',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    match: [
      {
        source: 'aws.ec2',
        'detail-type': 'EC2 Instance State-change Notification',
        detail: { state: 'terminated', 'instance-id': 'i-1' },
      },
    ],
    miss: [
      {
        source: 'aws.ec2',
        'detail-type': 'EC2 Instance State-change Notification',
        detail: { state: 'running' },
      },
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', state: 'terminated' },
      {
        source: 'aws.s3',
        'detail-type': 'EC2 Instance State-change Notification',
        detail: { state: 'terminated' },
      },
    ],
  },
  {
    op: 'exact',
    name: 'a list of values is any of them',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    match: [{ source: 'aws.ec2' }, { source: 'aws.fargate' }],
    miss: [{ source: 'aws.s3' }, { source: 'AWS.EC2' }, {}],
  },
  {
    op: 'exact',
    name: 'numbers compare by value; strings and numbers differ',
    pattern: { detail: { count: [300], flag: [true] } },
    match: [{ detail: { count: 3.0e2, flag: true } }, { detail: { count: 300.0000001, flag: true } }],
    miss: [{ detail: { count: '300', flag: true } }, { detail: { count: 300, flag: 'true' } }],
  },
  {
    op: 'null and empty',
    name: 'empty string and null are not interchangeable (eb-event-patterns-null-values)',
    pattern: { detail: { eventVersion: [''], responseElements: [null] } },
    match: [{ detail: { eventVersion: '', responseElements: null } }],
    miss: [
      { detail: { eventVersion: null, responseElements: null } },
      { detail: { eventVersion: '', responseElements: '' } },
      { detail: { eventVersion: '' } },
    ],
  },
  {
    op: 'arrays',
    name: 'an event array matches when it shares a value with the pattern (eb-event-patterns-arrays)',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    match: [
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
    ],
    miss: [{ resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }, { resources: [] }],
  },
  {
    op: 'arrays',
    name: 'arrays of objects: the named fields must match within one element',
    pattern: { detail: { items: { sku: ['a'], qty: [2] } } },
    match: [
      {
        detail: {
          items: [
            { sku: 'b', qty: 1 },
            { sku: 'a', qty: 2 },
          ],
        },
      },
    ],
    miss: [
      {
        detail: {
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 2 },
          ],
        },
      },
      { detail: { items: [] } },
    ],
  },
  {
    op: 'prefix',
    name: 'time starting with a date (content filtering)',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    match: [{ time: '2017-10-02T18:43:48Z' }],
    miss: [{ time: '2017-10-03T18:43:48Z' }, { time: 20171002 }, {}],
  },
  {
    op: 'prefix',
    name: 'Region is in the US',
    pattern: { Region: [{ prefix: 'us-' }] },
    match: [{ Region: 'us-east-1' }, { Region: ['eu-west-1', 'us-west-2'] }],
    miss: [{ Region: 'eu-west-1' }, { Region: 'US-EAST-1' }],
  },
  {
    op: 'prefix equals-ignore-case',
    name: 'service starting with EventB in any case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    match: [
      { detail: { service: 'EventBridge' } },
      { detail: { service: 'eventbridge' } },
      { detail: { service: 'EVENTB' } },
    ],
    miss: [{ detail: { service: 'Event Bridge' } }, { detail: { service: 'SNS' } }],
  },
  {
    op: 'suffix',
    name: 'FileName ending with .png',
    pattern: { FileName: [{ suffix: '.png' }] },
    match: [{ FileName: 'image.png' }, { FileName: '.png' }],
    miss: [{ FileName: 'image.PNG' }, { FileName: 'image.png.txt' }],
  },
  {
    op: 'suffix equals-ignore-case',
    name: 'FileName ending with .png in any case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    match: [
      { detail: { FileName: 'a.PNG' } },
      { detail: { FileName: 'a.png' } },
      { detail: { FileName: 'a.PnG' } },
    ],
    miss: [{ detail: { FileName: 'a.jpg' } }],
  },
  {
    op: 'equals-ignore-case',
    name: 'Name is Alice in any case; detail-type in any case',
    pattern: {
      'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }],
      Name: [{ 'equals-ignore-case': 'alice' }],
    },
    match: [{ 'detail-type': 'EC2 Instance State-change Notification', Name: 'ALICE' }],
    miss: [
      { 'detail-type': 'EC2 Instance State-change Notification', Name: 'Alicia' },
      { 'detail-type': 'EC2 Instance Launch', Name: 'Alice' },
    ],
  },
  {
    op: 'anything-but',
    name: 'a string: state is anything but initializing',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    match: [
      { detail: { state: 'running' } },
      { detail: { state: 'Initializing' } },
      { detail: { state: 5 } },
    ],
    miss: [{ detail: { state: 'initializing' } }, { detail: {} }],
  },
  {
    op: 'anything-but',
    name: 'a number: x-limit is anything but 123',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    match: [{ detail: { 'x-limit': 456 } }, { detail: { 'x-limit': 123.5 } }],
    miss: [{ detail: { 'x-limit': 123 } }, { detail: { 'x-limit': 1.23e2 } }],
  },
  {
    op: 'anything-but',
    name: 'a list of strings',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    match: [{ detail: { state: 'running' } }, { detail: { state: ['stopped', 'running'] } }],
    miss: [{ detail: { state: 'stopped' } }, { detail: { state: 'overloaded' } }],
  },
  {
    op: 'anything-but',
    name: 'a list of numbers',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    match: [{ detail: { 'x-limit': 150 } }],
    miss: [{ detail: { 'x-limit': 200 } }, { detail: { 'x-limit': 3e2 } }],
  },
  {
    op: 'anything-but prefix',
    name: 'Region is not in the US',
    pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] },
    match: [{ Region: 'eu-west-1' }, { Region: 'ap-south-1' }],
    miss: [{ Region: 'us-east-1' }, {}],
  },
  {
    op: 'anything-but prefix',
    name: 'a list of prefixes',
    pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } },
    match: [{ detail: { state: 'running' } }],
    miss: [{ detail: { state: 'initializing' } }, { detail: { state: 'stopped' } }],
  },
  {
    op: 'anything-but suffix',
    name: 'FileName does not end with .png',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    match: [{ FileName: 'a.txt' }, { FileName: 'a.PNG' }],
    miss: [{ FileName: 'a.png' }],
  },
  {
    op: 'anything-but equals-ignore-case',
    name: 'state is not initializing or stopped, in any case',
    pattern: {
      detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] },
    },
    match: [{ detail: { state: 'running' } }],
    miss: [{ detail: { state: 'INITIALIZING' } }, { detail: { state: 'Stopped' } }],
  },
  {
    op: 'anything-but wildcard',
    name: 'FilePath does not include /lib/',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    match: [{ FilePath: '/usr/bin/node' }, { FilePath: 'lib/a' }],
    miss: [{ FilePath: '/usr/lib/node' }, { FilePath: '/lib/' }],
  },
  {
    op: 'numeric',
    name: 'ranges and equality (content filtering)',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    match: [
      { detail: { 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 } },
      { detail: { 'c-count': 0.1, 'd-count': -4, 'x-limit': 301.8 } },
    ],
    miss: [
      { detail: { 'c-count': 0, 'd-count': 7, 'x-limit': 301.8 } },
      { detail: { 'c-count': 5.000001, 'd-count': 7, 'x-limit': 301.8 } },
      { detail: { 'c-count': 3, 'd-count': 10, 'x-limit': 301.8 } },
      { detail: { 'c-count': 3, 'd-count': 7, 'x-limit': 301.9 } },
      { detail: { 'c-count': '3', 'd-count': 7, 'x-limit': 301.8 } },
    ],
  },
  {
    op: 'numeric',
    name: '>= and < bounds; numbers past ±5e9 never compare',
    pattern: { detail: { n: [{ numeric: ['>=', 10, '<', 20] }], m: [{ numeric: ['>', 0] }] } },
    match: [{ detail: { n: 10, m: 1 } }, { detail: { n: 19.999, m: 5e9 } }],
    miss: [{ detail: { n: 20, m: 1 } }, { detail: { n: 9.99, m: 1 } }, { detail: { n: 15, m: 6e9 } }],
  },
  {
    op: 'exists',
    name: 'exists true: the field is present as a leaf',
    pattern: { detail: { state: [{ exists: true }] } },
    match: [{ detail: { state: 'x' } }, { detail: { state: null } }, { detail: { state: [1] } }],
    miss: [{ detail: {} }, { detail: { state: { nested: 1 } } }, { detail: { state: [] } }, {}],
  },
  {
    op: 'exists',
    name: 'exists false: the field is absent (also when its parent is)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    match: [{ detail: {} }, { detail: { other: 1 } }, {}],
    miss: [{ detail: { 'c-count': 1 } }, { detail: { 'c-count': null } }],
  },
  {
    op: 'cidr',
    name: 'IPv4 block',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    match: [{ detail: { sourceIPAddress: '10.0.0.255' } }, { detail: { sourceIPAddress: '10.0.0.0' } }],
    miss: [
      { detail: { sourceIPAddress: '10.0.1.0' } },
      { detail: { sourceIPAddress: 'not an ip' } },
      { detail: { sourceIPAddress: '::1' } },
    ],
  },
  {
    op: 'cidr',
    name: 'IPv6 block',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    match: [
      { detail: { sourceIPAddress: '2001:db8::1' } },
      { detail: { sourceIPAddress: '2001:0db8:ffff::' } },
    ],
    miss: [{ detail: { sourceIPAddress: '2001:db9::1' } }, { detail: { sourceIPAddress: '10.0.0.1' } }],
  },
  {
    op: 'wildcard',
    name: 'an event bus ARN in any account',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    match: [
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      { EventBusArn: 'arn:aws:events:us-east-1::event-bus/' },
    ],
    miss: [{ EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' }],
  },
  {
    op: 'wildcard',
    name: 'a file name; escaped star is literal',
    pattern: { a: [{ wildcard: 'dir/*.png' }], b: [{ wildcard: 'x\\*y' }] },
    match: [
      { a: 'dir/img.png', b: 'x*y' },
      { a: 'dir/sub/.png', b: 'x*y' },
    ],
    miss: [
      { a: 'dir/img.jpg', b: 'x*y' },
      { a: 'dir/img.png', b: 'xzy' },
    ],
  },
  {
    op: '$or',
    name: 'at the top level, beside a field (content filtering)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    match: [
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    ],
    miss: [
      { source: 'aws.cloudwatch', metricName: 'WriteLatency', namespace: 'AWS/S3' },
      { source: 'aws.ec2', metricName: 'ReadLatency' },
    ],
  },
  {
    op: '$or',
    name: 'nested inside detail, with numeric branches',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    match: [{ detail: { 'c-count': 3 } }, { detail: { 'd-count': 1 } }, { detail: { 'x-limit': 301.8 } }],
    miss: [{ detail: { 'c-count': 30, 'd-count': 30 } }, { detail: {} }],
  },
  {
    op: '$or',
    name: 'a branch with two fields needs both; $or inside $or',
    pattern: {
      $or: [{ a: ['1'], b: ['2'] }, { $or: [{ c: ['3'] }, { d: ['4'] }] }],
    },
    match: [{ a: '1', b: '2' }, { c: '3' }, { d: '4' }],
    miss: [{ a: '1' }, { b: '2', c: '9' }],
  },
  {
    op: 'combined',
    name: 'several operators on one event (content filtering, complex example)',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    match: [
      {
        time: '2017-10-02T18:43:48Z',
        detail: { state: 'running', 'c-count': 5, 'd-count': 8, 'x-limit': 150 },
      },
    ],
    miss: [
      {
        time: '2017-10-02T18:43:48Z',
        detail: { state: 'initializing', 'c-count': 5, 'd-count': 8, 'x-limit': 150 },
      },
      {
        time: '2017-10-02T18:43:48Z',
        detail: { state: 'running', 'c-count': 5, 'd-count': 8, 'x-limit': 200 },
      },
    ],
  },
];

/** Invalid patterns and the reason EventBridge gives. */
const INVALID: { op: string; pattern: string; reason: string | RegExp }[] = [
  { op: 'structure', pattern: '["aws.ec2"]', reason: 'Filter is not an object' },
  { op: 'structure', pattern: '"aws.ec2"', reason: 'Filter is not an object' },
  { op: 'structure', pattern: '{"source": "aws.ec2"}', reason: '"source" must be an object or an array' },
  { op: 'structure', pattern: '{"detail": {"state": 5}}', reason: '"state" must be an object or an array' },
  { op: 'structure', pattern: '{}', reason: 'Empty objects are not allowed' },
  { op: 'structure', pattern: '{"detail": {}}', reason: 'Empty objects are not allowed' },
  { op: 'structure', pattern: '{"source": []}', reason: 'Empty arrays are not allowed' },
  {
    op: 'structure',
    pattern: '{"source": [["a"]]}',
    reason: 'Match value must be String, number, true, false, or null',
  },
  { op: 'structure', pattern: '{"source": ', reason: /JSON/ },
  { op: 'structure', pattern: `{"source": ["${'a'.repeat(2048)}"]}`, reason: /too long.*2048/ },
  { op: 'operator', pattern: '{"a": [{"contains": "x"}]}', reason: 'Unrecognized match type contains' },
  {
    op: 'operator',
    pattern: '{"a": [{"prefix": "x", "suffix": "y"}]}',
    reason: 'Only one key allowed in match expression',
  },
  { op: 'operator', pattern: '{"a": [{}]}', reason: 'Match expression name not found' },
  { op: 'prefix', pattern: '{"a": [{"prefix": 5}]}', reason: 'prefix match pattern must be a string' },
  {
    op: 'prefix',
    pattern: '{"a": [{"prefix": {"wildcard": "x"}}]}',
    reason: 'Unsupported prefix pattern: wildcard',
  },
  {
    op: 'suffix',
    pattern: '{"a": [{"suffix": {"equals-ignore-case": 1}}]}',
    reason: 'equals-ignore-case match pattern must be a string',
  },
  {
    op: 'equals-ignore-case',
    pattern: '{"a": [{"equals-ignore-case": ["x"]}]}',
    reason: 'equals-ignore-case match pattern must be a string',
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": ["x", 1]}]}',
    reason: /mixed type is not supported/,
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": [null]}]}',
    reason: /start\|null\|boolean is not supported/,
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": true}]}',
    reason: /must be an array or single string\/number value/,
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": {"numeric": [">", 1]}}]}',
    reason: 'Unsupported anything-but pattern: numeric',
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": {"prefix": ""}}]}',
    reason: 'Null prefix/suffix not allowed',
  },
  {
    op: 'anything-but',
    pattern: '{"a": [{"anything-but": {"wildcard": "a**"}}]}',
    reason: 'Consecutive wildcard characters at pos 1',
  },
  { op: 'numeric', pattern: '{"a": [{"numeric": ">"}]}', reason: 'Value of numeric must be an array.' },
  {
    op: 'numeric',
    pattern: '{"a": [{"numeric": ["!=", 1]}]}',
    reason: 'Unrecognized numeric range operator: !=',
  },
  { op: 'numeric', pattern: '{"a": [{"numeric": [">", "1"]}]}', reason: 'Value of > must be numeric' },
  {
    op: 'numeric',
    pattern: '{"a": [{"numeric": [">", 5, "<", 1]}]}',
    reason: 'Bottom must be less than top',
  },
  {
    op: 'numeric',
    pattern: '{"a": [{"numeric": ["<", 5, ">", 1]}]}',
    reason: 'Too many elements in numeric expression',
  },
  {
    op: 'numeric',
    pattern: '{"a": [{"numeric": [">", 1, ">", 5]}]}',
    reason: 'Bad numeric range operator: >',
  },
  { op: 'numeric', pattern: '{"a": [{"numeric": [">", 6e9]}]}', reason: /between -5.0E9 and 5.0E9/ },
  {
    op: 'exists',
    pattern: '{"a": [{"exists": "true"}]}',
    reason: 'exists match pattern must be either true or false.',
  },
  { op: 'cidr', pattern: '{"a": [{"cidr": "10.0.0.0"}]}', reason: /Malformed CIDR, one '\/' required/ },
  { op: 'cidr', pattern: '{"a": [{"cidr": "10.0.0.0/33"}]}', reason: /Malformed CIDR/ },
  { op: 'cidr', pattern: '{"a": [{"cidr": "10.0.0.300/24"}]}', reason: /Nonstandard IP address/ },
  {
    op: 'wildcard',
    pattern: '{"a": [{"wildcard": "a**b"}]}',
    reason: 'Consecutive wildcard characters at pos 1',
  },
  { op: 'wildcard', pattern: '{"a": [{"wildcard": "a\\\\b"}]}', reason: 'Invalid escape character at pos 1' },
  { op: '$or', pattern: '{"$or": {"a": ["1"]}}', reason: 'It must be an Array followed with $or.' },
  {
    op: '$or',
    pattern: '{"$or": [{"a": ["1"]}]}',
    reason: 'There must have at least 2 Objects in $or relationship.',
  },
  {
    op: '$or',
    pattern: '{"$or": [{"a": ["1"]}, "b"]}',
    reason: 'Only JSON object is allowed in array of $or relationship.',
  },
  { op: '$or', pattern: '{"$or": [{"a": ["1"]}, {"numeric": ["1"]}]}', reason: /reserved fieldName/ },
];

describe('event patterns: AWS examples', () => {
  for (const row of TABLE) {
    it(`${row.op}: ${row.name}`, () => {
      const text = JSON.stringify(row.pattern);
      const pattern = compileEventPattern(text);
      for (const event of row.match)
        assert.equal(pattern.matches(event), true, `should match ${JSON.stringify(event)}`);
      for (const event of row.miss)
        assert.equal(pattern.matches(event), false, `should miss ${JSON.stringify(event)}`);
    });
  }
});

describe('event patterns: invalid patterns', () => {
  for (const row of INVALID) {
    it(`${row.op}: ${row.pattern.slice(0, 60)}`, () => {
      assert.throws(
        () => compileEventPattern(row.pattern),
        (e: unknown) => {
          assert.ok(e instanceof BusError);
          assert.equal(e.code, 'InvalidEventPatternException');
          assert.match(e.message, /^Event pattern is not valid\. Reason: /);
          const reason = e.message.slice('Event pattern is not valid. Reason: '.length);
          if (typeof row.reason === 'string') assert.equal(reason, row.reason);
          else assert.match(reason, row.reason);
          return true;
        },
      );
    });
  }
});

describe('testEventPattern', () => {
  const envelope = {
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };

  it('agrees with the matcher on every conformance row', () => {
    for (const row of TABLE) {
      const text = JSON.stringify(row.pattern);
      const compiled = compileEventPattern(text);
      for (const event of [...row.match, ...row.miss]) {
        const full = { ...envelope, ...(event as object) };
        assert.equal(testEventPattern(text, JSON.stringify(full)), compiled.matches(full));
      }
    }
  });

  it('answers the documented example', () => {
    assert.equal(
      testEventPattern('{"source": ["aws.ec2"], "detail": {"state": ["pending"]}}', JSON.stringify(envelope)),
      true,
    );
    assert.equal(
      testEventPattern('{"source": ["aws.ec2"], "detail": {"state": ["running"]}}', JSON.stringify(envelope)),
      false,
    );
  });

  it('refuses an event that is not JSON or lacks a required field', () => {
    const { id: _, ...noId } = envelope;
    for (const event of ['not json', '[]', JSON.stringify(noId)])
      assert.throws(() => testEventPattern('{"source": ["aws.ec2"]}', event), {
        code: 'ValidationException',
      });
  });

  it('refuses an invalid pattern with InvalidEventPatternException', () => {
    assert.throws(() => testEventPattern('{"source": "aws.ec2"}', JSON.stringify(envelope)), {
      code: 'InvalidEventPatternException',
    });
  });

  it('does not read inherited properties as fields', () => {
    const p = compileEventPattern('{"constructor": [{"exists": false}], "toString": [{"exists": false}]}');
    assert.equal(p.matches({}), true);
  });
});
