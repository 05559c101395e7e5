import { describe, expect, it } from 'vitest';
import { mergeRecords } from '../../src/merge/lastModifiedWins.js';
import { differingParts, keptVersion, lostParts } from '../../src/merge/lostWrite.js';
import { ruleOf, type SyncRecord } from '../../src/merge/record.js';
import { mergeRules } from '../../basic.config.js';

/** The demo's projects: components merge per entry; movedAt is a stamp. */
const rule = ruleOf(mergeRules, 'projects');
const merge = (a: SyncRecord, b: SyncRecord) => mergeRecords(a, b, rule);

const ME = 'me';
const rec = (lastModified: number, modifiedBy: string, fields: Record<string, unknown> = {}): SyncRecord => ({ id: 'p1', lastModified, modifiedBy, ...fields });
const emojis = (lastModified: number, modifiedBy: string, list: string[]) => ({ kind: 'emojis', emojis: list, lastModified, modifiedBy });
const tomb = (lastModified: number, modifiedBy = 'other', generation?: number) => rec(lastModified, modifiedBy, { deleted: true, ...(generation ? { generation } : {}) });

describe('differingParts', () => {
  it.each([
    ['same data, other stamps', rec(1, 'a', { name: 'x', components: { emojis: emojis(1, 'a', ['🙂']) } }), rec(9, 'b', { name: 'x', components: { emojis: emojis(5, 'b', ['🙂']) } }), []],
    ['a field', rec(1, 'a', { name: 'x' }), rec(1, 'a', { name: 'y' }), ['name']],
    ['a field only one side has', rec(1, 'a', { parentId: 'p' }), rec(1, 'a'), ['parentId']],
    ['an entry', rec(1, 'a', { components: { emojis: emojis(1, 'a', ['🙂']) } }), rec(1, 'a', { components: { emojis: emojis(1, 'a', ['🌴']) } }), ['components.emojis']],
    ['an entry only one side has', rec(1, 'a', { components: {} }), rec(1, 'a', { components: { emojis: emojis(1, 'a', []) } }), ['components.emojis']],
    ['bookkeeping fields are not parts', rec(1, 'a', { movedAt: 1, generation: 1 }), rec(2, 'b', { movedAt: 2 }), []],
  ] as const)('%s', (_name, a, b, parts) => {
    expect(differingParts(a, b, rule)).toEqual(parts);
    expect(differingParts(b, a, rule).sort()).toEqual([...parts].sort());
  });
});

describe('lostParts', () => {
  it.each([
    ['my rename replaced by a later rename elsewhere', rec(5, ME, { name: 'mine' }), rec(9, 'other', { name: 'theirs' }), { kind: 'overwritten', lost: ['name'] }],
    ['my version deleted elsewhere', rec(5, ME, { name: 'mine' }), tomb(3), { kind: 'deleted', lost: ['record'] }],
    ['someone else’s version replaced: not mine to lose', rec(5, 'other', { name: 'x' }), rec(9, 'third', { name: 'y' }), null],
    ['my own later version replaced it', rec(5, ME, { name: 'a' }), rec(9, ME, { name: 'b' }), null],
    ['mine won', rec(9, ME, { name: 'mine' }), rec(9, ME, { name: 'mine' }), null],
    ['a later version with the same data loses nothing', rec(5, ME, { name: 'same' }), rec(9, 'other', { name: 'same' }), null],
    ['only the link stamp differs: nothing a user typed', rec(5, ME, { name: 'n', parentId: 'a', movedAt: 5 }), rec(9, 'other', { name: 'n', parentId: 'a', movedAt: 9 }), null],
    ['my move replaced by another move', rec(5, ME, { parentId: 'a', movedAt: 5 }), rec(9, 'other', { parentId: 'b', movedAt: 9 }), { kind: 'overwritten', lost: ['parentId'] }],
    ['my emojis replaced by later emojis elsewhere', rec(1, 'other', { components: { emojis: emojis(5, ME, ['🙂']) } }), rec(1, 'other', { components: { emojis: emojis(8, 'other', ['🌴']) } }), { kind: 'overwritten', lost: ['components.emojis'] }],
    ['my emojis kept while the name changed elsewhere', rec(1, 'other', { name: 'a', components: { emojis: emojis(5, ME, ['🙂']) } }), rec(9, 'other', { name: 'b', components: { emojis: emojis(5, ME, ['🙂']) } }), null],
    ['my emojis on a project someone else deleted', rec(1, 'other', { components: { emojis: emojis(5, ME, ['🙂']) } }), tomb(2), { kind: 'deleted', lost: ['record'] }],
    ['my delete replaced by a restore: a delete is not typed text', tomb(5, ME), rec(9, 'other', { name: 'back', generation: 1 }), null],
  ] as const)('%s', (_name, mine, result, expected) => {
    expect(lostParts(mine, result, ME, rule)).toEqual(expected);
  });
});

