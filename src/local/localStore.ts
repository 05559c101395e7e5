/**
 * The local store: records, the outbox and sync metadata in unstorage, with an
 * in-memory copy the UI reads synchronously.
 *
 * Layout (one key each, so a write touches one record):
 *   sync:record:<table>:<id>   the record as the UI sees it
 *   sync:outbox:<table>:<id>   a change not yet acknowledged by the server: the
 *                              record's version when it was queued, and when
 *   sync:held:<table>:<id>     a remote version held while the user edits the record
 *                              (the checkpoint has moved past it, so it must survive a reload)
 *   sync:notice:<table>:<id>   a write of this user that another version overrode, kept
 *                              until the user keeps it or dismisses it
 *   sync:meta                  client ids, revision checkpoint, clock, last sync
 *
 * A local write puts the outbox entry first and the record second, and undoes the
 * first if the second fails, so a crash or a quota error never leaves a change
 * that is visible but not queued, nor half a write. `load()` repairs the one
 * state a crash can leave (an outbox entry newer than its record), and merges remote
 * versions that were held for editing when the page went away (noting what of the
 * user's they override, as ending the edit would have).
 */
import type { Storage } from 'unstorage';
import { compareVersions, mergeRecords } from '../merge/lastModifiedWins.js';
import { refKey, ruleOf, type MergeRule, type MergeRules, type RecordRef, type SyncRecord } from '../merge/record.js';
import { deepEqual } from '../merge/canonical.js';
import { lostParts, type LostWrite } from '../merge/lostWrite.js';
import { readEntries, writeEntries } from './bulk.js';

export type { RecordRef };

export interface OutboxEntry extends RecordRef {
  /** The record's version when the change was queued. */
  record: SyncRecord;
  /** Wall-clock ms when the record was first queued (for "oldest pending"). */
  queuedAt: number;
}

export interface SyncMeta {
  /** Stable id of this client: `modifiedBy` of its writes, tie-breaker in merges. */
  clientId: string;
  /** The identity the server's socket gave this client. */
  clientIdentity: string | null;
  /** The server revision this store has caught up to; null before the first sync. */
  checkpoint: number | string | null;
  /** Latest hybrid-clock stamp issued or seen, so a reload never goes back. */
  clockLatest: number;
  /** Wall-clock ms of the last time everything local was acknowledged. */
  lastSyncedAt: number | null;
}

export interface LocalChange {
  refs: RecordRef[];
  /**
   * `other-tab`: another tab of this browser profile changed the outbox (shared storage);
   * `load`: the store was read from storage (whoever read it before saw it empty).
   */
  origin: 'local' | 'remote' | 'other-tab' | 'load';
}

/** A storage driver failed (quota, I/O); nothing was changed. */
export class LocalStorageError extends Error {
  constructor(action: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const quota = /quota|exceeded|QUOTA/i.test(reason) || (cause as { name?: string })?.name === 'QuotaExceededError';
    super(`${action} failed: ${quota ? 'local storage is full (quota exceeded)' : reason}`, { cause });
    this.name = 'LocalStorageError';
  }
}

const PREFIX = 'sync';
const RECORD_PREFIX = `${PREFIX}:record:`;
const keyOf = (kind: 'record' | 'outbox' | 'held' | 'notice', ref: RecordRef) => `${PREFIX}:${kind}:${ref.table}:${ref.id}`;

export class LocalStore {
  /** table -> id -> record */
  private readonly tables = new Map<string, Map<string, SyncRecord>>();
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly lostWrites = new Map<string, LostWrite>();
  /** Records with a remote version held in storage while edited (`refKey`). */
  private readonly heldRefs = new Set<string>();
  private meta: SyncMeta;
  private readonly listeners = new Set<(change: LocalChange) => void>();

  constructor(
    readonly storage: Storage,
    readonly now: () => number = Date.now,
    /** How each table's records merge (per-entry fields, version fields). */
    readonly mergeRules: MergeRules = {},
  ) {
    this.meta = { clientId: '', clientIdentity: null, checkpoint: null, clockLatest: 0, lastSyncedAt: null };
  }

  /** How `table`'s records merge. */
  ruleOf(table: string): MergeRule {
    return ruleOf(this.mergeRules, table);
  }

