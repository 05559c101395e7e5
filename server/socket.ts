/**
 * BasicDB's `/ws` socket: the Dexie.Syncable "websocket" protocol (see
 * `docs/reference/basicdb-protocol.md`). One `SocketHub` per server keeps the
 * sockets of every account, answers identity/changes/subscribe, and fans each
 * committed change out to the account's other subscribed clients (no echo).
 * Sent changes are always full-record creates (upserts) or deletes, so a client
 * that lacks a record still receives it (the SDK drops updates for absent records).
 *
 * Every socket is bounded: it must identify in time, answer pings, read what it is
 * sent (a catch-up is sent page by page as the socket drains; a live subscriber whose
 * unsent data passes a bound is dropped and catches up from its checkpoint when it
 * reconnects), and keep to rate limits; each user has a socket cap.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import { CREATE, DELETE, UPDATE, type Change, type ErrorCode, type ServerFrame } from '../src/protocol/socket.js';
import type { Auth, AuthUser } from './auth.js';
import type { ApplyResult, RecordStore } from './store.js';
import { BadRequest } from '../src/protocol/validate.js';
import type { BasicSchema } from '../src/protocol/schema.js';
import { TokenExpired, Unauthorized } from './auth.js';
import { RateLimiter, TooMany, type RateLimit } from './rateLimit.js';
import type { ServerLogger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** How long the first batch of a group waits for others to share its transaction. */
const GROUP_COMMIT_WINDOW_MS = 5;

/** A socket with this many frames waiting (to be read or committed) is not read until it is down to RESUME_AT. */
const PAUSE_AT = 64;
const RESUME_AT = 16;

/** Changes per outgoing `changes` frame at most; more go out as `partial: true` pages. */
const PAGE_SIZE = 2000;
/**
 * The first two pages of a catch-up are small: a first sync starts deciding after 250
 * records are read, not 4,000 (a page is sent once the one after it is read, to say
 * whether it is the last).
 */
export const FIRST_PAGE_SIZE = 250;
/** Partial client batches are buffered until the final one; this bounds the buffer. */
const MAX_BUFFERED_CHANGES = 50_000;
/** A WebSocket close reason is at most 123 bytes of UTF-8 (RFC 6455); ws throws past that. */
const MAX_CLOSE_REASON_BYTES = 123;
const MAX_ERROR_MESSAGE_BYTES = 1024;

/** `text` cut to at most `maxBytes` of UTF-8, at a character boundary, with "…" when cut. */
export function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes - 3; // room for "…" (3 bytes)
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // not inside a multi-byte character
  return `${bytes.subarray(0, end).toString('utf8')}…`;
}

export interface SocketLimits {
  /** A socket that has not sent a valid `clientIdentity` by then is closed (4408). */
  identifyTimeoutMs: number;
  /** Ping interval; a socket that did not answer the previous ping is dropped. */
  heartbeatMs: number;
  /** A subscriber with more unsent bytes than this is dropped (it catches up on reconnect). */
  maxBufferedBytes: number;
  /** Bytes of change JSON per outgoing page. */
  pageBytes: number;
  /** Bytes of a partial client batch buffered until its final part. */
  maxPendingBytes: number;
  /** Identified sockets per user. */
  maxSocketsPerUser: number;
  /** `changes` frames (writes) per socket, and per user over all sockets and REST writes. */
  writesPerSocket: RateLimit;
  writesPerUser: RateLimit;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  identifyTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  pageBytes: 256 * 1024,
  maxPendingBytes: 16 * 1024 * 1024,
  maxSocketsPerUser: 32,
  writesPerSocket: { perSecond: 1_000, burst: 5_000 },
  writesPerUser: { perSecond: 20_000, burst: 50_000 },
};

interface Connection {
  ws: WebSocket;
  user?: AuthUser;
  clientIdentity?: string;
  tables: Set<string>;
  /** Receives live changes (set once its catch-up is sent). */
  subscribed: boolean;
  /** Answered the last ping. */
  alive: boolean;
  identifyTimer?: NodeJS.Timeout;
  /** Frames received and not yet handled (backpressure). */
  waiting: number;
  /** Batches handed to the group commit and not yet committed. */
  committing: number;
  /** Fires when the access token expires, unless a `tokenUpdate` moved it. */
  expiryTimer?: NodeJS.Timeout;
  pending: { requestIds: Array<number | string>; changes: Change[]; bytes: number };
  queue: Promise<void>;
}

