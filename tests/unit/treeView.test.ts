import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSiblings, nameProblem, projectTreeOf, type Project } from '../../src/app/stores.js';
import { parseCollapsed, treeRows, type TreeViewOptions } from '../../src/app/treeView.js';
import { ROW_HEIGHT } from '../../src/app/TreeRow.js';
import { rowAt, zoneAt } from '../../src/app/useTreeDrag.js';

const project = (id: string, name: string, parentId?: string): Project => ({
  id,
  name,
  type: 'project',
  components: {},
  lastModified: 1,
  modifiedBy: 'test',
  ...(parentId ? { parentId } : {}),
});

// Work ─ Apps ─ Mobile
//      └ Sites
// Home ─ Garden
// Zoo
const tree = projectTreeOf([
  project('work', 'Work'),
  project('apps', 'Apps', 'work'),
  project('mobile', 'Mobile', 'apps'),
  project('sites', 'Sites', 'work'),
  project('home', 'Home'),
  project('garden', 'Garden', 'home'),
  project('zoo', 'Zoo'),
]);

const shown = (options: TreeViewOptions) => treeRows(tree, options).map((r) => `${'  '.repeat(r.depth)}${r.project.name}${r.hasChildren ? (r.expanded ? ' -' : ' +') : ''}`);

describe('treeRows', () => {
  const cases: Array<{ name: string; options: TreeViewOptions; rows: string[] }> = [
    { name: 'everything, by name, depth first', options: {}, rows: ['Home -', '  Garden', 'Work -', '  Apps -', '    Mobile', '  Sites', 'Zoo'] },
    { name: 'a collapsed sub-tree hides what is under it', options: { collapsed: new Set(['work']) }, rows: ['Home -', '  Garden', 'Work +', 'Zoo'] },
    { name: 'collapsing a leaf changes nothing', options: { collapsed: new Set(['zoo']) }, rows: ['Home -', '  Garden', 'Work -', '  Apps -', '    Mobile', '  Sites', 'Zoo'] },
    { name: 'a search keeps ancestors of matches, open even when collapsed', options: { query: 'mob', collapsed: new Set(['work', 'apps']) }, rows: ['Work -', '  Apps -', '    Mobile'] },
    { name: 'a search matches any case and trims', options: { query: '  GARD ' }, rows: ['Home -', '  Garden'] },
    { name: 'a matching parent shows without its unmatched children', options: { query: 'work' }, rows: ['Work +'] },
    { name: 'a search with no match shows nothing', options: { query: 'nothing' }, rows: [] },
    { name: 'a blank search shows everything', options: { query: '   ', collapsed: new Set(['home']) }, rows: ['Home +', 'Work -', '  Apps -', '    Mobile', '  Sites', 'Zoo'] },
    {
      name: 'a project being renamed keeps the place of its old name',
      options: { pinned: { id: 'zoo', name: 'Zoo' } },
      rows: ['Home -', '  Garden', 'Work -', '  Apps -', '    Mobile', '  Sites', 'Zoo'],
    },
  ];
  for (const { name, options, rows } of cases) it(name, () => expect(shown(options)).toEqual(rows));

  it('sorts a renamed project by its pinned name until the pin is gone', () => {
    const renamed = projectTreeOf([project('a', 'Alpha'), project('b', 'Beta'), project('c', 'Aardvark')]);
    // "Gamma" was renamed to "Aardvark": pinned, it stays where Gamma was.
    expect(treeRows(renamed, { pinned: { id: 'c', name: 'Gamma' } }).map((r) => r.project.name)).toEqual(['Alpha', 'Beta', 'Aardvark']);
    expect(treeRows(renamed).map((r) => r.project.name)).toEqual(['Aardvark', 'Alpha', 'Beta']);
  });
});

