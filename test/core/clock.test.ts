import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';

describe('ManualClock', () => {
  it('fires due timers in order, including timers set while advancing, and skips cancelled ones', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(10, () => {
      fired.push(`a@${clock.now()}`);
      clock.setTimer(5, () => fired.push(`b@${clock.now()}`));
    });
    clock.setTimer(20, () => fired.push('cancelled')).cancel();
    clock.advance(25);
    assert.deepEqual(fired, ['a@10', 'b@15']);
    assert.equal(clock.now(), 25);
    clock.advance(5);
    assert.deepEqual(fired, ['a@10', 'b@15', 'c@30']);
    assert.equal(clock.pending(), 0);
  });
});
