/**
 * The transport seam: how the sync service reaches BasicDB, in four verbs, as RxDB's
 * replication handler and TinyBase's custom synchronizer have it. A connection pulls
 * from a checkpoint (catch-up pages, then live changes: the change stream), pushes a
 * batch, and reports when it opens and closes. The sync service does the rest: checking
 * what arrives, merging, the outbox, retries and the token policy. Two transports ship:
 * `socketTransport` (BasicDB's `/ws`) and `restPollingTransport` (REST only, for networks
 * that block WebSockets).
 */
import type { BasicSchema } from '../protocol/schema.js';
import type { Change, Revision } from '../protocol/socket.js';
import type { RestClient } from './restClient.js';
import type { WebSocketConstructor } from './syncSocket.js';

/** The server refused a push or a token: retrying the same will not help. */
export class RemoteRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteRefusedError';
  }
}

/** A page of remote changes: unchecked records (the service checks them) and where it leaves off. */
export interface TransportFrame {
  changes: unknown[];
  /** The server's revision after these changes: the next checkpoint (null: the transport has none). */
  revision: Revision;
  /** More pages of the same catch-up follow. */
  partial: boolean;
  /** The pages up to the next complete one are the server's whole state, not changes since the checkpoint. */
  snapshot: boolean;
}

export interface TransportHandlers {
  /** The connection is usable; the server named this client (null when the transport has no identities). */
  opened(clientIdentity: string | null): void;
  /** Catch-up pages first, then live changes, in order. */
  changes(frame: TransportFrame): void;
  /** The connection is gone; `tokenRefused` when the server refused the token (one reconnect with a fresh one). */
  closed(reason: string, tokenRefused: boolean): void;
}

export interface TransportConnection {
  /**
   * Pushes a batch; resolves once the server holds it durably. Rejects with
   * `RemoteRefusedError` when the server refuses it, with another error when unreachable.
   */
  push(changes: Change[], baseRevision: Revision): Promise<void>;
  /** Hands the server a fresh token on the open connection, where the transport holds one. */
  renewToken?(token: string): Promise<void>;
  close(): void;
}

export interface ConnectOptions {
  token: string;
  clientIdentity: string | null;
  /** Pull from here; null asks for the whole state. */
  checkpoint: Revision;
}

export interface SyncTransport {
  readonly name: string;
  connect(options: ConnectOptions, handlers: TransportHandlers): TransportConnection;
}

/** What the service hands a transport factory: where BasicDB is, and its REST client (with the token policy). */
export interface TransportContext {
  serverUrl: string;
  socketUrl: string;
  projectId: string;
  schema: BasicSchema;
  rest: RestClient;
  WebSocket?: WebSocketConstructor;
  timeoutMs?: number;
}

/** The `transport` option of the sync service: builds the transport from the service's context. */
export type TransportFactory = (context: TransportContext) => SyncTransport;
