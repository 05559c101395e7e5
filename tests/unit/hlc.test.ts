import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../../src/merge/hlc.js';

describe('HybridClock', () => {
  it('follows the wall clock when it moves ahead', () => {
    let now = 1000;
    const clock = new HybridClock({ now: () => now });
    expect(clock.tick()).toBe(1000);
    now = 2000;
    expect(clock.tick()).toBe(2000);
  });

  it('strictly increases even when the wall clock stands still or goes back', () => {
    let now = 5000;
    const clock = new HybridClock({ now: () => now });
    expect([clock.tick(), clock.tick(), clock.tick()]).toEqual([5000, 5001, 5002]);
    now = 100;
    expect(clock.tick()).toBe(5003);
  });

  it('is never behind a timestamp it has seen: a slow client still writes later stamps', () => {
    const slow = new HybridClock({ now: () => 1000 });
    expect(slow.observe(60_000)).toBe(true);
    expect(slow.tick()).toBe(60_001);
  });

  it('observeAll ends where observing each stamp in turn ends (property)', () => {
    const stamp = fc.oneof(fc.integer({ min: -5, max: 3_000 }), fc.constantFrom(Number.NaN, Infinity, 1.5, Number.MAX_SAFE_INTEGER + 2));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000 }), fc.array(stamp), (latest, stamps) => {
        const options = { now: () => 1_000, maxForwardDriftMs: 500, latest };
        const one = new HybridClock(options);
        for (const s of stamps) one.observe(s);
        const all = new HybridClock(options);
        all.observeAll(stamps);
        expect(all.latest).toBe(one.latest);
      }),
    );
  });

  it('resumes from a persisted latest stamp', () => {
    expect(new HybridClock({ now: () => 10, latest: 500 }).tick()).toBe(501);
  });

  it('refuses to be pulled further ahead than the drift bound', () => {
    const clock = new HybridClock({ now: () => 1000, maxForwardDriftMs: 100 });
    expect(clock.observe(1100)).toBe(true);
    expect(clock.observe(1101)).toBe(false);
    expect(clock.observe(Number.NaN)).toBe(false);
    expect(clock.observe(-1)).toBe(false);
    expect(clock.latest).toBe(1100);
    expect(clock.tick()).toBe(1101);
  });

  it('never goes backwards, whatever the wall clock and remote stamps do', () =>
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ wall: fc.integer({ min: 0, max: 10_000 }) }), fc.record({ remote: fc.integer({ min: -10, max: 20_000 }) })), { maxLength: 60 }),
        (steps) => {
          let now = 0;
          const clock = new HybridClock({ now: () => now, maxForwardDriftMs: 5_000 });
          let previous = -1;
          const seen: number[] = [];
          for (const step of steps) {
            if ('wall' in step) {
              now = step.wall;
              const t = clock.tick();
              expect(t).toBeGreaterThan(previous);
              expect(t).toBeGreaterThanOrEqual(now);
              for (const s of seen) expect(t).toBeGreaterThan(s);
              previous = t;
            } else if (clock.observe(step.remote)) {
              seen.push(step.remote);
              previous = Math.max(previous, step.remote - 1);
            }
          }
        },
      ),
    ));
});
