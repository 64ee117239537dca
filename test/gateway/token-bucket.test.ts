import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { TokenBucket } from '../../src/gateway/token-bucket.ts';

describe('token bucket (ManualClock)', () => {
  // Each step: ms to advance, then how many requests arrive, then how many may pass.
  const cases: { name: string; rate: number; burst: number; steps: [number, number, number][] }[] = [
    { name: 'a full bucket lets a burst through, then throttles', rate: 1, burst: 3, steps: [[0, 5, 3]] },
    {
      name: 'it refills at the rate',
      rate: 2,
      burst: 2,
      steps: [
        [0, 2, 2],
        [499, 1, 0],
        [1, 1, 1],
        [500, 2, 1],
      ],
    },
    {
      name: 'it never holds more than the burst',
      rate: 10,
      burst: 2,
      steps: [
        [0, 2, 2],
        [60_000, 5, 2],
      ],
    },
    {
      name: 'a fractional rate accrues over time',
      rate: 0.5,
      burst: 1,
      steps: [
        [0, 1, 1],
        [1000, 1, 0],
        [1000, 1, 1],
      ],
    },
    {
      name: 'steady traffic at the rate always passes',
      rate: 100,
      burst: 1,
      steps: Array.from({ length: 50 }, () => [10, 1, 1] as [number, number, number]),
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const clock = new ManualClock();
      const bucket = new TokenBucket(c.rate, c.burst, clock.now());
      c.steps.forEach(([advance, requests, passing], i) => {
        clock.advance(advance);
        let passed = 0;
        for (let r = 0; r < requests; r++) if (bucket.take(clock.now())) passed++;
        assert.equal(passed, passing, `step ${i}`);
      });
    });

  it('a clock that steps back does not mint tokens', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    assert.equal(bucket.take(10_000), true);
    assert.equal(bucket.take(5_000), false);
    assert.equal(bucket.take(10_500), false);
    assert.equal(bucket.take(11_000), true);
  });
});
