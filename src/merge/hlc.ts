/**
 * A hybrid logical clock, folded into one millisecond number so `lastModified`
 * stays an ordinary timestamp that other BasicDB clients can read and write.
 *
 * `tick()` is never behind the wall clock nor behind any timestamp this client
 * has issued or seen, and strictly increases, so one client never writes two
 * versions with the same stamp. A remote timestamp may pull the clock forward
 * by at most `maxForwardDriftMs`, so one bogus far-future record cannot drag
 * every later edit with it. Ties between clients are broken by `modifiedBy`
 * (see `compareVersions`).
 */
export interface HybridClockOptions {
  /** Wall clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Furthest ahead of the wall clock a remote stamp may pull this clock. Default 24 h. */
  maxForwardDriftMs?: number;
  /** The latest stamp issued or seen before (persisted across reloads). */
  latest?: number;
}

export const DEFAULT_MAX_FORWARD_DRIFT_MS = 24 * 60 * 60 * 1000;

export class HybridClock {
  private last: number;
  private readonly now: () => number;
  readonly maxForwardDriftMs: number;

  constructor(options: HybridClockOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxForwardDriftMs = options.maxForwardDriftMs ?? DEFAULT_MAX_FORWARD_DRIFT_MS;
    this.last = options.latest ?? 0;
  }

  /** The latest stamp issued or seen. */
  get latest(): number {
    return this.last;
  }

  /** A new stamp for a local write. */
  tick(): number {
    this.last = Math.max(this.now(), this.last + 1);
    return this.last;
  }

  /** Whether a remote stamp is within the allowed drift ahead of the wall clock. */
  accepts(stamp: number): boolean {
    return Number.isSafeInteger(stamp) && stamp >= 0 && stamp <= this.now() + this.maxForwardDriftMs;
  }

  /** Takes a remote stamp into account; refuses (returns false) one too far ahead. */
  observe(stamp: number): boolean {
    if (!this.accepts(stamp)) return false;
    if (stamp > this.last) this.last = stamp;
    return true;
  }

  /** `observe` for each of `stamps`, reading the wall clock once (a load observes every stored stamp). */
  observeAll(stamps: readonly number[]): void {
    const bound = this.now() + this.maxForwardDriftMs;
    let last = this.last;
    for (const stamp of stamps) if (stamp > last && stamp <= bound && Number.isSafeInteger(stamp)) last = stamp;
    this.last = last;
  }
}
