/**
 * One sync owner among the tabs of a browser profile (per app and user). The Web Locks
 * API grants an exclusive lock to one tab at a time and releases it when that tab
 * closes, reloads or is discarded, so the next tab in line takes over at once. A tab
 * the browser froze keeps its lock, so the owner also sends a heartbeat over a
 * BroadcastChannel; a follower that hears none for `takeoverAfterMs` takes the lock
 * with `steal`, and the frozen tab learns it lost it (its lock request is rejected)
 * when it thaws. See docs/tabs.md.
 */

/** The parts of `navigator.locks` used here. */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive'; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/** The parts of `BroadcastChannel` used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface OwnerElectionOptions {
  /** The lock's name: one per app and user. */
  name: string;
  locks: LockManagerLike;
  channel: ChannelLike;
  /** How often the owner says it is alive. Default 500 ms. */
  heartbeatMs?: number;
  /** Silence after which a follower takes over from a frozen owner. Default 3000 ms. */
  takeoverAfterMs?: number;
  now?: () => number;
  /** The tab's timers (default the global ones): a test gives each simulated tab its own. */
  timers?: IntervalTimers;
}

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const globalTimers: IntervalTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export type Role = 'owner' | 'follower';

/** The owner's heartbeat, carrying what it wants the other tabs to know (its sync status). */
export interface HeartbeatMessage {
  kind: 'owner-alive';
  /** Grows with every takeover: a tab that hears a later term than its own steps down. */
  term: number;
  status?: unknown;
}

/** What the tabs of a group say to each other. */
export type TabMessage = HeartbeatMessage | { kind: 'tab-hello' } | { kind: 'owner-silent-since'; since: number };

export interface OwnerElection {
  /** Sends a heartbeat now (when this tab owns), e.g. because its status changed. */
  announce(): void;
  /** Leaves the election: the lock is released and the next tab takes over. */
  leave(): void;
}

/**
 * Runs the election for this tab. `onRole` hears every change of role (the first call
 * says which this tab is); `onOwnerStatus` hears the owner's `status()` from its heartbeats.
 */
export function runOwnerElection(
  options: OwnerElectionOptions & { status?: () => unknown },
  onRole: (role: Role) => void,
  onOwnerStatus: (status: unknown) => void = () => {},
): OwnerElection {
  const heartbeatMs = options.heartbeatMs ?? 500;
  const takeoverAfterMs = options.takeoverAfterMs ?? 3000;
  const now = options.now ?? Date.now;
  const timers = options.timers ?? globalTimers;
  let role: Role | null = null;
  let left = false;
  let term = 0;
  let lastHeard = now();
  /** Resolving it releases the held lock. */
  let release: (() => void) | null = null;
  /** Aborts the queued (not yet granted) request. */
  let queued: AbortController | null = null;
  let heartbeat: unknown;

  const beat = () => options.channel.postMessage({ kind: 'owner-alive', term, status: options.status?.() } satisfies HeartbeatMessage);

  const become = (next: Role) => {
    if (left || role === next) return;
    role = next;
    if (next === 'owner') {
      heartbeat = timers.setInterval(beat, heartbeatMs);
    } else {
      timers.clearInterval(heartbeat);
      // Give whoever owns now a full silence window before this tab would take over.
      lastHeard = now();
    }
    onRole(next);
    if (next === 'owner') beat();
  };

  /** Holds the lock until released or stolen; becomes follower again when it ends. */
  const hold = () =>
    new Promise<void>((resolve) => {
      release = resolve;
      become('owner');
    });

  /** The held lock was let go (leaving, or stepping down): wait in line again. */
  const released = () => {
    release = null;
    if (left) return;
    become('follower');
    queue();
  };

  const lost = (error: unknown) => {
    // Stolen (AbortError) while this tab was frozen or slow, or the request was aborted.
    release = null;
    if (left) return;
    if ((error as { name?: string })?.name === 'AbortError' || role === 'owner') become('follower');
    queue();
  };

  /** Waits in line for the lock. */
  const queue = () => {
    if (left) return;
    queued = new AbortController();
    const signal = queued.signal;
    options.locks
      .request(options.name, { mode: 'exclusive', signal }, () => {
        queued = null;
        return hold();
      })
      .then(released, (error) => {
        if (signal.aborted && error === signal.reason) return; // we gave up our place to steal
        lost(error);
      });
  };

  const onMessage = (event: { data: unknown }) => {
    const m = event.data as Partial<TabMessage> | null;
    if (m?.kind === 'tab-hello') return greet();
    if (m?.kind === 'owner-silent-since') {
      // A newer tab adopts the silence its elders have already sat through.
      if (role !== 'owner' && typeof m.since === 'number') lastHeard = Math.min(lastHeard, m.since);
      return;
    }
    if (!m || m.kind !== 'owner-alive' || typeof m.term !== 'number') return;
    lastHeard = now();
    if (m.status !== undefined && role !== 'owner') onOwnerStatus(m.status);
    if (m.term > term) {
      term = m.term;
      // Another tab took over after this one went quiet: it is the owner now.
      if (role === 'owner') {
        release?.();
        become('follower');
      }
    }
  };

  /** A follower that hears no owner takes the lock from it. */
  const watchEveryMs = Math.max(100, Math.floor(takeoverAfterMs / 4));
  let lastTick = now();
  /** Awake: this tab's watch has ticked on time, so what it heard (or not) is current. */
  const awake = () => now() - lastTick <= 2 * watchEveryMs;

  /**
   * A tab just opened: the owner answers with a heartbeat (its status at once), a follower
   * with how long the owner has been silent, so a tab opened (or reloaded) while the owner
   * is frozen does not start the silence window over.
   */
  const greet = () => {
    if (left) return;
    if (role === 'owner') beat();
    else if (role === 'follower' && awake()) options.channel.postMessage({ kind: 'owner-silent-since', since: lastHeard } satisfies TabMessage);
  };
  const watch = timers.setInterval(() => {
    const tick = now();
    // A late tick means this tab was asleep (frozen) itself: it heard nothing because it
    // could not, not because the owner is gone. Listen for a full window first.
    if (!awake()) lastHeard = tick;
    lastTick = tick;
    if (left || role !== 'follower' || now() - lastHeard < takeoverAfterMs) return;
    lastHeard = now();
    term += 1;
    queued?.abort();
    queued = null;
    options.locks.request(options.name, { mode: 'exclusive', steal: true }, () => hold()).then(released, lost);
  }, watchEveryMs);

  options.channel.addEventListener('message', onMessage);
  options.channel.postMessage({ kind: 'tab-hello' } satisfies TabMessage);
  // Whoever is free takes the lock at once; otherwise this tab follows and waits in line.
  options.locks
    .request(options.name, { mode: 'exclusive', ifAvailable: true }, (lock) => {
      if (lock !== null) return hold().then(() => true);
      become('follower');
      queue();
      return Promise.resolve(false);
    })
    .then((held) => held && released(), lost);

  return {
    announce() {
      if (role === 'owner' && !left) beat();
    },
    leave() {
      left = true;
      timers.clearInterval(watch);
      timers.clearInterval(heartbeat);
      options.channel.removeEventListener('message', onMessage);
      queued?.abort();
      release?.();
    },
  };
}
