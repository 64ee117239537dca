import { describe } from 'node:test';
import { memoryCache } from '../../src/backends/memory/cache.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { cacheContract } from './cache.contract.ts';

// The cache's backends: in memory (embedded mode). Redis joins with cluster mode, with
// `advance` waiting on the server's clock and `exactLru` naming why its eviction tests skip.
describe('memory cache backend', () =>
  cacheContract({
    make: async ({ maxBytes }) => {
      const clock = new ManualClock();
      return { backend: memoryCache({ clock, maxBytes }), advance: async (ms) => clock.advance(ms) };
    },
    exactLru: true,
  }));
