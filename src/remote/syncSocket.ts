/**
 * A client for BasicDB's `/ws` sync socket (the Dexie.Syncable protocol, see
 * `docs/reference/basicdb-protocol.md`): identity with the token in the first
 * frame, `subscribe` from a revision, `changes` requests answered by `ack`.
 * Incoming frames are checked before anything sees them; a malformed one closes
 * the socket with a clear reason (the caller reconnects and resumes from its
 * checkpoint, so nothing is skipped).
 */
import type { BasicSchema } from '../protocol/schema.js';
import type { Change, Revision, ServerChangesFrame } from '../protocol/socket.js';
import { RemoteRefusedError } from './transport.js';

/** The subset of the WebSocket API used here (browser `WebSocket` or `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SyncSocketOptions {
  url: string;
  token: string;
  clientIdentity: string | null;
  schema: BasicSchema;
  /** Revision to resume from; null asks for everything. */
  syncedRevision: Revision;
  WebSocket?: WebSocketConstructor;
  /** Largest frame accepted from the server. Default 4 MiB. */
  maxFrameBytes?: number;
  /** Time allowed for the identity answer and for each ack. Default 10 s. */
  timeoutMs?: number;
}

export interface SyncSocketHandlers {
  /** The server answered the identity: the socket is usable. */
  onOpen(clientIdentity: string): void;
  /** A `changes` frame from the server (catch-up pages first, then live). */
  onChanges(frame: ServerChangesFrame): void;
  /** The socket is gone; `code` 4401 means the token was refused. */
  onClose(reason: string, code: number): void;
}

export interface SyncSocket {
  /** Sends a batch; resolves when the server acknowledges it as durable. */
  request(changes: Change[], baseRevision: Revision): Promise<void>;
  /**
   * Hands the server a fresh access token on the open socket (`tokenUpdate`, newer
   * BasicDB); resolves on `tokenUpdateAck` with `ok`, rejects when refused or unanswered.
   */
  updateToken(token: string): Promise<void>;
  close(): void;
}

const OPEN = 1;


export function openSyncSocket(options: SyncSocketOptions, handlers: SyncSocketHandlers): SyncSocket {
  const Impl = options.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package) in Node');
  const maxFrameBytes = options.maxFrameBytes ?? 4 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ws = new Impl(options.url);
  let nextRequestId = 1;
  let closed = false;
  let closeReason: { reason: string; code: number } | undefined;
  const waiting = new Map<number, { resolve(): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  /** `tokenUpdate`s sent and not yet answered, oldest first (the answer names no request). */
  const tokenUpdates: Array<{ resolve(): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }> = [];
  const identityTimer = setTimeout(() => fail(`no identity answer within ${timeoutMs} ms`), timeoutMs);

  const send = (frame: unknown) => ws.send(JSON.stringify(frame));

  function fail(reason: string, code = 1000): void {
    if (closed) return;
    closed = true;
    clearTimeout(identityTimer);
    for (const [, w] of waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(`socket closed before ack: ${reason}`));
    }
    waiting.clear();
    for (const t of tokenUpdates.splice(0)) {
      clearTimeout(t.timer);
      t.reject(new Error(`socket closed before the token was taken: ${reason}`));
    }
    try {
      ws.close();
    } catch {
      // already closing
    }
    handlers.onClose(reason, code);
  }

  ws.onopen = () => {
    send({ type: 'clientIdentity', clientIdentity: options.clientIdentity, authToken: options.token, schema: options.schema });
  };
  ws.onerror = () => fail('socket error (server unreachable?)');
  ws.onclose = (ev) =>
    closeReason
      ? fail(closeReason.reason, closeReason.code)
      : fail(ev.reason ? `closed by server: ${ev.reason}` : `socket closed (${ev.code})`, ev.code);
  ws.onmessage = (ev) => {
    if (closed) return;
    const text = typeof ev.data === 'string' ? ev.data : String(ev.data);
    if (text.length > maxFrameBytes) return fail(`refused a ${text.length}-byte frame (limit ${maxFrameBytes})`);
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text);
    } catch {
      return fail('refused a frame that is not JSON');
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return fail('refused a frame that is not an object');
    switch (frame.type) {
      case 'clientIdentity':
        if (typeof frame.clientIdentity !== 'string') return fail('refused a clientIdentity frame without an identity');
        clearTimeout(identityTimer);
        handlers.onOpen(frame.clientIdentity);
        send({ type: 'subscribe', syncedRevision: options.syncedRevision });
        return;
      case 'changes':
        if (!Array.isArray(frame.changes) || typeof frame.partial !== 'boolean') return fail('refused a malformed changes frame');
        if (typeof frame.currentRevision !== 'number' && typeof frame.currentRevision !== 'string') {
          return fail('refused a changes frame without currentRevision');
        }
        return handlers.onChanges(frame as unknown as ServerChangesFrame);
      case 'ack': {
        const w = waiting.get(frame.requestId as number);
        if (!w) return;
        clearTimeout(w.timer);
        waiting.delete(frame.requestId as number);
        return w.resolve();
      }
      case 'tokenUpdateAck': {
        const t = tokenUpdates.shift();
        if (!t) return; // unasked: nothing waits for it
        clearTimeout(t.timer);
        if (frame.ok === true) return t.resolve();
        const why = typeof frame.message === 'string' ? frame.message : typeof frame.code === 'string' ? frame.code : 'no reason given';
        t.reject(new RemoteRefusedError(`the server refused the new token: ${why}`));
        // As Basic's SDK does: a refused token means reconnecting with a fresh one.
        return fail(`token update refused: ${why}`, 4401);
      }
      case 'error': {
        const message = typeof frame.message === 'string' ? frame.message : 'unknown error';
        // An expired or refused token: reconnect with a fresh one (newer servers say so by code).
        const tokenRefused = frame.code === 'TOKEN_EXPIRED' || frame.code === 'UNAUTHORIZED' || /^unauthorized/.test(message);
        const w = waiting.get(frame.requestId as number);
        if (w) {
          clearTimeout(w.timer);
          waiting.delete(frame.requestId as number);
          w.reject(new RemoteRefusedError(message));
        }
        // Report the close when the socket has really closed (a macrotask later), so
        // whoever awaited the refused request handles the refusal first.
        closeReason = { reason: `server error: ${message}`, code: tokenRefused ? 4401 : 1008 };
        try {
          ws.close();
        } catch {
          fail(closeReason.reason, closeReason.code);
        }
        return;
      }
      default:
        return fail(`refused a frame of unknown type ${JSON.stringify(frame.type)}`);
    }
  };

  return {
    request(changes, baseRevision) {
      if (closed || ws.readyState !== OPEN) return Promise.reject(new Error('socket is not open'));
      const requestId = nextRequestId++;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          reject(new Error(`no ack within ${timeoutMs} ms`));
          fail('ack timed out');
        }, timeoutMs);
        waiting.set(requestId, { resolve, reject, timer });
        send({ type: 'changes', changes, partial: false, baseRevision, requestId });
      });
    },
    updateToken(token) {
      if (closed || ws.readyState !== OPEN) return Promise.reject(new Error('socket is not open'));
      return new Promise<void>((resolve, reject) => {
        const entry = {
          resolve,
          reject,
          timer: setTimeout(() => {
            const at = tokenUpdates.indexOf(entry);
            if (at >= 0) tokenUpdates.splice(at, 1);
            reject(new Error(`no tokenUpdateAck within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        tokenUpdates.push(entry);
        send({ type: 'tokenUpdate', authToken: token });
      });
    },
    close() {
      fail('closed by client');
    },
  };
}
