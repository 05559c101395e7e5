/** What the UI shows about sync, derived from the machine's snapshot. */
import type { SnapshotFrom } from 'xstate';
import type { LostWrite } from '../merge/lostWrite.js';
import type { Quarantined, SyncMachine } from '../machines/syncMachine.js';

export type SyncState = 'booting' | 'authenticating' | 'reconciling' | 'idle' | 'debouncing' | 'pushing' | 'offline-retry' | 'halted';

export interface SyncStatus {
  /** The sync region's state (the names of the statechart). */
  state: SyncState;
  /** Some record is being edited; its remote changes wait. */
  editingPaused: boolean;
  /** Local changes not yet acknowledged by the server. */
  pendingCount: number;
  lastSyncedAt: number | null;
  /** When offline-retry tries again. */
  nextRetryAt: number | null;
  lastError: string | null;
  /** Records refused (remote ones by validation, local ones by the server or schema). */
  quarantined: Quarantined[];
  /**
   * Writes of this user that another version overrode (a later edit elsewhere won over an
   * unacknowledged one, a delete won, or a newer version arrived while they were editing),
   * with the user's version, until they keep it (`keepMine`) or dismiss it.
   */
  lostWrites: LostWrite[];
}

type Snapshot = SnapshotFrom<SyncMachine>;

/** The sync region's state name. */
export function syncStateOf(snapshot: Snapshot): SyncState {
  const value = (snapshot.value as { sync: string | { connected: string | Record<string, unknown> } }).sync;
  if (typeof value === 'string') return value as SyncState;
  const connected = value.connected;
  return (typeof connected === 'string' ? connected : Object.keys(connected)[0]) as SyncState;
}

export function statusOf(snapshot: Snapshot): SyncStatus {
  const c = snapshot.context;
  return {
    state: syncStateOf(snapshot),
    editingPaused: snapshot.matches({ editing: 'editing-paused' }),
    pendingCount: c.pendingCount,
    lastSyncedAt: c.lastSyncedAt,
    nextRetryAt: syncStateOf(snapshot) === 'offline-retry' ? c.nextRetryAt : null,
    lastError: c.lastError,
    quarantined: c.quarantined,
    lostWrites: c.lostWrites,
  };
}

/** Settled: idle, nothing pending, no remote frame being merged. */
export function isSettled(snapshot: Snapshot): boolean {
  return (
    syncStateOf(snapshot) === 'idle' &&
    snapshot.context.pendingCount === 0 &&
    snapshot.context.inbound.length === 0 &&
    snapshot.matches({ inbound: 'waiting' })
  );
}
