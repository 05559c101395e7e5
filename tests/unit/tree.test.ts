import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeRecords, toTombstone } from '../../src/merge/lastModifiedWins.js';
import { generationOf, ruleOf, type SyncRecord } from '../../src/merge/record.js';
import { mergeRules } from '../../basic.config.js';
import { canMoveUnder, computeTree, cycleBrokenAt, subtreeOf, type Tree, type TreeLink } from '../../src/merge/tree.js';

const link = (id: string, parentId: string | undefined, stamp: number): TreeLink => ({ id, ...(parentId ? { parentId } : {}), stamp });

/** The tree as nested text: "A(B(C) D)". */
function shape(tree: Tree, parentId?: string): string {
  return [...tree.children(parentId)]
    .sort()
    .map((id) => {
      const inner = shape(tree, id);
      return inner ? `${id}(${inner})` : id;
    })
    .join(' ');
}

describe('computeTree', () => {
  it.each([
    ['flat', [link('A', undefined, 1), link('B', undefined, 2)], 'A B', {}],
    ['a plain tree', [link('A', undefined, 1), link('B', 'A', 2), link('C', 'B', 3)], 'A(B(C))', {}],
    ['A under B and B under A: the later link (B -> A) is ignored', [link('A', 'B', 5), link('B', 'A', 6)], 'B(A)', { B: 'cycle' }],
    ['the same, with the stamps the other way round', [link('A', 'B', 7), link('B', 'A', 6)], 'A(B)', { A: 'cycle' }],
    ['equal stamps: the greater id yields', [link('A', 'B', 5), link('B', 'A', 5)], 'B(A)', { B: 'cycle' }],
    ['three-way cycle: only the last link is ignored', [link('A', 'B', 1), link('B', 'C', 2), link('C', 'A', 3)], 'C(B(A))', { C: 'cycle' }],
    ['a record under itself', [link('A', 'A', 1)], 'A', { A: 'cycle' }],
    ['a parent that is gone: shown at the top level', [link('B', 'A', 1), link('C', 'B', 2)], 'B(C)', { B: 'missing-parent' }],
    ['a cycle beside other records leaves them alone', [link('R', undefined, 0), link('S', 'R', 1), link('B', 'A', 2), link('A2', 'B', 3), link('A', 'A2', 9)], 'A(B(A2)) R(S)', { A: 'cycle' }],
    ['input order does not matter', [link('B', 'A', 6), link('A', 'B', 5)], 'B(A)', { B: 'cycle' }],
  ] as const)('%s', (_name, links, expected, ignored) => {
    const tree = computeTree(links);
    expect(shape(tree)).toBe(expected);
    expect(Object.fromEntries(tree.ignored)).toEqual(ignored);
  });

  it('cycleBrokenAt names the records whose links a cycle made the tree ignore (not those with a missing parent)', () => {
    const tree = computeTree([link('A', 'B', 5), link('B', 'A', 6), link('C', 'gone', 1)]);
    expect(cycleBrokenAt(tree)).toEqual(['B']);
  });

  it('subtreeOf lists parents before children and nothing twice', () => {
    const tree = computeTree([link('A', undefined, 1), link('B', 'A', 2), link('C', 'B', 3), link('D', 'A', 4), link('A', 'C', 9)]);
    expect(subtreeOf(tree, 'A')).toEqual(['A', 'B', 'D', 'C']);
    expect(subtreeOf(tree, 'missing')).toEqual([]);
  });

  it.each([
    ['to the top level', 'B', undefined, true],
    ['under a sibling', 'B', 'D', true],
    ['under itself', 'A', 'A', false],
    ['under its own descendant', 'A', 'C', false],
    ['under a record that is not there', 'A', 'nope', false],
  ] as const)('canMoveUnder: %s', (_name, id, parentId, ok) => {
    const tree = computeTree([link('A', undefined, 1), link('B', 'A', 2), link('C', 'B', 3), link('D', 'A', 4)]);
    expect(canMoveUnder(tree, id, parentId)).toBe(ok);
  });
});

// --- Three replicas under random concurrent histories -----------------------------------

type Op =
  | { kind: 'add'; client: number; id: string; parent: string | undefined }
  | { kind: 'move'; client: number; id: string; parent: string | undefined }
  | { kind: 'delete'; client: number; id: string }
  | { kind: 'restore'; client: number; id: string }
  | { kind: 'sync'; from: number; to: number };

const IDS = ['A', 'B', 'C', 'D', 'E', 'F'];
const pick = fc.constantFrom(...IDS);
const parent = fc.option(pick, { nil: undefined });
const client = fc.nat({ max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), client, id: fc.constantFrom('G', 'H'), parent }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('move' as const), client, id: pick, parent }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), client, id: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), client, id: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: client, to: client }) },
);

/** Three replicas that start from the same synced records (IDS, some nested), then run `ops`. */
function run(ops: Op[]): Replica[] {
  const replicas = [new Replica('a'), new Replica('b'), new Replica('c')];
  replicas[0]!.apply({ kind: 'add', client: 0, id: 'A', parent: undefined });
  for (const [i, id] of IDS.slice(1).entries()) replicas[0]!.apply({ kind: 'add', client: 0, id, parent: i % 2 ? IDS[i] : undefined });
  for (const r of replicas.slice(1)) r.receive(replicas[0]!.records.values());
  for (const o of ops) {
    if (o.kind === 'sync') replicas[o.to]!.receive([...replicas[o.from]!.records.values()]);
    else replicas[o.client]!.apply(o);
  }
  return replicas;
}

