import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/merge/canonical.js';
import { compareVersions, decideMerge, isSameVersion, mergeRecords } from '../../src/merge/lastModifiedWins.js';
import type { SyncRecord } from '../../src/merge/record.js';

const rec = (lastModified: number, modifiedBy: string, fields: Record<string, unknown> = {}): SyncRecord => ({ id: 'p1', lastModified, modifiedBy, ...fields });
const emoji = (lastModified: number, modifiedBy: string, items: string[]) => ({ lastModified, modifiedBy, items });

describe('compareVersions', () => {
  it.each([
    ['older stamp loses', rec(1, 'b'), rec(2, 'a'), -1],
    ['newer stamp wins', rec(3, 'a'), rec(2, 'z'), 1],
    ['equal stamps: the greater client id wins', rec(2, 'b'), rec(2, 'a'), 1],
    ['identical versions are equal', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'x' }), 0],
    ['same stamp and writer, different content: ordered by content', rec(2, 'a', { name: 'x' }), rec(2, 'a', { name: 'y' }), -1],
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
  ] as const)('%s', (_name, input, kind, record, remoteWon) => {
    const decision = decideMerge(input);
    expect(decision.kind).toBe(kind);
    expect(decision.record).toEqual(record);
    expect(decision.remoteWon).toBe(remoteWon);
  });

  it('keeps a rename from one side and an emoji from the other (component merge)', () => {
    const base = { name: 'Trip', components: { emojis: emoji(1, 'A', ['🙂']) } };
    const renamed = rec(10, 'A', { ...base, name: 'Trip 2026' });
    const withEmoji = rec(8, 'B', { ...base, components: { emojis: emoji(8, 'B', ['🙂', '🌴']) } });
    const decision = decideMerge({ id: 'p1', local: renamed, remote: withEmoji });
    expect(decision.kind).toBe('merged');
    expect(decision.record).toEqual(rec(10, 'A', { name: 'Trip 2026', components: { emojis: emoji(8, 'B', ['🙂', '🌴']) } }));
    expect(decideMerge({ id: 'p1', local: withEmoji, remote: renamed }).record).toEqual(decision.record);
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
  })
  // Tombstones are stored in their minimal form (see mergeRecords).
  .map(({ deleted, ...r }) => (deleted ? { id: 'p1', lastModified: r.lastModified, modifiedBy: r.modifiedBy, deleted: true } : { id: 'p1', ...r }));
const same = (a: SyncRecord, b: SyncRecord) => expect(canonicalJson(a)).toBe(canonicalJson(b));

describe('mergeRecords is a join', () => {
  it('is commutative', () => fc.assert(fc.property(version, version, (a, b) => { same(mergeRecords(a, b), mergeRecords(b, a)); }), { numRuns: 2000 }));
  it('is associative', () =>
    fc.assert(fc.property(version, version, version, (a, b, c) => { same(mergeRecords(mergeRecords(a, b), c), mergeRecords(a, mergeRecords(b, c))); }), { numRuns: 2000 }));
  it('is idempotent', () => fc.assert(fc.property(version, (a) => { same(mergeRecords(a, a), a); }), { numRuns: 500 }));
  it('never goes below the newest stamp it was given', () =>
    fc.assert(fc.property(version, version, (a, b) => { expect(mergeRecords(a, b).lastModified).toBe(Math.max(a.lastModified, b.lastModified)); })));
  it('gives every client the same result for any arrival order', () =>
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.nat()), (versions, seeds) => {
        const shuffled = [...versions].sort(() => (seeds.next().value % 3) - 1);
        same(versions.reduce(mergeRecords), shuffled.reduce(mergeRecords));
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
    fc.assert(fc.property(version, version, (a, b) => { expect(isSameVersion(a, b)).toBe(decideMerge({ id: a.id, local: a, remote: b }).kind === 'equal'); }), { numRuns: 2000 }));
});
