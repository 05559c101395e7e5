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

/** Where a record lives: its table and id. */
export interface RecordRef {
  table: string;
  id: string;
}

/**
 * One string per record, for maps and actor ids: `table/id` (table names are
 * `[A-Za-z0-9_]`, ids never hold a `/`, so it cannot be ambiguous).
 */
export const refKey = (ref: RecordRef): string => `${ref.table}/${ref.id}`;

/** A synced record: `id`, a version, and the table's other fields. */
export type SyncRecord = Versioned & { id: string } & Record<string, unknown>;

/** A json field whose entries are merged one by one by their own version. */
export type VersionedMap = Record<string, Versioned & Record<string, unknown>>;

/**
 * How a table's records merge beyond "the newer version wins": declared per table in the
 * sync options (`merge`), since only the app knows its fields.
 */
export interface MergeRule {
  /**
   * json fields whose entries merge one by one, each by its own version (every entry
   * carries `lastModified` and `modifiedBy`): a project's `components`, so a rename on one
   * device and an emoji added on another both survive.
   */
  perEntryFields: readonly string[];
  /**
   * Fields that keep versions rather than data a user typed (e.g. `movedAt`, the stamp of
   * the write that last set `parentId`): a notice about a lost write never lists them.
   */
  versionFields: readonly string[];
}

/** Merge rules by table; a table without one merges whole records. */
export type MergeRules = Readonly<Record<string, Partial<MergeRule>>>;

/** Whole records, newer wins: no per-entry fields, no version fields of the app's own. */
export const WHOLE_RECORD: MergeRule = { perEntryFields: [], versionFields: [] };

/** A table's rule, defaults filled in. */
export function ruleOf(rules: MergeRules | undefined, table: string): MergeRule {
  const rule = rules && Object.hasOwn(rules, table) ? rules[table] : undefined;
  return rule ? { perEntryFields: rule.perEntryFields ?? [], versionFields: rule.versionFields ?? [] } : WHOLE_RECORD;
}

/** Fields every synced record has that keep versions, not data a user typed. */
export const SYNC_FIELDS: ReadonlySet<string> = new Set(['id', 'lastModified', 'modifiedBy', 'deleted', 'generation']);

/**
 * A record deleted on the server without a tombstone of ours (a hard delete by another
 * kind of client, or one a snapshot no longer holds): a tombstone at stamp 0, so it
 * wins as deletes do but loses to a restore that saw it.
 */
export const deletedOnServer = (id: string): SyncRecord => ({ id, lastModified: 0, modifiedBy: '', deleted: true });

/** Every version stamp a record carries: its own and each per-entry field's entries'. */
export function stampsOf(record: SyncRecord, rule: MergeRule): number[] {
  const stamps = [record.lastModified];
  for (const field of rule.perEntryFields) {
    const entries = record[field];
    if (entries === null || typeof entries !== 'object') continue;
    for (const entry of Object.values(entries as VersionedMap)) if (entry && typeof entry === 'object') stamps.push(entry.lastModified);
  }
  return stamps;
}
