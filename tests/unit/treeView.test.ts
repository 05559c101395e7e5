import { describe, expect, it } from 'vitest';
import { nameProblem, projectTreeOf, type Project } from '../../src/app/stores.js';
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
