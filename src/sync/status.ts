/** What the UI shows about sync, derived from the machine's snapshot. */
import type { SnapshotFrom } from 'xstate';
import type { LostWrite } from '../merge/lostWrite.js';
import type { Quarantined } from '../machines/syncContract.js';
import type { SyncMachine } from '../machines/syncMachine.js';

export type SyncState =
  | 'booting'
  | 'authenticating'
  | 'reconciling'
  | 'idle'
  | 'debouncing'
  | 'pushing'
  | 'offline-retry'
  | 'halted'
  /** Another tab syncs and has not said how it is doing yet. */
  | 'following';

export interface SyncStatus {
  /**
   * The sync region's state (the names of the statechart). In a follower tab, the owner
   * tab's state, except that it is never `idle` while this profile has changes pending.
   */
  state: SyncState;
  /** Whether this tab syncs (owner) or another tab of the profile does (follower). */
  role: 'owner' | 'follower';
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

/** The sync region's states, as the statechart names them (the connected ones first). */
const CONNECTED_STATES = ['reconciling', 'idle', 'debouncing', 'pushing'] as const;
const OTHER_STATES = ['booting', 'authenticating', 'offline-retry', 'following', 'halted'] as const;

/** The sync region's state name. */
export function syncStateOf(snapshot: Snapshot): SyncState {
  for (const state of CONNECTED_STATES) if (snapshot.matches({ sync: { connected: state } })) return state;
  for (const state of OTHER_STATES) if (snapshot.matches({ sync: state })) return state;
  throw new Error(`the sync region is in a state the status does not know: ${JSON.stringify(snapshot.value)}`);
}

/** A follower shows the owner's state; "synced" only when the shared outbox is empty too. */
function shownState(snapshot: Snapshot): SyncState {
  const own = syncStateOf(snapshot);
  if (own !== 'following') return own;
  const c = snapshot.context;
  const owners = (c.ownerStatus?.state ?? 'following') as SyncState;
  return owners === 'idle' && c.pendingCount > 0 ? 'debouncing' : owners;
}

export function statusOf(snapshot: Snapshot): SyncStatus {
  const c = snapshot.context;
  const following = syncStateOf(snapshot) === 'following';
  const state = shownState(snapshot);
  return {
    state,
    role: snapshot.matches({ role: 'owner' }) ? 'owner' : 'follower',
    editingPaused: snapshot.matches({ editing: 'editing-paused' }),
    pendingCount: c.pendingCount,
    lastSyncedAt: following ? (c.ownerStatus?.lastSyncedAt ?? c.lastSyncedAt) : c.lastSyncedAt,
    nextRetryAt: state !== 'offline-retry' ? null : following ? (c.ownerStatus?.nextRetryAt ?? null) : c.nextRetryAt,
    lastError: following ? (c.ownerStatus?.lastError ?? null) : c.lastError,
    quarantined: c.quarantined,
    lostWrites: c.lostWrites,
  };
}

/** Settled: synced (idle), nothing pending, no remote frame being merged. */
export function isSettled(snapshot: Snapshot): boolean {
  return (
    snapshot.hasTag('synced') &&
    snapshot.context.pendingCount === 0 &&
    snapshot.context.inbound.length === 0 &&
    snapshot.matches({ inbound: 'waiting' })
  );
}
