/**
 * The sync statechart. Three parallel regions:
 *
 * - `sync`: booting -> authenticating -> connected (reconciling -> idle <-> debouncing
 *   -> pushing) and offline-retry when anything remote fails.
 * - `inbound`: every `changes` frame from the server (catch-up pages, then live
 *   changes) is checked, decided record by record by `recordMerge` actors in bounded
 *   batches, and joined into the local store; so are decisions on records held while edited.
 * - `editing`: not-editing / editing-paused. A record being edited gets one live
 *   `recordMerge` actor (`held:<table>/<id>`) that holds its remote versions, decides
 *   when editing ends, and reports the decision (`MERGE.DECIDED`) to be applied.
 * - `token`: the open connection's access token (the socket holds one) is renewed on it before it
 *   expires (`tokenUpdate`), so a token refresh does not cost a reconnect.
 * - `role`: owner / follower among the tabs of one browser profile. Only the owner
 *   syncs; a follower's `sync` region waits in `following` and shows the owner's status.
 *
 * Every side effect is an actor provided by `src/sync/` (`syncService.ts`); this file
 * only says when each one runs. The stubs below keep the chart testable on its own.
 */
import { assertEvent, assign, enqueueActions, fromCallback, fromPromise, raise, sendTo, setup, stateIn, stopChild, type ActorRefFrom, type EventObject } from 'xstate';
import type { LostWrite } from '../merge/lostWrite.js';
import type { SyncRecord } from '../merge/record.js';
import { deletedOnServer, refKey } from '../merge/record.js';
import { mergeBatch, type DecidedRecord } from '../merge/decisionActors.js';
import { recordMergeMachine } from './recordMerge.js';
import type {
  ApplyInput,
  ApplyOutput,
  ConnectionRequest,
  InboundFrame,
  LoadOutput,
  OwnerStatus,
  PreparedFrame,
  PushOutput,
  Quarantined,
  RenewOutput,
  SyncEmitted,
  SyncEvent,
  SyncMachineInput,
  TableMergeInput,
} from './syncContract.js';

/**
 * Records per decided batch: each batch is one step (decide, then apply with one storage
 * write pass). It bounds the work of a step, not the time the page's thread is held: the
 * steps of a frame follow each other in microtasks when storage is synchronous
 * (localStorage), so a 2,000-record page is one task (40-170 ms in Chromium, measured).
 */
export const MERGE_BATCH_SIZE = 1000;

export interface SyncContext extends SyncMachineInput {
  /** Local records are in memory: the UI can read them. */
  localLoaded: boolean;
  pendingCount: number;
  lastSyncedAt: number | null;
  lastError: string | null;
  retryAttempt: number;
  retryDelayMs: number;
  nextRetryAt: number | null;
  /** Frames waiting to be merged, oldest first. */
  inbound: InboundFrame[];
  /** The frame being merged, split into batches. */
  merging: {
    frame: InboundFrame;
    batches: Array<Omit<TableMergeInput, 'editing'>[]>;
    decided: DecidedRecord[];
    /** Remote versions of records being edited, handed to their live merge actors, to keep in storage too. */
    held: Array<{ table: string; record: SyncRecord }>;
  } | null;
  /** Records seen in the current full snapshot (`refKey`). */
  snapshotKeys: string[];
  /** Records the user is editing (`refKey`). */
  editing: string[];
  /** Live merge actors of records held while edited, by `refKey`. */
  held: Record<string, ActorRefFrom<typeof recordMergeMachine>>;
  /** Writes of this user that other versions overrode, until the user keeps or dismisses them. */
  lostWrites: LostWrite[];
  /** Remote records refused by validation, and local ones refused by the server. */
  quarantined: Quarantined[];
  /** When the open connection's access token expires; null when it does not say or holds none. */
  tokenExpiresAt: number | null;
  /** While following: the owner tab's last word about its sync. */
  ownerStatus: OwnerStatus | null;
}

const notProvided = (name: string) => () => Promise.reject(new Error(`actor ${name} was not provided`));

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^attempt)). */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/** Renew a token a minute before it expires (as Basic's SDK does), or halfway for short-lived ones. */
export const TOKEN_RENEW_BEFORE_MS = 60_000;
/** `setTimeout` holds at most ~24.8 days; a longer-lived token is renewed then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Never renew more often: a `getToken` that keeps answering the same token must not spin. */
const MIN_RENEW_DELAY_MS = 1000;

