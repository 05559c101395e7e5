/**
 * Basic-style auth: accounts with a password (scrypt), a sign-in page that redirects
 * back with a one-time `code`, and `POST /auth/token` that trades it, a refresh token,
 * or (for scripts) a user name and password for a signed JWT access token (`jose`,
 * HS256). Refresh tokens rotate on every use, expire, and are revoked by family on
 * sign-out or when a used one comes back later (a stolen copy).
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { TokenResponse, UserInfo } from '../src/protocol/rest.js';
import { BadRequest } from '../src/protocol/validate.js';

const ISSUER = 'basic-sync-local';
const CODE_LIFETIME_MS = 5 * 60_000;
const USER_NAME = /^[\p{L}\p{N}_.@ -]{1,64}$/u;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;

/** A refused credential; answered with 401 and a JSON `error`. */
export class Unauthorized extends Error {}

export interface AuthUser {
  id: string;
  name: string;
}

/** scrypt's work factors. The default is one of OWASP's equivalent choices (16 MiB, ~0.2 s here). */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_PASSWORD_COST: PasswordCost = { N: 2 ** 14, r: 8, p: 5 };

export interface AuthOptions {
  projectId: string;
  tokenTtlSeconds: number;
  /** Lifetime of a refresh token family without use. Default 30 days. */
  refreshTtlSeconds?: number;
  /**
   * Tabs of one browser refreshing at once all present the same refresh token: for this
   * long after it was used, its successor is handed out again. Default 60 s.
   */
  refreshGraceSeconds?: number;
  /** The JWT signing key (kept outside the data file; see `signingKey.ts`). */
  key: Uint8Array;
  passwordCost?: PasswordCost;
}

/** At most this many hashes at once: each holds 128·N·r bytes. */
const MAX_CONCURRENT_HASHES = 2;

export class Auth {
  readonly projectId: string;
  readonly tokenTtlSeconds: number;
  private readonly refreshTtlMs: number;
  private readonly graceMs: number;
  private readonly key: Uint8Array;
  private readonly cost: PasswordCost;
  private hashing = 0;
  private readonly hashQueue: Array<() => void> = [];

  constructor(
    private readonly db: Database.Database,
    options: AuthOptions,
  ) {
    this.projectId = options.projectId;
    this.tokenTtlSeconds = options.tokenTtlSeconds;
    this.refreshTtlMs = (options.refreshTtlSeconds ?? 30 * 24 * 3600) * 1000;
    this.graceMs = (options.refreshGraceSeconds ?? 60) * 1000;
    this.key = options.key;
    this.cost = options.passwordCost ?? DEFAULT_PASSWORD_COST;
  }

  // --- accounts ------------------------------------------------------------------------

  /** Creates an account; a taken name is refused (409). */
  async signUp(name: string, password: unknown): Promise<AuthUser> {
    const trimmed = checkedName(name);
    const pw = checkedPassword(password);
    if (this.userByName(trimmed)) throw new BadRequest('that user name is taken', 409);
    const hash = await this.hash(pw);
    const user = { id: randomUUID(), name: trimmed };
    try {
      this.db.prepare('INSERT INTO users (id, name, created, password) VALUES (?, ?, ?, ?)').run(user.id, user.name, Date.now(), hash);
    } catch {
      throw new BadRequest('that user name is taken', 409); // taken while hashing
    }
    return user;
  }

  /** Checks a name and password; the same answer for an unknown name as for a wrong password. */
  async signIn(name: unknown, password: unknown): Promise<AuthUser> {
    const row = typeof name === 'string' ? this.userByName(name.trim()) : undefined;
    const given = typeof password === 'string' && password.length <= MAX_PASSWORD ? password : '';
    // Hash even when there is no such user, so timing does not tell names apart.
    const ok = await this.matches(given, row?.password ?? null);
    if (!row || !row.password || !ok) throw new Unauthorized('wrong user name or password');
    return { id: row.id, name: row.name };
  }

