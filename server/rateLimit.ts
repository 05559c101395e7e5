/**
 * Token buckets by key (a socket, a user, an IP): `take()` is false once a key has used
 * its burst and not yet earned more at `perSecond`. Idle keys are forgotten, so the map
 * stays as small as the set of active clients.
 */
/** A client over a limit: 429 over REST; over the socket an `error` frame (`RATE_LIMITED`), then close 4429. */
export class TooMany extends Error {}

export interface RateLimit {
  /** Sustained rate. */
  perSecond: number;
  /** How many may come at once. */
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens for `key`; false (and nothing taken) when there are not enough. */
  take(key: string, cost = 1): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Seconds until `key` has `cost` tokens again (for Retry-After). */
  waitSeconds(key: string, cost = 1): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    return Math.max(0, Math.ceil((cost - bucket.tokens) / this.limit.perSecond));
  }

  /** Drops keys that have refilled completely: they behave like new ones. */
  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