describe('keptVersion ("Keep mine", "Restore")', () => {
  const stamp = { lastModified: 20, modifiedBy: ME };
  it('after a delete: my version in the next generation, which wins over that delete and stale edits', () => {
    const mine = rec(5, ME, { name: 'typed', components: { emojis: emojis(4, ME, ['🙂']) } });
    const deleted = tomb(30);
    const kept = keptVersion(deleted, { mine, lost: ['record'] }, stamp, rule);
    expect(kept).toEqual({ ...mine, lastModified: 20, modifiedBy: ME, generation: 1 });
    expect(merge(deleted, kept)).toEqual(kept);
    expect(merge(merge(kept, rec(99, 'stale', { name: 'old edit' })), deleted)).toEqual(kept);
  });

  it('after a rename elsewhere: my name, newly stamped, over everything else of theirs', () => {
    const current = rec(9, 'other', { name: 'theirs', type: 'folder', components: { emojis: emojis(8, 'other', ['🌴']) } });
    const kept = keptVersion(current, { mine: rec(5, ME, { name: 'mine', type: 'folder' }), lost: ['name'] }, stamp, rule);
    expect(kept).toEqual({ ...current, name: 'mine', lastModified: 20, modifiedBy: ME });
    expect(merge(current, kept)).toEqual(kept);
  });

  it('lost emojis come back as a new version of that entry; the record keeps its own stamp', () => {
    const current = rec(9, 'other', { name: 'n', components: { emojis: emojis(8, 'other', ['🌴']) } });
    const mine = rec(1, 'other', { name: 'n', components: { emojis: emojis(5, ME, ['🙂']) } });
    const kept = keptVersion(current, { mine, lost: ['components.emojis'] }, stamp, rule);
    expect(kept).toEqual(rec(9, 'other', { name: 'n', components: { emojis: emojis(20, ME, ['🙂']) } }));
    expect(merge(current, kept)).toEqual(kept);
  });

  it('lost to a delete but restored elsewhere since: all of mine, newly stamped, over the restored version', () => {
    const restored = rec(30, 'other', { name: 'restored', generation: 1, components: { emojis: emojis(2, 'other', ['🌴']) } });
    const mine = rec(5, ME, { name: 'mine', components: { emojis: emojis(4, ME, ['🙂']) } });
    const kept = keptVersion(restored, { mine, lost: ['record'] }, stamp, rule);
    expect(kept).toEqual(rec(20, ME, { name: 'mine', generation: 1, components: { emojis: emojis(20, ME, ['🙂']) } }));
  });

  it('an entry mine did not have is written as removed, holding no data (undo of a first emoji)', () => {
    const current = rec(9, 'other', { name: 'n', components: { emojis: emojis(8, ME, ['🙂']) } });
    const kept = keptVersion(current, { mine: rec(1, ME, { name: 'n', components: {} }), lost: ['components.emojis'] }, stamp, rule);
    expect(kept).toEqual(rec(9, 'other', { name: 'n', components: { emojis: { deleted: true, lastModified: 20, modifiedBy: ME } } }));
  });

  it('a field I had removed is removed again', () => {
    const kept = keptVersion(rec(9, 'other', { parentId: 'x' }), { mine: rec(5, ME, {}), lost: ['parentId'] }, stamp, rule);
    expect(kept).toEqual(rec(20, ME));
  });
});
