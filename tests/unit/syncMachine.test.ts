/**
 * The statechart's timing and retry logic in isolation: every side effect is a stub
 * and time is XState's SimulatedClock, so nothing sleeps. The behaviour against the
 * real server is proven in tests/sync/.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock, createActor, fromCallback, fromPromise, type EventObject, type InspectionEvent } from 'xstate';
import type { ApplyInput, ApplyOutput, ConnectionRequest, InboundFrame, LoadOutput, PreparedFrame, PushOutput } from '../../src/machines/syncContract.js';
import { fullJitterDelay, syncMachine, tokenRenewalDelay } from '../../src/machines/syncMachine.js';
import { statusOf } from '../../src/sync/status.js';

const flush = () => new Promise((r) => setImmediate(r));

function harness(options: { pendingAfterPush?: number; authFails?: () => boolean; inspect?: (event: InspectionEvent) => void } = {}) {
  const clock = new SimulatedClock();
  const pushes: number[] = [];
  let authAttempts = 0;
  const machine = syncMachine.provide({
    actors: {
      loadLocal: fromPromise<LoadOutput>(async () => ({ pendingCount: 0, lastSyncedAt: null, lostWrites: [] })),
      authenticate: fromPromise<void>(async () => {
        authAttempts += 1;
        if (options.authFails?.()) throw new Error('network down');
      }),
      // A stub connection: opens at once with an empty catch-up, and answers each push request.
      remoteConnection: fromCallback<ConnectionRequest, unknown, EventObject>(({ sendBack, receive }) => {
        sendBack({ type: 'CONNECTION.OPEN', tokenExpiresAt: null });
        sendBack({ type: 'REMOTE.CHANGES', frame: { changes: [], revision: 1, checkpoint: true, completesCatchUp: true, fullSnapshot: false, afterEditing: false } });
        receive((request) => {
          if (request.type !== 'PUSH.REQUESTED') return;
          pushes.push(clock.now());
          const output: PushOutput = { pendingCount: options.pendingAfterPush ?? 0, rejected: [], accepted: [] };
          queueMicrotask(() => sendBack({ type: 'PUSH.DONE', output }));
        });
      }),
      prepareRemote: fromPromise<PreparedFrame, InboundFrame>(async () => ({ inputs: [], quarantined: [] })),
      applyDecisions: fromPromise<ApplyOutput, ApplyInput>(async () => ({ pendingCount: 0, lostWrites: [] })),
    },
  });
  const actor = createActor(machine, {
    clock,
    inspect: options.inspect,
    input: { debounceMs: 500, maxWaitMs: 1500, retryBaseMs: 1000, retryMaxMs: 8000, now: () => clock.now(), random: () => 0.5 },
  });
  const state = () => statusOf(actor.getSnapshot()).state;
  const advance = async (ms: number) => {
    clock.increment(ms);
    await flush();
  };
  return { actor, clock, pushes, state, advance, authAttempts: () => authAttempts };
}

describe('sync machine timing', () => {
  it('reaches idle after booting, authenticating and reconciling', async () => {
    const h = harness();
    const seen: string[] = [];
    h.actor.subscribe(() => seen.push(h.state()));
    h.actor.start();
    await flush();
    expect(h.state()).toBe('idle');
    expect([...new Set(seen)]).toEqual(['booting', 'authenticating', 'reconciling', 'idle']);
  });

  it('an empty frame (the catch-up here) is applied without a merge batch actor', async () => {
    const batches: string[] = [];
    const h = harness({
      inspect: (e) => {
        const ref = e.actorRef as { src?: unknown; id?: string };
        if (e.type === '@xstate.actor' && ref.src === 'mergeBatch') batches.push(ref.id ?? '?');
      },
    });
    h.actor.start();
    await flush();
    expect(h.state()).toBe('idle'); // the frame was applied: its catch-up completed
    expect(batches).toEqual([]);
  });

  it('restarts the debounce window on every change and pushes once it is quiet', async () => {
    const h = harness();
    h.actor.start();
    await flush();
    h.actor.send({ type: 'LOCAL.CHANGED', pendingCount: 1 });
    expect(h.state()).toBe('debouncing');
    await h.advance(400);
    h.actor.send({ type: 'LOCAL.CHANGED', pendingCount: 2 });
    await h.advance(400);
    h.actor.send({ type: 'LOCAL.CHANGED', pendingCount: 2 });
    await h.advance(499);
    expect(h.pushes).toEqual([]);
    await h.advance(1);
    expect(h.pushes).toEqual([1300]);
    expect(h.state()).toBe('idle');
  });

  it('bounds the wait with maxWait under continuous typing', async () => {
    const h = harness();
    h.actor.start();
    await flush();
    for (let t = 0; t < 2000; t += 300) {
      h.actor.send({ type: 'LOCAL.CHANGED', pendingCount: 1 });
      await h.advance(300);
    }
    expect(h.pushes[0]).toBe(1500);
  });

  it('debounces again when changes arrived during a push', async () => {
    const h = harness({ pendingAfterPush: 1 });
    h.actor.start();
    await flush();
    h.actor.send({ type: 'LOCAL.CHANGED', pendingCount: 1 });
    await h.advance(500);
    expect(h.pushes).toEqual([500]);
    expect(h.state()).toBe('debouncing');
  });

  it('backs off with capped, jittered exponential delays and retries early when the browser is online', async () => {
    let down = true;
    const h = harness({ authFails: () => down });
    h.actor.start();
    await flush();
    expect(h.state()).toBe('offline-retry');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(h.actor.getSnapshot().context.retryDelayMs);
      await h.advance(h.actor.getSnapshot().context.retryDelayMs);
    }
    // random() = 0.5 of min(8000, 1000 * 2^attempt)
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(statusOf(h.actor.getSnapshot()).nextRetryAt).toBe(h.clock.now() + 4000);
    expect(statusOf(h.actor.getSnapshot()).lastError).toBe('network down');

    down = false;
    h.actor.send({ type: 'NETWORK.ONLINE' });
    await flush();
    expect(h.state()).toBe('idle');
    expect(h.actor.getSnapshot().context.retryAttempt).toBe(0);
  });

  it('logs a failure once per outage, not per retry', async () => {
    const h = harness({ authFails: () => true });
    const errors: string[] = [];
    h.actor.on('error', (e) => errors.push(e.message));
    h.actor.start();
    await flush();
    for (let i = 0; i < 4; i++) await h.advance(h.actor.getSnapshot().context.retryDelayMs);
    expect(errors).toEqual(['network down']);
  });
});

describe('fullJitterDelay', () => {
  it.each([
    [0, 0, 0],
    [0, 0.999, 999],
    [3, 0.5, 4000],
    [10, 0.999, 29_970],
  ])('attempt %i with random %f waits %i ms (base 1 s, cap 30 s)', (attempt, random, expected) => {
    expect(fullJitterDelay(attempt, 1000, 30_000, () => random)).toBe(expected);
  });
});

describe('tokenRenewalDelay', () => {
  const hour = 3_600_000;
  it.each([
    ['an hour-long token: a minute before it expires', hour, hour - 60_000],
    ['a 90-second token: halfway', 90_000, 45_000],
    ['a 10-second token: halfway', 10_000, 5_000],
    ['a token about to expire: not sooner than a second', 500, 1_000],
    ['an expired token: not sooner than a second', -5_000, 1_000],
    ['a 30-day token: at the longest timer setTimeout holds', 30 * 24 * hour, 2 ** 31 - 1],
  ])('%s', (_what, remaining, expected) => {
    expect(tokenRenewalDelay(1_000_000_000 + remaining, 1_000_000_000)).toBe(expected);
  });
});
