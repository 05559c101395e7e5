/**
 * The sync machine as a test model: which events can happen in a state (user and
 * network events, each invoked actor finishing or failing, each pending delay firing),
 * and a coarse state identity so traversal ends. Paths come from `xstate/graph`
 * traversing the real machine definition, so a new state or transition is covered
 * without anyone writing a new test.
 */
import type { AnyStateNode, EventObject, SnapshotFrom } from 'xstate';
import { MERGE_BATCH_SIZE } from '../../src/machines/syncMachine.js';
import { WHOLE_RECORD } from '../../src/merge/record.js';
import type { InboundFrame, PushOutput, RenewOutput, SyncMachineInput } from '../../src/machines/syncContract.js';
import type { SyncMachine } from '../../src/machines/syncMachine.js';

export type SyncSnapshot = SnapshotFrom<SyncMachine>;

export const MODEL_INPUT: SyncMachineInput = {
  debounceMs: 500,
  maxWaitMs: 1500,
  retryBaseMs: 1000,
  retryMaxMs: 8000,
  now: () => 0,
  random: () => 0.5,
};

const remote = { id: 'p1', name: 'remote', lastModified: 2, modifiedBy: 'b' };
const local = { id: 'p1', name: 'local', lastModified: 1, modifiedBy: 'a' };
const frame = (completesCatchUp: boolean): InboundFrame => ({
  changes: [{ type: 1, table: 'projects', key: 'p1', obj: remote }],
  revision: 1,
  checkpoint: true,
  completesCatchUp,
  fullSnapshot: false,
  afterEditing: false,
});
const lostWrite = { table: 'projects', id: 'p1', kind: 'overwritten', mine: local, lost: ['name'], at: 0 };

/** Outputs an invoked actor may finish with, by `src`. */
const OUTPUTS: Record<string, unknown[]> = {
  loadLocal: [{ pendingCount: 0, lastSyncedAt: null, lostWrites: [] }, { pendingCount: 1, lastSyncedAt: null, lostWrites: [] }],
  authenticate: [undefined],
  prepareRemote: [
    { inputs: [], quarantined: [] },
    { inputs: [{ table: 'projects', id: 'p1', rule: WHOLE_RECORD, local, remote }], quarantined: [] },
    // More records than one merge batch holds.
    { inputs: Array.from({ length: MERGE_BATCH_SIZE + 1 }, (_, i) => ({ table: 'projects', id: `r${i}`, rule: WHOLE_RECORD, remote: { ...remote, id: `r${i}` } })), quarantined: [] },
  ],
  mergeBatch: [
    [{ input: { table: 'projects', id: 'p1', local, remote }, decision: { id: 'p1', kind: 'take-remote', record: remote, remoteWon: true } }],
  ],
  applyDecisions: [{ pendingCount: 0, lostWrites: [] }, { pendingCount: 1, lostWrites: [lostWrite] }],
};

/** The connection actor's answers to a push request: all acknowledged, or more left to push. */
const PUSHED: PushOutput[] = [{ pendingCount: 0, rejected: [], accepted: [] }, { pendingCount: 1, rejected: [], accepted: [] }];
/** Its answers to a token renewal: a token that expires (as the local server's do), or one that does not say. */
const RENEWED: RenewOutput[] = [{ tokenExpiresAt: 7_200_000 }, { tokenExpiresAt: null }];

const transientError = Object.assign(new Error('network down'), { transient: true });
const permanentError = Object.assign(new Error('schema version differs'), { transient: false });

/** The active state nodes of a snapshot. */
export function activeNodes(snapshot: SyncSnapshot): AnyStateNode[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes;
}

/** A model event: any type, with whatever payload the real event carries. */
export type ModelEvent = EventObject & Record<string, unknown>;

/**
 * While a socket token is tracked, only what can end that: the token's own steps, the
 * socket dropping or reopening, and a remote frame failing to apply (which leaves `connected`
 * without CONNECTION.DOWN). Anything more would repeat the whole model once per token state.
 */
const WHILE_TOKEN_TRACKED = /^(CONNECTION\.(DOWN|OPEN)|TOKEN\.|REMOTE\.CHANGES|xstate\.done\.actor\.[^.]+\.sync\.(inbound|token)\.|xstate\.error\.actor\.[^.]+\.sync\.(inbound\.applying|token\.)|xstate\.after\.\w+\.sync\.(token|sync\.offline-retry))/;

const WHILE_FOLLOWING = /^(ROLE\.OWNER|OWNER\.STATUS|LOCAL\.CHANGED)$/;

