/**
 * The public sync service: wires the local store, the BasicDB clients, the clock
 * and the sync machine together, and gives the app a small surface: local reads
 * and writes, editing hints, status, and "wait until synced".
 */
import type { Storage } from 'unstorage';
import { createActor, waitFor, type ActorOptions, type InspectionEvent, type Observer } from 'xstate';
import { LocalStore, LocalStorageError, type LocalChange, type RecordRef } from '../local/localStore.js';
import { keptVersion } from '../merge/lostWrite.js';
import { HybridClock } from '../merge/hlc.js';
import type { MergeRule, MergeRules, SyncRecord } from '../merge/record.js';
import type { OwnerStatus, SyncEmitted } from '../machines/syncContract.js';
import { syncMachine } from '../machines/syncMachine.js';
import type { BasicSchema } from '../protocol/schema.js';
import { loadSchemaChecks, validateFullRecord } from '../protocol/validate.js';
import { RestClient } from '../remote/restClient.js';
import { socketTransport } from '../remote/socketTransport.js';
import type { WebSocketConstructor } from '../remote/syncSocket.js';
import type { TransportFactory } from '../remote/transport.js';
import { TokenManager, type GetToken } from '../remote/tokenManager.js';
import { createSyncActors } from './actors.js';
import { browserTabs, electionActor, type TabsOptions } from './tabs.js';
import type { OwnerElection } from '../tabs/ownerElection.js';
import { createCollection, type Collection, type RecordOf, type TableOf } from './collection.js';
import { checkSchemaForSync } from './schemaCheck.js';
import { isSettled, statusOf, type SyncStatus } from './status.js';

type Clock = NonNullable<ActorOptions<typeof syncMachine>['clock']>;

export interface SyncServiceOptions<S extends BasicSchema = BasicSchema> {
  /** Where local records, the outbox and sync metadata live (localStorage driver in the browser). */
  storage: Storage;
  /** BasicDB's base URL, e.g. `https://api.basic.tech` or the local server's. */
  serverUrl: string;
  /**
   * The sync socket's URL, when it is not `serverUrl` + `/ws` (newer BasicDB serves the
   * socket from a host of its own). Default: `serverUrl` with `ws(s)://` and `/ws`.
   */
  socketUrl?: string;
  /** The app's schema; declared `as const satisfies BasicSchema`, collections get typed records. */
  schema: S;
  /**
   * How each table's records merge, beyond "the newer version wins": `perEntryFields`
   * (json fields whose entries carry their own `lastModified`/`modifiedBy` and merge one
   * by one) and `versionFields` (stamps of the app's own, never shown as lost work).
   * Tables not named merge whole records. The demo: `{ projects: { perEntryFields:
   * ['components'], versionFields: ['movedAt'] } }`.
   */
  merge?: MergeRules;
  /** Default `schema.project_id`. */
  projectId?: string;
  /** Basic's `useBasic().getToken`, or `localServerTokenSource(...)`. */
  getToken: GetToken;
  /** Quiet time before local changes are pushed: 500–1000 ms, default 750. */
  debounceMs?: number;
  /** Longest a change waits under continuous editing. Default 3000 ms. */
  maxWaitMs?: number;
  /** Backoff after failures: full jitter, doubling from `baseMs` up to `maxMs`. */
  retry?: { baseMs?: number; maxMs?: number };
  /** A remote call (REST request, socket handshake, ack) that takes longer has failed. Default 10 s. */
  remoteTimeoutMs?: number;
  /** Furthest a remote `lastModified` may be ahead of this clock. Default 24 h. */
  maxClockDriftMs?: number;
  /** Wall clock for timestamps; tests pass a skewed or simulated one. */
  now?: () => number;
  /** XState clock for `after` timers (`SimulatedClock` in tests). */
  clock?: Clock;
  random?: () => number;
  /**
   * How the service reaches BasicDB: `socketTransport()` (default; BasicDB's `/ws`), or
   * `restPollingTransport({ intervalMs })` where WebSockets are blocked, or one of your own
   * (`SyncTransport`: pull from a checkpoint, push a batch, a change stream, connection events).
   */
  transport?: TransportFactory;
  /** WebSocket implementation for the socket transport; the browser's by default (`ws` in Node). */
  WebSocket?: WebSocketConstructor;
  /** Receives XState inspection events (the Stately inspector, or a log). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Where failures are logged, once per outage. Default `console.warn`. */
  log?: (message: string) => void;
  /** Listens for `online`, `offline`, `pagehide` and `visibilitychange`; default the browser's window. */
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'> & { document?: { visibilityState?: string } };
  /**
   * One sync owner among the tabs of a browser profile: the tabs of one group (the app and
   * the signed-in user, e.g. `${projectId}:${userId}`) elect one that syncs; the others
   * follow. Needs Web Locks and BroadcastChannel; without a group every tab syncs alone.
   */
  tabGroup?: string;
  /** The election's locks and channel (tests); default the browser's, for `tabGroup`. */
  tabs?: TabsOptions | null;
  /**
   * Read back what other tabs write to the same storage (needs a driver that reports
   * changes, e.g. localStorage with its `window` option). Default: in a browser.
   */
  followOtherTabs?: boolean;
}

