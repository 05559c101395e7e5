/**
 * The BasicDB-compatible server: auth, schema, REST and the `/ws` sync socket over
 * SQLite. `startServer()` is what tests, benchmarks and `npm run server` use.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import defaultSchema from '../basic.config.js';
import type { BasicSchema } from '../src/protocol/schema.js';
import type { TokenResponse } from '../src/protocol/rest.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Auth, Unauthorized, type AuthUser, type PasswordCost } from './auth.js';
import { signingKey } from './signingKey.js';
import { allowCors, bearerToken, readObject, sendError, sendJson } from './http.js';
import { handleDb, type DbRoute } from './rest.js';
import { FAVICON_SVG, signInPage } from './signInPage.js';
import { RateLimiter, TooMany, type RateLimit } from './rateLimit.js';
import { DEFAULT_SOCKET_LIMITS, SocketHub, type SocketLimits } from './socket.js';
import { RecordStore, openDatabase, type ApplyResult, type CompactionResult } from './store.js';
import { silentLogger, type ServerLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { startCheckpointer } from './checkpointer.js';
import { BadRequest } from '../src/protocol/validate.js';

export type { AuthUser, PasswordCost } from './auth.js';
export type { CompactionResult } from './store.js';
export type { RateLimit } from './rateLimit.js';
export type { ServerLogger } from './logger.js';
export type { SocketLimits } from './socket.js';

export interface ServerOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  host?: string;
  /** Folder for the SQLite file, or ':memory:'. Default ':memory:'. */
  dataDir?: string;
  /** The project's schema; default the app's `basic.config.ts`. */
  schema?: BasicSchema;
  /** Access-token lifetime. Default one hour, as Basic's. */
  tokenTtlSeconds?: number;
  /** Refresh-token lifetime without use (default 30 days), and how long a used one still yields its successor (60 s). */
  refreshTtlSeconds?: number;
  refreshGraceSeconds?: number;
  /** JWT signing secret; default a key file created once beside the data (`jwt.key`). */
  secret?: string;
  /**
   * Origins that may receive sign-in redirects and read answers (CORS). Default the app's
   * own origin as `npm start` serves it (`http://127.0.0.1:5173`, `http://localhost:5173`).
   */
  allowedOrigins?: string[];
  /** Name-only sign-in for demos; refused unless the server listens on loopback. */
  demoSignIn?: boolean;
  /** scrypt cost of new passwords (tests may pass a cheaper one). */
  passwordCost?: PasswordCost;
  /** How long hard deletes stay in the revision log (clients further behind get a full snapshot). Default 30 days. */
  deleteRetentionDays?: number;
  maxBodyBytes?: number;
  maxFrameBytes?: number;
  /** Socket bounds and rate limits (defaults in `DEFAULT_SOCKET_LIMITS`); sign-in attempts per IP. */
  limits?: Partial<SocketLimits> & { signInsPerIp?: RateLimit };
  /** Structured logs (pino); default silent (the CLI logs JSON lines to stdout). */
  logger?: ServerLogger;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:4321` */
  url: string;
  /** e.g. `ws://127.0.0.1:4321/ws` */
  wsUrl: string;
  port: number;
  projectId: string;
  /** Tokens for a named user, in process (no credentials): for tests and scripts beside the server. */
  issueTokens(userName: string): Promise<TokenResponse & { user: AuthUser }>;
  /** Sets or replaces a user's password, creating the account if needed: in process only (tests, an operator's reset). */
  setPassword(userName: string, password: string): Promise<AuthUser>;
  /** Lets another origin receive sign-in redirects and read answers (e.g. the app once its port is known). */
  allowOrigin(origin: string): void;
  /** Open sockets, and how many have identified. */
  sockets(): { sockets: number; identified: number };
  /**
   * Compacts the revision log now (it also runs hourly): forgets hard deletes older than
   * `retainMs` (default the configured retention).
   */
  compact(retainMs?: number): CompactionResult;
  /** Entries in the revision log (every account). */
  revisionLogSize(): number;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
export const DEFAULT_ALLOWED_ORIGINS = ['http://127.0.0.1:5173', 'http://localhost:5173'];
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const CSRF_COOKIE = 'basic_csrf';

/** Compares without leaking, through timing, how much of a guess was right. */
const sameSecret = (given: string, expected: string) => {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
};

