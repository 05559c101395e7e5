/** `atMostEvery`: how a whole-store value follows a burst of changes from elsewhere (a sync's pages). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { atMostEvery } from '../../src/react/hooks.js';

describe('atMostEvery (250 ms)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  const cases: Array<{ name: string; calls: number[]; cancelAt?: number; runs: number[] }> = [
    { name: 'one call runs at once', calls: [0], runs: [0] },
    { name: 'calls within the window are one run at its end', calls: [0, 100, 200], runs: [0, 250] },
    { name: 'a call after the window runs at once', calls: [0, 300], runs: [0, 300] },
    { name: 'a burst longer than the window runs every 250 ms', calls: [0, 100, 260, 300, 480], runs: [0, 250, 500] },
    { name: 'a first call late in a quiet time runs at once', calls: [1000, 1100], runs: [1000, 1250] },
    { name: 'cancel drops the run still waiting', calls: [0, 100], cancelAt: 200, runs: [0] },
  ];
  for (const { name, calls, cancelAt, runs } of cases) {
    it(name, () => {
      const ran: number[] = [];
      const throttle = atMostEvery(250, () => ran.push(Date.now()), Date.now);
      const events = [...calls.map((at) => ({ at, act: () => throttle.call() })), ...(cancelAt === undefined ? [] : [{ at: cancelAt, act: () => throttle.cancel() }])];
      for (const { at, act } of events.sort((a, b) => a.at - b.at)) {
        vi.advanceTimersByTime(at - Date.now());
        act();
      }
      vi.advanceTimersByTime(10_000);
      expect(ran).toEqual(runs);
    });
  }
});
