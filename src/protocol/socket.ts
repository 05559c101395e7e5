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
export type ClientFrame = ClientIdentityFrame | ClientChangesFrame | SubscribeFrame;

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
}
export interface AckFrame {
  type: 'ack';
  requestId: number | string;
}
export interface ErrorFrame {
  type: 'error';
  requestId: number | string | null;
  message: string;
}
export type ServerFrame = ServerIdentityFrame | ServerChangesFrame | AckFrame | ErrorFrame;
