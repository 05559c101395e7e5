/**
 * Frames of BasicDB's `/ws` socket: the Dexie.Syncable "websocket" protocol.
 * See `docs/reference/basicdb-protocol.md`. Shared by client and server.
 */
import type { BasicSchema, RecordValue } from './schema.js';

/** Dexie.Syncable change types. */
export const CREATE = 1;
export const UPDATE = 2;
export const DELETE = 3;

/** A create is an upsert of the whole record; `obj.id` equals `key`. */
export interface CreateChange {
  type: typeof CREATE;
  table: string;
  key: string;
  obj: RecordValue;
}

/** Key-path modifications (`{"meta.updated": true}`); `null` removes a property. */
export interface UpdateChange {
  type: typeof UPDATE;
  table: string;
  key: string;
  mods: Record<string, unknown>;
}

export interface DeleteChange {
  type: typeof DELETE;
  table: string;
  key: string;
}

export type Change = CreateChange | UpdateChange | DeleteChange;

/** Revisions are opaque to clients; this server uses per-account integers. */
export type Revision = number | string | null;

// Client -> server
export interface ClientIdentityFrame {
  type: 'clientIdentity';
  clientIdentity: string | null;
  authToken: string;
  schema?: BasicSchema;
}
export interface ClientChangesFrame {
  type: 'changes';
  changes: Change[];
  partial: boolean;
  baseRevision: Revision;
  requestId: number | string;
}
export interface SubscribeFrame {
  type: 'subscribe';
  syncedRevision: Revision;
}
/** Newer SDKs: a fresh access token on the open socket, instead of reconnecting. */
export interface TokenUpdateFrame {
  type: 'tokenUpdate';
  authToken: string;
}
export type ClientFrame = ClientIdentityFrame | ClientChangesFrame | SubscribeFrame | TokenUpdateFrame;

// Server -> client
export interface ServerIdentityFrame {
  type: 'clientIdentity';
  clientIdentity: string;
}
export interface ServerChangesFrame {
  type: 'changes';
  changes: Change[];
  currentRevision: Revision;
  partial: boolean;
  /**
   * This project's server: the catch-up is the account's whole state, because the
   * client's revision is older than the server's retention horizon (deletes before it are
   * forgotten). A record the client synced earlier and this snapshot lacks was deleted.
   */
  snapshot?: boolean;
}
export interface AckFrame {
  type: 'ack';
  requestId: number | string;
}
/**
 * Why the server refused something. Newer SDKs reconnect with a fresh token after
 * `TOKEN_EXPIRED` or `UNAUTHORIZED`; 0.5.0 reads only `message`.
 */
export type ErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'TOKEN_EXPIRED' | 'RATE_LIMITED';
export interface ErrorFrame {
  type: 'error';
  requestId: number | string | null;
  code?: ErrorCode;
  message: string;
}
/** The answer to `tokenUpdate`: accepted, or refused with a reason (the client reconnects). */
export interface TokenUpdateAckFrame {
  type: 'tokenUpdateAck';
  ok: boolean;
  code?: ErrorCode;
  message?: string;
}
export type ServerFrame = ServerIdentityFrame | ServerChangesFrame | AckFrame | ErrorFrame | TokenUpdateAckFrame;
