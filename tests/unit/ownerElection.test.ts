/**
 * The election's logic over an in-memory lock manager and channel (the browser's Web
 * Locks and BroadcastChannel are exercised for real in tests/browser/tabs.test.ts):
 * a closed owner is replaced by the next in line, a silent owner is stolen from and
 * steps down when it hears the later term, and there is never more than one owner.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runOwnerElection, type ChannelLike, type LockManagerLike, type Role } from '../../src/tabs/ownerElection.js';

/** Web Locks for one exclusive name: a holder, a queue, ifAvailable and steal. */
class Locks implements LockManagerLike {
  private holder: { reject(e: unknown): void; id: number } | null = null;
  private queue: Array<() => void> = [];
  private next = 0;
  request(_name: string, options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++this.next;
      const grant = () => {
        this.holder = { reject, id };
        callback({}).then(
          (v) => {
            if (this.holder?.id === id) this.release();
            resolve(v);
          },
          reject,
        );
      };
      if (options.steal) {
        const old = this.holder;
        this.holder = null;
        old?.reject(Object.assign(new Error('stolen'), { name: 'AbortError' }));
        return grant();
      }
      if (!this.holder) return grant();
      if (options.ifAvailable) return void callback(null).then(resolve, reject);
      const waiter = () => grant();
      this.queue.push(waiter);
      options.signal?.addEventListener('abort', () => {
        this.queue = this.queue.filter((w) => w !== waiter);
        reject(options.signal!.reason);
      });
    });
  }
  private release() {
    this.holder = null;
    this.queue.shift()?.();
  }
}

/** A BroadcastChannel bus: messages reach every other tab that is not frozen. */
class Bus {
  tabs = new Set<{ frozen: boolean; listeners: Set<(e: { data: unknown }) => void> }>();
  channel(tab: { frozen: boolean; listeners: Set<(e: { data: unknown }) => void> }): ChannelLike {
    this.tabs.add(tab);
    return {
      postMessage: (data) => {
        if (tab.frozen) return;
        for (const other of this.tabs) if (other !== tab && !other.frozen) for (const l of other.listeners) l({ data });
      },
      addEventListener: (_t, l) => void tab.listeners.add(l),
      removeEventListener: (_t, l) => void tab.listeners.delete(l),
    };
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the owner election', () => {
  it('one owner; the next in line takes over when it leaves; a silent owner is stolen from and steps down on waking', async () => {
    vi.useFakeTimers();
    const locks = new Locks();
    const bus = new Bus();
    const roles = new Map<string, Role>();
    const tabs = new Map<string, { frozen: boolean; listeners: Set<(e: { data: unknown }) => void>; leave(): void }>();
    const open = (name: string) => {
      const tab = { frozen: false, listeners: new Set<(e: { data: unknown }) => void>(), leave: () => {} };
      const election = runOwnerElection({ name: 'app:user', locks, channel: bus.channel(tab), now: () => Date.now() }, (role) => roles.set(name, role));
      tab.leave = () => {
        election.leave();
        roles.delete(name);
        bus.tabs.delete(tab);
      };
      tabs.set(name, tab);
    };
    const owners = () => [...roles].filter(([, r]) => r === 'owner').map(([n]) => n);
    const settle = async (ms = 0) => {
      await vi.advanceTimersByTimeAsync(ms);
    };

    open('a');
    await settle();
    open('b');
    open('c');
    await settle(2000);
    expect(owners()).toEqual(['a']);
    expect(roles.get('b')).toBe('follower');

    tabs.get('a')!.leave();
    await settle();
    expect(owners()).toEqual(['b']); // next in line, at once

    // b goes silent (frozen): c steals after 3 s of no heartbeat; b, waking, follows.
    tabs.get('b')!.frozen = true;
    await settle(2500);
    expect(owners()).toEqual(['b']);
    await settle(2000);
    expect(roles.get('c')).toBe('owner');
    tabs.get('b')!.frozen = false;
    await settle(1000);
    expect(owners()).toEqual(['c']);
    expect(roles.get('b')).toBe('follower');
  });
});
