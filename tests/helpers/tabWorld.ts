/**
 * A simulated browser profile for the owner election: tabs with their own timers, one
 * exclusive Web Lock, and a BroadcastChannel, on a virtual clock. It models what the
 * election relies on and what goes wrong in real browsers:
 * - a closed (or reloaded) tab's lock is released and its place in line dropped, with
 *   no code of its own running;
 * - a frozen tab runs nothing: its timers wait (and fire once, late, when it thaws), the
 *   lock calls meant for it (a grant, a steal's rejection) wait for the thaw, and channel
 *   messages sent to it meanwhile are lost;
 * - channel messages arrive as tasks, never synchronously.
 */
import { runOwnerElection, type ChannelLike, type IntervalTimers, type LockManagerLike, type OwnerElection, type Role } from '../../src/tabs/ownerElection.js';

type Listener = (event: { data: unknown }) => void;

interface Interval {
  callback: () => void;
  ms: number;
  due: number;
}

export class SimTab {
  role: Role | null = null;
  frozen = false;
  closed = false;
  /** When this tab last became able to run (opened or thawed). */
  activeSince: number;
  /** Lock calls that came while frozen, run in order on thaw. */
  readonly deferred: Array<() => void> = [];
  readonly intervals = new Map<number, Interval>();
  readonly listeners = new Set<Listener>();
  election!: OwnerElection;
  constructor(
    readonly world: TabWorld,
    readonly name: string,
  ) {
    this.activeSince = world.now;
  }

  /** Runs `task` as this tab: now, later (frozen), or never (closed). */
  run(task: () => void): void {
    if (this.closed) return;
    if (this.frozen) this.deferred.push(task);
    else task();
  }

  /** Active: open and not frozen. */
  get active(): boolean {
    return !this.closed && !this.frozen;
  }
}

interface LockRequest {
  id: number;
  tab: SimTab;
  callback: (lock: unknown) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class TabWorld {
  now = 0;
  readonly tabs: SimTab[] = [];
  holder: LockRequest | null = null;
  private line: LockRequest[] = [];
  private nextId = 0;
  private messages: Array<{ to: SimTab; data: unknown }> = [];

  constructor(private readonly electionOptions: { heartbeatMs?: number; takeoverAfterMs?: number } = {}) {}

  open(name = `tab${this.tabs.length + 1}`): SimTab {
    const tab = new SimTab(this, name);
    this.tabs.push(tab);
    tab.election = runOwnerElection(
      { name: 'app:user', locks: this.locksFor(tab), channel: this.channelFor(tab), timers: this.timersFor(tab), now: () => this.now, ...this.electionOptions },
      (role) => (tab.role = role),
    );
    return tab;
  }

  /** Closed by the user or discarded: the browser lets go of its lock; none of its code runs. */
  close(tab: SimTab): void {
    if (tab.closed) return;
    tab.closed = true;
    tab.intervals.clear();
    tab.listeners.clear();
    this.line = this.line.filter((r) => r.tab !== tab);
    if (this.holder?.tab === tab) this.grantNext();
  }

  freeze(tab: SimTab): void {
    if (!tab.closed) tab.frozen = true;
  }

  /** Lock calls that waited run first, then every overdue timer fires once. */
  thaw(tab: SimTab): void {
    if (!tab.frozen || tab.closed) return;
    tab.frozen = false;
    tab.activeSince = this.now;
    for (const task of tab.deferred.splice(0)) task();
  }

  /** Open tabs that believe they own and can act on it. */
  activeOwners(): SimTab[] {
    return this.tabs.filter((t) => t.active && t.role === 'owner');
  }

  /** Advances the clock in steps, firing timers and delivering messages, settling promises at each. */
  async advance(ms: number, step = 25, onStep?: () => void): Promise<void> {
    const end = this.now + ms;
    await this.settle();
    while (this.now < end) {
      this.now = Math.min(end, this.now + step);
      for (const tab of this.tabs) {
        if (!tab.active) continue;
        for (const interval of [...tab.intervals.values()]) {
          if (interval.due > this.now || !tab.active) continue;
          interval.due = this.now + interval.ms; // late timers fire once, as browsers do
          interval.callback();
        }
      }
      await this.settle();
      onStep?.();
    }
  }

  /** Delivers queued messages and runs every promise continuation. */
  async settle(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.messages.splice(0);
      if (batch.length === 0) return;
      for (const { to, data } of batch) if (to.active) for (const l of [...to.listeners]) l({ data });
    }
  }

  private timersFor(tab: SimTab): IntervalTimers {
    let next = 0;
    return {
      setInterval: (callback, ms) => {
        const id = ++next;
        tab.intervals.set(id, { callback, ms, due: this.now + ms });
        return id;
      },
      clearInterval: (handle) => void tab.intervals.delete(handle as number),
    };
  }

  private channelFor(tab: SimTab): ChannelLike {
    return {
      postMessage: (data) => {
        for (const other of this.tabs) if (other !== tab && other.active) this.messages.push({ to: other, data });
      },
      addEventListener: (_type, listener) => void tab.listeners.add(listener),
      removeEventListener: (_type, listener) => void tab.listeners.delete(listener),
    };
  }

  private locksFor(tab: SimTab): LockManagerLike {
    return {
      request: (_name, options, callback) =>
        new Promise((resolve, reject) => {
          const request: LockRequest = { id: ++this.nextId, tab, callback, resolve, reject };
          if (options.steal) {
            const old = this.holder;
            this.holder = null;
            if (old) old.tab.run(() => old.reject(Object.assign(new Error('stolen'), { name: 'AbortError' })));
            return this.grant(request);
          }
          if (!this.holder && this.line.length === 0) return this.grant(request);
          if (options.ifAvailable) return tab.run(() => void callback(null).then(resolve, reject));
          this.line.push(request);
          options.signal?.addEventListener('abort', () => {
            if (!this.line.includes(request)) return;
            this.line = this.line.filter((r) => r !== request);
            reject(options.signal!.reason);
          });
        }),
    };
  }

  /** The lock is the request's from now on, whether or not its tab can run yet. */
  private grant(request: LockRequest): void {
    this.holder = request;
    request.tab.run(() => {
      request.callback({}).then(
        (value) => {
          if (this.holder?.id === request.id) this.grantNext();
          request.resolve(value);
        },
        (error) => {
          if (this.holder?.id === request.id) this.grantNext();
          request.reject(error);
        },
      );
    });
  }

  private grantNext(): void {
    this.holder = null;
    const next = this.line.shift();
    if (next) this.grant(next);
  }
}
