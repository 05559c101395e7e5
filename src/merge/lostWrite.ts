/**
 * What of a user's own version another version overrode, so the app can say so and
 * offer it back ("Keep mine", "Restore"). Pure; the sync service calls it when it
 * merges a remote version over a local one that holds unacknowledged writes of this
 * client, or writes made while the user was editing the record.
 */
import { deepEqual } from './canonical.js';
import { BOOKKEEPING_FIELDS, PER_ENTRY_FIELDS, generationOf, type SyncRecord, type Versioned, type VersionedMap } from './record.js';

export interface LostWrite {
  table: string;
  id: string;
  /** `deleted`: a delete won over the user's version; `overwritten`: parts of it were replaced. */
  kind: 'deleted' | 'overwritten';
  /** The user's version as it was just before the other one won. */
  mine: SyncRecord;
  /** What was lost: own fields (`name`) and per-entry fields' entries (`components.emojis`). */
  lost: string[];
  /** Wall-clock ms when it was noticed. */
  at: number;
}

const entriesOf = (record: SyncRecord, field: string): VersionedMap => {
  const value = record[field];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as VersionedMap) : {};
};
const sameStamp = (a: Versioned | undefined, b: Versioned | undefined) =>
  !!a && !!b && a.lastModified === b.lastModified && a.modifiedBy === b.modifiedBy;

/**
 * The parts of `mine` written by `writer` that `result` no longer holds; null when
 * nothing of theirs was lost. A version of their own that replaced `mine` loses nothing.
 */
export function lostParts(mine: SyncRecord, result: SyncRecord, writer: string): Pick<LostWrite, 'kind' | 'lost'> | null {
  if (mine.deleted) return null;
  const ownFieldsMine = mine.modifiedBy === writer;
  const entries = PER_ENTRY_FIELDS.flatMap((field) =>
    Object.entries(entriesOf(mine, field))
      .filter(([, entry]) => entry.modifiedBy === writer)
      .map(([key, entry]) => ({ field, key, entry })),
  );
  if (!ownFieldsMine && entries.length === 0) return null;
  if (result.deleted) return { kind: 'deleted', lost: ['record'] };

  const lost: string[] = [];
  if (ownFieldsMine && result.modifiedBy !== writer && !sameStamp(mine, result)) {
    const perEntry = new Set<string>(PER_ENTRY_FIELDS);
    for (const key of new Set([...Object.keys(mine), ...Object.keys(result)])) {
      if (BOOKKEEPING_FIELDS.has(key) || perEntry.has(key)) continue;
      if (!deepEqual(mine[key], result[key])) lost.push(key);
    }
  }
  for (const { field, key, entry } of entries) {
    const now = entriesOf(result, field)[key];
    if (now?.modifiedBy === writer || sameStamp(entry, now)) continue;
    const { lastModified: _l, modifiedBy: _m, ...data } = entry;
    const { lastModified: _l2, modifiedBy: _m2, ...nowData } = now ?? {};
    if (!deepEqual(data, nowData)) lost.push(`${field}.${key}`);
  }
  return lost.length > 0 ? { kind: 'overwritten', lost } : null;
}

/**
 * The version that puts back what was lost ("Keep mine"; "Restore" after a delete), as a
 * new write: it wins by the normal rule. After a delete it is the next generation, so it
 * wins over that delete; otherwise the lost fields and entries get the new stamp.
 */
export function keptVersion(current: SyncRecord | undefined, lost: Pick<LostWrite, 'mine' | 'lost'>, stamp: Versioned): SyncRecord {
  const { mine } = lost;
  if (!current || current.deleted) {
    const generation = Math.max(generationOf(mine), current ? generationOf(current) : 0) + 1;
    return { ...mine, lastModified: stamp.lastModified, modifiedBy: stamp.modifiedBy, generation };
  }
  const next: SyncRecord = { ...current };
  let ownFields = false;
  // Lost to a delete, but live again (restored elsewhere meanwhile): put back all of mine.
  const parts = lost.lost.includes('record') ? everyPartOf(mine) : lost.lost;
  for (const part of parts) {
    const dot = part.indexOf('.');
    if (dot < 0) {
      ownFields = true;
      if (Object.hasOwn(mine, part)) next[part] = mine[part];
      else delete next[part];
      continue;
    }
    const [field, key] = [part.slice(0, dot), part.slice(dot + 1)];
    const entry = entriesOf(mine, field)[key];
    if (entry) next[field] = { ...entriesOf(next, field), [key]: { ...entry, lastModified: stamp.lastModified, modifiedBy: stamp.modifiedBy } };
  }
  // As with any component edit, entries alone keep the record's own stamp.
  return ownFields ? { ...next, lastModified: stamp.lastModified, modifiedBy: stamp.modifiedBy } : next;
}

/** Every part of a record a user may have written: own fields and per-entry fields' entries. */
function everyPartOf(record: SyncRecord): string[] {
  const perEntry = new Set<string>(PER_ENTRY_FIELDS);
  const own = Object.keys(record).filter((key) => !BOOKKEEPING_FIELDS.has(key) && !perEntry.has(key));
  return [...own, ...PER_ENTRY_FIELDS.flatMap((field) => Object.keys(entriesOf(record, field)).map((key) => `${field}.${key}`))];
}
