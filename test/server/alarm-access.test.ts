/** The alarm routes' actions and resources (`alarmAccess` in `src/server/admin-access.ts`). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alarmAccess } from '../../src/server/admin-access.ts';

const SCOPE = { region: 'us-east-1', account: '000000000000' };

describe('alarm routes access', () => {
  it('are authorized as CloudWatch’s operations, on the alarm’s ARN (`*` for the list)', () => {
    const pairs = (op: string, name: string) =>
      alarmAccess(op, name, SCOPE).map((r) => [r.action, r.resource]);
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors-high';
    assert.deepEqual(pairs('PutMetricAlarm', 'errors-high'), [['cloudwatch:PutMetricAlarm', arn]]);
    assert.deepEqual(pairs('DescribeAlarms', 'errors-high'), [['cloudwatch:DescribeAlarms', arn]]);
    assert.deepEqual(pairs('DeleteAlarms', 'errors-high'), [['cloudwatch:DeleteAlarms', arn]]);
    assert.deepEqual(pairs('DescribeAlarms', ''), [['cloudwatch:DescribeAlarms', '*']]);
  });
});