const cookie = (req: IncomingMessage, name: string) =>
  (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).find(([k]) => k === name)?.[1];

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const schema = options.schema ?? defaultSchema;
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? MiB;
  const host = options.host ?? '127.0.0.1';
  if (options.demoSignIn && !LOOPBACK.test(host)) throw new Error(`demo sign-in (by name only) is refused on ${host}: listen on 127.0.0.1 or ::1`);
  const dataDir = options.dataDir ?? ':memory:';
  const db = openDatabase(dataDir);
  const checkpointer = startCheckpointer(db);
  const store = new RecordStore(db, schema);
  const auth = new Auth(db, {
    projectId: schema.project_id,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    refreshTtlSeconds: options.refreshTtlSeconds,
    refreshGraceSeconds: options.refreshGraceSeconds,
    key: signingKey(db, dataDir, options.secret),
    passwordCost: options.passwordCost,
  });
  const allowedOrigins = new Set((options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS).map((o) => new URL(o).origin));
  const limits: SocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
  const writesPerUser = new RateLimiter(limits.writesPerUser);
  const signIns = new RateLimiter(options.limits?.signInsPerIp ?? { perSecond: 1, burst: 30 });
  // Read at scrape time, once the hub below exists.
  const metrics = createMetrics({ sockets: () => hub.counts(), revisionLogSize: () => store.revisionLogSize() });
  const hub = new SocketHub({ auth, store, schema, maxFrameBytes: options.maxFrameBytes ?? MiB, limits, writesPerUser, logger, metrics });
  const restContext = {
    store,
    schema,
    maxBodyBytes,
    writesPerUser,
    onCommitted: (account: string, result: ApplyResult, source: string | null) => {
      metrics.writes.inc({ via: 'rest' }, result.changes.length);
      hub.broadcast(account, result, source);
    },
  };
  const retentionMs = (options.deleteRetentionDays ?? 30) * 24 * 3600 * 1000;
  const compact = (retainMs = retentionMs) => {
    const result = store.compact(Date.now() - retainMs);
    if (result.forgottenDeletes > 0) logger.info({ ...result, retainHours: Math.round(retainMs / 3600_000) }, 'compaction: forgot old deletes');
    return result;
  };
  compact();
  const compaction = setInterval(compact, 3600_000);
  compaction.unref();

  const authenticate = (req: IncomingMessage) => auth.verify(bearerToken(req));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    let parts: string[];
    try {
      // Prefixed, not resolved against a base: a path like `//host/x` stays a path.
      url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? req.url : `/${req.url}`}`);
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new BadRequest('malformed path');
    }
    const [first, second, third, fourth, ...rest] = parts;

    if (req.method === 'GET' && parts.length === 0) {
      return sendJson(res, 200, { name: 'basic-sync local BasicDB', project_id: schema.project_id, ws: '/ws' });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      if (options.metricsToken !== undefined && !sameSecret(bearerToken(req) ?? '', options.metricsToken)) throw new Unauthorized('metrics need the metrics token');
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return void res.end(await metrics.registry.metrics());
    }
    if (req.method === 'GET' && (url.pathname === '/favicon.svg' || url.pathname === '/favicon.ico')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
      return void res.end(FAVICON_SVG);
    }
    if (first === 'auth' && parts.length === 2) {
      if (second === 'authorize') return authorize(req, res, url);
      if (second === 'token' && req.method === 'POST') {
        const body = await readObject(req, maxBodyBytes);
        // Scripts and tests: a user name and password for tokens, limited like the page.
        if (body.grant_type === 'password') {
          limitSignIns(req);
          return sendJson(res, 200, await auth.passwordGrant(body.username, body.password));
        }
        return sendJson(res, 200, await auth.exchange(body.code));
      }
      if (second === 'signup' && req.method === 'POST') {
        limitSignIns(req);
        const body = await readObject(req, maxBodyBytes);
        const user = await auth.signUp(String(body.username ?? ''), body.password);
        return sendJson(res, 200, await auth.exchange(auth.createCode(user.id)));
      }
      if (second === 'signout' && req.method === 'POST') {
        auth.revoke((await readObject(req, maxBodyBytes)).refresh);
        return sendJson(res, 200, { ok: true });
      }
      if (second === 'userInfo' && req.method === 'GET') return sendJson(res, 200, auth.userInfo(await authenticate(req)));
    }
    if (first === 'project' && third === 'schema' && parts.length === 3 && req.method === 'GET') {
      if (second !== schema.project_id) return sendError(res, 404, `unknown project ${second}`);
      return sendJson(res, 200, { data: [{ schema }] });
    }
    let db: DbRoute | undefined;
    let accountInPath: string | undefined;
    if (first === 'account' && third === 'db' && fourth && rest.length <= 1) {
      db = { family: 'account', table: fourth, id: rest[0] };
    } else if (first === 'project' && third === 'db' && fourth && rest.length >= 1 && rest.length <= 2) {
      accountInPath = fourth;
      db = { family: 'project', table: rest[0]!, id: rest[1] };
    }
    if (db) {
      if (second !== schema.project_id) return sendError(res, 404, `unknown project ${second}`);
      const user = await authenticate(req);
      if (accountInPath !== undefined && accountInPath !== user.id) return sendError(res, 403, 'a user can only reach their own account');
      return handleDb(restContext, req, res, user, db, url);
    }
    return sendError(res, 404, `no route for ${req.method} ${url.pathname}`);
  }

  function limitSignIns(req: IncomingMessage): void {
    const ip = req.socket.remoteAddress ?? '?';
    if (!signIns.take(ip)) throw new TooMany(`too many sign-in attempts; try again in ${signIns.waitSeconds(ip)} s`);
  }

  /**
   * The sign-in page and its form. The redirect goes only to an allowed origin, `state`
   * is required (the app checks it comes back), and the form carries a double-submit
   * CSRF token, so another site cannot sign a visitor in as someone else.
   */
  async function authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = req.method === 'POST' ? await readObject(req, maxBodyBytes, true) : Object.fromEntries(url.searchParams);
    const clientId = String(params.client_id ?? '');
    const redirectUri = String(params.redirect_uri ?? '');
    const state = String(params.state ?? '');
    if (clientId !== schema.project_id) throw new BadRequest(`unknown client_id ${JSON.stringify(clientId)}`);
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      throw new BadRequest('redirect_uri must be an absolute URL');
    }
    if (!allowedOrigins.has(target.origin)) throw new BadRequest(`redirect_uri ${JSON.stringify(target.origin)} is not an allowed origin`);
    if (state.length === 0 || state.length > 512) throw new BadRequest('state is required (1-512 characters)');
    const page = (status: number, csrf: string, error?: string, userName?: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': `${CSRF_COOKIE}=${csrf}; Path=/auth; HttpOnly; SameSite=Strict`,
        'x-frame-options': 'DENY',
        // form-action covers the redirect after the post too: the app's (allowed) origin.
        'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self' ${target.origin}; frame-ancestors 'none'`,
      });
      res.end(signInPage({ clientId, redirectUri, state, csrf, error, userName, demo: options.demoSignIn }));
    };
    if (req.method === 'GET') return page(200, randomBytes(18).toString('base64url'));
    if (req.method !== 'POST') throw new BadRequest('use GET or POST', 405);
    const csrf = String(params.csrf ?? '');
    if (!csrf || cookie(req, CSRF_COOKIE) !== csrf) throw new BadRequest('the sign-in form expired or came from another site; open the sign-in page again', 403);
    limitSignIns(req);
    const name = String(params.user ?? '');
    let user: AuthUser;
    try {
      if (params.action === 'signup') user = await auth.signUp(name, params.password);
      else if (params.action === 'demo' && options.demoSignIn) user = auth.userNamed(name);
      else user = await auth.signIn(name, params.password);
    } catch (error) {
      if (!(error instanceof Unauthorized) && !(error instanceof BadRequest)) throw error;
      return page(error instanceof Unauthorized ? 401 : error.status, csrf, error.message, name);
    }
    target.searchParams.set('code', auth.createCode(user.id));
    target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  const server = createServer((req, res) => {
    allowCors(req, res, allowedOrigins);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return void res.end();
    }
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof Unauthorized || error instanceof TooMany || error instanceof BadRequest) {
        logger.debug({ method: req.method, url: req.url, message: error.message }, 'request refused');
      }
      if (error instanceof Unauthorized) return sendError(res, 401, error.message);
      if (error instanceof TooMany) return sendError(res, 429, error.message);
      if (error instanceof BadRequest) return sendError(res, error.status, error.message);
      logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
      sendError(res, 500, 'internal error');
    });
  });

  // Our own size check answers oversized frames with an `error` frame; ws's cap
  // only guards memory against frames far past it (after inflating, too).
  // permessage-deflate, when the client offers it (browsers and `ws` do): change
  // frames repeat the same keys per record, so they shrink to a fraction; frames under
  // 1 KiB are not worth compressing.
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    maxPayload: 4 * (options.maxFrameBytes ?? MiB),
    // ws applies `threshold` only without server context takeover; without it every ack is compressed.
    perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true, concurrencyLimit: 64 },
  });
  wss.on('connection', (ws) => hub.accept(ws));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host !== '0.0.0.0' ? host : '127.0.0.1';
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    port,
    projectId: schema.project_id,
    issueTokens: (name) => auth.issueTokens(name),
    sockets: () => hub.counts(),
    compact,
    revisionLogSize: () => store.revisionLogSize(),
    setPassword: (name, password) => auth.setPassword(name, password),
    allowOrigin: (origin) => void allowedOrigins.add(new URL(origin).origin),
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(compaction);
        void checkpointer?.stop();
        hub.closeAll();
        wss.close();
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      });
      return closed;
    },
  };
}
