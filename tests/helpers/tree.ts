/** Test helpers: a client's project tree as text, and the check that every client shows the same valid one. */
import { expect } from 'vitest';
import type { ProjectTree } from '../../src/app/stores.js';
import type { TestClient } from './clients.js';

/** The tree by name, children sorted: "B(A) D". */
export function shapeOf(tree: ProjectTree, ids: string[] = tree.roots.map((p) => p.id), depth = 0): string {
  expect(depth).toBeLessThanOrEqual(tree.all.length); // a cycle would recurse forever
  return ids
    .map((id) => {
      const name = tree.all.find((p) => p.id === id)!.name;
      const children = tree.childrenOf(id).map((p) => p.id);
      return children.length ? `${name}(${shapeOf(tree, children, depth + 1)})` : name;
    })
    .join(' ');
}

export const treeShape = (client: TestClient) => shapeOf(client.store.projectTree());

/** Every client shows the same tree, holding each live project exactly once; returns its shape. */
export function expectSameValidTree(clients: readonly TestClient[]): string {
  const shapes = clients.map(treeShape);
  for (const s of shapes) expect(s).toBe(shapes[0]);
  for (const c of clients) {
    const tree = c.store.projectTree();
    const shown: string[] = [];
    const walk = (ids: string[]) => ids.forEach((id) => (shown.push(id), walk(tree.childrenOf(id).map((p) => p.id))));
    walk(tree.roots.map((p) => p.id));
    expect(shown.sort()).toEqual(tree.all.map((p) => p.id).sort());
  }
  return shapes[0]!;
}