export type SyncService<S extends BasicSchema = BasicSchema> = ReturnType<typeof createSyncService<S>>;

export function createSyncService<S extends BasicSchema = BasicSchema>(options: SyncServiceOptions<S>) {
  const debounceMs = options.debounceMs ?? 750;
  if (!(debounceMs >= 500 && debounceMs <= 1000)) throw new RangeError(`debounceMs must be 500–1000 ms, got ${debounceMs}`);
  const maxWaitMs = options.maxWaitMs ?? 3000;
  if (!(maxWaitMs >= debounceMs)) throw new RangeError(`maxWaitMs (${maxWaitMs}) must be at least debounceMs (${debounceMs})`);
  const now = options.now ?? Date.now;
  const serverUrl = options.serverUrl.replace(/\/+$/, '');
  const projectId = options.projectId ?? options.schema.project_id;

  checkSchemaForSync(options.schema, options.merge ?? {});
  const local = new LocalStore(options.storage, now, options.merge);
  const clock = new HybridClock({ now, maxForwardDriftMs: options.maxClockDriftMs });
  const tokens = new TokenManager(options.getToken, { now, timeoutMs: options.remoteTimeoutMs });
  const rest = new RestClient({ serverUrl, projectId, tokens, timeoutMs: options.remoteTimeoutMs });
  const { actors, pendingCount } = createSyncActors({
    local,
    clock,
    tokens,
    rest,
    schema: options.schema as S,
    transport: (options.transport ?? socketTransport())({
      serverUrl,
      socketUrl: options.socketUrl ?? `${serverUrl.replace(/^http/, 'ws')}/ws`,
      projectId,
      schema: options.schema,
      rest,
      WebSocket: options.WebSocket,
      timeoutMs: options.remoteTimeoutMs,
    }),
    newClientId: () => globalThis.crypto.randomUUID(),
  });

  // Among tabs: an election decides which one syncs; its heartbeats carry its status.
  const tabs = options.tabs !== undefined ? options.tabs : browserTabs(options.tabGroup);
  let election: OwnerElection | null = null;
  const ownerStatusNow = (): OwnerStatus => {
    const s = statusOf(actor.getSnapshot());
    return { state: s.state, lastSyncedAt: s.lastSyncedAt, lastError: s.lastError, nextRetryAt: s.nextRetryAt };
  };
  const tabActors = tabs ? { electOwner: electionActor(tabs, ownerStatusNow, (e) => (election = e)) } : {};

  const actor = createActor(syncMachine.provide({ actors: { ...actors, ...tabActors } }), {
    id: 'sync',
    input: {
      debounceMs,
      maxWaitMs,
      retryBaseMs: options.retry?.baseMs ?? 1000,
      retryMaxMs: options.retry?.maxMs ?? 30_000,
      now,
      random: options.random ?? Math.random,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const log = options.log ?? ((message: string) => console.warn(`[basic-sync] ${message}`));
  actor.on('error', (e: Extract<SyncEmitted, { type: 'error' }>) => log(e.message));
  actor.on('quarantined', (e: Extract<SyncEmitted, { type: 'quarantined' }>) =>
    log(`refused ${e.records.length} remote record(s): ${e.records.map((r) => `${r.table}/${r.id}: ${r.reason}`).join('; ')}`),
  );

  // The owner tells the others at once when its status changes (not only with heartbeats).
  let announced: OwnerStatus | null = null;
  actor.subscribe((snapshot) => {
    if (!election || !snapshot.matches({ role: 'owner' })) return;
    const current = ownerStatusNow();
    if (announced && (Object.keys(current) as Array<keyof OwnerStatus>).every((k) => current[k] === announced![k])) return;
    announced = current;
    election.announce();
  });
  // Another tab queued or cleared a change in the shared outbox: count it (the owner pushes it).
  local.subscribe((change) => {
    if (change.origin === 'other-tab' && actor.getSnapshot().status === 'active') actor.send({ type: 'LOCAL.CHANGED', pendingCount: pendingCount() });
  });

  let started = false;
  let unwatchTabs: Promise<() => void> | undefined;
  const followOtherTabs = options.followOtherTabs ?? typeof window !== 'undefined';
  const win = options.window ?? (globalThis as { window?: SyncServiceOptions['window'] }).window;
  const onOnline = () => actor.send({ type: 'NETWORK.ONLINE' });
  // The browser knows at once; the ack timeout stays the fallback for networks that lie.
  const onOffline = () => actor.send({ type: 'NETWORK.OFFLINE' });
  const onHide = () => {
    if (win?.document?.visibilityState === undefined || win.document.visibilityState === 'hidden') actor.send({ type: 'FLUSH' });
  };

  /** Resolves once local data is loaded (booting is over); rejects if it cannot be. */
  async function ready(): Promise<void> {
    const snapshot = await waitFor(actor, (s) => s.context.localLoaded || s.matches({ sync: 'halted' }), { timeout: Infinity });
    if (!snapshot.context.localLoaded) throw new Error(snapshot.context.lastError ?? 'the local store could not be loaded');
  }

  const collections = new Map<string, Collection<{ id: string }>>();
  const service = {
    /** The running sync machine (for `@xstate/react` selectors and the inspector). */
    actor,
    /** Stamps `lastModified`/`modifiedBy` and tie-breaks merges: this client's clock. */
    clock,
    schema: options.schema,

    /**
     * Starts syncing; resolves once local data is readable. Idempotent (React StrictMode
     * mounts twice). A stopped service cannot start again: create a new one.
     */
    start() {
      if (started) return ready();
      if (actor.getSnapshot().status === 'stopped') throw new Error('this sync service was stopped; create a new one');
      started = true;
      actor.start();
      // After loading, follow other tabs writing the same storage (same browser profile).
      if (followOtherTabs) unwatchTabs = ready().then(() => local.watchOtherTabs()).catch(() => () => {});
      // Record checks load once local data is readable (reading it needs none, and their
      // compile would slow the load), beside the first network round trip.
      void ready().then(loadSchemaChecks).catch(() => {});
      win?.addEventListener('online', onOnline);
      win?.addEventListener('offline', onOffline);
      win?.addEventListener('pagehide', onHide);
      win?.addEventListener('visibilitychange', onHide);
      return ready();
    },

    /** Stops syncing; local data stays. Idempotent. */
    stop() {
      if (!started) return;
      started = false;
      void unwatchTabs?.then((unwatch) => unwatch()).catch(() => {});
      win?.removeEventListener('online', onOnline);
      win?.removeEventListener('offline', onOffline);
      win?.removeEventListener('pagehide', onHide);
      win?.removeEventListener('visibilitychange', onHide);
      actor.stop();
    },

    ready,

    /**
     * Stops syncing and removes everything this service keeps in its storage (records,
     * outbox, sync metadata, notices): signing out on a shared computer. Changes the
     * server has not acknowledged are lost; check `status().pendingCount` first.
     */
    async removeLocalData(): Promise<void> {
      service.stop();
      await options.storage.clear();
    },

    /** A table's records, typed from the schema: add, put, update, delete, get, list, subscribe. */
    collection<T extends TableOf<S>>(table: T): Collection<RecordOf<S, T>> {
      let collection = collections.get(table);
      if (!collection) collections.set(table, (collection = createCollection(service, table)));
      return collection as Collection<RecordOf<S, T>>;
    },

    /** This client's id (`modifiedBy` of its writes). */
    get clientId(): string {
      return local.getMeta().clientId;
    },

    /** How `table`'s records merge (the `merge` option, defaults filled in). */
    mergeRuleOf(table: string): MergeRule {
      return local.ruleOf(table);
    },

    /** A version stamp for a local change (records and components). */
    stamp(): { lastModified: number; modifiedBy: string } {
      return { lastModified: clock.tick(), modifiedBy: local.getMeta().clientId };
    },

    read(table: string, id: string): SyncRecord | undefined {
      return local.get({ table, id });
    },

    /** Every record of a table, tombstones included. */
    list(table: string): SyncRecord[] {
      return local.list(table);
    },

    /**
     * Writes a record locally (stored and queued in one step) and tells the machine.
     * The record must already carry a fresh `stamp()`. Throws `LocalStorageError`
     * (and reports it in the status) when storage refuses; nothing changes then.
     */
    async write(table: string, record: SyncRecord): Promise<void> {
      if (!Object.hasOwn(options.schema.tables, table)) throw new Error(`unknown table ${table}`);
      if (!started) throw new Error('start() the sync service before writing to it');
      // Refused here with the schema's reason, not pushed and refused by the server later.
      await loadSchemaChecks();
      validateFullRecord(options.schema, table, record);
      await ready(); // a write before the local store is loaded would be overwritten by the load
      try {
        await local.writeLocal(table, record);
      } catch (error) {
        const reason = error instanceof LocalStorageError ? error.message : `local write failed: ${(error as Error).message}`;
        actor.send({ type: 'STORAGE.FAILED', reason });
        throw error;
      }
      actor.send({ type: 'LOCAL.CHANGED', pendingCount: pendingCount() });
    },

    /** Local data changed (a local write or a merged remote change). */
    onChange(listener: (change: LocalChange) => void): () => void {
      return local.subscribe(listener);
    },

    /** The user started editing a record: hold its remote changes. */
    beginEditing(table: string, id: string) {
      actor.send({ type: 'EDITING.BEGAN', table, id });
    },
    /** Editing ended: merge what was held (remote wins only if newer). */
    endEditing(table: string, id: string) {
      // The held merge actor decides against the record as the user left it.
      actor.send({ type: 'EDITING.ENDED', table, id, local: local.get({ table, id }) ?? null });
    },
    /** The user has seen what was lost of a record and lets it go. */
    async dismissNotice(ref: RecordRef): Promise<void> {
      await local.forgetLostWrite(ref);
      actor.send({ type: 'NOTICE.DISMISS', table: ref.table, id: ref.id });
    },
    /**
     * Puts back what another version overrode of the user's ("Keep mine"; "Restore" after a
     * delete) as a new local write, which wins by the normal rule and syncs like any other.
     */
    async keepMine(ref: RecordRef): Promise<void> {
      const lost = local.lostWriteList().find((l) => l.table === ref.table && l.id === ref.id);
      if (!lost) throw new Error(`nothing of ${ref.table}/${ref.id} is waiting to be kept`);
      await service.write(ref.table, keptVersion(local.get(ref), lost, service.stamp(), local.ruleOf(ref.table)));
      await service.dismissNotice(ref);
    },
    /** Skip the backoff wait and try now. */
    retryNow() {
      actor.send({ type: 'RETRY.NOW' });
    },
    /** Push now instead of waiting for the debounce window (e.g. before leaving). */
    flush() {
      actor.send({ type: 'FLUSH' });
    },

    /** The changes waiting to be pushed (the outbox), oldest first. */
    pendingChanges(): Array<{ table: string; id: string; queuedAt: number }> {
      return local
        .pendingEntries()
        .map(({ table, id, queuedAt }) => ({ table, id, queuedAt }))
        .sort((a, b) => a.queuedAt - b.queuedAt);
    },

    status(): SyncStatus & { oldestPendingAt: number | null } {
      return { ...statusOf(actor.getSnapshot()), oldestPendingAt: local.oldestPendingAt() };
    },

    /** Calls `listener` with every status change. Returns an unsubscribe function. */
    subscribeStatus(listener: (status: SyncStatus) => void): () => void {
      let last = '';
      const sub = actor.subscribe((snapshot) => {
        const status = statusOf(snapshot);
        const key = JSON.stringify(status);
        if (key !== last) {
          last = key;
          listener(status);
        }
      });
      return () => sub.unsubscribe();
    },

    /** Resolves when everything local is acknowledged and no remote change is being merged. */
    whenSynced(timeoutMs = 30_000): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (isSettled(actor.getSnapshot())) return resolve();
        const timer = setTimeout(() => {
          sub.unsubscribe();
          reject(new Error(`not synced within ${timeoutMs} ms: ${JSON.stringify(statusOf(actor.getSnapshot()))}`));
        }, timeoutMs);
        const sub = actor.subscribe((snapshot) => {
          if (!isSettled(snapshot)) return;
          clearTimeout(timer);
          sub.unsubscribe();
          resolve();
        });
      });
    },
  };
  return service;
}
