/**
 * Turns the server's changes into records the merge can use, and refuses what
 * must not reach the local store: records that break the schema, carry
 * prototype keys, or claim a `lastModified` too far ahead of this client's clock.
 */
import type { HybridClock } from '../merge/hlc.js';
import { toTombstone } from '../merge/lastModifiedWins.js';
import { deletedOnServer, ruleOf, stampsOf, type MergeRule, type MergeRules, type SyncRecord } from '../merge/record.js';
import type { BasicSchema } from '../protocol/schema.js';
import { CREATE, DELETE, UPDATE } from '../protocol/socket.js';
import { assertRecordId, validateFullRecord } from '../protocol/validate.js';

export interface RemoteVersion {
  table: string;
  record: SyncRecord;
}

export interface QuarantinedRecord {
  table: string;
  id: string;
  reason: string;
}

/** Checks one change from the server; returns the remote version or why it was refused. */
export function readRemoteChange(schema: BasicSchema, clock: HybridClock, change: unknown, rules: MergeRules = {}): RemoteVersion | QuarantinedRecord {
  const c = change as { type?: unknown; table?: unknown; key?: unknown; obj?: unknown };
  const table = typeof c?.table === 'string' ? c.table : '?';
  const id = typeof c?.key === 'string' ? c.key : '?';
  const refuse = (reason: string): QuarantinedRecord => ({ table, id, reason });
  try {
    if (change === null || typeof change !== 'object') return refuse('a change must be an object');
    if (!Object.hasOwn(schema.tables, table)) return refuse(`unknown table ${JSON.stringify(c.table)}`);
    assertRecordId(c.key);
    if (c.type === DELETE) {
      // A hard delete from another kind of client: a tombstone at stamp 0 (deletes win).
      return { table, record: deletedOnServer(id) };
    }
    if (c.type === UPDATE) return refuse('updates without the whole record are not supported; expected a create');
    if (c.type !== CREATE) return refuse(`unknown change type ${JSON.stringify(c.type)}`);
    const obj = validateFullRecord(schema, table, c.obj);
    if (obj.id !== id) return refuse(`obj.id "${obj.id}" differs from key "${id}"`);
    if (typeof obj.lastModified !== 'number') return refuse('lastModified is missing');
    const record = { ...obj, modifiedBy: typeof obj.modifiedBy === 'string' ? obj.modifiedBy : '' } as SyncRecord;
    if (record.generation !== undefined && !(Number.isSafeInteger(record.generation) && record.generation >= 0)) {
      return refuse(`generation must be a whole number of at least 0, got ${JSON.stringify(record.generation)}`);
    }
    const rule = ruleOf(rules, table);
    const badEntry = entryProblem(record, rule);
    if (badEntry) return refuse(badEntry);
    for (const stamp of stampsOf(record, rule)) {
      if (!clock.accepts(stamp)) return refuse(`lastModified ${stamp} is further ahead of this clock than ${clock.maxForwardDriftMs} ms`);
    }
    return { table, record: record.deleted ? toTombstone(record) : record };
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error));
  }
}

/** Per-entry fields (a project's components) must hold versioned objects: `lastModified` and `modifiedBy`. */
function entryProblem(record: SyncRecord, rule: MergeRule): string | null {
  for (const field of rule.perEntryFields) {
    const entries = record[field];
    if (entries === undefined) continue;
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) return `${field} must be an object of entries`;
    for (const [key, entry] of Object.entries(entries)) {
      const e = entry as { lastModified?: unknown; modifiedBy?: unknown } | null;
      if (!e || typeof e !== 'object' || typeof e.lastModified !== 'number' || typeof e.modifiedBy !== 'string') {
        return `${field}.${key} needs a numeric lastModified and a modifiedBy`;
      }
    }
  }
  return null;
}

export function isQuarantined(v: RemoteVersion | QuarantinedRecord): v is QuarantinedRecord {
  return 'reason' in v;
}
