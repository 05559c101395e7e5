import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/merge/canonical.js';
import { compareVersions, decideMerge, isSameVersion, mergeRecords, toTombstone, type MergeInput } from '../../src/merge/lastModifiedWins.js';
import { generationOf, ruleOf, type SyncRecord } from '../../src/merge/record.js';
import { mergeRules } from '../../basic.config.js';

/** The demo's projects: components merge per entry. */
const rule = ruleOf(mergeRules, 'projects');
const merge = (a: SyncRecord, b: SyncRecord) => mergeRecords(a, b, rule);
const decide = (input: Omit<MergeInput, 'rule'>) => decideMerge({ ...input, rule });

const rec = (lastModified: number, modifiedBy: string, fields: Record<string, unknown> = {}): SyncRecord => ({ id: 'p1', lastModified, modifiedBy, ...fields });
const emoji = (lastModified: number, modifiedBy: string, items: string[]) => ({ lastModified, modifiedBy, items });

describe('compareVersions', () => {
  it.each([
    ['older stamp loses', rec(1, 'b'), rec(2, 'a'), -1],
    ['newer stamp wins', rec(3, 'a'), rec(2, 'z'), 1],
    ['equal stamps: the greater client id wins', rec(2, 'b'), rec(2, 'a'), 1],
    ['identical versions are equal', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'x' }), 0],
    ['same stamp and writer, different content: ordered by content', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'y' }), -1],
    ['a later delete generation wins whatever the stamps', rec(1, 'a', { generation: 1 }), rec(9, 'z'), 1],
    ['an absent generation is generation 0', rec(3, 'a', { generation: 0 }), rec(2, 'a'), 1],
  ])('%s', (_name, a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(-sign || 0);
  });
});

describe('decideMerge', () => {
  const local = rec(10, 'A', { name: 'local' });
  const older = rec(5, 'B', { name: 'remote' });
  const newerRemote = rec(20, 'B', { name: 'remote' });
  it.each([
    ['remote only: take it', { id: 'p1', remote: newerRemote }, 'take-remote', newerRemote, true],
    ['local only: keep and push', { id: 'p1', local }, 'keep-local', local, false],
    ['neither', { id: 'p1' }, 'equal', undefined, false],
    ['same version on both sides', { id: 'p1', local, remote: { ...local } }, 'equal', undefined, false],
    ['newer remote replaces local', { id: 'p1', local, remote: newerRemote }, 'take-remote', newerRemote, true],
    ['older remote is ignored, local re-pushed', { id: 'p1', local, remote: older }, 'keep-local', local, false],
    ['being edited: defer', { id: 'p1', local, remote: newerRemote, editing: true }, 'defer', undefined, false],
    ['being edited but equal: nothing to hold', { id: 'p1', local, remote: { ...local }, editing: true }, 'equal', undefined, false],
    ['remote tombstone newer: deleted', { id: 'p1', local, remote: rec(20, 'B', { deleted: true }) }, 'take-remote', rec(20, 'B', { deleted: true }), true],
    ['remote tombstone older still deletes (deletes win), at the later stamp', { id: 'p1', local, remote: rec(5, 'B', { deleted: true }) }, 'merged', rec(10, 'A', { deleted: true }), true],
    ['local tombstone beats a newer remote edit', { id: 'p1', local: rec(5, 'A', { deleted: true }), remote: newerRemote }, 'merged', rec(20, 'B', { deleted: true }), true],
    ['a restore (next generation) beats the delete it saw', { id: 'p1', local: rec(5, 'A', { deleted: true }), remote: rec(6, 'B', { name: 'back', generation: 1 }) }, 'take-remote', rec(6, 'B', { name: 'back', generation: 1 }), true],
    ['a restore beats a later stale edit of the deleted generation', { id: 'p1', local: rec(9, 'A', { name: 'stale' }), remote: rec(6, 'B', { name: 'back', generation: 1 }) }, 'take-remote', rec(6, 'B', { name: 'back', generation: 1 }), true],
    ['a delete of the restored generation beats the restore', { id: 'p1', local: rec(6, 'B', { name: 'back', generation: 1 }), remote: rec(7, 'A', { deleted: true, generation: 1 }) }, 'take-remote', rec(7, 'A', { deleted: true, generation: 1 }), true],
    ['an old delete does not undo a restore', { id: 'p1', local: rec(6, 'B', { name: 'back', generation: 1 }), remote: rec(50, 'A', { deleted: true }) }, 'keep-local', rec(6, 'B', { name: 'back', generation: 1 }), false],
  ] as const)('%s', (_name, input, kind, record, remoteWon) => {
    const decision = decide(input);
    expect(decision.kind).toBe(kind);
    expect(decision.record).toEqual(record);
    expect(decision.remoteWon).toBe(remoteWon);
  });

  it('keeps a rename from one side and an emoji from the other (component merge)', () => {
    const base = { name: 'Trip', components: { emojis: emoji(1, 'A', ['🙂']) } };
    const renamed = rec(10, 'A', { ...base, name: 'Trip 2026' });
    const withEmoji = rec(8, 'B', { ...base, components: { emojis: emoji(8, 'B', ['🙂', '🌴']) } });
    const decision = decide({ id: 'p1', local: renamed, remote: withEmoji });
    expect(decision.kind).toBe('merged');
    expect(decision.record).toEqual(rec(10, 'A', { name: 'Trip 2026', components: { emojis: emoji(8, 'B', ['🙂', '🌴']) } }));
    expect(decide({ id: 'p1', local: withEmoji, remote: renamed }).record).toEqual(decision.record);
  });
});

