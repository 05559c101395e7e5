/**
 * Basic-style auth: users pick a name on a sign-in page, the page redirects back
 * with a one-time `code`, `POST /auth/token` trades it (or a refresh token) for a
 * signed JWT access token. Signing and checking is `jose` (HS256).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { TokenResponse, UserInfo } from '../src/protocol/rest.js';

const ISSUER = 'basic-sync-local';
const CODE_LIFETIME_MS = 5 * 60_000;
const USER_NAME = /^[\p{L}\p{N}_.@ -]{1,64}$/u;

/** A refused credential; answered with 401 and a JSON `error`. */
export class Unauthorized extends Error {}

export interface AuthUser {
  id: string;
  name: string;
}

export class Auth {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: Database.Database,
    readonly projectId: string,
    readonly tokenTtlSeconds: number,
    secret?: string,
  ) {
    this.key = new TextEncoder().encode(secret ?? this.storedSecret());
  }

  /** The signing secret survives restarts so issued tokens stay valid. */
  private storedSecret(): string {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'jwt_secret'").get();
    if (row) return row.value;
    const value = randomBytes(32).toString('base64url');
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?)").run(value);
    return value;
  }

  /** Finds or creates the user with this display name. */
  userNamed(name: string): AuthUser {
    const trimmed = name.trim();
    if (!USER_NAME.test(trimmed)) throw new Unauthorized('user name must be 1-64 letters, digits, spaces or _.@-');
    const existing = this.db.prepare<[string], AuthUser>('SELECT id, name FROM users WHERE name = ?').get(trimmed);
    if (existing) return existing;
    const user = { id: randomUUID(), name: trimmed };
    this.db.prepare('INSERT INTO users (id, name, created) VALUES (?, ?, ?)').run(user.id, user.name, Date.now());
    return user;
  }

  listUsers(): AuthUser[] {
    return this.db.prepare<[], AuthUser>('SELECT id, name FROM users ORDER BY name').all();
  }

  private userById(id: string): AuthUser | undefined {
    return this.db.prepare<[string], AuthUser>('SELECT id, name FROM users WHERE id = ?').get(id);
  }

  /** A one-time authorization code for the sign-in redirect. */
  createCode(userId: string): string {
    const code = randomBytes(24).toString('base64url');
    this.db.prepare('INSERT INTO auth_codes (code, user_id, expires) VALUES (?, ?, ?)').run(code, userId, Date.now() + CODE_LIFETIME_MS);
    return code;
  }

  /**
   * Trades an authorization code (single use) or a refresh token (reusable, so
   * several tabs refreshing at once all succeed) for an access token.
   */
  async exchange(code: unknown): Promise<TokenResponse> {
    if (typeof code !== 'string' || code.length === 0 || code.length > 256) throw new Unauthorized('code is required');
    const fromCode = this.db.transaction(() => {
      const row = this.db.prepare<[string], { user_id: string; expires: number }>('SELECT user_id, expires FROM auth_codes WHERE code = ?').get(code);
      if (!row) return undefined;
      this.db.prepare('DELETE FROM auth_codes WHERE code = ?').run(code);
      return row.expires > Date.now() ? row.user_id : null;
    })();
    if (fromCode === null) throw new Unauthorized('authorization code expired');
    let userId = fromCode;
    let refresh: string;
    if (userId) {
      refresh = randomBytes(32).toString('base64url');
      this.db.prepare('INSERT INTO refresh_tokens (token, user_id) VALUES (?, ?)').run(refresh, userId);
    } else {
      const row = this.db.prepare<[string], { user_id: string }>('SELECT user_id FROM refresh_tokens WHERE token = ?').get(code);
      if (!row) throw new Unauthorized('invalid code or refresh token');
      userId = row.user_id;
      refresh = code;
    }
    const user = this.userById(userId);
    if (!user) throw new Unauthorized('unknown user');
    return { access_token: await this.sign(user), token_type: 'Bearer', expires_in: this.tokenTtlSeconds, refresh };
  }

  /** Signs in a named user without a browser: for scripts and tests. */
  async issueTokens(userName: string): Promise<TokenResponse & { user: AuthUser }> {
    const user = this.userNamed(userName);
    return { ...(await this.exchange(this.createCode(user.id))), user };
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
    if (typeof token !== 'string' || token.length === 0) throw new Unauthorized('missing access token');
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: this.projectId, issuer: ISSUER, algorithms: ['HS256'] });
      const user = payload.sub ? this.userById(payload.sub) : undefined;
      if (!user) throw new Unauthorized('token subject is not a known user');
      return user;
    } catch (error) {
      if (error instanceof Unauthorized) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('access token expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new Unauthorized(`access token refused: ${error.claim} mismatch`);
      throw new Unauthorized('invalid access token');
    }
  }

  userInfo(user: AuthUser): UserInfo {
    return { id: user.id, name: user.name, email: `${user.name.replace(/[^A-Za-z0-9_.-]/g, '_')}@basic-sync.local` };
  }
}
