/**
 * What the sync machine and the world agree on: the events it takes, what it emits, and
 * the inputs and outputs of the actors `src/sync/` provides for it. Kept apart from the
 * chart so the diagram's file holds only the chart.
 */
import type { LostWrite } from '../merge/lostWrite.js';
import type { RecordRef, SyncRecord } from '../merge/record.js';
import type { DecidedRecord, TableMergeInput } from '../merge/decisionActors.js';
import type { MergeDecidedEvent } from './recordMerge.js';

export type { DecidedRecord, TableMergeInput };

export interface Quarantined {
  table: string;
  id: string;
  reason: string;
}

/** Where the server's log stands (opaque: the server's revision); null before the first sync. */
export type Checkpoint = number | string | null;

/** One frame of remote changes waiting to be merged. */
export interface InboundFrame {
  /** Changes as the server sent them: checked and read by `prepareRemote`, opaque to the chart. */
  changes: unknown[];
  /** Versions that need no checking (records a snapshot showed deleted): merged like the others. */
  versions?: Array<{ table: string; record: SyncRecord }>;
  /** Decisions already made (a record held while edited, decided when editing ended): applied as they are. */
  decided?: DecidedRecord[];
  /** The server revision reached once this frame is applied; null for decided and local frames. */
  revision: Checkpoint;
  /** Save `revision` as the checkpoint after applying (false for partial pages). */
  checkpoint: boolean;
  /** The last page of the catch-up after (re)connecting. */
  completesCatchUp: boolean;
  /** The catch-up is the server's whole state (first sync, or the server was reset). */
  fullSnapshot: boolean;
  /** Decisions on records the user was editing: what they override of the user's work is lost to them. */
  afterEditing: boolean;
  /**
   * A full snapshot sent because the checkpoint is older than the server's horizon: a
   * record synced before that the snapshot lacks was deleted there, not lost.
   */
  deletesForgotten?: boolean;
}

export interface PreparedFrame {
  inputs: Array<Omit<TableMergeInput, 'editing'>>;
  quarantined: Quarantined[];
}

export interface ApplyInput {
  decisions: DecidedRecord[];
  /** Remote versions of records being edited, waiting in live merge actors: kept in storage too, in case the page goes away. */
  held?: Array<{ table: string; record: SyncRecord }>;
  /** Set on the last chunk of a frame whose revision becomes the checkpoint. */
  checkpoint?: Checkpoint;
  /** On the last chunk of a full snapshot: every record it held (`refKey`), to re-push what the server lacks. */
  snapshotKeys?: string[];
  /** The user was editing these records: what a remote version overrides of theirs is lost to them. */
  afterEditing?: boolean;
  /** With `snapshotKeys`: records missing from the snapshot were deleted on the server (see `InboundFrame`). */
  deletesForgotten?: boolean;
}

export interface ApplyOutput {
  pendingCount: number;
  /** Writes of this user that remote versions overrode (unacknowledged, or made while editing). */
  lostWrites: LostWrite[];
  /** Synced records a snapshot showed deleted on the server: merged next as remote deletes. */
  deletedRemotely?: Array<{ table: string; id: string }>;
}

export interface PushOutput {
  pendingCount: number;
  /** Records the server acknowledged. */
  accepted: Array<{ table: string; id: string }>;
  /** Records the server or the schema refused; reported, not retried until changed. */
  rejected: Quarantined[];
}

export interface LoadOutput {
  pendingCount: number;
  lastSyncedAt: number | null;
  /** Lost writes the user has not dismissed yet (they survive a reload). */
  lostWrites: LostWrite[];
}

export interface RenewOutput {
  /** When the new token expires (ms since the epoch); null when it does not say, or the connection holds no token. */
  tokenExpiresAt: number | null;
}

/** What the owner tab tells the others about its sync (they show it as their own). */
export interface OwnerStatus {
  state: string;
  lastSyncedAt: number | null;
  lastError: string | null;
  nextRetryAt: number | null;
}

export interface SyncMachineInput {
  debounceMs: number;
  maxWaitMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Wall clock (for status times); tests pass a simulated one. */
  now: () => number;
  /** [0, 1) source for retry jitter; tests pass a fixed one. */
  random: () => number;
}

export type SyncEvent =
  | { type: 'LOCAL.CHANGED'; pendingCount: number }
  | ({ type: 'EDITING.BEGAN' } & RecordRef)
  /** `local`: the record as the user left it, for the held merge actor to decide against (null: none). */
  | ({ type: 'EDITING.ENDED'; local?: SyncRecord | null } & RecordRef)
  | { type: 'CONNECTION.OPEN'; tokenExpiresAt: number | null }
  | { type: 'CONNECTION.DOWN'; reason: string }
  | { type: 'PUSH.DONE'; output: PushOutput }
  | { type: 'PUSH.FAILED'; error: unknown }
  | { type: 'TOKEN.RENEWED'; output: RenewOutput }
  | { type: 'TOKEN.RENEW_FAILED'; reason: string }
  | { type: 'REMOTE.CHANGES'; frame: InboundFrame }
  | MergeDecidedEvent
  | { type: 'CATCH_UP.APPLIED' }
  | { type: 'INBOUND.FAILED'; reason: string }
  | { type: 'NETWORK.ONLINE' }
  | { type: 'NETWORK.OFFLINE' }
  | { type: 'RETRY.NOW' }
  | { type: 'FLUSH' }
  | { type: 'STORAGE.FAILED'; reason: string }
  | { type: 'NOTICE.DISMISS'; table: string; id: string }
  | { type: 'ROLE.OWNER' }
  | { type: 'ROLE.FOLLOWER' }
  | { type: 'OWNER.STATUS'; status: OwnerStatus };

/**
 * What the machine asks of the connection actor (`remoteConnection`), which holds the
 * open connection: push the outbox (answered by `PUSH.DONE` or `PUSH.FAILED`), hand the
 * server a fresh token (answered by `TOKEN.RENEWED` or `TOKEN.RENEW_FAILED`).
 */
export type ConnectionRequest = { type: 'PUSH.REQUESTED' } | { type: 'TOKEN.RENEW' };

export type SyncEmitted =
  | { type: 'write-lost'; lostWrite: LostWrite }
  | { type: 'quarantined'; records: Quarantined[] }
  | { type: 'error'; message: string };
