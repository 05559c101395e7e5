/**
 * "Last modified wins", as a join: `mergeRecords` is commutative, associative and
 * idempotent, so every client that has seen the same versions holds the same
 * record, whatever order they arrived in.
 *
 * - Versions are ordered by `lastModified`, then `modifiedBy`, then content, so the
 *   order is total and the same on every client.
 * - Fields follow the newer version, except the table's per-entry fields (a project's
 *   `components`; see `MergeRule`), whose entries follow their own newer version: a
 *   rename on one client and an emoji added on another both survive.
 * - Deletes win within a generation: once either side is a tombstone, the result is a
 *   tombstone at the later stamp, so a stale client cannot bring a deleted record back.
 *   Tombstones are minimal (`id`, stamp, generation, `deleted: true`); see `toTombstone`.
 * - A later delete generation wins whole: a restore is written at the generation after
 *   the delete it saw, so it beats that delete and every edit that had not seen it.
 *   (A chain of generations times the join above is still a join, so the laws hold.)
 */
import { canonicalJson, deepEqual } from './canonical.js';
import { WHOLE_RECORD, generationOf, type MergeRule, type SyncRecord, type Versioned, type VersionedMap } from './record.js';

/**
 * Negative when `a` is older than `b`, positive when newer, 0 only when identical.
 * (`rule` only matters for versions that share a stamp and writer: see below.)
 */
export function compareVersions(a: Versioned, b: Versioned, rule: MergeRule = WHOLE_RECORD): number {
  const generations = generationOf(a) - generationOf(b);
  if (generations !== 0) return generations < 0 ? -1 : 1;
  if (a.lastModified !== b.lastModified) return a.lastModified < b.lastModified ? -1 : 1;
  if (a.modifiedBy !== b.modifiedBy) return a.modifiedBy < b.modifiedBy ? -1 : 1;
  // Same stamp and writer is almost always the same version (merging meets it for every
  // unchanged component). Different content there only comes from a foreign or broken
  // writer; order it by content, leaving out per-entry fields, which merging changes.
  const restA = withoutPerEntryFields(a, rule);
  const restB = withoutPerEntryFields(b, rule);
  if (deepEqual(restA, restB)) return 0;
  const ca = canonicalJson(restA);
  const cb = canonicalJson(restB);
  return ca === cb ? 0 : ca < cb ? -1 : 1;
}

function withoutPerEntryFields(v: Versioned, rule: MergeRule): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...v };
  for (const field of rule.perEntryFields) delete rest[field];
  return rest;
}

function newer<T extends Versioned>(a: T, b: T, rule: MergeRule = WHOLE_RECORD): T {
  return compareVersions(a, b, rule) >= 0 ? a : b;
}

function mergeEntries(a: unknown, b: unknown): VersionedMap | undefined {
  const left = isMap(a) ? a : undefined;
  const right = isMap(b) ? b : undefined;
  if (!left || !right) return left ?? right;
  const out: VersionedMap = { ...left };
  for (const [key, entry] of Object.entries(right)) {
    const mine = out[key];
    out[key] = mine ? newer(mine, entry) : entry;
  }
  return out;
}

function isMap(value: unknown): value is VersionedMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The minimal tombstone of a record at the given version. */
export function toTombstone(record: SyncRecord, stamp: Versioned = record): SyncRecord {
  const generation = generationOf(record);
  return { id: record.id, lastModified: stamp.lastModified, modifiedBy: stamp.modifiedBy, deleted: true, ...(generation ? { generation } : {}) };
}

/** The join of two versions of the same record of a table merged by `rule`. */
export function mergeRecords(a: SyncRecord, b: SyncRecord, rule: MergeRule): SyncRecord {
  const winner = newer(a, b, rule);
  // A later generation saw every delete before it: it replaces the older one whole.
  if (generationOf(a) !== generationOf(b)) return winner;
  // Deletes win, stamped with the later of the two versions.
  if (a.deleted || b.deleted) return toTombstone(winner);
  const loser = winner === a ? b : a;
  const merged: SyncRecord = { ...winner };
  for (const field of rule.perEntryFields) {
    const entries = mergeEntries(winner[field], loser[field]);
    if (entries !== undefined) merged[field] = entries;
  }
  return merged;
}

/** What to do with one record when a local and a remote version meet. */
export type MergeDecisionKind =
  /** The remote version (or the join, equal to it) replaces the local one. */
  | 'take-remote'
  /** The local version is newer: keep it and push it (the server is last-write-arrives). */
  | 'keep-local'
  /** Both hold the same version: nothing to do. */
  | 'equal'
  /** Neither side alone: write the join locally and push it (component-level merge). */
  | 'merged'
  /** The record is being edited: hold the remote version until editing ends. */
  | 'defer';

export interface MergeInput {
  id: string;
  local?: SyncRecord;
  remote?: SyncRecord;
  editing?: boolean;
  /** How the record's table merges. */
  rule: MergeRule;
}

export interface MergeDecision {
  id: string;
  kind: MergeDecisionKind;
  /** The version the local store should hold afterwards (absent for equal/defer). */
  record?: SyncRecord;
  /** Whether the remote version changed what the user sees ("updated elsewhere"). */
  remoteWon: boolean;
}

/**
 * Whether two versions are the very same: same stamp, same writer, same content. The
 * stamps come first, so a version that differs costs nothing to tell apart; true
 * exactly when `decideMerge` would say `equal`.
 */
export function isSameVersion(a: SyncRecord, b: SyncRecord): boolean {
  return a.lastModified === b.lastModified && a.modifiedBy === b.modifiedBy && deepEqual(a, b);
}

/** Decides one record. Pure; the merge actor wraps it. */
export function decideMerge({ id, local, remote, editing = false, rule }: MergeInput): MergeDecision {
  if (!remote) return local ? { id, kind: 'keep-local', record: local, remoteWon: false } : { id, kind: 'equal', remoteWon: false };
  if (!local) return { id, kind: 'take-remote', record: remote, remoteWon: true };
  if (deepEqual(local, remote)) return { id, kind: 'equal', remoteWon: false };
  if (editing) return { id, kind: 'defer', remoteWon: false };
  const merged = mergeRecords(local, remote, rule);
  if (deepEqual(merged, remote)) return { id, kind: 'take-remote', record: remote, remoteWon: true };
  if (deepEqual(merged, local)) return { id, kind: 'keep-local', record: local, remoteWon: false };
  return { id, kind: 'merged', record: merged, remoteWon: true };
}