/** Every event worth trying in `snapshot`, with representative payloads. */
export function eventsFor(snapshot: SyncSnapshot): ModelEvent[] {
  const c = snapshot.context;
  const events: ModelEvent[] = [
    { type: 'LOCAL.CHANGED', pendingCount: 1 },
    { type: 'FLUSH' },
    { type: 'NETWORK.ONLINE' },
    { type: 'NETWORK.OFFLINE' },
    { type: 'RETRY.NOW' },
    { type: 'CONNECTION.DOWN', reason: 'socket closed' },
  ];
  // The service reports a failed local write; writes wait until the store is loaded.
  if (c.localLoaded) events.push({ type: 'STORAGE.FAILED', reason: 'quota exceeded' });
  // Regions are mostly independent; interleaving every combination would explode the
  // model, so user editing happens between remote frames, and frames only while connected.
  const inboundIdle = c.inbound.length === 0 && !c.merging;
  if (inboundIdle && snapshot.matches({ sync: 'connected' })) {
    events.push({ type: 'REMOTE.CHANGES', frame: frame(snapshot.matches({ sync: { connected: 'reconciling' } })) });
  }
  // A second edit at once (so "one of several edits ends" is reachable), kept to a quiet
  // state so the model stays small.
  const quiet = snapshot.matches({ sync: { connected: 'idle' }, inbound: 'waiting' }) && Object.keys(c.held).length === 0;
  if (inboundIdle) {
    if (c.editing.length === 0 || (c.editing.length === 1 && quiet)) events.push({ type: 'EDITING.BEGAN', table: 'projects', id: `p${c.editing.length + 1}` });
    for (const key of c.editing) events.push({ type: 'EDITING.ENDED', table: 'projects', id: key.slice('projects/'.length) });
  }
  // The token region is independent of the others: its steps happen while the rest is quiet
  // (or the socket is gone), or every combination would multiply the model.
  const tokenSteps = inboundIdle && c.editing.length === 0 && (snapshot.matches({ sync: { connected: 'idle' } }) || !snapshot.matches({ sync: 'connected' }));
  // The socket opens by itself once connected, with a token that expires or one that does not
  // say; it opens again when the server closed it for an expired token.
  if (tokenSteps && snapshot.matches({ sync: 'connected' })) {
    events.push({ type: 'CONNECTION.OPEN', tokenExpiresAt: 3_600_000 }, { type: 'CONNECTION.OPEN', tokenExpiresAt: null });
  }
  // Tab roles: this tab is granted the sync role, or loses it to another tab (only in quiet
  // moments, or the model repeats itself per role); a follower hears the owner's status.
  const roleSteps = inboundIdle && c.editing.length === 0 && Object.keys(c.held).length === 0;
  if (snapshot.matches({ role: 'follower' })) events.push({ type: 'ROLE.OWNER' });
  else if (roleSteps && (snapshot.matches({ sync: { connected: 'idle' } }) || snapshot.matches({ sync: 'offline-retry' }) || snapshot.matches({ sync: 'authenticating' }))) {
    events.push({ type: 'ROLE.FOLLOWER' });
  }
  if (snapshot.matches({ sync: 'following' }) && !c.ownerStatus) {
    events.push({ type: 'OWNER.STATUS', status: { state: 'idle', lastSyncedAt: 1, lastError: null, nextRetryAt: null } });
  }
  // The connection actor answers the machine's requests with events.
  if (snapshot.matches({ sync: { connected: 'pushing' } })) {
    for (const output of PUSHED) events.push({ type: 'PUSH.DONE', output });
    events.push({ type: 'PUSH.FAILED', error: transientError });
  }
  if (tokenSteps && snapshot.matches({ token: 'renewing' })) {
    for (const output of RENEWED) events.push({ type: 'TOKEN.RENEWED', output });
    events.push({ type: 'TOKEN.RENEW_FAILED', reason: 'no tokenUpdateAck' });
  }
  if (c.lostWrites.length > 0) events.push({ type: 'NOTICE.DISMISS', table: 'projects', id: 'p1' });
  // A held record's merge actor reports its decision when editing ends (its own model covers how).
  if (c.held['projects/p1'] && c.editing.length === 0 && c.inbound.length === 0 && !c.merging) {
    events.push({ type: 'MERGE.DECIDED', table: 'projects', id: 'p1', input: { table: 'projects', id: 'p1', rule: WHOLE_RECORD, local, remote }, decision: { id: 'p1', kind: 'take-remote', record: remote, remoteWon: true } });
  }
  for (const node of activeNodes(snapshot)) {
    if (node.id.startsWith('sync.token.') && !tokenSteps) continue;
    for (const invoke of node.invoke) {
      const src = typeof invoke.src === 'string' ? invoke.src : '';
      for (const output of OUTPUTS[src] ?? []) {
        const large = src === 'prepareRemote' && (output as { inputs: unknown[] }).inputs.length > 1;
        if (large && (c.editing.length > 0 || !snapshot.matches({ sync: { connected: 'idle' } }))) continue;
        events.push({ type: `xstate.done.actor.${invoke.id}`, output, actorId: invoke.id });
      }
      if (src !== 'mergeBatch' && src !== 'remoteConnection') {
        events.push({ type: `xstate.error.actor.${invoke.id}`, error: transientError, actorId: invoke.id });
        if (src === 'authenticate') events.push({ type: `xstate.error.actor.${invoke.id}`, error: permanentError, actorId: invoke.id });
      }
    }
    for (const type of node.transitions.keys()) if (type.startsWith('xstate.after.')) events.push({ type });
  }
  if (!snapshot.matches({ token: 'untracked' })) return events.filter((e) => WHILE_TOKEN_TRACKED.test(e.type));
  // While following, what a follower can meet: its own writes, the owner's word, the role.
  if (snapshot.matches({ sync: 'following' })) return events.filter((e) => WHILE_FOLLOWING.test(e.type));
  return events;
}

/** A coarse identity: the state value and the context that guards read. */
export function serializeState(snapshot: SyncSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    pending: c.pendingCount > 0,
    inbound: c.inbound.length,
    merging: c.merging ? { batches: c.merging.batches.length, catchUp: c.merging.frame.completesCatchUp } : null,
    editing: c.editing.length,
    held: Object.keys(c.held).length,
    notices: c.lostWrites.length,
    retry: Math.min(c.retryAttempt, 1),
    ownerStatus: c.ownerStatus !== null,
  });
}

export function serializeEvent(event: EventObject): string {
  const { actorId: _a, error, output, ...rest } = event as EventObject & { actorId?: string; error?: Error; output?: unknown };
  return JSON.stringify({ ...rest, ...(error ? { error: error.message } : {}), ...(output !== undefined ? { output } : {}) });
}