// Property tests. Small domains make ties and collisions likely.
const component = fc.record({
  lastModified: fc.integer({ min: 0, max: 4 }),
  modifiedBy: fc.constantFrom('A', 'B'),
  items: fc.array(fc.constantFrom('🙂', '🌴', '🐙'), { maxLength: 2 }),
  deleted: fc.option(fc.constant(true), { nil: undefined }),
}).map(({ deleted, ...c }) => (deleted ? { ...c, deleted } : c));
const version: fc.Arbitrary<SyncRecord> = fc
  .record({
    lastModified: fc.integer({ min: 0, max: 4 }),
    modifiedBy: fc.constantFrom('A', 'B', 'C'),
    name: fc.constantFrom('x', 'y'),
    components: fc.dictionary(fc.constantFrom('emojis', 'notes'), component, { maxKeys: 2 }),
    deleted: fc.boolean(),
    generation: fc.constantFrom(0, 0, 1, 2),
  })
  // Tombstones are stored in their minimal form (see mergeRecords); generation 0 is absent.
  .map(({ deleted, generation, ...r }) => {
    const g = generation ? { generation } : {};
    return deleted ? { id: 'p1', lastModified: r.lastModified, modifiedBy: r.modifiedBy, deleted: true, ...g } : { id: 'p1', ...r, ...g };
  });
const same = (a: SyncRecord, b: SyncRecord) => expect(canonicalJson(a)).toBe(canonicalJson(b));

describe('mergeRecords is a join', () => {
  it('is commutative', () => fc.assert(fc.property(version, version, (a, b) => { same(merge(a, b), merge(b, a)); }), { numRuns: 2000 }));
  it('is associative', () =>
    fc.assert(fc.property(version, version, version, (a, b, c) => { same(merge(merge(a, b), c), merge(a, merge(b, c))); }), { numRuns: 2000 }));
  it('is idempotent', () => fc.assert(fc.property(version, (a) => { same(merge(a, a), a); }), { numRuns: 500 }));
  it('never goes below the newest generation, nor within it below the newest stamp', () =>
    fc.assert(
      fc.property(version, version, (a, b) => {
        const merged = merge(a, b);
        const top = Math.max(generationOf(a), generationOf(b));
        expect(generationOf(merged)).toBe(top);
        const ofTop = [a, b].filter((v) => generationOf(v) === top);
        expect(merged.lastModified).toBe(Math.max(...ofTop.map((v) => v.lastModified)));
      }),
    ));
  it('gives every client the same result for any arrival order', () =>
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.nat()), (versions, seeds) => {
        const shuffled = [...versions].sort(() => (seeds.next().value % 3) - 1);
        same(versions.reduce(merge), shuffled.reduce(merge));
      }),
    ));
});

