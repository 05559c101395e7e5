/**
 * A table as the app sees it: typed records from the schema, written locally at once
 * and synced by the service like any other write. Deleted records (tombstones) are
 * hidden; the version fields (`lastModified`, `modifiedBy`, `deleted`, `generation`) are
 * stamped here, never by the caller.
 */
import { generationOf, SYNC_FIELDS, type SyncRecord, type Versioned } from '../merge/record.js';
import { toTombstone } from '../merge/lastModifiedWins.js';
import type { BasicSchema, FieldSchema } from '../protocol/schema.js';
import type { LocalChange } from '../local/localStore.js';

export type ValueOf<F> = F extends { type: 'string' } ? string : F extends { type: 'number' } ? number : F extends { type: 'boolean' } ? boolean : F extends { type: 'json' } ? Record<string, unknown> : never;
export type Fields<S extends BasicSchema, T extends TableOf<S>> = S['tables'][T]['fields'];
export type RequiredKeys<F> = { [K in keyof F]: F[K] extends { required: true } ? K : never }[keyof F];
export type VersionField = 'lastModified' | 'modifiedBy' | 'deleted' | 'generation';

/** The tables of a schema. */
export type TableOf<S extends BasicSchema> = keyof S['tables'] & string;

/** A record of table `T` as declared (`as const satisfies BasicSchema` keeps the field types). */
export type RecordOf<S extends BasicSchema, T extends TableOf<S>> = { id: string } & {
  [K in Exclude<RequiredKeys<Fields<S, T>>, VersionField>]: ValueOf<Fields<S, T>[K]>;
} & {
  [K in Exclude<keyof Fields<S, T>, RequiredKeys<Fields<S, T>> | VersionField>]?: ValueOf<Fields<S, T>[K]>;
} & Versioned;

/** What a caller writes: the record without its version fields (and `id` optional on add). */
export type ValuesOf<R> = Omit<R, VersionField | 'id'>;

/** The parts of the sync service a collection writes through. */
export interface CollectionHost {
  schema: BasicSchema;
  read(table: string, id: string): SyncRecord | undefined;
  list(table: string): SyncRecord[];
  write(table: string, record: SyncRecord): Promise<void>;
  stamp(): { lastModified: number; modifiedBy: string };
  onChange(listener: (change: LocalChange) => void): () => void;
}

export interface Collection<R extends { id: string }> {
  readonly table: string;
  /** Adds a record (a new id unless given; given the id of a deleted one, restores it). */
  add(values: ValuesOf<R> & { id?: string }): Promise<R>;
  /** Writes a record whole: fields not given are removed. Restores a deleted one. */
  put(record: ValuesOf<R> & { id: string }): Promise<R>;
  /** Changes some fields of a live record; a field set to `undefined` is removed. */
  update(id: string, changes: Partial<ValuesOf<R>>): Promise<R>;
  /**
   * Sets one entry of a per-entry field (see the service's `merge` option), stamped with
   * its own version so it merges apart from the rest; `undefined` removes it.
   */
  setEntry(id: string, field: string, key: string, data: Record<string, unknown> | undefined): Promise<R>;
  /** Deletes a record (a tombstone, so a stale device cannot bring it back). */
  delete(id: string): Promise<void>;
  /** A live record; the same object until it changes. */
  get(id: string): R | undefined;
  /** Every live record; the same array until the table changes. */
  list(): R[];
  /** Called after every local or remote change to this table, with where it came from. */
  subscribe(listener: (change: Pick<LocalChange, 'origin'>) => void): () => void;
}

/** Fields a caller must not set: the record's versions are the sync layer's. */
function withoutVersionFields(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (!SYNC_FIELDS.has(key) && value !== undefined) out[key] = value;
  return out;
}

export function createCollection<S extends BasicSchema, T extends TableOf<S>>(host: CollectionHost & { schema: S }, table: T): Collection<RecordOf<S, T>> {
  type R = RecordOf<S, T>;
  if (!Object.hasOwn(host.schema.tables, table)) throw new Error(`the schema has no table "${table}"`);
  const declared: Record<string, FieldSchema> = host.schema.tables[table]!.fields;
  const live = (record: SyncRecord | undefined) => (record && !record.deleted ? (record as unknown as R) : undefined);
  const require = (id: string) => {
    const record = live(host.read(table, id));
    if (!record) throw new Error(`${table} has no record ${id}`);
    return record;
  };
  /** Writes `fields` as the record's whole state; over a tombstone, as the generation after it. */
  const writeWhole = async (id: string, fields: Record<string, unknown>): Promise<R> => {
    for (const name of Object.keys(fields)) if (!Object.hasOwn(declared, name)) throw new Error(`${table} has no field "${name}"`);
    const current = host.read(table, id);
    const generation = current ? generationOf(current) + (current.deleted ? 1 : 0) : 0;
    const record = { ...fields, id, ...host.stamp(), ...(generation ? { generation } : {}) } as SyncRecord;
    await host.write(table, record);
    return record as unknown as R;
  };
  let cache: R[] | null = null;
  const listeners = new Set<(change: LocalChange) => void>();
  // Listens for the service's lifetime (collections are made once per table), so the
  // cached list is never stale, subscribed or not.
  let watching = false;
  const watch = () => {
    if (watching) return;
    watching = true;
    host.onChange((change) => {
      if (!change.refs.some((r) => r.table === table)) return;
      cache = null;
      for (const l of [...listeners]) l(change);
    });
  };

  return {
    table,
    add(values) {
      const { id, ...rest } = values as { id?: string } & Record<string, unknown>;
      const existing = id === undefined ? undefined : host.read(table, id);
      if (existing && !existing.deleted) return Promise.reject(new Error(`${table} already has a record ${id}`));
      return writeWhole(id ?? globalThis.crypto.randomUUID(), withoutVersionFields(rest));
    },
    put(record) {
      const { id, ...rest } = record as { id: string } & Record<string, unknown>;
      return writeWhole(id, withoutVersionFields(rest));
    },
    async update(id, changes) {
      const current = require(id) as unknown as Record<string, unknown>;
      const next: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(changes as Record<string, unknown>)) {
        if (SYNC_FIELDS.has(key)) continue;
        if (!Object.hasOwn(declared, key)) throw new Error(`${table} has no field "${key}"`);
        if (value === undefined) delete next[key];
        else next[key] = value;
      }
      const record = { ...next, ...host.stamp() } as SyncRecord;
      await host.write(table, record);
      return record as unknown as R;
    },
    async setEntry(id, field, key, data) {
      if (declared[field]?.type !== 'json') throw new Error(`${table}.${field} is not a json field`);
      const current = require(id) as unknown as Record<string, unknown>;
      const entries = (current[field] ?? {}) as Record<string, unknown>;
      // A removed entry stays as a stamped tombstone, so a stale device cannot bring it back.
      const entry = { ...(data ?? { deleted: true }), ...host.stamp() };
      const record = { ...current, [field]: { ...entries, [key]: entry } } as SyncRecord;
      await host.write(table, record);
      return record as unknown as R;
    },
    async delete(id) {
      const current = host.read(table, id);
      if (!current || current.deleted) return;
      await host.write(table, toTombstone(current, host.stamp()));
    },
    get: (id) => live(host.read(table, id)),
    list() {
      watch();
      cache ??= host.list(table).flatMap((r) => live(r) ?? []);
      return cache;
    },
    // An arrow function: React's useSyncExternalStore may call it unbound.
    subscribe: (listener) => {
      watch();
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
