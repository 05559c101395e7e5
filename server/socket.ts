/**
 * BasicDB's `/ws` socket: the Dexie.Syncable "websocket" protocol (see
 * `docs/reference/basicdb-protocol.md`). One `SocketHub` per server keeps the
 * sockets of every account, answers identity/changes/subscribe, and fans each
 * committed change out to the account's other subscribed clients (no echo).
 * Sent changes are always full-record creates (upserts) or deletes, so a client
 * that lacks a record still receives it (the SDK drops updates for absent records).
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import { CREATE, DELETE, UPDATE, type Change, type ServerFrame } from '../src/protocol/socket.js';
import type { Auth, AuthUser } from './auth.js';
import type { ApplyResult, RecordStore } from './store.js';
import { BadRequest } from '../src/protocol/validate.js';
import type { BasicSchema } from '../src/protocol/schema.js';
import { Unauthorized } from './auth.js';

/** Changes per outgoing `changes` frame; more go out as `partial: true` pages. */
const PAGE_SIZE = 500;
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

interface Connection {
  ws: WebSocket;
  user?: AuthUser;
  clientIdentity?: string;
  tables: Set<string>;
  subscribed: boolean;
  pending: { requestIds: Array<number | string>; changes: Change[] };
  queue: Promise<void>;
}

export interface SocketHubOptions {
  auth: Auth;
  store: RecordStore;
  schema: BasicSchema;
  maxFrameBytes: number;
  log: (message: string) => void;
}

