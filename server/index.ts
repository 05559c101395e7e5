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
import { Auth, Unauthorized, type AuthUser } from './auth.js';
import { allowCors, bearerToken, readObject, sendError, sendJson } from './http.js';
import { handleDb, type DbRoute } from './rest.js';
import { signInPage } from './signInPage.js';
import { RateLimiter, TooMany, type RateLimit } from './rateLimit.js';
import { DEFAULT_SOCKET_LIMITS, SocketHub, type SocketLimits } from './socket.js';
import { RecordStore, openDatabase } from './store.js';
import { BadRequest } from '../src/protocol/validate.js';

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
  /** JWT signing secret; default one generated once and kept in the data folder. */
  secret?: string;
  maxBodyBytes?: number;
  maxFrameBytes?: number;
  /** Socket bounds and rate limits (defaults in `DEFAULT_SOCKET_LIMITS`); sign-in attempts per IP. */
  limits?: Partial<SocketLimits> & { signInsPerIp?: RateLimit };
  log?: (message: string) => void;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:4321` */
  url: string;
  /** e.g. `ws://127.0.0.1:4321/ws` */
  wsUrl: string;
  port: number;
  projectId: string;
  /** Signs in a named user without a browser (creates it on first use). */
  issueTokens(userName: string): Promise<TokenResponse & { user: AuthUser }>;
  /** Open sockets, and how many have identified. */
  sockets(): { sockets: number; identified: number };
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const schema = options.schema ?? defaultSchema;
  const log = options.log ?? (() => {});
  const maxBodyBytes = options.maxBodyBytes ?? MiB;
  const db = openDatabase(options.dataDir ?? ':memory:');
  const store = new RecordStore(db, schema);
  const auth = new Auth(db, schema.project_id, options.tokenTtlSeconds ?? 3600, options.secret);
  const limits: SocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
  const writesPerUser = new RateLimiter(limits.writesPerUser);
  const signIns = new RateLimiter(options.limits?.signInsPerIp ?? { perSecond: 1, burst: 30 });
  const hub = new SocketHub({ auth, store, schema, maxFrameBytes: options.maxFrameBytes ?? MiB, limits, writesPerUser, log });
  const restContext = { store, schema, maxBodyBytes, writesPerUser, onCommitted: hub.broadcast.bind(hub) };

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
    if (first === 'auth' && parts.length === 2) {
      if (second === 'authorize') return authorize(req, res, url);
      if (second === 'token' && req.method === 'POST') {
        const body = await readObject(req, maxBodyBytes);
        return sendJson(res, 200, await auth.exchange(body.code));
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
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new BadRequest('redirect_uri must be http(s)');
    if (req.method === 'GET') {
      const html = signInPage({ clientId, redirectUri, state }, auth.listUsers());
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(html);
    }
    if (req.method !== 'POST') throw new BadRequest('use GET or POST', 405);
    const ip = req.socket.remoteAddress ?? '?';
    if (!signIns.take(ip)) throw new TooMany(`too many sign-in attempts; try again in ${signIns.waitSeconds(ip)} s`);
    const name = String(params.user || params.new_user || '');
    const user = auth.userNamed(name);
    target.searchParams.set('code', auth.createCode(user.id));
    target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  const server = createServer((req, res) => {
    allowCors(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return void res.end();
    }
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof Unauthorized) return sendError(res, 401, error.message);
      if (error instanceof TooMany) return sendError(res, 429, error.message);
      if (error instanceof BadRequest) return sendError(res, error.status, error.message);
      log(`error on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`);
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
    perMessageDeflate: { threshold: 1024 },
  });
  wss.on('connection', (ws) => hub.accept(ws));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    port,
    projectId: schema.project_id,
    issueTokens: (name) => auth.issueTokens(name),
    sockets: () => hub.counts(),
    close() {
      closed ??= new Promise<void>((resolve) => {
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
