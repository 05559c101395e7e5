/**
 * The side effects of the sync machine, as actors: they read and write the local
 * store, talk to BasicDB, and report back with events or outputs. The machine
 * (`src/machines/syncMachine.ts`) decides when each runs.
 */
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { LocalStore, RecordRef } from '../local/localStore.js';
import type { HybridClock } from '../merge/hlc.js';
import { canonicalJson } from '../merge/canonical.js';
import { mergeRecords } from '../merge/lastModifiedWins.js';
import type { LostWrite } from '../merge/lostWrite.js';
import { refKey, stampsOf, type SyncRecord } from '../merge/record.js';
import type {
  ApplyInput,
  ApplyOutput,
  InboundFrame,
  LoadOutput,
  PreparedFrame,
  PushOutput,
  Quarantined,
  RenewOutput,
  SyncEvent,
  TableMergeInput,
} from '../machines/syncContract.js';
import type { BasicSchema } from '../protocol/schema.js';
import { CREATE, type Change } from '../protocol/socket.js';
import { validateFullRecord } from '../protocol/validate.js';
import { isQuarantined, readRemoteChange } from '../remote/remoteRecords.js';
import { PermanentRemoteError, TransientRemoteError, type RestClient } from '../remote/restClient.js';
import { RemoteRefusedError, openSyncSocket, type SyncSocket, type WebSocketConstructor } from '../remote/syncSocket.js';
import type { TokenManager } from '../remote/tokenManager.js';

/** Bounds of one pushed `changes` frame (the local server refuses frames over 1 MiB). */
const PUSH_MAX_RECORDS = 500;
const PUSH_MAX_BYTES = 512 * 1024;
/** A record that could never fit a frame is refused locally instead of retried forever. */
const MAX_RECORD_BYTES = 900 * 1024;

/** Splits a push into frames under both bounds; a single larger record goes alone. */
function pushFrames<T extends { record: SyncRecord }>(batch: T[]): T[][] {
  const frames: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of batch) {
    const size = JSON.stringify(item.record).length;
    if (current.length > 0 && (current.length >= PUSH_MAX_RECORDS || bytes + size > PUSH_MAX_BYTES)) {
      frames.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) frames.push(current);
  return frames;
}

export interface SyncDeps {
  local: LocalStore;
  clock: HybridClock;
  tokens: TokenManager;
  rest: RestClient;
  schema: BasicSchema;
  wsUrl: string;
  /** How long the socket waits for the identity answer and for each ack. */
  timeoutMs?: number;
  WebSocket?: WebSocketConstructor;
  newClientId: () => string;
}

/** Local versions the server refused (canonical JSON), not re-sent until they change. */
type Rejections = Map<string, { version: string; reason: string }>;


