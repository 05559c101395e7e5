import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, deepEqual } from '../../src/merge/canonical.js';

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) Object.defineProperty(out, key, { value: reversedKeys((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  return out;
}

describe('deepEqual', () => {
  it.each([
    ['same fields, other key order', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
    ['a field holding undefined is absent, as in JSON', { a: 1, parentId: undefined }, { a: 1 }, true],
    ['a missing field', { a: 1, b: 2 }, { a: 1 }, false],
    ['another value', { a: 1 }, { a: 2 }, false],
    ['null is a value', { a: null }, {}, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['array against object', [], {}, false],
    ['number against string', { a: 1 }, { a: '1' }, false],
    ['nested difference', { c: { e: { items: ['🙂'] } } }, { c: { e: { items: ['🌴'] } } }, false],
  ])('%s', (_name, a, b, equal) => {
    expect(deepEqual(a, b)).toBe(equal);
    expect(deepEqual(b, a)).toBe(equal);
  });

  it('says what canonical JSON says, for any JSON values', () =>
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(deepEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(deepEqual(a, reversedKeys(a))).toBe(true);
      }),
      { numRuns: 2000 },
    ));
});