  /** Reads everything into memory; creates the client id on first use. */
  async load(newClientId: () => string): Promise<void> {
    const held: Array<{ key: string; value: unknown }> = [];
    try {
      // One read of everything (a driver lists all of its keys each time: localStorage 10k+).
      this.tables.clear();
      this.outbox.clear();
      this.lostWrites.clear();
      await readEntries(this.storage, PREFIX, (key, value) => {
        if (key.startsWith(RECORD_PREFIX)) {
          const table = key.slice(RECORD_PREFIX.length, key.indexOf(':', RECORD_PREFIX.length));
          if (table && isRecord(value)) this.tableMap(table).set(value.id, value);
        } else if (key.startsWith(`${PREFIX}:outbox:`)) {
          if (isOutboxEntry(value)) this.outbox.set(refKey(value), value);
        } else if (key.startsWith(`${PREFIX}:held:`)) held.push({ key, value });
        else if (key.startsWith(`${PREFIX}:notice:`)) {
          if (isLostWrite(value)) this.lostWrites.set(refKey(value), value);
        } else if (key === `${PREFIX}:meta` && value !== null && typeof value === 'object') this.meta = { ...this.meta, ...(value as Partial<SyncMeta>) };
      });
    } catch (error) {
      throw new LocalStorageError('loading the local store', error);
    }
    // Repair a crash between the outbox write and the record write.
    for (const entry of this.outbox.values()) {
      const current = this.get(entry);
      if (!current || compareVersions(entry.record, current, this.ruleOf(entry.table)) > 0) await this.putRecord(entry, entry.record);
    }
    if (!this.meta.clientId) await this.updateMeta({ clientId: newClientId() });
    // Editing ended with the reload: merge what was held; push the result where it is ours.
    for (const { key, value } of held) {
      const table = key.split(':')[2];
      if (!table || !isRecord(value)) continue;
      const ref = { table, id: value.id };
      const current = this.get(ref);
      const next = current ? mergeRecords(current, value, this.ruleOf(table)) : value;
      if (current) await this.noteLostWrite(ref, current, next);
      if (!deepEqual(next, value)) await this.queueEntry(ref, next);
      await this.putRecord(ref, next);
      await this.removeKey(keyOf('held', ref), 'releasing a held record');
    }
    // Readers that came before the load (a UI rendered while a slow storage was read) read again.
    const loaded = [...this.tables].flatMap(([table, records]) => [...records.keys()].map((id) => ({ table, id })));
    if (loaded.length > 0) this.emit({ refs: loaded, origin: 'load' });
  }

  /** Whether a record has a local change the server has not acknowledged. */
  isPending(ref: RecordRef): boolean {
    return this.outbox.has(refKey(ref));
  }

  /**
   * Keeps a notice when `result` overrides writes of this client in `mine`; returns it
   * (null when nothing of this client's was lost). One notice per record: the latest.
   */
  async noteLostWrite(ref: RecordRef, mine: SyncRecord, result: SyncRecord): Promise<LostWrite | null> {
    const parts = lostParts(mine, result, this.meta.clientId, this.ruleOf(ref.table));
    if (!parts) return null;
    const notice: LostWrite = { table: ref.table, id: ref.id, ...parts, mine, at: this.now() };
    try {
      await this.storage.setItem(keyOf('notice', ref), notice);
    } catch (error) {
      throw new LocalStorageError(`keeping what was lost of ${ref.table}/${ref.id}`, error);
    }
    this.lostWrites.set(refKey(ref), notice);
    return notice;
  }

  /** Writes of this user that other versions overrode, oldest first. */
  lostWriteList(): LostWrite[] {
    return [...this.lostWrites.values()].sort((a, b) => a.at - b.at);
  }

  async forgetLostWrite(ref: RecordRef): Promise<void> {
    await this.removeKey(keyOf('notice', ref), 'dismissing a notice');
    this.lostWrites.delete(refKey(ref));
  }

  /** Keeps a remote version of a record being edited until it is merged. */
  async hold(table: string, remote: SyncRecord): Promise<void> {
    const ref = { table, id: remote.id };
    const previous = await this.storage.getItem<SyncRecord>(keyOf('held', ref)).catch(() => null);
    try {
      await this.storage.setItem(keyOf('held', ref), previous && isRecord(previous) ? mergeRecords(previous, remote, this.ruleOf(table)) : remote);
    } catch (error) {
      throw new LocalStorageError(`holding ${table}/${remote.id}`, error);
    }
    this.heldRefs.add(refKey(ref));
  }