/** How long to wait before renewing a token that expires at `expiresAt`. */
export function tokenRenewalDelay(expiresAt: number, now: number): number {
  const remaining = expiresAt - now;
  return Math.min(MAX_TIMER_MS, Math.max(MIN_RENEW_DELAY_MS, remaining - TOKEN_RENEW_BEFORE_MS, Math.floor(remaining / 2)));
}

/** A readable reason from a failure event or an actor's error event. */
function failureReason(event: EventObject): string {
  if (event.type === 'NETWORK.OFFLINE') return 'the browser is offline';
  if ('reason' in event) return String(event.reason);
  if ('error' in event) {
    const error = event.error as { message?: unknown } | undefined;
    return String(error?.message ?? error);
  }
  return event.type;
}



/** `list` with `add` in it, replacing an entry for the same record. */
function withLostWrites(list: LostWrite[], add: LostWrite[]): LostWrite[] {
  if (add.length === 0) return list;
  const added = new Set(add.map(refKey));
  return [...list.filter((l) => !added.has(refKey(l))), ...add];
}

/** The quarantine list with `add` reported and `cleared` (since synced fine) taken off; at most 100. */
function updateQuarantine(list: Quarantined[], add: Quarantined[], cleared: Array<{ table: string; id: string }> = []): Quarantined[] {
  if (add.length === 0 && (list.length === 0 || cleared.length === 0)) return list;
  const byKey = new Map(list.map((q) => [refKey(q), q]));
  for (const ref of cleared) byKey.delete(refKey(ref));
  for (const q of add) byKey.set(refKey(q), q);
  return [...byKey.values()].slice(-100);
}

/** A new connection (the old one closed and reconnected inside the connection actor) brings a new token. */
const connectionReopened = [
  { guard: 'tokenExpires', target: 'fresh', reenter: true, actions: 'noteConnectionToken' },
  { target: 'untracked', actions: 'noteConnectionToken' },
] as const;