export class SocketHub {
  private readonly byAccount = new Map<string, Set<Connection>>();
  /** Every open socket, identified or not (an unidentified one belongs to no account). */
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly options: SocketHubOptions) {}

  accept(ws: WebSocket): void {
    const conn: Connection = {
      ws,
      tables: new Set(),
      subscribed: false,
      pending: { requestIds: [], changes: [] },
      queue: Promise.resolve(),
    };
    ws.on('message', (data, isBinary) => {
      // Frames are handled one at a time, in order, even though identity checks are async.
      // The queue never holds a rejection: a failure here is a bug, logged, not a crash.
      conn.queue = conn.queue
        .then(() => this.onFrame(conn, data, isBinary))
        .catch((error: unknown) => this.options.log(`socket: unexpected failure: ${String(error)}`));
    });
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.forget(conn);
    });
    ws.on('error', () => this.forget(conn));
  }

  /** Sends a committed write to every other subscribed socket of the account. */
  broadcast(account: string, result: ApplyResult, source: string | null): void {
    if (result.changes.length === 0) return;
    for (const conn of this.byAccount.get(account) ?? []) {
      if (!conn.subscribed || (source !== null && conn.clientIdentity === source)) continue;
      const changes = result.changes.filter((c) => conn.tables.has(c.table));
      if (changes.length > 0) this.sendPages(conn, changes, result.revision);
    }
  }

  /** Ends every socket, including those still waiting on their identity (or a close would wait for them). */
  closeAll(): void {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.byAccount.clear();
  }

  private forget(conn: Connection): void {
    if (conn.user) this.byAccount.get(conn.user.id)?.delete(conn);
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
      if (typeof f.requestId === 'number' || typeof f.requestId === 'string') requestId = f.requestId;
      if (f.type === 'clientIdentity') return await this.onIdentity(conn, f);
      if (!conn.user) throw new Unauthorized('the first frame must be clientIdentity with authToken');
      if (f.type === 'changes') return this.onChanges(conn, f);
      if (f.type === 'subscribe') return this.onSubscribe(conn, f);
      throw new BadRequest(`unknown frame type ${JSON.stringify(f.type)}`);
    } catch (error) {
      if (!(error instanceof BadRequest) && !(error instanceof Unauthorized)) this.options.log(`socket: ${String(error)}`);
      const reason = error instanceof Unauthorized ? `unauthorized: ${error.message}` : error instanceof Error ? error.message : String(error);
      // Messages may quote what the client sent: bound them.
      const message = cutToBytes(reason, MAX_ERROR_MESSAGE_BYTES);
      this.send(conn, { type: 'error', requestId, message });
      this.forget(conn);
      try {
        conn.ws.close(error instanceof Unauthorized ? 4401 : 1008, cutToBytes(message, MAX_CLOSE_REASON_BYTES));
      } catch {
        conn.ws.terminate(); // a close that cannot be sent still ends the socket
      }
    }
  }

  private async onIdentity(conn: Connection, f: Record<string, unknown>): Promise<void> {
    if (conn.user) throw new BadRequest('clientIdentity was already sent on this socket');
    const user = await this.options.auth.verify(f.authToken);
    const given = f.clientIdentity;
    if (given !== null && given !== undefined && (typeof given !== 'string' || given.length === 0 || given.length > 128)) {
      throw new BadRequest('clientIdentity must be null or a string of at most 128 characters');
    }
    conn.tables = this.tablesOf(f.schema);
    conn.user = user;
    conn.clientIdentity = typeof given === 'string' ? given : randomUUID();
    let conns = this.byAccount.get(user.id);
    if (!conns) this.byAccount.set(user.id, (conns = new Set()));
    conns.add(conn);
    this.send(conn, { type: 'clientIdentity', clientIdentity: conn.clientIdentity });
  }

  /** The tables this client knows: those of its schema that the server has too. */
  private tablesOf(clientSchema: unknown): Set<string> {
    const serverTables = Object.keys(this.options.schema.tables);
    if (clientSchema === undefined || clientSchema === null) return new Set(serverTables);
    const tables = (clientSchema as { tables?: unknown }).tables;
    if (tables === null || typeof tables !== 'object') throw new BadRequest('schema must carry a tables object');
    return new Set(serverTables.filter((t) => Object.hasOwn(tables, t)));
  }

  private onChanges(conn: Connection, f: Record<string, unknown>): void {
    const { changes, partial, requestId } = f;
    if (!Array.isArray(changes)) throw new BadRequest('changes must be an array');
    if (typeof requestId !== 'number' && typeof requestId !== 'string') throw new BadRequest('changes needs a requestId');
    for (const change of changes) this.assertChangeShape(conn, change);
    conn.pending.changes.push(...(changes as Change[]));
    conn.pending.requestIds.push(requestId);
    if (conn.pending.changes.length > MAX_BUFFERED_CHANGES) throw new BadRequest(`more than ${MAX_BUFFERED_CHANGES} changes in one partial batch`);
    if (partial === true) return;
    const { changes: batch, requestIds } = conn.pending;
    conn.pending = { requestIds: [], changes: [] };
    // All or nothing: a bad change anywhere in the batch rolls back the whole batch.
    const result = this.options.store.applyChanges(conn.user!.id, batch, conn.clientIdentity!);
    for (const id of requestIds) this.send(conn, { type: 'ack', requestId: id });
    this.broadcast(conn.user!.id, result, conn.clientIdentity!);
  }

  private assertChangeShape(conn: Connection, change: unknown): void {
    if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new BadRequest('each change must be an object');
    const c = change as Record<string, unknown>;
    if (c.type !== CREATE && c.type !== UPDATE && c.type !== DELETE) throw new BadRequest(`unknown change type ${JSON.stringify(c.type)}`);
    if (typeof c.table !== 'string' || !conn.tables.has(c.table)) throw new BadRequest(`unknown table ${JSON.stringify(c.table)}`);
  }

  private onSubscribe(conn: Connection, f: Record<string, unknown>): void {
    const { store } = this.options;
    const account = conn.user!.id;
    const current = store.currentRevision(account);
    const synced = parseRevision(f.syncedRevision);
    // Unknown or future revisions (a server reset) get the full state.
    const changes =
      synced === null || synced > current
        ? store.snapshot(account, conn.tables)
        : store.changesSince(account, synced, conn.clientIdentity!, conn.tables);
    this.sendPages(conn, changes, current);
    conn.subscribed = true;
  }

  private sendPages(conn: Connection, changes: Change[], revision: number): void {
    if (changes.length === 0) return this.send(conn, { type: 'changes', changes: [], currentRevision: revision, partial: false });
    for (let i = 0; i < changes.length; i += PAGE_SIZE) {
      const page = changes.slice(i, i + PAGE_SIZE);
      this.send(conn, { type: 'changes', changes: page, currentRevision: revision, partial: i + PAGE_SIZE < changes.length });
    }
  }

  private send(conn: Connection, frame: ServerFrame): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }
}

function parseRevision(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}
