/**
 * The election's logic over a simulated browser profile (tests/helpers/tabWorld.ts: one
 * Web Lock, a BroadcastChannel, tabs that close, reload, freeze and thaw, on a virtual
 * clock). The browser's own Web Locks and BroadcastChannel are exercised for real in
 * tests/browser/tabs.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TabWorld, type SimTab } from '../helpers/tabWorld.js';

/** Failover bounds the issue sets: a closed owner within 1 s, a frozen one within 5 s. */
const CLOSE_BOUND_MS = 1000;
const FREEZE_BOUND_MS = 5000;

describe('the owner election', () => {
  it('one owner; the next in line takes over when it leaves; a silent owner is stolen from and steps down on waking', async () => {
    const world = new TabWorld();
    const a = world.open('a');
    await world.advance(0);
    const b = world.open('b');
    const c = world.open('c');
    await world.advance(2000);
    expect(world.activeOwners()).toEqual([a]);
    expect(b.role).toBe('follower');

    world.close(a);
    await world.advance(0);
    expect(world.activeOwners()).toEqual([b]); // next in line, at once

    // b freezes while it owns: c steals after 3 s without a heartbeat; b, thawing, follows.
    world.freeze(b);
    await world.advance(2500);
    expect(c.role).toBe('follower');
    await world.advance(2000);
    expect(world.activeOwners()).toEqual([c]);
    world.thaw(b);
    await world.advance(1000);
    expect(world.activeOwners()).toEqual([c]);
    expect(b.role).toBe('follower');
  });

  type Action =
    | { kind: 'open' }
    | { kind: 'close' | 'reload' | 'freeze' | 'thaw'; tab: number }
    | { kind: 'wait'; ms: number };

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constant({ kind: 'open' as const }),
    fc.record({ kind: fc.constantFrom('close' as const, 'reload' as const, 'freeze' as const, 'thaw' as const), tab: fc.nat(7) }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 6000 }) }),
  );

  it('over random histories of opening, closing, reloading, freezing and thawing tabs: never two owners, and never none for longer than the failover bound', async () => {
    const runs = Number(process.env.ELECTION_RUNS ?? 60);
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        const world = new TabWorld();
        const log: string[] = [];
        /** When the active tabs last had no owner among them, and whether a freeze is to blame. */
        let ownerlessSince: number | null = null;
        let lastFreezeAt = -Infinity;
        const check = () => {
          const owners = world.activeOwners();
          // Safety: whoever acts as owner holds the lock, so there is at most one.
          expect(owners.length, log.join('\n')).toBeLessThanOrEqual(1);
          for (const owner of owners) expect(world.holder?.tab, log.join('\n')).toBe(owner);
          // Liveness: while a tab can act, one owns within the bound, counted from when the
          // owner went away or, if later, from when the longest-running active tab could
          // first notice (it opened or thawed: a tab cannot know of silence before it runs).
          const active = world.tabs.filter((t) => t.active);
          if (owners.length > 0 || active.length === 0) {
            ownerlessSince = null;
            return;
          }
          ownerlessSince ??= world.now;
          const since = Math.max(ownerlessSince, Math.min(...active.map((t) => t.activeSince)));
          const frozenInvolved = world.tabs.some((t) => t.frozen) || lastFreezeAt >= ownerlessSince - FREEZE_BOUND_MS;
          const bound = frozenInvolved ? FREEZE_BOUND_MS : CLOSE_BOUND_MS;
          expect(world.now - since, `no owner for too long\n${log.join('\n')}`).toBeLessThanOrEqual(bound);
        };
        const open = () => world.tabs.filter((t) => !t.closed);
        const pick = (i: number): SimTab | undefined => open()[i % Math.max(1, open().length)];

        for (const a of actions) {
          const tab = a.kind === 'open' || a.kind === 'wait' ? undefined : pick(a.tab);
          log.push(`${world.now} ms: ${a.kind} ${tab?.name ?? ('ms' in a ? a.ms : '')}`);
          if (a.kind === 'open') world.open();
          else if (a.kind === 'wait') await world.advance(a.ms, 25, check);
          else if (!tab) continue;
          else if (a.kind === 'close') world.close(tab);
          else if (a.kind === 'reload') {
            world.close(tab);
            world.open(`${tab.name}'`);
          } else if (a.kind === 'freeze') {
            world.freeze(tab);
            lastFreezeAt = world.now;
          } else world.thaw(tab);
          await world.advance(50, 25, check);
        }
        // Everything thaws: exactly one owner among the open tabs, the lock's holder.
        for (const t of open()) world.thaw(t);
        await world.advance(FREEZE_BOUND_MS + 1000, 25, check);
        if (open().length > 0) expect(world.activeOwners().length, log.join('\n')).toBe(1);
        for (const t of open()) world.close(t);
      }),
      { numRuns: runs, seed: process.env.SEED ? Number(process.env.SEED) : undefined },
    );
  }, 120_000);
});
