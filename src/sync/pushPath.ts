/**
 * The push path: the outbox, coalesced to the latest version per record, checked
 * against the schema and sent over the open connection in bounded batches; acknowledged
 * entries leave the outbox, refused versions are reported and set aside until they
 * change.
 */
import type { RecordRef } from '../local/localStore.js';
import { canonicalJson } from '../merge/canonical.js';
import { refKey, type SyncRecord } from '../merge/record.js';
import type { PushOutput, Quarantined } from '../machines/syncContract.js';
import { CREATE, type Change } from '../protocol/socket.js';
import { loadSchemaChecks, validateFullRecord } from '../protocol/validate.js';
import { TransientRemoteError } from '../remote/restClient.js';
import { RemoteRefusedError, type TransportConnection } from '../remote/transport.js';
import type { SyncDeps } from './actors.js';

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

/** Local versions the server refused (canonical JSON), not re-sent until they change. */
type Rejections = Map<string, { version: string; reason: string }>;

export type PushPath = ReturnType<typeof createPushPath>;

export function createPushPath(deps: SyncDeps) {
  const { local, schema } = deps;
  const rejections: Rejections = new Map();

  const isRejected = (ref: RecordRef, record: SyncRecord | undefined) => {
    const r = rejections.get(refKey(ref));
    return !!r && !!record && r.version === canonicalJson(record);
  };

  /** Outbox entries that a push would send (refused versions wait for a new edit). */
  const sendable = () => local.pendingEntries().filter((e) => !isRejected(e, local.get(e)));

  /** Pushes what the outbox holds over `connection`; run by the connection actor when the machine asks. */
  const push = async (connection: TransportConnection): Promise<PushOutput> => {
    const rejected: Quarantined[] = [];
    const accepted: RecordRef[] = [];
    const batch: Array<RecordRef & { record: SyncRecord }> = [];
    await loadSchemaChecks();
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
        await connection.push(changes, local.getMeta().checkpoint);
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
  };

  function reject(ref: RecordRef, record: SyncRecord, reason: string): Quarantined {
    rejections.set(refKey(ref), { version: canonicalJson(record), reason });
    return { table: ref.table, id: ref.id, reason };
  }

  return { push, sendable };
}