export interface SocketHubOptions {
  auth: Auth;
  store: RecordStore;
  schema: BasicSchema;
  maxFrameBytes: number;
  limits: SocketLimits;
  /** Shared with REST writes. */
  writesPerUser: RateLimiter;
  logger: ServerLogger;
  metrics: ServerMetrics;
}

/** Frame types a client may send (anything else is counted as invalid, bounding the labels). */
const FRAME_TYPES = new Set(['clientIdentity', 'changes', 'subscribe', 'tokenUpdate']);

export class SocketHub {
  private readonly byAccount = new Map<string, Set<Connection>>();
  /** Every open socket, identified or not (an unidentified one belongs to no account). */
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly writesPerSocket: RateLimiter;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly commitQueue: Array<{
    batch: { account: string; changes: Change[]; source: string };
    resolve(result: ApplyResult): void;
    reject(error: unknown): void;
  }> = [];

  constructor(private readonly options: SocketHubOptions) {
    this.writesPerSocket = new RateLimiter(options.limits.writesPerSocket);
    this.heartbeat = setInterval(() => this.beat(), options.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  accept(ws: WebSocket): void {
    const conn: Connection = {
      ws,
      tables: new Set(),
      subscribed: false,
      alive: true,
      waiting: 0,
      committing: 0,
      pending: { requestIds: [], changes: [], bytes: 0 },
      queue: Promise.resolve(),
    };
    conn.identifyTimer = setTimeout(() => {
      if (!conn.user) this.close(conn, 4408, `no clientIdentity within ${this.options.limits.identifyTimeoutMs} ms`);
    }, this.options.limits.identifyTimeoutMs);
    ws.on('message', (data, isBinary) => {
      // Frames are handled one at a time, in order, even though identity checks and
      // commits are async. Backpressure: a client that sends faster than its writes
      // commit is not read until it has caught up.
      conn.waiting += 1;
      this.throttle(conn);
      // The queue never holds a rejection: a failure here is a bug, logged, not a crash.
      conn.queue = conn.queue
        .then(() => this.onFrame(conn, data, isBinary))
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'socket: unexpected failure'))
        .finally(() => {
          conn.waiting -= 1;
          this.throttle(conn);
        });
    });
    ws.on('pong', () => (conn.alive = true));
    this.connections.set(ws, conn);
    ws.on('close', () => this.forget(conn));
    ws.on('error', () => this.forget(conn));
  }

  /** Sends a committed write to every other subscribed socket of the account. */
  broadcast(account: string, result: ApplyResult, source: string | null): void {
    if (result.changes.length === 0) return;
    for (const conn of this.byAccount.get(account) ?? []) {
      if (!conn.subscribed || (source !== null && conn.clientIdentity === source)) continue;
      const changes = result.changes.filter((c) => conn.tables.has(c.table));
      if (changes.length === 0) continue;
      for (const page of this.pages(changes, result.revision)) this.sendText(conn, page);
    }
  }

  /** Open sockets, and how many have identified. */
  counts(): { sockets: number; identified: number } {
    let identified = 0;
    for (const conn of this.connections.values()) if (conn.user) identified += 1;
    return { sockets: this.connections.size, identified };
  }

