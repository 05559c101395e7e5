/**
 * What of a user's own version another version overrode, so the app can say so and
 * offer it back ("Keep mine", "Restore"). Pure; the sync service calls it when it
 * merges a remote version over a local one that holds unacknowledged writes of this
 * client, or writes made while the user was editing the record.
 *
 * A record's parts are its own fields (`name`) and the entries of its per-entry fields
 * (`components.emojis`); fields that only keep versions are not parts.
 */
import { deepEqual } from './canonical.js';
import { SYNC_FIELDS, generationOf, type MergeRule, type SyncRecord, type Versioned, type VersionedMap } from './record.js';

export interface LostWrite {
  table: string;
  id: string;
  /** `deleted`: a delete won over the user's version; `overwritten`: parts of it were replaced. */
  kind: 'deleted' | 'overwritten';
  /** The user's version as it was just before the other one won. */
  mine: SyncRecord;
  /** What was lost: parts (`name`, `components.emojis`), or `record` when a delete won. */
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

/** A part's entry (`field.key`), or undefined for an own field. */
function entryOf(record: SyncRecord, part: string): (Versioned & Record<string, unknown>) | undefined {
  const dot = part.indexOf('.');
  return dot < 0 ? undefined : entriesOf(record, part.slice(0, dot))[part.slice(dot + 1)];
}

/** Every part a record holds. */
function partsOf(record: SyncRecord, rule: MergeRule): string[] {
  const own = Object.keys(record).filter((key) => !SYNC_FIELDS.has(key) && !rule.versionFields.includes(key) && !rule.perEntryFields.includes(key));
  return [...own, ...rule.perEntryFields.flatMap((field) => Object.keys(entriesOf(record, field)).map((key) => `${field}.${key}`))];
}

/** A part's data, without its version stamp. */
function dataOf(record: SyncRecord, part: string): unknown {
  if (!part.includes('.')) return record[part];
  const entry = entryOf(record, part);
  if (!entry) return undefined;
  const { lastModified: _l, modifiedBy: _m, ...data } = entry;
  return data;
}

/** The parts where two versions hold different data (stamps aside). */
export function differingParts(a: SyncRecord, b: SyncRecord, rule: MergeRule): string[] {
  return [...new Set([...partsOf(a, rule), ...partsOf(b, rule)])].filter((part) => !deepEqual(dataOf(a, part), dataOf(b, part)));
}

/**
 * The parts of `mine` written by `writer` that `result` no longer holds; null when
 * nothing of theirs was lost. A version of their own that replaced `mine` loses nothing.
 */
export function lostParts(mine: SyncRecord, result: SyncRecord, writer: string, rule: MergeRule): Pick<LostWrite, 'kind' | 'lost'> | null {
  if (mine.deleted) return null;
  const ownFieldsMine = mine.modifiedBy === writer;
  const byWriter = (part: string) => (part.includes('.') ? entryOf(mine, part)?.modifiedBy === writer : ownFieldsMine);
  if (!partsOf(mine, rule).some(byWriter)) return null;
  if (result.deleted) return { kind: 'deleted', lost: ['record'] };
  const replaced = (part: string) => {
    if (!part.includes('.')) return result.modifiedBy !== writer && !sameStamp(mine, result);
    const now = entryOf(result, part);
    return now?.modifiedBy !== writer && !sameStamp(entryOf(mine, part), now);
  };
  const lost = differingParts(mine, result, rule).filter((part) => byWriter(part) && replaced(part));
  return lost.length > 0 ? { kind: 'overwritten', lost } : null;
}

/**
 * The version that puts `mine`'s parts back (`lost`, or all of it for `record`) as a new
 * write, which wins by the normal rule: "Keep mine", "Restore", and undo. Over a delete
 * it is the next generation, so it wins over that delete. An entry `mine` lacks is
 * written as deleted; entries alone keep the record's own stamp, as any component edit.
 */
export function keptVersion(current: SyncRecord | undefined, lost: Pick<LostWrite, 'mine' | 'lost'>, stamp: Versioned, rule: MergeRule): SyncRecord {
  const { mine } = lost;
  const version = { lastModified: stamp.lastModified, modifiedBy: stamp.modifiedBy };
  if (!current || current.deleted) {
    const generation = Math.max(generationOf(mine), current ? generationOf(current) : 0) + 1;
    return { ...mine, ...version, generation };
  }
  const next: SyncRecord = { ...current };
  let ownFields = false;
  for (const part of lost.lost.includes('record') ? partsOf(mine, rule) : lost.lost) {
    const dot = part.indexOf('.');
    if (dot < 0) {
      ownFields = true;
      if (Object.hasOwn(mine, part)) next[part] = mine[part];
      else delete next[part];
      continue;
    }
    const field = part.slice(0, dot);
    const entry = entryOf(mine, part) ?? { deleted: true }; // a removed entry keeps no data, like a tombstone
    next[field] = { ...entriesOf(next, field), [part.slice(dot + 1)]: { ...entry, ...version } };
  }
  return ownFields ? { ...next, ...version } : next;
}
