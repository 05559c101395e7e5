/**
 * Access tokens for every remote call, REST and socket alike. Wraps the app's
 * `getToken` (Basic's `useBasic().getToken`, or the local server's token source):
 * a token is reused until shortly before its JWT `exp`, and a refresh in flight is
 * shared by every caller (single flight), so a burst of 401s makes one refresh.
 *
 * One policy for a token the server refuses, REST (401) and socket (4401) alike: forget
 * it and try once more with a fresh one (`refused`); a fresh token that is refused too is
 * not retried (the user is signed out or the server will not take them).
 */
import { decodeJwt } from 'jose';

export type GetToken = (options?: { forceRefresh?: boolean }) => Promise<string>;

export interface TokenManagerOptions {
  /** Refresh this long before `exp`. Default 30 s. */
  refreshBeforeExpiryMs?: number;
  /** A `getToken` that has not answered by then has failed (it may hang on a dead network). Default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

export class TokenManager {
  private cached: { token: string; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  /** A token was refused: the next one fetched is the retry's. */
  private refreshingAfterRefusal = false;
  /** Tokens fetched to retry after a refusal: refused again, they are not retried. */
  private readonly retryTokens = new Set<string>();
  private readonly refreshBeforeExpiryMs: number;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(
    private readonly getToken: GetToken,
    options: TokenManagerOptions = {},
  ) {
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A token valid for a while yet; `forceRefresh` after a 401. */
  token(options: { forceRefresh?: boolean } = {}): Promise<string> {
    if (this.inFlight) return this.inFlight;
    if (!options.forceRefresh && this.cached && this.now() < this.cached.expiresAt - this.refreshBeforeExpiryMs) {
      return Promise.resolve(this.cached.token);
    }
    const forceRefresh = options.forceRefresh === true || this.cached !== undefined || this.refreshingAfterRefusal;
    const forRetry = this.refreshingAfterRefusal;
    this.refreshingAfterRefusal = false;
    this.inFlight = withTimeout(this.getToken(forceRefresh ? { forceRefresh: true } : undefined), this.timeoutMs)
      .then((token) => {
        if (typeof token !== 'string' || token.length === 0) throw new Error('getToken returned no token (signed out?)');
        this.cached = { token, expiresAt: expiryOf(token) };
        if (forRetry) this.retryTokens.add(token);
        return token;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** When `token` expires (ms since the epoch), or null when it does not say (not a JWT). */
  expiresAt(token: string): number | null {
    const at = expiryOf(token);
    return Number.isFinite(at) ? at : null;
  }

  /** Forgets the cached token. */
  invalidate(token?: string): void {
    if (!token || this.cached?.token === token) this.cached = undefined;
  }

  /**
   * The server refused `token` (REST 401, socket 4401). Forgets it, so the next call
   * fetches a fresh one with `forceRefresh`, and says whether that retry is worth making:
   * not when `token` was itself the fresh token of an earlier retry that the server
   * never took (see `accepted`).
   */
  /** The server took `token`: should it be refused later (expired), that earns a retry again. */
  accepted(token: string): void {
    this.retryTokens.delete(token);
  }

  refused(token: string): boolean {
    this.invalidate(token);
    if (this.retryTokens.has(token)) return false;
    this.refreshingAfterRefusal = true;
    return true;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`getToken did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** ms of the JWT's `exp`; a token that is not a JWT is trusted until refused. */
function expiryOf(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
