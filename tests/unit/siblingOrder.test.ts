import { describe, expect, it } from 'vitest';
import { compareSiblings, placementRanks, type Project } from '../../src/app/stores.js';

const p = (id: string, name: string, rank?: string): Project => ({ id, name, type: 'project', components: {}, lastModified: 1, modifiedBy: 't', ...(rank ? { rank } : {}) });
const order = (projects: Project[]) => [...projects].sort((a, b) => compareSiblings(a, b)).map((x) => x.id);

describe('compareSiblings', () => {
  it.each([
    ['by name when none is placed', [p('b', 'Beta'), p('a', 'Alpha'), p('c', 'Gamma')], ['a', 'b', 'c']],
    ['placed ones first, by rank', [p('a', 'Alpha'), p('c', 'Gamma', 'a1'), p('b', 'Beta', 'a0')], ['b', 'c', 'a']],
    ['equal ranks (two devices placed at once): by name, then id', [p('y', 'Same', 'a0'), p('x', 'Same', 'a0'), p('a', 'Alpha', 'a0')], ['a', 'x', 'y']],
  ])('%s', (_, projects, ids) => expect(order(projects)).toEqual(ids));
});

describe('placementRanks', () => {
  /** Applies the ranks and returns the new order with `moved` in it. */
  const place = (siblings: Project[], moved: Project, index: number) => {
    const ranks = placementRanks(siblings, moved.id, index);
    const all = [...siblings, moved].map((x) => (ranks.has(x.id) ? { ...x, rank: ranks.get(x.id)! } : x));
    return { ids: order(all), written: [...ranks.keys()].sort() };
  };
  const [alpha, beta, gamma, zed] = [p('a', 'Alpha'), p('b', 'Beta'), p('c', 'Gamma'), p('z', 'Zed')];

  it.each([
    ['first, among unplaced siblings: only the moved one gets a rank', [alpha, beta, gamma], 0, ['z', 'a', 'b', 'c'], ['z']],
    ['after two unplaced ones: they get ranks too, in the order shown', [alpha, beta, gamma], 2, ['a', 'b', 'z', 'c'], ['a', 'b', 'z']],
    ['last: every sibling is ranked', [alpha, beta, gamma], 3, ['a', 'b', 'c', 'z'], ['a', 'b', 'c', 'z']],
    ['between two placed ones: only the moved one is written', [p('a', 'Alpha', 'a0'), p('b', 'Beta', 'a1'), gamma], 1, ['a', 'z', 'b', 'c'], ['z']],
    ['after the placed ones, before the unplaced', [p('a', 'Alpha', 'a0'), gamma], 1, ['a', 'z', 'c'], ['z']],
    ['into an empty list', [], 0, ['z'], ['z']],
  ])('%s', (_, siblings, index, ids, written) => {
    const result = place(siblings as Project[], zed, index as number);
    expect(result.ids).toEqual(ids);
    expect(result.written).toEqual([...(written as string[])].sort());
  });

  it('puts the moved project exactly at every index of every mix of placed and unplaced siblings', () => {
    for (let placed = 0; placed <= 4; placed++) {
      const siblings = order(Array.from({ length: 4 }, (_, i) => p(`s${i}`, `S${i}`, i < placed ? `a${i}` : undefined))).map((id) => ({ ...p(id, id.toUpperCase()), ...(Number(id.slice(1)) < placed ? { rank: `a${id.slice(1)}` } : {}) }));
      for (let index = 0; index <= siblings.length; index++) {
        const { ids } = place(siblings, zed, index);
        expect(ids.indexOf('z')).toBe(index);
        expect(ids.filter((id) => id !== 'z')).toEqual(siblings.map((s) => s.id));
      }
    }
  });
});