describe('isSameVersion (the merge batch spawns no actor when it is true)', () => {
  it.each([
    ['the same version, copied', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'x' }), true],
    ['another stamp', rec(2, 'a', { name: 'x' }), rec(3, 'a', { name: 'x' }), false],
    ['another writer', rec(2, 'a', { name: 'x' }), rec(2, 'b', { name: 'x' }), false],
    ['same stamp, other content', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'y' }), false],
    ['same stamp, other component', rec(2, 'a', { components: { e: emoji(1, 'a', []) } }), rec(2, 'a', { components: { e: emoji(3, 'b', ['🙂']) } }), false],
    ['the same fields in another key order', rec(2, 'a', { name: 'x', type: 't' }), { type: 't', ...rec(2, 'a', { name: 'x' }) }, true],
  ] as const)('%s', (_name, a, b, same) => {
    expect(isSameVersion(a, b)).toBe(same);
  });
  it('is true exactly where decideMerge says equal', () =>
    fc.assert(fc.property(version, version, (a, b) => { expect(isSameVersion(a, b)).toBe(decide({ id: a.id, local: a, remote: b }).kind === 'equal'); }), { numRuns: 2000 }));
});

describe('restores and deletes (delete generations)', () => {
  // Versions that have all seen the same deletes: generation g.
  const atGeneration = (g: number) => version.map((v): SyncRecord => {
    const { generation: _g, ...rest } = v;
    return g ? { ...rest, generation: g } : rest;
  });
  const liveAt = (g: number) => atGeneration(g).map(({ deleted: _d, ...v }) => ({ name: 'x', ...v }) as SyncRecord);
  const tombstoneAt = (g: number) => atGeneration(g).map((v) => ({ ...toTombstone(v), ...(g ? { generation: g } : {}) }));
  const shuffle = (versions: SyncRecord[], seed: number) => versions.map((v, i) => ({ v, k: (i * 7919 + seed) % 101 })).sort((a, b) => a.k - b.k).map(({ v }) => v);

  it('a restore that saw the delete wins over it and over every edit that had not seen it, in any order', () =>
    fc.assert(
      fc.property(
        fc.nat({ max: 2 }).chain((g) => fc.tuple(tombstoneAt(g), fc.array(atGeneration(g), { maxLength: 4 }), liveAt(g + 1), fc.nat())),
        ([deleteSeen, concurrent, restore, seed]) => {
          const all = [deleteSeen, ...concurrent, restore];
          same(all.reduce(merge), restore);
          same(shuffle(all, seed).reduce(merge), restore);
        },
      ),
      { numRuns: 1000 },
    ));

  it('an edit that had not seen the delete loses to it, however late its stamp', () =>
    fc.assert(
      fc.property(
        fc.nat({ max: 2 }).chain((g) => fc.tuple(fc.constant(g), tombstoneAt(g), fc.array(liveAt(g), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1000 }), fc.nat())),
        ([g, deleted, edits, later, seed]) => {
          const stale = edits.map((e) => ({ ...e, lastModified: e.lastModified + later }));
          const merged = [deleted, ...stale].reduce(merge);
          expect(merged.deleted).toBe(true);
          expect(generationOf(merged)).toBe(g);
          same(shuffle([deleted, ...stale], seed).reduce(merge), merged);
        },
      ),
      { numRuns: 1000 },
    ));
});