const linksOf = (records: Iterable<SyncRecord>): TreeLink[] =>
  [...records]
    .filter((r) => !r.deleted)
    .map((r) => ({ id: r.id, ...(typeof r.parentId === 'string' ? { parentId: r.parentId } : {}), stamp: (r.movedAt as number | undefined) ?? r.lastModified }));

/** One replica: its records and its clock (small stamps, so ties between replicas happen). */
class Replica {
  records = new Map<string, SyncRecord>();
  private clock = 0;
  constructor(readonly name: string) {}
  private stamp() {
    return { lastModified: ++this.clock, modifiedBy: this.name };
  }
  /** The tree of this replica's records, given to it rotated by `turn` (stores list in any order). */
  tree(turn = 0) {
    const records = [...this.records.values()];
    const k = records.length ? turn % records.length : 0;
    return computeTree(linksOf([...records.slice(k), ...records.slice(0, k)]));
  }
  receive(records: Iterable<SyncRecord>) {
    for (const r of records) {
      this.clock = Math.max(this.clock, r.lastModified);
      const mine = this.records.get(r.id);
      this.records.set(r.id, mine ? mergeRecords(mine, r, ruleOf(mergeRules, 'projects')) : r);
    }
  }
  private write(record: SyncRecord) {
    this.records.set(record.id, record);
  }
  /** What the app's store does for each operation, through the same pure functions. */
  apply(o: Exclude<Op, { kind: 'sync' }>) {
    const tree = this.tree();
    const current = this.records.get(o.id);
    const where = (parentId: string | undefined, stamp: number) => (parentId ? { parentId, movedAt: stamp } : { movedAt: stamp });
    if (o.kind === 'add') {
      if (current || (o.parent && !tree.has(o.parent))) return;
      const s = this.stamp();
      this.write({ id: o.id, name: o.id, ...s, ...where(o.parent, s.lastModified) });
    } else if (o.kind === 'move') {
      if (!current || current.deleted || !canMoveUnder(tree, o.id, o.parent)) return;
      for (const id of cycleBrokenAt(tree)) {
        const s = this.stamp();
        const { parentId: _p, ...rest } = this.records.get(id)!;
        this.write({ ...rest, ...s, ...where(undefined, s.lastModified) });
      }
      const s = this.stamp();
      const { parentId: _p, ...rest } = this.records.get(o.id)!;
      this.write({ ...rest, ...s, ...where(o.parent, s.lastModified) });
    } else if (o.kind === 'delete') {
      for (const id of subtreeOf(tree, o.id)) this.write(toTombstone(this.records.get(id)!, this.stamp()));
    } else if (o.kind === 'restore') {
      if (!current?.deleted) return;
      const s = this.stamp();
      this.write({ id: o.id, name: `${o.id} again`, ...s, movedAt: s.lastModified, generation: generationOf(current) + 1 });
    }
  }
}

/** Checks that a computed tree is a tree holding every live record exactly once. */
function expectValidTree(tree: Tree, live: string[]) {
  const seen: string[] = [];
  const walk = (parentId: string | undefined, depth: number) => {
    expect(depth).toBeLessThanOrEqual(live.length);
    for (const id of tree.children(parentId)) {
      seen.push(id);
      walk(id, depth + 1);
    }
  };
  walk(undefined, 0);
  expect(seen.sort()).toEqual([...live].sort());
}

describe('three replicas under random concurrent adds, moves, deletes and restores', () => {
  it('once they hold the same records, in any order of merging, all show the same valid tree', () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.array(fc.nat({ max: 2 }), { minLength: 9, maxLength: 9 }), (ops, finalOrder) => {
        const replicas = run(ops);
        // Every replica receives the others' records, in an order chosen by the test.
        const snapshots = replicas.map((r) => [...r.records.values()]);
        for (let i = 0; i < 9; i++) replicas[i % 3]!.receive(snapshots[finalOrder[i]!]!.slice().reverse());
        for (const [i, r] of replicas.entries()) for (const s of snapshots) if (s !== snapshots[i]) r.receive(s);

        const trees = replicas.map((r, i) => r.tree(i * 2 + 1));
        const shapes = trees.map((t) => shape(t));
        expect(shapes[1]).toBe(shapes[0]);
        expect(shapes[2]).toBe(shapes[0]);
        const live = [...replicas[0]!.records.values()].filter((r) => !r.deleted).map((r) => r.id);
        for (const t of trees) expectValidTree(t, live);
      }),
      { numRuns: 500 },
    ));

  it('a local move never makes another record jump, even with a cycle already broken', () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), pick, parent, (ops, id, to) => {
        const replicas = run(ops);
        // Replica 0 hears of everything first, so it holds any cycle the others made.
        const r = replicas[0]!;
        for (const other of replicas.slice(1)) r.receive(other.records.values());
        const before = r.tree();
        if (!canMoveUnder(before, id, to)) return;
        r.apply({ kind: 'move', client: 0, id, parent: to });
        const after = r.tree();
        expect(after.parentOf.get(id)).toBe(to);
        for (const other of r.records.keys()) if (other !== id && before.has(other)) expect(after.parentOf.get(other)).toBe(before.parentOf.get(other));
      }),
      { numRuns: 500 },
    ));
});