describe('projectTreeOf', () => {
  // Levels are ordered without sorting what is in name order already: the result must be
  // what sorting every level by `compareSiblings` gives, whatever order the input came in.
  const projects = fc
    .uniqueArray(
      fc.record({
        id: fc.constantFrom(...'abcdefghij'),
        name: fc.constantFrom('A', 'B', 'C', 'b'),
        parent: fc.option(fc.constantFrom(...'abcdefghij'), { nil: undefined }),
        rank: fc.option(fc.constantFrom('a0', 'a1', 'Zz'), { nil: undefined }),
      }),
      { selector: (p) => p.id, maxLength: 10 },
    )
    .map((list) => list.map(({ id, name, parent, rank }) => ({ ...project(id, name, parent), ...(rank ? { rank } : {}) })));

  it('orders every level as sorting it by compareSiblings would, from input in any order', () => {
    fc.assert(
      fc.property(projects, (list) => {
        const tree = projectTreeOf(list);
        const levels = [tree.roots, ...list.map((p) => tree.childrenOf(p.id))];
        for (const level of levels) expect(level.map((p) => p.id)).toEqual([...level].sort((a, b) => compareSiblings(a, b)).map((p) => p.id));
        expect(tree.all.map((p) => p.id).sort()).toEqual(list.map((p) => p.id).sort());
        expect(levels.flat().length).toBe(list.length);
      }),
    );
  });

  it('shows a project being renamed where its old name sorts, the others in order', () => {
    fc.assert(
      fc.property(projects, fc.nat(), fc.constantFrom('A', 'B', 'C', 'b', 'Zz'), (list, pick, oldName) => {
        fc.pre(list.length > 0);
        const pinned = { id: list[pick % list.length]!.id, name: oldName };
        const tree = projectTreeOf(list);
        // The plain way: sort every level again with the old name standing in.
        const nameOf = (p: Project) => (p.id === pinned.id ? pinned.name : p.name);
        const expected: string[] = [];
        const walk = (level: readonly Project[]) => {
          for (const p of [...level].sort((a, b) => compareSiblings(a, b, nameOf))) {
            expected.push(p.id);
            walk(tree.childrenOf(p.id));
          }
        };
        walk(tree.roots);
        expect(treeRows(tree, { pinned }).map((r) => r.project.id)).toEqual(expected);
      }),
    );
  });

  it('reads a level as the same array until the tree changes', () => {
    expect(tree.childrenOf('work')).toBe(tree.childrenOf('work'));
  });
});

describe('parseCollapsed', () => {
  it.each([
    [null, []],
    ['["a","b"]', ['a', 'b']],
    ['[1,"a",null]', ['a']],
    ['{"a":1}', []],
    ['not json', []],
  ])('%s', (stored, ids) => expect([...parseCollapsed(stored)]).toEqual(ids));
});

describe('nameProblem', () => {
  it.each([
    ['Trip', undefined],
    ['  Trip  ', undefined],
    ['', 'A name cannot be empty'],
    ['   ', 'A name cannot be empty'],
    ['x'.repeat(200), undefined],
    [` ${'x'.repeat(200)} `, undefined],
    ['x'.repeat(201), 'A name can have at most 200 characters'],
  ])('%j', (name, problem) => expect(nameProblem(name)).toBe(problem));
});

describe('zoneAt (where a drop at a height in a row goes)', () => {
  it.each([
    [0, 'before'],
    [0.2, 'before'],
    [0.25, 'inside'],
    [0.5, 'inside'],
    [0.75, 'inside'],
    [0.8, 'after'],
    [1, 'after'],
  ])('%s -> %s', (at, zone) => expect(zoneAt(at)).toBe(zone));
});

describe('rowAt (the row under a drag, from its height over the list)', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    [-1, null],
    [0, { id: 'a', zone: 'before' }],
    [ROW_HEIGHT / 2, { id: 'a', zone: 'inside' }],
    [ROW_HEIGHT - 1, { id: 'a', zone: 'after' }],
    [ROW_HEIGHT, { id: 'b', zone: 'before' }],
    [2.5 * ROW_HEIGHT, { id: 'c', zone: 'inside' }],
    [3 * ROW_HEIGHT, null],
  ])('%s px -> %j', (y, target) => expect(rowAt(ids, y)).toEqual(target));
  it('finds nothing in an empty list', () => expect(rowAt([], 0)).toBeNull());
});
