/** What the sync layer needs of every record and of every component inside one. */
export interface Versioned {
  /** Hybrid-logical-clock stamp of the last change (ms; see `HybridClock`). */
  lastModified: number;
  /** Id of the client that made that change; breaks timestamp ties. */
  modifiedBy: string;
  /** A tombstone: the record (or component) was deleted at `lastModified`. */
  deleted?: boolean;
  /**
   * How many deletes of this record the writer had seen (records only; absent means 0).
   * A delete keeps the generation it deleted; a restore writes the next one, so it wins
   * over that delete, while an edit that never saw the delete does not.
   */
  generation?: number;
}

/** A version's delete generation (0 when absent). */
export const generationOf = (v: Versioned): number => v.generation ?? 0;

/** A synced record: `id`, a version, and the table's other fields. */
export type SyncRecord = Versioned & { id: string } & Record<string, unknown>;

/** A json field whose entries are merged one by one by their own version. */
export type VersionedMap = Record<string, Versioned & Record<string, unknown>>;

/** The fields of a record that are merged per entry: a project's components. */
export const PER_ENTRY_FIELDS = ['components'] as const;

/**
 * Fields that keep versions, not data a user typed: a notice about a lost write never
 * lists them. (`movedAt` stamps a project's `parentId`.)
 */
export const BOOKKEEPING_FIELDS: ReadonlySet<string> = new Set(['id', 'lastModified', 'modifiedBy', 'deleted', 'generation', 'movedAt']);

/** Every version stamp a record carries: its own and each per-entry field's entries'. */
export function stampsOf(record: SyncRecord): number[] {
  const stamps = [record.lastModified];
  for (const field of PER_ENTRY_FIELDS) {
    const entries = record[field];
    if (entries === null || typeof entries !== 'object') continue;
    for (const entry of Object.values(entries as VersionedMap)) if (entry && typeof entry === 'object') stamps.push(entry.lastModified);
  }
  return stamps;
}
