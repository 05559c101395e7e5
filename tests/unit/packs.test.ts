/** Packs (src/local/packs.ts): what a pack holds comes back whole, in order, whatever the keys and values hold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPackKey, PACK_SIZE, packedEntries, packKey, packNumber, packsOf, unpack } from '../../src/local/packs.js';

describe('packs', () => {
  it.each([
    ['no entries', []],
    ['a JSON record', [['sync:record:projects:a', '{"id":"a","name":"A, B; C"}']]],
    ['separators in keys and values', [['k,1;2', 'v;,;'], [';', ','], ['', '']]],
    ['non-ASCII and astral characters', [['sync:record:p:ä', '{"name":"Ünïcødé 🎉"}']]],
    ['a raw string value', [['k', 'plain text, not JSON']]],
  ] as Array<[string, Array<[string, string]>]>)('round-trips %s', (_name, entries) => {
    const packs = packsOf(entries);
    expect(packs.flatMap(unpack)).toEqual(entries);
  });

  it('cuts entries into packs of PACK_SIZE', () => {
    const entries = Array.from({ length: PACK_SIZE * 2 + 1 }, (_, i) => [`k${i}`, `v${i}`] as [string, string]);
    const packs = packsOf(entries);
    expect(packs.map((pack) => unpack(pack).length)).toEqual([PACK_SIZE, PACK_SIZE, 1]);
  });

  it('round-trips any entries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }))), (entries) => {
        expect(packsOf(entries).flatMap(unpack)).toEqual(entries);
      }),
    );
  });

  it('reads packs written as JSON objects (the first IndexedDB format)', () => {
    expect(unpack(JSON.stringify({ a: '{"id":"a"}', b: 'x' }))).toEqual([['a', '{"id":"a"}'], ['b', 'x']]);
  });

  it.each([
    ['cut short', `${packsOf([['a', '1']])[0]}3,5;ab`, [['a', '1']]],
    ['lengths that are not numbers', 'x,y;ab', []],
    ['not JSON after a brace', '{"a":', []],
    ['a JSON array', '["a"]', []],
  ])('yields what precedes the damage of a pack %s', (_name, pack, expected) => {
    expect(unpack(pack)).toEqual(expected);
  });

  it('later packs override earlier ones', () => {
    const [first] = packsOf([['a', '1'], ['b', '1']]);
    const [second] = packsOf([['b', '2']]);
    expect([...packedEntries([first!, second!])]).toEqual([['a', '1'], ['b', '2']]);
  });

  it('pack keys sort as their numbers do, and by tag within a number', () => {
    const keys = [packKey(36), packKey(2), packKey(10, 'b'), packKey(10, 'a'), packKey(1_000_000)];
    expect([...keys].sort().map(packNumber)).toEqual([2, 10, 10, 36, 1_000_000]);
    expect([...keys].sort()[1]).toBe(packKey(10, 'a'));
    expect(keys.every(isPackKey)).toBe(true);
    expect(isPackKey('sync:record:projects:a')).toBe(false);
    expect(packNumber('sync:meta')).toBeNaN();
  });
});
