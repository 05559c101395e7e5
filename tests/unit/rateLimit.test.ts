import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/rateLimit.js';

describe('RateLimiter (token buckets by key)', () => {
  it('allows the burst, then the sustained rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 10, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true); // another key has its own bucket
    expect(limiter.waitSeconds('a')).toBe(1);
    now += 100; // 0.1 s earns one token
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 10_000; // refills up to the burst, not beyond
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
  });

  it('takes nothing when a larger cost does not fit', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 5 }, () => 0);
    expect(limiter.take('a', 6)).toBe(false);
    expect(limiter.take('a', 5)).toBe(true);
  });
});
