import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTargetInput, transformInput } from '../../../src/services/bus/input-transformer.ts';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'shop',
  time: '2026-01-01T00:00:00Z',
  detail: { order: { id: 'o-"1"', total: 42, items: ['a', 'b'] } },
};
const ctx = { ruleName: 'r', ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r' };

describe('target input', () => {
  it('passes the event, a constant, or a path', () => {
    assert.deepEqual(JSON.parse(transformInput({}, event, ctx)), event);
    assert.equal(transformInput({ Input: '"hi"' }, event, ctx), '"hi"');
    assert.equal(transformInput({ InputPath: '$.detail.order.total' }, event, ctx), '42');
    assert.equal(transformInput({ InputPath: '$.detail.order.items[1]' }, event, ctx), '"b"');
    assert.equal(transformInput({ InputPath: '$.detail.nothing' }, event, ctx), 'null');
  });

  it('fills JSON templates: quoted placeholders are escaped text, bare ones JSON values', () => {
    const out = transformInput(
      {
        InputTransformer: {
          InputPathsMap: {
            id: '$.detail.order.id',
            items: '$.detail.order.items',
            t: '$.detail.order.total',
          },
          InputTemplate:
            '{"id": <id>, "msg": "order <id> of <t>", "items": <items>, "rule": "<aws.events.rule-name>"}',
        },
      },
      event,
      ctx,
    );
    assert.deepEqual(JSON.parse(out), {
      id: 'o-"1"',
      msg: 'order o-"1" of 42',
      items: ['a', 'b'],
      rule: 'r',
    });
  });

  it('fills text templates as text', () => {
    const out = transformInput(
      {
        InputTransformer: {
          InputPathsMap: { s: '$.source' },
          InputTemplate: 'from <s> via <aws.events.rule-arn>',
        },
      },
      event,
      ctx,
    );
    assert.equal(out, `from shop via ${ctx.ruleArn}`);
  });

  it('refuses two inputs at once, bad JSON and bad paths', () => {
    assert.throws(() => checkTargetInput({ Input: '{}', InputPath: '$' }), { code: 'ValidationException' });
    assert.throws(() => checkTargetInput({ Input: '{' }), { code: 'ValidationException' });
    assert.throws(() => checkTargetInput({ InputPath: 'detail' }), { code: 'ValidationException' });
    assert.throws(
      () => checkTargetInput({ InputTransformer: { InputPathsMap: { a: 'x' }, InputTemplate: '<a>' } }),
      { code: 'ValidationException' },
    );
  });
});
