/**
 * The tree of records linked by a parent id, as every replica computes it: always a
 * tree, and the same tree on every replica that holds the same records.
 *
 * Per-record "last modified wins" lets two concurrent moves both win (A under B on one
 * device, B under A on another), which makes a cycle; a deleted parent leaves children
 * pointing at nothing. This is the state-based form of Kleppmann et al., "A
 * highly-available move operation for replicated trees" (IEEE TPDS 2021): start with
 * every live record at the top, then apply each record's parent link in the order it
 * was set (its link stamp, then its id), skipping a link whose parent is not live or is
 * currently the child itself or one of its descendants. The result is acyclic by
 * construction and depends only on the set of records, not on the order they arrived.
 *
 * What differs from the paper's operation log: only each record's latest link is
 * kept, so the later of two cyclic moves is the one ignored (its record is shown at the
 * top level), and a link ignored today counts again once the cycle is gone. Local moves
 * keep the display and the links in step (see `cycleBrokenAt`), so that a move never
 * makes another record jump.
 */

/** One record's link to its parent, as the tree needs it. */
export interface TreeLink {
  id: string;
  /** Absent for a record at the top level. */
  parentId?: string;
  /** When the link was set (the merge's clock); later links yield in a cycle. */
  stamp: number;
}

/** Why a record's parent link is not followed: the parent is gone, or it would close a cycle. */
export type IgnoredLink = 'missing-parent' | 'cycle';

export interface Tree {
  /** The parent each record is shown under; absent for the top level. */
  readonly parentOf: ReadonlyMap<string, string>;
  /** Children by parent id (`undefined`: the top level), in the order of the input. */
  children(parentId: string | undefined): readonly string[];
  /** Links that are not followed, and why. */
  readonly ignored: ReadonlyMap<string, IgnoredLink>;
  /** Whether the record is in the tree (live). */
  has(id: string): boolean;
}

const byStampThenId = (a: TreeLink, b: TreeLink) => a.stamp - b.stamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Whether `ancestor` is `id` or one of its ancestors in `parentOf` (bounded walk). */
function isAncestorOrSelf(parentOf: ReadonlyMap<string, string>, ancestor: string, id: string): boolean {
  const seen = new Set<string>();
  for (let at: string | undefined = id; at !== undefined && !seen.has(at); at = parentOf.get(at)) {
    if (at === ancestor) return true;
    seen.add(at);
  }
  return false;
}

/** The tree of the given live records (pass no tombstones; a link to one is a missing parent). */
export function computeTree(links: readonly TreeLink[]): Tree {
  const live = new Map<string, TreeLink>();
  for (const link of links) if (!live.has(link.id)) live.set(link.id, link);
  const parentOf = new Map<string, string>();
  const ignored = new Map<string, IgnoredLink>();
  const linked = [...live.values()].filter((l) => l.parentId !== undefined).sort(byStampThenId);
  for (const { id, parentId } of linked) {
    if (!live.has(parentId!)) ignored.set(id, 'missing-parent');
    else if (isAncestorOrSelf(parentOf, id, parentId!)) ignored.set(id, 'cycle');
    else parentOf.set(id, parentId!);
  }
  const children = new Map<string | undefined, string[]>();
  for (const id of live.keys()) {
    const parent = parentOf.get(id);
    const list = children.get(parent);
    if (list) list.push(id);
    else children.set(parent, [id]);
  }
  return {
    parentOf,
    ignored,
    children: (parentId) => children.get(parentId) ?? [],
    has: (id) => live.has(id),
  };
}

/** `id` and everything under it, parents before children (empty when `id` is not in the tree). */
export function subtreeOf(tree: Tree, id: string): string[] {
  if (!tree.has(id)) return [];
  const ids = [id];
  const seen = new Set(ids);
  for (let i = 0; i < ids.length; i++) {
    for (const child of tree.children(ids[i])) {
      if (seen.has(child)) continue; // cannot happen in a computed tree; bounds the walk regardless
      seen.add(child);
      ids.push(child);
    }
  }
  return ids;
}

/** Whether moving `id` under `parentId` keeps the tree as shown a tree (no cycle, live parent). */
export function canMoveUnder(tree: Tree, id: string, parentId: string | undefined): boolean {
  if (!tree.has(id)) return false;
  if (parentId === undefined) return true;
  return tree.has(parentId) && !isAncestorOrSelf(tree.parentOf, id, parentId);
}

/**
 * Records whose stored link says something other than what the tree shows: their link is
 * ignored because it would close a cycle, so they are shown at the top level. A local
 * move writes them at the top level along with itself, so that the move cannot revive an
 * ignored link and make another record jump. Links to a missing parent stay as they are,
 * so restoring the parent brings its children back under it.
 */
export function cycleBrokenAt(tree: Tree): string[] {
  return [...tree.ignored].filter(([, why]) => why === 'cycle').map(([id]) => id);
}