  /** Forgets a held version once `merged` (a version that includes it) was applied. */
  async releaseHeld(table: string, merged: SyncRecord): Promise<void> {
    const ref = { table, id: merged.id };
    // Most applied records were never held: no storage read for them.
    if (!this.heldRefs.has(refKey(ref))) return;
    const held = await this.storage.getItem<SyncRecord>(keyOf('held', ref)).catch(() => null);
    if (held && isRecord(held) && !deepEqual(mergeRecords(held, merged, this.ruleOf(table)), merged)) return;
    await this.removeKey(keyOf('held', ref), 'releasing a held record');
    this.heldRefs.delete(refKey(ref));
  }

  private async removeKey(key: string, action: string): Promise<void> {
    try {
      await this.storage.removeItem(key);
    } catch (error) {
      throw new LocalStorageError(action, error);
    }
  }

  get(ref: RecordRef): SyncRecord | undefined {
    return this.tables.get(ref.table)?.get(ref.id);
  }

  /** Every record of a table, tombstones included. */
  list(table: string): SyncRecord[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  private tableMap(table: string): Map<string, SyncRecord> {
    let map = this.tables.get(table);
    if (!map) this.tables.set(table, (map = new Map()));
    return map;
  }

  getMeta(): Readonly<SyncMeta> {
    return this.meta;
  }

  async updateMeta(patch: Partial<SyncMeta>): Promise<void> {
    const next = { ...this.meta, ...patch };
    try {
      await this.storage.setItem(`${PREFIX}:meta`, next);
    } catch (error) {
      throw new LocalStorageError('saving sync metadata', error);
    }
    this.meta = next;
  }

  pendingEntries(): OutboxEntry[] {
    return [...this.outbox.values()];
  }

  pendingCount(): number {
    return this.outbox.size;
  }

  oldestPendingAt(): number | null {
    let oldest: number | null = null;
    for (const e of this.outbox.values()) if (oldest === null || e.queuedAt < oldest) oldest = e.queuedAt;
    return oldest;
  }

  /**
   * Follows writes made by other tabs over the same storage (localStorage `storage`
   * events, where the driver reports them): their records, outbox and checkpoint are
   * read back into memory, so two windows of one browser profile stay in step.
   */
  async watchOtherTabs(): Promise<() => void> {
    const unwatch = await this.storage.watch((_event, key) => {
      void this.reloadKey(key).catch(() => {});
    });
    return () => void unwatch();
  }

  private async reloadKey(fullKey: string): Promise<void> {
    // The driver may report keys with its own base in front (e.g. `basic-sync:<user>:`).
    const at = fullKey.search(/(?:^|:)sync:(?:record|outbox|held|notice|meta)(?::|$)/);
    if (at < 0) return;
    const key = fullKey.slice(fullKey[at] === ':' ? at + 1 : at);
    const [, kind, table, ...idParts] = key.split(':');
    const id = idParts.join(':');
    if (kind === 'meta') {
      const meta = await this.storage.getItem<SyncMeta>(key);
      if (meta) this.meta = { ...this.meta, ...meta };
      return;
    }
    if (!table || !id) return;
    const ref = { table, id };
    // Read even when removed: a loose value a pack replaced is removed, and the pack holds the key.
    const value = await this.storage.getItem(key);
    if (kind === 'record' && isRecord(value)) {
      this.tableMap(table).set(id, value);
      this.emit({ refs: [ref], origin: 'remote' });
    } else if (kind === 'outbox') {
      if (isOutboxEntry(value)) this.outbox.set(refKey(ref), value);
      else this.outbox.delete(refKey(ref));
      this.emit({ refs: [ref], origin: 'other-tab' });
    } else if (kind === 'notice') {
      if (isLostWrite(value)) this.lostWrites.set(refKey(ref), value);
      else this.lostWrites.delete(refKey(ref));
    }
  }

  subscribe(listener: (change: LocalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A user's write: queued in the outbox, then stored. All or nothing. */
  async writeLocal(table: string, record: SyncRecord): Promise<void> {
    await this.queue({ table, id: record.id }, record);
    this.emit({ refs: [{ table, id: record.id }], origin: 'local' });
  }

  /**
   * Joins remote versions into the store (never a blind overwrite, so a write that
   * raced this one is not lost). Returns the versions now held.
   */
  async applyRemote(table: string, incoming: SyncRecord[]): Promise<SyncRecord[]> {
    const held: SyncRecord[] = [];
    const changed: Array<{ ref: RecordRef; record: SyncRecord }> = [];
    for (const remote of incoming) {
      const ref = { table, id: remote.id };
      const current = this.get(ref);
      const next = current ? mergeRecords(current, remote, this.ruleOf(table)) : remote;
      if (!current || !deepEqual(next, current)) changed.push({ ref, record: next });
      held.push(next);
    }
    if (changed.length === 0) return held;
    // One write pass for the whole batch (a catch-up page), not a storage call per record.
    try {
      await writeEntries(this.storage, changed.map(({ ref, record }) => ({ key: keyOf('record', ref), value: record })));
    } catch (error) {
      throw new LocalStorageError(`saving ${changed.length} records of ${table}`, error);
    }
    const records = this.tableMap(table);
    for (const { ref, record } of changed) records.set(ref.id, record);
    this.emit({ refs: changed.map(({ ref }) => ref), origin: 'remote' });
    return held;
  }

  /** Queues the current version of records for pushing (e.g. a local version that won). */
  async queueForPush(refs: RecordRef[]): Promise<void> {
    for (const ref of refs) {
      const record = this.get(ref);
      if (record) await this.queueEntry(ref, record);
    }
  }

  /**
   * Clears outbox entries the server acknowledged, but only where the record has not
   * changed since it was sent; a newer edit stays queued.
   */
  async acknowledge(pushed: Array<RecordRef & { record: SyncRecord }>): Promise<void> {
    for (const { table, id, record } of pushed) {
      const ref = { table, id };
      const entry = this.outbox.get(refKey(ref));
      const current = this.get(ref);
      // Component edits keep the record's own stamp, so compare whole versions.
      if (!entry || !current || !deepEqual(current, record)) continue;
      await this.removeKey(keyOf('outbox', ref), 'clearing the outbox');
      this.outbox.delete(refKey(ref));
    }
  }

  private async queue(ref: RecordRef, record: SyncRecord): Promise<void> {
    const previousEntry = this.outbox.get(refKey(ref));
    await this.queueEntry(ref, record);
    try {
      await this.putRecord(ref, record);
    } catch (error) {
      // Undo the outbox write so the store is exactly as before.
      await this.restoreEntry(ref, previousEntry);
      throw error;
    }
  }

  private async queueEntry(ref: RecordRef, record: SyncRecord): Promise<void> {
    const previous = this.outbox.get(refKey(ref));
    const entry: OutboxEntry = { table: ref.table, id: ref.id, record, queuedAt: previous?.queuedAt ?? this.now() };
    try {
      await this.storage.setItem(keyOf('outbox', ref), entry);
    } catch (error) {
      throw new LocalStorageError(`queueing ${ref.table}/${ref.id}`, error);
    }
    this.outbox.set(refKey(ref), entry);
  }

  private async restoreEntry(ref: RecordRef, previous: OutboxEntry | undefined): Promise<void> {
    try {
      if (previous) await this.storage.setItem(keyOf('outbox', ref), previous);
      else await this.storage.removeItem(keyOf('outbox', ref));
    } catch {
      // Restoring a key we just wrote only fails if storage broke entirely; the
      // leftover entry is harmless (it pushes the current record).
      return;
    }
    if (previous) this.outbox.set(refKey(ref), previous);
    else this.outbox.delete(refKey(ref));
  }

  private async putRecord(ref: RecordRef, record: SyncRecord): Promise<void> {
    try {
      await this.storage.setItem(keyOf('record', ref), record);
    } catch (error) {
      throw new LocalStorageError(`saving ${ref.table}/${ref.id}`, error);
    }
    this.tableMap(ref.table).set(ref.id, record);
  }

  private emit(change: LocalChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function isRecord(value: unknown): value is SyncRecord {
  return value !== null && typeof value === 'object' && typeof (value as SyncRecord).id === 'string';
}

function isLostWrite(value: unknown): value is LostWrite {
  const v = value as LostWrite;
  return value !== null && typeof value === 'object' && typeof v.table === 'string' && typeof v.id === 'string' && isRecord(v.mine) && Array.isArray(v.lost);
}

function isOutboxEntry(value: unknown): value is OutboxEntry {
  const v = value as OutboxEntry;
  return value !== null && typeof value === 'object' && typeof v.table === 'string' && typeof v.id === 'string' && isRecord(v.record);
}