export const syncMachine = setup({
  types: {
    input: {} as SyncMachineInput,
    context: {} as SyncContext,
    events: {} as SyncEvent,
    emitted: {} as SyncEmitted,
  },
  actors: {
    recordMerge: recordMergeMachine,
    mergeBatch,
    loadLocal: fromPromise<LoadOutput>(notProvided('loadLocal')),
    authenticate: fromPromise<void>(notProvided('authenticate')),
    // The connection to BasicDB (any transport): it sends remote changes and connection
    // events back, and takes push and token requests (`ConnectionRequest`) as events.
    remoteConnection: fromCallback<ConnectionRequest>(() => {
      throw new Error('actor remoteConnection was not provided');
    }),
    prepareRemote: fromPromise<PreparedFrame, InboundFrame>(notProvided('prepareRemote')),
    applyDecisions: fromPromise<ApplyOutput, ApplyInput>(notProvided('applyDecisions')),
    // Without other tabs (Node, tests) this one is the owner at once.
    electOwner: fromCallback<EventObject>(({ sendBack }) => {
      sendBack({ type: 'ROLE.OWNER' });
    }),
  },
  delays: {
    debounce: ({ context }) => context.debounceMs,
    maxWait: ({ context }) => context.maxWaitMs,
    retryDelay: ({ context }) => context.retryDelayMs,
    tokenRenewal: ({ context }) => tokenRenewalDelay(context.tokenExpiresAt ?? 0, context.now()),
  },
  guards: {
    hasPending: ({ context }) => context.pendingCount > 0,
    /** Errors marked `transient: false` (4xx other than a first 401, schema mismatch). */
    isPermanentFailure: ({ event }) => (event as { error?: { transient?: boolean } }).error?.transient === false,
    hasInboundFrame: ({ context }) => context.inbound.length > 0,
    hasMoreBatches: ({ context }) => (context.merging?.batches.length ?? 0) > 0,
    frameCompletesCatchUp: ({ context }) => context.merging?.frame.completesCatchUp === true,
    /** Every record is refused, or being edited (its live merge actor decides it): no batch actor. */
    nothingToDecide: ({ context }, prepared: PreparedFrame) => prepared.inputs.every((r) => context.editing.includes(refKey(r))),
    nextFrameIsDecided: ({ context }) => context.inbound[0]?.decided !== undefined,
    pushLeftPending: (_, pushed: PushOutput) => pushed.pendingCount > 0,
    tokenExpires: ({ event }) => event.type === 'CONNECTION.OPEN' && event.tokenExpiresAt !== null,
    isConnected: stateIn({ sync: 'connected' }),
    isOwner: stateIn({ role: 'owner' }),
    renewedTokenExpires: (_, renewed: RenewOutput) => renewed.tokenExpiresAt !== null,
    lastEditEnds: ({ context, event }) =>
      event.type === 'EDITING.ENDED' && context.editing.length === 1 && context.editing[0] === refKey(event),
  },
  actions: {
    storeLoaded: assign((_, out: LoadOutput) => {
      return { pendingCount: out.pendingCount, lastSyncedAt: out.lastSyncedAt, lostWrites: out.lostWrites, localLoaded: true };
    }),
    updatePending: assign({
      pendingCount: ({ context, event }) => ('pendingCount' in event ? (event.pendingCount as number) : context.pendingCount),
    }),
    storePushed: assign(({ context }, out: PushOutput) => {
      return { pendingCount: out.pendingCount, quarantined: updateQuarantine(context.quarantined, out.rejected, out.accepted) };
    }),
    markSynced: assign(({ context }) => ({ lastSyncedAt: context.now(), lastError: null, retryAttempt: 0, nextRetryAt: null })),
    noteFailure: enqueueActions(({ context, event, enqueue }) => {
      const reason = failureReason(event);
      // Log once per outage, not on every retry.
      if (context.retryAttempt === 0) enqueue.emit({ type: 'error', message: reason });
      enqueue.assign({ lastError: reason });
    }),
    scheduleRetry: assign(({ context }) => {
      const retryDelayMs = fullJitterDelay(context.retryAttempt, context.retryBaseMs, context.retryMaxMs, context.random);
      return { retryDelayMs, retryAttempt: context.retryAttempt + 1, nextRetryAt: context.now() + retryDelayMs };
    }),
    clearRetry: assign({ nextRetryAt: null }),
    reportStorageFailure: assign(({ event }) => {
      assertEvent(event, 'STORAGE.FAILED');
      return { lastError: event.reason };
    }),
    queueInbound: assign(({ context, event }) => {
      assertEvent(event, 'REMOTE.CHANGES');
      return { inbound: [...context.inbound, event.frame] };
    }),
    startFrame: enqueueActions(({ context, enqueue }, prepared: PreparedFrame) => {
      const [frame, ...rest] = context.inbound;
      const isEdited = (r: Omit<TableMergeInput, 'editing'>) => context.editing.includes(refKey(r));
      const toDecide = prepared.inputs.filter((r) => !isEdited(r));
      const edited = prepared.inputs.filter(isEdited);
      const batches: Array<Omit<TableMergeInput, 'editing'>[]> = [];
      for (let i = 0; i < toDecide.length; i += MERGE_BATCH_SIZE) batches.push(toDecide.slice(i, i + MERGE_BATCH_SIZE));
      const snapshotKeys = frame!.fullSnapshot ? [...context.snapshotKeys, ...prepared.inputs.map(refKey)] : context.snapshotKeys;
      enqueue.assign({
        inbound: rest,
        merging: { frame: frame!, batches, decided: [], held: edited.map((r) => ({ table: r.table, record: r.remote! })) },
        snapshotKeys,
        quarantined: updateQuarantine(context.quarantined, prepared.quarantined, prepared.inputs),
      });
      // A record being edited is decided by one live merge actor of its own, which holds its
      // remote versions until editing ends and then reports its decision (MERGE.DECIDED).
      for (const input of edited) {
        const key = refKey(input);
        const existing = context.held[key];
        if (existing) enqueue.sendTo(existing, { type: 'REMOTE.ARRIVED', remote: input.remote! });
        else {
          enqueue.assign({
            held: ({ context: c, spawn }) => ({ ...c.held, [key]: spawn('recordMerge', { id: `held:${key}`, input: { ...input, editing: true } }) }),
          });
        }
      }
    }),
    startDecidedFrame: assign(({ context }) => {
      const [frame, ...rest] = context.inbound;
      return { inbound: rest, merging: { frame: frame!, batches: [], decided: frame!.decided ?? [], held: [] } };
    }),
    emitQuarantined: enqueueActions(({ enqueue }, prepared: PreparedFrame) => {
      const records = prepared.quarantined;
      if (records.length > 0) enqueue.emit({ type: 'quarantined', records });
    }),
    dropFrame: assign({ inbound: ({ context }) => context.inbound.slice(1) }),
    storeDecisions: assign(({ context }, decided: DecidedRecord[]) => ({
      merging: { ...context.merging!, batches: context.merging!.batches.slice(1), decided },
    })),
    forgetHeldVersions: assign(({ context }) => ({ merging: context.merging && { ...context.merging, held: [] } })),
    noteApplied: enqueueActions(({ context, enqueue }, out: ApplyOutput) => {
      for (const lostWrite of out.lostWrites) enqueue.emit({ type: 'write-lost', lostWrite });
      enqueue.assign({ pendingCount: out.pendingCount, lostWrites: withLostWrites(context.lostWrites, out.lostWrites) });
      const deleted = out.deletedRemotely ?? [];
      if (deleted.length > 0) {
        // Decided like any remote delete, by merge actors (a restore made here still wins).
        const frame: InboundFrame = {
          changes: [],
          versions: deleted.map(({ table, id }) => ({ table, record: deletedOnServer(id) })),
          revision: null,
          checkpoint: false,
          completesCatchUp: false,
          fullSnapshot: false,
          afterEditing: false,
        };
        enqueue.assign({ inbound: ({ context: c }) => [...c.inbound, frame] });
      }
    }),
    finishFrame: assign(({ context }) => ({
      merging: null,
      snapshotKeys: context.merging?.frame.completesCatchUp ? [] : context.snapshotKeys,
    })),
    announceCatchUp: raise({ type: 'CATCH_UP.APPLIED' }),
    reportInboundFailure: enqueueActions(({ event, enqueue }) => {
      const reason = `applying remote changes failed: ${failureReason(event)}`;
      // Drop what is queued: reconnecting resumes from the saved checkpoint, so nothing is skipped.
      enqueue.assign({ merging: null, snapshotKeys: [], inbound: [], lastError: reason });
      enqueue.raise({ type: 'INBOUND.FAILED', reason });
    }),
    addEditing: assign(({ context, event }) => {
      assertEvent(event, 'EDITING.BEGAN');
      const key = refKey(event);
      return { editing: context.editing.includes(key) ? context.editing : [...context.editing, key] };
    }),
    removeEditing: assign(({ context, event }) => {
      assertEvent(event, 'EDITING.ENDED');
      return { editing: context.editing.filter((key) => key !== refKey(event)) };
    }),
    /** Editing ended: the record's live merge actor decides again against the record as the user left it. */
    releaseHeld: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'EDITING.ENDED');
      const ref = context.held[refKey(event)];
      if (ref) enqueue.sendTo(ref, event.local === undefined ? { type: 'EDITING.ENDED' } : { type: 'EDITING.ENDED', local: event.local });
    }),
    /** A held record's decision, queued to be applied in order with remote frames. */
    queueDecided: assign(({ context, event }) => {
      assertEvent(event, 'MERGE.DECIDED');
      const { [refKey(event)]: _done, ...held } = context.held;
      const frame: InboundFrame = {
        changes: [],
        decided: [{ input: event.input, decision: event.decision }],
        revision: null,
        checkpoint: false,
        completesCatchUp: false,
        fullSnapshot: false,
        afterEditing: true,
      };
      return { held, inbound: [...context.inbound, frame] };
    }),
    stopDecided: stopChild(({ event }) => {
      assertEvent(event, 'MERGE.DECIDED');
      return `held:${refKey(event)}`;
    }),
    noteConnectionToken: assign(({ event }) => {
      assertEvent(event, 'CONNECTION.OPEN');
      return { tokenExpiresAt: event.tokenExpiresAt };
    }),
    /** Asks the connection actor to push the outbox; it answers PUSH.DONE or PUSH.FAILED. */
    requestPush: sendTo('connection', { type: 'PUSH.REQUESTED' } satisfies ConnectionRequest),
    /** Asks the connection actor for a token renewal; it answers TOKEN.RENEWED or TOKEN.RENEW_FAILED. */
    requestTokenRenewal: sendTo('connection', { type: 'TOKEN.RENEW' } satisfies ConnectionRequest),
    noteRenewedToken: assign((_, renewed: RenewOutput) => ({ tokenExpiresAt: renewed.tokenExpiresAt })),
    noteOwnerStatus: assign(({ event }) => {
      assertEvent(event, 'OWNER.STATUS');
      return { ownerStatus: event.status };
    }),
    forgetOwnerStatus: assign({ ownerStatus: null }),
    dismissNotice: assign(({ context, event }) => {
      assertEvent(event, 'NOTICE.DISMISS');
      return { lostWrites: context.lostWrites.filter((l) => refKey(l) !== refKey(event)) };
    }),
  },
}).createMachine({
  id: 'sync',
  type: 'parallel',
  context: ({ input }) => ({
    ...input,
    localLoaded: false,
    pendingCount: 0,
    lastSyncedAt: null,
    lastError: null,
    retryAttempt: 0,
    retryDelayMs: 0,
    nextRetryAt: null,
    inbound: [],
    merging: null,
    snapshotKeys: [],
    editing: [],
    held: {},
    lostWrites: [],
    quarantined: [],
    tokenExpiresAt: null,
    ownerStatus: null,
  }),
  on: {
    'STORAGE.FAILED': { actions: 'reportStorageFailure' },
    'NOTICE.DISMISS': { actions: 'dismissNotice' },
  },
  states: {
    sync: {
      description: 'Connection and pushing.',
      // Every state counts pending changes; idle and debouncing also react to them.
      on: { 'LOCAL.CHANGED': { actions: 'updatePending' } },
      initial: 'booting',
      states: {
        booting: {
          description: 'Load local records, the outbox and sync metadata from unstorage; the UI can render from local data as soon as this is done.',
          tags: ['busy'],
          invoke: {
            src: 'loadLocal',
            onDone: [
              { guard: 'isOwner', target: 'authenticating', actions: { type: 'storeLoaded', params: ({ event }) => event.output } },
              { target: 'following', actions: { type: 'storeLoaded', params: ({ event }) => event.output } },
            ],
            onError: { target: 'halted', actions: 'noteFailure' },
          },
        },
        authenticating: {
          description: "Get an access token (cached until shortly before its `exp`) and check the server's published schema version.",
          tags: ['busy'],
          on: {
            'NETWORK.OFFLINE': { target: 'offline-retry', actions: 'noteFailure' },
            'ROLE.FOLLOWER': 'following',
          },
          invoke: {
            src: 'authenticate',
            onDone: { target: 'connected', actions: 'clearRetry' },
            onError: [
              { guard: 'isPermanentFailure', target: 'halted', actions: 'noteFailure' },
              { target: 'offline-retry', actions: 'noteFailure' },
            ],
          },
        },
        connected: {
          description: 'The connection to BasicDB (the sync socket, or REST polling) is open or opening and lives across all of these states, as the `remoteConnection` actor; losing it means offline-retry.',
          invoke: { src: 'remoteConnection', id: 'connection' },
          on: {
            'CONNECTION.DOWN': { target: 'offline-retry', actions: 'noteFailure' },
            'INBOUND.FAILED': { target: 'offline-retry', actions: 'noteFailure' },
            'NETWORK.OFFLINE': { target: 'offline-retry', actions: 'noteFailure' },
            'ROLE.FOLLOWER': '#sync.sync.following',
          },
          initial: 'reconciling',
          states: {
            reconciling: {
              description: 'Catching up from the revision checkpoint (or the whole table on a first sync); every record is decided by a merge actor. Nothing is pushed yet.',
              tags: ['busy'],
              on: {
                'CATCH_UP.APPLIED': [
                  { guard: 'hasPending', target: 'pushing' },
                  { target: 'idle', actions: 'markSynced' },
                ],
              },
            },
            idle: {
              description: 'Synced: everything local is acknowledged by the server (or refused and reported). Live remote changes are merged as they arrive.',
              tags: ['synced'],
              // A merge can queue a local winner for pushing (the server had an older one).
              always: { guard: 'hasPending', target: 'debouncing' },
              on: {
                'LOCAL.CHANGED': { target: 'debouncing', actions: 'updatePending' },
              },
            },
            debouncing: {
              description: 'Local changes wait for typing to pause (`debounce`, restarted by each change); `maxWait` bounds the wait under continuous edits.',
              tags: ['busy'],
              after: { maxWait: 'pushing' },
              on: { FLUSH: 'pushing' },
              initial: 'quiet',
              states: {
                quiet: {
                  description: 'No change for a moment yet; a new local change restarts this wait.',
                  after: { debounce: '#sync.sync.connected.pushing' },
                  on: { 'LOCAL.CHANGED': { target: 'quiet', reenter: true, actions: 'updatePending' } },
                },
              },
            },
            pushing: {
              description: 'One batch of the coalesced outbox (latest version per record) is on its way; entries are cleared only when the server acks them.',
              tags: ['busy'],
              entry: 'requestPush',
              on: {
                'PUSH.DONE': [
                  {
                    guard: { type: 'pushLeftPending', params: ({ event }) => event.output },
                    target: 'debouncing',
                    actions: { type: 'storePushed', params: ({ event }) => event.output },
                  },
                  { target: 'idle', actions: [{ type: 'storePushed', params: ({ event }) => event.output }, 'markSynced'] },
                ],
                'PUSH.FAILED': { target: '#sync.sync.offline-retry', actions: 'noteFailure' },
              },
            },
          },
        },
        'offline-retry': {
          description: 'The remote is unreachable or failing: local work goes on; retry after an exponential backoff with full jitter, or at once when the browser is online again.',
          tags: ['offline'],
          entry: 'scheduleRetry',
          after: { retryDelay: 'authenticating' },
          on: {
            'NETWORK.ONLINE': 'authenticating',
            'RETRY.NOW': 'authenticating',
            'ROLE.FOLLOWER': 'following',
          },
        },
        following: {
          description: 'Another tab of this browser profile syncs for this user: this one reads and writes the shared local store, opens no socket, and shows the owner tab\'s status; it takes over when that tab closes or stops answering.',
          entry: 'clearRetry',
          exit: 'forgetOwnerStatus',
          on: {
            'ROLE.OWNER': 'authenticating',
            'OWNER.STATUS': { actions: 'noteOwnerStatus' },
          },
        },
        halted: {
          description: "A failure that retrying will not fix (the local store cannot be read, or the server refuses this app's schema version or this user): nothing syncs until asked again; local editing goes on.",
          tags: ['attention'],
          on: { 'RETRY.NOW': 'booting' },
        },
      },
    },
    inbound: {
      description: 'Remote changes (catch-up pages, live changes) and decisions on records held while edited, applied one frame at a time.',
      initial: 'waiting',
      on: {
        'REMOTE.CHANGES': { actions: 'queueInbound' },
        'MERGE.DECIDED': { actions: ['queueDecided', 'stopDecided'] },
      },
      states: {
        waiting: {
          description: 'No remote change waiting to be merged.',
          always: [
            // A held record decided after editing: nothing to check or decide, only to apply.
            { guard: 'nextFrameIsDecided', target: 'applying', actions: 'startDecidedFrame' },
            { guard: 'hasInboundFrame', target: 'preparing' },
          ],
        },
        preparing: {
          description: "Check the frame's records (schema, ids, prototype keys, clock drift), quarantine bad ones, and look up their local versions.",
          invoke: {
            src: 'prepareRemote',
            input: ({ context }) => context.inbound[0]!,
            onDone: [
              // Nothing to decide (all refused, or an empty page): no batch actor at all.
              {
                guard: { type: 'nothingToDecide', params: ({ event }) => event.output },
                target: 'applying',
                actions: [
                  { type: 'startFrame', params: ({ event }) => event.output },
                  { type: 'emitQuarantined', params: ({ event }) => event.output },
                ],
              },
              {
                target: 'deciding',
                actions: [
                  { type: 'startFrame', params: ({ event }) => event.output },
                  { type: 'emitQuarantined', params: ({ event }) => event.output },
                ],
              },
            ],
            onError: { target: 'waiting', actions: ['dropFrame', 'reportInboundFailure'] },
          },
        },
        deciding: {
          description: 'One bounded batch of records, each decided by its own child actor of the invoked mergeBatch actor (done as soon as it starts, its output the decision).',
          invoke: {
            src: 'mergeBatch',
            input: ({ context }) => ({
              records: context.merging?.batches[0] ?? [],
            }),
            onDone: {
              target: 'applying',
              actions: { type: 'storeDecisions', params: ({ event }) => event.output },
            },
          },
        },
        applying: {
          description: "Join the decided versions into the local store (keeping what they override of the user's unacknowledged writes, or of writes made while editing, as lost writes to show), queue local winners for pushing, hold deferred ones, and save the checkpoint after a complete frame.",
          invoke: {
            src: 'applyDecisions',
            input: ({ context }) => {
              const m = context.merging!;
              const last = m.batches.length === 0;
              return {
                decisions: m.decided,
                held: m.held,
                checkpoint: last && m.frame.checkpoint ? m.frame.revision : undefined,
                snapshotKeys: last && m.frame.completesCatchUp && m.frame.fullSnapshot ? context.snapshotKeys : undefined,
                afterEditing: m.frame.afterEditing,
                deletesForgotten: m.frame.deletesForgotten,
              };
            },
            onDone: [
              { guard: 'hasMoreBatches', target: 'deciding', actions: [{ type: 'noteApplied', params: ({ event }) => event.output }, 'forgetHeldVersions'] },
              {
                guard: 'frameCompletesCatchUp',
                target: 'waiting',
                actions: [{ type: 'noteApplied', params: ({ event }) => event.output }, 'finishFrame', 'announceCatchUp'],
              },
              { target: 'waiting', actions: [{ type: 'noteApplied', params: ({ event }) => event.output }, 'finishFrame'] },
            ],
            onError: { target: 'waiting', actions: 'reportInboundFailure' },
          },
        },
      },
    },
    editing: {
      description: 'Which records the user is editing.',
      initial: 'not-editing',
      states: {
        'not-editing': {
          description: 'No record is being edited.',
          on: { 'EDITING.BEGAN': { target: 'editing-paused', actions: 'addEditing' } },
        },
        'editing-paused': {
          description: 'The user is editing records: their remote changes are held in live recordMerge actors, and merged (remote wins only if newer) when editing ends; what a newer remote version overrides of the user\'s work is kept for the user to see and take back.',
          on: {
            'EDITING.BEGAN': { actions: 'addEditing' },
            'EDITING.ENDED': [
              { guard: 'lastEditEnds', target: 'not-editing', actions: ['removeEditing', 'releaseHeld'] },
              { actions: ['removeEditing', 'releaseHeld'] },
            ],
          },
        },
      },
    },
    role: {
      description: 'Which tab of this browser profile syncs for this user (Web Locks, with heartbeats to notice a frozen owner).',
      invoke: { src: 'electOwner', id: 'election' },
      initial: 'follower',
      states: {
        follower: {
          description: 'Another tab holds the sync role, or none has been granted yet.',
          on: { 'ROLE.OWNER': 'owner' },
        },
        owner: {
          description: 'This tab holds the sync role: it runs the connection, pushes every tab\'s changes and refreshes the token.',
          on: { 'ROLE.FOLLOWER': 'follower' },
        },
      },
    },
    token: {
      description: "The open socket's access token, renewed on the socket before it expires (newer BasicDB's `tokenUpdate`) so that a token refresh does not cost a reconnect.",
      initial: 'untracked',
      on: { 'CONNECTION.DOWN': '.untracked' },
      states: {
        'untracked': {
          description: 'No open connection, or one that holds no token (REST polling) or whose token does not say when it expires: nothing to renew.',
          on: { 'CONNECTION.OPEN': { guard: 'tokenExpires', target: 'fresh', actions: 'noteConnectionToken' } },
        },
        fresh: {
          description: 'The socket holds a valid token; a minute before it expires (halfway for short-lived tokens) it is renewed.',
          on: { 'CONNECTION.OPEN': connectionReopened },
          after: {
            tokenRenewal: [{ guard: 'isConnected', target: 'renewing' }, { target: 'untracked' }],
          },
        },
        renewing: {
          description: 'The connection is asked to fetch a fresh token and hand it to the server on the open socket, which answers `tokenUpdateAck`.',
          entry: 'requestTokenRenewal',
          on: {
            'CONNECTION.OPEN': connectionReopened,
            'TOKEN.RENEWED': [
              {
                guard: { type: 'renewedTokenExpires', params: ({ event }) => event.output },
                target: 'fresh',
                actions: { type: 'noteRenewedToken', params: ({ event }) => event.output },
              },
              { target: 'untracked', actions: { type: 'noteRenewedToken', params: ({ event }) => event.output } },
            ],
            // The server closes the socket at expiry (or on refusal), and reconnecting takes a fresh token.
            'TOKEN.RENEW_FAILED': 'expiring',
          },
        },
        expiring: {
          description: 'Renewing failed: the socket lives until its token expires; the server then closes it, and the reconnect takes a fresh token.',
          on: { 'CONNECTION.OPEN': connectionReopened },
        },
      },
    },
  },
});

export type SyncMachine = typeof syncMachine;
export type SyncActorRef = ActorRefFrom<SyncMachine>;