  /** Sets (or replaces) a user's password, creating the account if there is none: in process only (tests, an operator's reset). */
  async setPassword(name: string, password: unknown): Promise<AuthUser> {
    const user = this.userNamed(name);
    this.db.prepare('UPDATE users SET password = ? WHERE id = ?').run(await this.hash(checkedPassword(password)), user.id);
    return user;
  }

  /** Finds or creates an account by name alone: the demo sign-in and in-process test tokens. */
  userNamed(name: string): AuthUser {
    const trimmed = checkedName(name);
    const existing = this.userByName(trimmed);
    if (existing) return { id: existing.id, name: existing.name };
    const user = { id: randomUUID(), name: trimmed };
    this.db.prepare('INSERT INTO users (id, name, created) VALUES (?, ?, ?)').run(user.id, user.name, Date.now());
    return user;
  }

  private userByName(name: string) {
    return this.db.prepare<[string], AuthUser & { password: string | null }>('SELECT id, name, password FROM users WHERE name = ?').get(name);
  }

  private userById(id: string): AuthUser | undefined {
    return this.db.prepare<[string], AuthUser>('SELECT id, name FROM users WHERE id = ?').get(id);
  }

  // --- passwords -----------------------------------------------------------------------

  private async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p } = this.cost;
    const derived = await this.scrypt(password, salt, this.cost);
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${derived.toString('base64url')}`;
  }

  private async matches(password: string, stored: string | null): Promise<boolean> {
    const parts = stored?.split('$');
    if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') {
      await this.scrypt(password, randomBytes(16), this.cost);
      return false;
    }
    const [, N, r, p, salt, expected] = parts as [string, string, string, string, string, string];
    const derived = await this.scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
    const want = Buffer.from(expected, 'base64url');
    return derived.length === want.length && timingSafeEqual(derived, want);
  }

  /** scrypt, at most MAX_CONCURRENT_HASHES at once (each holds 128·N·r bytes). */
  private async scrypt(password: string, salt: Buffer, { N, r, p }: PasswordCost): Promise<Buffer> {
    if (this.hashing >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => this.hashQueue.push(resolve));
    this.hashing += 1;
    try {
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
      );
    } finally {
      this.hashing -= 1;
      this.hashQueue.shift()?.();
    }
  }

  // --- codes and tokens ----------------------------------------------------------------

  /** A one-time authorization code for the sign-in redirect. */
  createCode(userId: string): string {
    const code = randomBytes(24).toString('base64url');
    this.db.prepare('INSERT INTO auth_codes (code, user_id, expires) VALUES (?, ?, ?)').run(code, userId, Date.now() + CODE_LIFETIME_MS);
    return code;
  }

  /**
   * Trades an authorization code (single use) or a refresh token for an access token and
   * the next refresh token. A refresh token is good once; within a short grace its
   * successor is handed out again (tabs refreshing at once); after that a reuse means a
   * stolen copy, and the whole family is revoked.
   */
  async exchange(code: unknown): Promise<TokenResponse> {
    if (typeof code !== 'string' || code.length === 0 || code.length > 256) throw new Unauthorized('code is required');
    const now = Date.now();
    const fromCode = this.db.transaction(() => {
      const row = this.db.prepare<[string], { user_id: string; expires: number }>('SELECT user_id, expires FROM auth_codes WHERE code = ?').get(code);
      if (!row) return undefined;
      this.db.prepare('DELETE FROM auth_codes WHERE code = ?').run(code);
      return row.expires > now ? row.user_id : null;
    })();
    if (fromCode === null) throw new Unauthorized('authorization code expired');
    if (fromCode) return this.tokensFor(fromCode, this.newRefresh(fromCode, randomUUID()));

    const refresh = this.db.transaction(() => {
      const row = this.db
        .prepare<[string], { user_id: string; family: string; expires: number; replaced_by: string | null; replaced_at: number | null; revoked: number }>(
          'SELECT user_id, family, expires, replaced_by, replaced_at, revoked FROM refresh_tokens WHERE token = ?',
        )
        .get(code);
      if (!row || row.revoked || row.expires <= now) return null;
      if (row.replaced_by) {
        if (now - (row.replaced_at ?? 0) <= this.graceMs) return { userId: row.user_id, token: row.replaced_by };
        this.db.prepare('UPDATE refresh_tokens SET revoked = 1 WHERE family = ?').run(row.family);
        return null;
      }
      const next = this.newRefresh(row.user_id, row.family);
      this.db.prepare('UPDATE refresh_tokens SET replaced_by = ?, replaced_at = ? WHERE token = ?').run(next, now, code);
      return { userId: row.user_id, token: next };
    })();
    if (!refresh) throw new Unauthorized('invalid code or refresh token');
    return this.tokensFor(refresh.userId, refresh.token);
  }

  /** Scripts and tests: a user name and password straight for tokens (same checks as the page). */
  async passwordGrant(name: unknown, password: unknown): Promise<TokenResponse> {
    const user = await this.signIn(name, password);
    return this.tokensFor(user.id, this.newRefresh(user.id, randomUUID()));
  }

  /** Sign-out: the refresh token's whole family stops working. */
  revoke(refresh: unknown): void {
    if (typeof refresh !== 'string') return;
    this.db.prepare('UPDATE refresh_tokens SET revoked = 1 WHERE family = (SELECT family FROM refresh_tokens WHERE token = ?)').run(refresh);
  }

  /** Signs in a named user without a password, in process: for tests and the demo mode. */
  async issueTokens(userName: string): Promise<TokenResponse & { user: AuthUser }> {
    const user = this.userNamed(userName);
    return { ...(await this.exchange(this.createCode(user.id))), user };
  }

  private newRefresh(userId: string, family: string): string {
    const token = randomBytes(32).toString('base64url');
    this.db.prepare('INSERT INTO refresh_tokens (token, user_id, family, expires) VALUES (?, ?, ?, ?)').run(token, userId, family, Date.now() + this.refreshTtlMs);
    return token;
  }

  private async tokensFor(userId: string, refresh: string): Promise<TokenResponse> {
    const user = this.userById(userId);
    if (!user) throw new Unauthorized('unknown user');
    return { access_token: await this.sign(user), token_type: 'Bearer', expires_in: this.tokenTtlSeconds, refresh };
  }

  private sign(user: AuthUser): Promise<string> {
    return new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setAudience(this.projectId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.tokenTtlSeconds)
      .sign(this.key);
  }

  /** Checks signature, audience, issuer and `exp`; returns the user. */
  async verify(token: unknown): Promise<AuthUser> {
    return (await this.verifyToken(token)).user;
  }

  /** Like `verify`, with when the token expires (ms): a socket closes then unless refreshed. */
  async verifyToken(token: unknown): Promise<{ user: AuthUser; expiresAt: number }> {
    if (typeof token !== 'string' || token.length === 0) throw new Unauthorized('missing access token');
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: this.projectId, issuer: ISSUER, algorithms: ['HS256'] });
      const user = payload.sub ? this.userById(payload.sub) : undefined;
      if (!user) throw new Unauthorized('token subject is not a known user');
      return { user, expiresAt: (payload.exp ?? 0) * 1000 };
    } catch (error) {
      if (error instanceof Unauthorized) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenExpired('access token expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new Unauthorized(`access token refused: ${error.claim} mismatch`);
      throw new Unauthorized('invalid access token');
    }
  }

  userInfo(user: AuthUser): UserInfo {
    return { id: user.id, name: user.name, email: `${user.name.replace(/[^A-Za-z0-9_.-]/g, '_')}@basic-sync.local` };
  }
}

/** An access token past its `exp` (socket error code `TOKEN_EXPIRED`). */
export class TokenExpired extends Unauthorized {}

function checkedName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!USER_NAME.test(trimmed)) throw new BadRequest('user name must be 1-64 letters, digits, spaces or _.@-');
  return trimmed;
}

function checkedPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD) throw new BadRequest(`a password needs at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD) throw new BadRequest(`a password has at most ${MAX_PASSWORD} characters`);
  return password;
}