export function createSyncActors(deps: SyncDeps) {
  const { local, clock, tokens, rest, schema } = deps;
  const tables = Object.keys(schema.tables);
  const rejections: Rejections = new Map();
  let connection: SyncSocket | null = null;

  const isRejected = (ref: RecordRef, record: SyncRecord | undefined) => {
    const r = rejections.get(refKey(ref));
    return !!r && !!record && r.version === canonicalJson(record);
  };

  /** Outbox entries that a push would send (refused versions wait for a new edit). */
  const sendable = () => local.pendingEntries().filter((e) => !isRejected(e, local.get(e)));

  const loadLocal = fromPromise<LoadOutput>(async () => {
    await local.load(deps.newClientId);
    // The clock is never behind anything this client wrote or saw before a reload.
    clock.observe(local.getMeta().clockLatest);
    // Components carry their own stamps, often later than the record's: count them too.
    for (const table of tables) for (const r of local.list(table)) for (const stamp of stampsOf(r, local.ruleOf(table))) clock.observe(stamp);
    return { pendingCount: sendable().length, lastSyncedAt: local.getMeta().lastSyncedAt, lostWrites: local.lostWriteList() };
  });

  const authenticate = fromPromise<void>(async () => {
    try {
      await tokens.token();
    } catch (error) {
      throw new TransientRemoteError(`getting a token failed: ${(error as Error).message}`);
    }
    const published = await rest.fetchSchema();
    // As Basic's SDK does: refuse to sync against a different schema version.
    if (published.version !== schema.version) {
      throw new PermanentRemoteError(`the server's schema is version ${published.version}, this app's is ${schema.version}`, 409);
    }
  });

  const syncSocket = fromCallback<EventObject>(({ sendBack }) => {
    const send = (event: SyncEvent) => sendBack(event);
    let socket: SyncSocket | null = null;
    let stopped = false;

    const connect = async () => {
      const token = await tokens.token();
      if (stopped) return;
      const { checkpoint, clientIdentity } = local.getMeta();
      let catchingUp = true;
      socket = openSyncSocket(
        { url: deps.wsUrl, token, clientIdentity, schema, syncedRevision: checkpoint, WebSocket: deps.WebSocket, timeoutMs: deps.timeoutMs },
        {
          onOpen: (identity) => {
            connection = socket;
            tokens.accepted(token);
            if (identity !== clientIdentity) local.updateMeta({ clientIdentity: identity }).catch(() => {});
            send({ type: 'SOCKET.OPEN', tokenExpiresAt: tokens.expiresAt(token) });
          },
          onChanges: (frame) => {
            const completesCatchUp = catchingUp && !frame.partial;
            const serverWasReset =
              typeof checkpoint === 'number' && typeof frame.currentRevision === 'number' && frame.currentRevision < checkpoint;
            const inbound: InboundFrame = {
              changes: frame.changes,
              revision: frame.currentRevision,
              checkpoint: !frame.partial,
              completesCatchUp,
              fullSnapshot: catchingUp && (checkpoint === null || serverWasReset || frame.snapshot === true),
              afterEditing: false,
              deletesForgotten: catchingUp && frame.snapshot === true && checkpoint !== null && !serverWasReset,
            };
            if (completesCatchUp) catchingUp = false;
            send({ type: 'REMOTE.CHANGES', frame: inbound });
          },
          onClose: (reason, code) => {
            if (connection === socket) connection = null;
            if (stopped) return;
            // A refused token: the token manager's policy, as for REST (one retry with a fresh token).
            if (code === 4401 && tokens.refused(token)) {
              connect().catch((error: Error) => send({ type: 'SOCKET.DOWN', reason: error.message }));
              return;
            }
            send({ type: 'SOCKET.DOWN', reason });
          },
        },
      );
    };
    connect().catch((error: Error) => send({ type: 'SOCKET.DOWN', reason: `connecting failed: ${error.message}` }));
    return () => {
      stopped = true;
      if (connection === socket) connection = null;
      socket?.close();
    };
  });

  const prepareRemote = fromPromise<PreparedFrame, InboundFrame>(async ({ input }) => {
    const byRef = new Map<string, Omit<TableMergeInput, 'editing'>>();
    const quarantined: Quarantined[] = [];
    const checked = input.changes.map((change) => readRemoteChange(schema, clock, change, local.mergeRules));
    for (const version of [...checked, ...(input.versions ?? [])]) {
      if (isQuarantined(version)) {
        quarantined.push(version);
        continue;
      }
      const ref = { table: version.table, id: version.record.id };
      const rule = local.ruleOf(ref.table);
      for (const stamp of stampsOf(version.record, rule)) clock.observe(stamp);
      const seen = byRef.get(refKey(ref));
      byRef.set(refKey(ref), {
        ...ref,
        rule,
        local: local.get(ref),
        remote: seen?.remote ? mergeRecords(seen.remote, version.record, rule) : version.record,
      });
    }
    return { inputs: [...byRef.values()], quarantined };
  });

  const applyDecisions = fromPromise<ApplyOutput, ApplyInput>(async ({ input }) => {
    const lostWrites: LostWrite[] = [];
    const toPush: RecordRef[] = [];
    for (const { input: merge, decision } of input.decisions) {
      const table = (merge as TableMergeInput).table;
      const ref = { table, id: merge.id };
      if (decision.kind === 'defer') {
        // Held in memory by a merge actor, and in storage in case the page goes away.
        await local.hold(table, merge.remote!);
        continue;
      }
      if ((decision.kind === 'take-remote' || decision.kind === 'merged') && decision.record) {
        // What the user wrote and the server has not acknowledged (or wrote while editing) is theirs to lose.
        const mine = local.get(ref);
        const theirsToLose = mine && (input.afterEditing || local.isPending(ref));
        const [result] = await local.applyRemote(table, [decision.record]);
        const lost = theirsToLose ? await local.noteLostWrite(ref, mine, result!) : null;
        if (lost) lostWrites.push(lost);
      }
      if (merge.remote) await local.releaseHeld(table, merge.remote);
      if (decision.kind === 'keep-local' || decision.kind === 'merged') toPush.push(ref);
    }
    const deletedRemotely: RecordRef[] = [];
    if (input.snapshotKeys) {
      // The server's whole state lacks these: it lost them (reset), never had them (not yet
      // pushed), or, past its horizon, deleted them.
      const onServer = new Set(input.snapshotKeys);
      for (const table of tables) {
        for (const r of local.list(table)) {
          const ref = { table, id: r.id };
          if (onServer.has(refKey(ref))) continue;
          if (input.deletesForgotten && !local.isPending(ref)) {
            if (!r.deleted) deletedRemotely.push(ref);
          } else toPush.push(ref);
        }
      }
    }
    await local.queueForPush(toPush);
    if (input.checkpoint !== undefined) await local.updateMeta({ checkpoint: input.checkpoint, clockLatest: clock.latest });
    return { pendingCount: sendable().length, lostWrites, deletedRemotely };
  });

  const pushOutbox = fromPromise<PushOutput>(async () => {
    const socket = connection;
    if (!socket) throw new TransientRemoteError('the sync socket is not connected');
    const rejected: Quarantined[] = [];
    const accepted: RecordRef[] = [];
    const batch: Array<RecordRef & { record: SyncRecord }> = [];
    for (const entry of sendable()) {
      const record = local.get(entry) ?? entry.record;
      try {
        validateFullRecord(schema, entry.table, record);
        const size = JSON.stringify(record).length;
        if (size > MAX_RECORD_BYTES) throw new Error(`the record is ${size} bytes; at most ${MAX_RECORD_BYTES} fit in a frame`);
        batch.push({ table: entry.table, id: entry.id, record });
      } catch (error) {
        rejected.push(reject(entry, record, `refused before sending: ${(error as Error).message}`));
      }
    }
    for (const chunk of pushFrames(batch)) {
      const changes: Change[] = chunk.map(({ table, id, record }) => ({ type: CREATE, table, key: id, obj: record }));
      try {
        await socket.request(changes, local.getMeta().checkpoint);
      } catch (error) {
        if (!(error instanceof RemoteRefusedError)) throw new TransientRemoteError(`push failed: ${(error as Error).message}`);
        // The server refused the batch: report these records, keep the rest syncing.
        for (const p of chunk) rejected.push(reject(p, p.record, `refused by the server: ${error.message}`));
        continue;
      }
      await local.acknowledge(chunk);
      for (const { table, id } of chunk) accepted.push({ table, id });
    }
    return { pendingCount: sendable().length, rejected, accepted };
  });

  /** A fresh token handed to the server on the open socket (newer BasicDB keeps the socket open). */
  const renewSocketToken = fromPromise<RenewOutput>(async () => {
    const socket = connection;
    if (!socket) throw new TransientRemoteError('the sync socket is not connected');
    const token = await tokens.token({ forceRefresh: true });
    await socket.updateToken(token);
    return { tokenExpiresAt: tokens.expiresAt(token) };
  });

  function reject(ref: RecordRef, record: SyncRecord, reason: string): Quarantined {
    rejections.set(refKey(ref), { version: canonicalJson(record), reason });
    return { table: ref.table, id: ref.id, reason };
  }

  return {
    actors: { loadLocal, authenticate, syncSocket, prepareRemote, applyDecisions, pushOutbox, renewSocketToken },
    /** Pending changes a push would send (the count the status shows). */
    pendingCount: () => sendable().length,
  };
}