  /** Ends every socket, including those still waiting on their identity (or a close would wait for them). */
  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const conn of this.connections.values()) {
      clearTimeout(conn.identifyTimer);
      conn.ws.terminate();
    }
    this.connections.clear();
    this.byAccount.clear();
  }

  /** Pings every socket; one that did not answer the previous ping is dead. */
  private beat(): void {
    for (const conn of this.connections.values()) {
      if (!conn.alive) {
        conn.ws.terminate();
        this.forget(conn);
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        conn.ws.terminate();
      }
    }
  }

  private forget(conn: Connection): void {
    clearTimeout(conn.identifyTimer);
    clearTimeout(conn.expiryTimer);
    this.connections.delete(conn.ws);
    if (conn.user) this.byAccount.get(conn.user.id)?.delete(conn);
  }

  private close(conn: Connection, code: number, reason: string): void {
    this.forget(conn);
    try {
      conn.ws.close(code, cutToBytes(reason, MAX_CLOSE_REASON_BYTES));
    } catch {
      conn.ws.terminate(); // a close that cannot be sent still ends the socket
    }
  }

  private async onFrame(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    let requestId: number | string | null = null;
    try {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (size > this.options.maxFrameBytes) throw new BadRequest(`frame larger than ${this.options.maxFrameBytes} bytes`);
      if (isBinary) throw new BadRequest('binary frames are not part of the protocol');
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        throw new BadRequest('frame is not valid JSON');
      }
      if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) throw new BadRequest('frame must be a JSON object');
      const f = frame as Record<string, unknown>;
      this.options.metrics.framesReceived.inc({ type: FRAME_TYPES.has(f.type as string) ? (f.type as string) : 'invalid' });
      if (typeof f.requestId === 'number' || typeof f.requestId === 'string') requestId = f.requestId;
      if (f.type === 'clientIdentity') return await this.onIdentity(conn, f);
      if (!conn.user) throw new Unauthorized('the first frame must be clientIdentity with authToken');
      if (f.type === 'changes') return await this.onChanges(conn, f, size);
      if (f.type === 'subscribe') return await this.onSubscribe(conn, f);
      if (f.type === 'tokenUpdate') return await this.onTokenUpdate(conn, f);
      throw new BadRequest(`unknown frame type ${JSON.stringify(f.type)}`);
    } catch (error) {
      this.refuse(conn, error, requestId);
    }
  }

  /** Stops reading a socket whose frames pile up, and reads it again once they are down. */
  private throttle(conn: Connection): void {
    const backlog = conn.waiting + conn.committing;
    if (!conn.ws.isPaused && backlog >= PAUSE_AT) conn.ws.pause();
    else if (conn.ws.isPaused && backlog <= RESUME_AT) conn.ws.resume();
  }

  /** Answers a frame that failed with an `error` frame and closes the socket. */
  private refuse(conn: Connection, error: unknown, requestId: number | string | null): void {
    const clientError = error instanceof BadRequest || error instanceof Unauthorized || error instanceof TooMany;
    if (!clientError) this.options.logger.error({ err: error, user: conn.user?.name }, 'socket: frame failed');
    const reason = error instanceof Unauthorized ? `unauthorized: ${error.message}` : error instanceof Error ? error.message : String(error);
    // Messages may quote what the client sent: bound them.
    const message = cutToBytes(reason, MAX_ERROR_MESSAGE_BYTES);
    const code: ErrorCode =
      error instanceof TokenExpired ? 'TOKEN_EXPIRED' : error instanceof Unauthorized ? 'UNAUTHORIZED' : error instanceof TooMany ? 'RATE_LIMITED' : 'BAD_REQUEST';
    this.options.metrics.framesRefused.inc({ code });
    if (clientError) this.options.logger.debug({ user: conn.user?.name, code, message }, 'socket: frame refused');
    this.send(conn, { type: 'error', requestId, code, message });
    this.close(conn, error instanceof Unauthorized ? 4401 : error instanceof TooMany ? 4429 : 1008, message);
  }

  private async onIdentity(conn: Connection, f: Record<string, unknown>): Promise<void> {
    if (conn.user) throw new BadRequest('clientIdentity was already sent on this socket');
    const { user, expiresAt } = await this.options.auth.verifyToken(f.authToken);
    const given = f.clientIdentity;
    if (given !== null && given !== undefined && (typeof given !== 'string' || given.length === 0 || given.length > 128)) {
      throw new BadRequest('clientIdentity must be null or a string of at most 128 characters');
    }
    let conns = this.byAccount.get(user.id);
    if ((conns?.size ?? 0) >= this.options.limits.maxSocketsPerUser) {
      throw new TooMany(`at most ${this.options.limits.maxSocketsPerUser} sockets per user`);
    }
    conn.tables = this.tablesOf(f.schema);
    conn.user = user;
    clearTimeout(conn.identifyTimer);
    conn.clientIdentity = typeof given === 'string' ? given : randomUUID();
    if (!conns) this.byAccount.set(user.id, (conns = new Set()));
    conns.add(conn);
    this.expireAt(conn, expiresAt);
    this.send(conn, { type: 'clientIdentity', clientIdentity: conn.clientIdentity });
  }

  /**
   * A socket lives as long as its access token: at `exp` it gets `TOKEN_EXPIRED` and is
   * closed (4401), so a revoked user cannot keep writing. Newer clients send a fresh
   * token before then (`tokenUpdate`); 0.5.0 clients reconnect with one.
   */
  private expireAt(conn: Connection, expiresAt: number): void {
    clearTimeout(conn.expiryTimer);
    // setTimeout holds at most ~24.8 days; a longer token is checked again then.
    const wait = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
    conn.expiryTimer = setTimeout(() => {
      if (Date.now() < expiresAt) return this.expireAt(conn, expiresAt);
      this.send(conn, { type: 'error', requestId: null, code: 'TOKEN_EXPIRED', message: 'unauthorized: access token expired' });
      this.close(conn, 4401, 'access token expired');
    }, wait);
    conn.expiryTimer.unref();
  }

  /** A fresh access token on the open socket (newer SDKs), for the same user. */
  private async onTokenUpdate(conn: Connection, f: Record<string, unknown>): Promise<void> {
    try {
      const { user, expiresAt } = await this.options.auth.verifyToken(f.authToken);
      if (user.id !== conn.user!.id) throw new Unauthorized('the token is for another user');
      this.expireAt(conn, expiresAt);
      this.send(conn, { type: 'tokenUpdateAck', ok: true });
    } catch (error) {
      if (!(error instanceof Unauthorized)) throw error;
      // The old token still holds until it expires; the client reconnects with a good one.
      this.send(conn, { type: 'tokenUpdateAck', ok: false, code: error instanceof TokenExpired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED', message: error.message });
    }
  }

  /** The tables this client knows: those of its schema that the server has too. */
  private tablesOf(clientSchema: unknown): Set<string> {
    const serverTables = Object.keys(this.options.schema.tables);
    if (clientSchema === undefined || clientSchema === null) return new Set(serverTables);
    const tables = (clientSchema as { tables?: unknown }).tables;
    if (tables === null || typeof tables !== 'object') throw new BadRequest('schema must carry a tables object');
    return new Set(serverTables.filter((t) => Object.hasOwn(tables, t)));
  }

  private async onChanges(conn: Connection, f: Record<string, unknown>, size: number): Promise<void> {
    const { changes, partial, requestId } = f;
    if (!Array.isArray(changes)) throw new BadRequest('changes must be an array');
    if (typeof requestId !== 'number' && typeof requestId !== 'string') throw new BadRequest('changes needs a requestId');
    const user = conn.user!;
    if (!this.writesPerSocket.take(conn.clientIdentity!) || !this.options.writesPerUser.take(user.id)) {
      throw new TooMany('too many writes; slow down and reconnect');
    }
    for (const change of changes) this.assertChangeShape(conn, change);
    conn.pending.changes.push(...(changes as Change[]));
    conn.pending.requestIds.push(requestId);
    conn.pending.bytes += size;
    if (conn.pending.changes.length > MAX_BUFFERED_CHANGES) throw new BadRequest(`more than ${MAX_BUFFERED_CHANGES} changes in one partial batch`);
    if (conn.pending.bytes > this.options.limits.maxPendingBytes) {
      throw new BadRequest(`more than ${this.options.limits.maxPendingBytes} bytes in one partial batch`);
    }
    if (partial === true) return;
    const { changes: batch, requestIds } = conn.pending;
    conn.pending = { requestIds: [], changes: [], bytes: 0 };
    // All or nothing: a bad change anywhere in the batch rolls back the whole batch.
    // The socket's next frames are read meanwhile (they may share the same group
    // commit); commit groups finish in order, so its acks still go out in order.
    conn.committing += 1;
    this.commit({ account: user.id, changes: batch, source: conn.clientIdentity! })
      .then(
        (result) => {
          for (const id of requestIds) this.send(conn, { type: 'ack', requestId: id });
          this.broadcast(user.id, result, conn.clientIdentity!);
        },
        (error: unknown) => this.refuse(conn, error, requestId),
      )
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'socket: acknowledging failed'))
      .finally(() => {
        conn.committing -= 1;
        this.throttle(conn);
      });
  }

  /**
   * Group commit: batches that arrive within one turn of the event loop share one
   * transaction (one fsync); each is acknowledged only after that commit, so nothing
   * acknowledged can be lost.
   */
  private commit(batch: { account: string; changes: Change[]; source: string }): Promise<ApplyResult> {
    return new Promise((resolve, reject) => {
      this.commitQueue.push({ batch, resolve, reject });
      // A short window: compressed frames are inflated off-thread and arrive over several turns.
      if (this.commitQueue.length === 1) setTimeout(() => this.flushCommits(), GROUP_COMMIT_WINDOW_MS);
    });
  }

  private flushCommits(): void {
    const group = this.commitQueue.splice(0);
    let results: Array<ApplyResult | Error>;
    const endTimer = this.options.metrics.commitSeconds.startTimer();
    try {
      results = this.options.store.applyGroup(group.map((g) => g.batch));
    } catch (error) {
      for (const g of group) g.reject(error);
      return;
    } finally {
      endTimer();
    }
    this.options.metrics.commitGroupSize.observe(group.length);
    group.forEach((g, i) => {
      const result = results[i]!;
      if (result instanceof Error) return g.reject(result);
      this.options.metrics.writes.inc({ via: 'socket' }, g.batch.changes.length);
      g.resolve(result);
    });
  }

  private assertChangeShape(conn: Connection, change: unknown): void {
    if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new BadRequest('each change must be an object');
    const c = change as Record<string, unknown>;
    if (c.type !== CREATE && c.type !== UPDATE && c.type !== DELETE) throw new BadRequest(`unknown change type ${JSON.stringify(c.type)}`);
    if (typeof c.table !== 'string' || !conn.tables.has(c.table)) throw new BadRequest(`unknown table ${JSON.stringify(c.table)}`);
  }

  /**
   * The catch-up, page by page as the socket drains (a client that does not read holds
   * one page, not the account). Live changes start once it is sent: first whatever was
   * committed meanwhile, then broadcasts, so none falls between the two.
   */
  private async onSubscribe(conn: Connection, f: Record<string, unknown>): Promise<void> {
    const { store } = this.options;
    const account = conn.user!.id;
    const current = store.currentRevision(account);
    const synced = parseRevision(f.syncedRevision);
    // Unknown or future revisions (a server reset) get the full state.
    const cursor = store.catchUp(account, synced === null || synced > current ? null : synced, conn.clientIdentity!, conn.tables);
    // Read a page, send it, wait until it is written out, then read the next.
    let page = cursor.next(FIRST_PAGE_SIZE, this.options.limits.pageBytes);
    let nextSize = FIRST_PAGE_SIZE;
    do {
      const next = page ? cursor.next(nextSize, this.options.limits.pageBytes) : null;
      nextSize = PAGE_SIZE;
      const frame = changesFrame((page ?? []).map((c) => JSON.stringify(c)), current, next !== null, cursor.snapshot);
      if (!(await this.sendDrained(conn, frame))) return;
      page = next;
    } while (page);
    const meanwhile = store.changesSince(account, current, conn.clientIdentity!, conn.tables);
    if (meanwhile.length > 0) for (const page of this.pages(meanwhile, store.currentRevision(account))) this.sendText(conn, page);
    conn.subscribed = true;
  }

  /** `changes` frames of at most PAGE_SIZE changes and about `pageBytes` bytes; the last is not partial. */
  private pages(changes: Change[], revision: number): string[] {
    const frame = (parts: string[], partial: boolean) => changesFrame(parts, revision, partial);
    const pages: string[] = [];
    let parts: string[] = [];
    let bytes = 0;
    for (const change of changes) {
      const json = JSON.stringify(change);
      if (parts.length > 0 && (parts.length >= PAGE_SIZE || bytes + json.length > this.options.limits.pageBytes)) {
        pages.push(frame(parts, true));
        parts = [];
        bytes = 0;
      }
      parts.push(json);
      bytes += json.length;
    }
    pages.push(frame(parts, false));
    return pages;
  }

  /** Sends and resolves once written out (true), or when the socket closed first (false). */
  private sendDrained(conn: Connection, text: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (conn.ws.readyState !== conn.ws.OPEN) return resolve(false);
      const onClose = () => resolve(false);
      conn.ws.once('close', onClose);
      conn.ws.send(text, (error) => {
        conn.ws.off('close', onClose);
        resolve(!error);
      });
    });
  }

  private send(conn: Connection, frame: ServerFrame): void {
    this.sendText(conn, JSON.stringify(frame));
  }

  /** Sends; a socket whose unsent data passes the bound is dropped (it catches up on reconnect). */
  private sendText(conn: Connection, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(text);
    if (conn.ws.bufferedAmount > this.options.limits.maxBufferedBytes) {
      this.options.logger.warn({ user: conn.user?.name, unsentBytes: conn.ws.bufferedAmount }, 'socket: dropped a slow reader');
      conn.ws.terminate();
      this.forget(conn);
    }
  }
}

/**
 * A `changes` frame from changes already turned into JSON (so pages can be cut by bytes).
 * `snapshot`: a catch-up page of the whole state, for a checkpoint behind the horizon.
 */
function changesFrame(changeJson: string[], revision: number, partial: boolean, snapshot = false): string {
  const head = `{"type":"changes","changes":[${changeJson.join(',')}],"currentRevision":${JSON.stringify(revision)},"partial":${partial}`;
  return snapshot ? `${head},"snapshot":true}` : `${head}}`;
}

function parseRevision(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}
