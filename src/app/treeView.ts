/**
 * What the sidebar shows of the project tree: rows depth first, each with its depth and
 * whether it has sub-projects, with collapsed sub-trees left out, a search applied
 * (matches and their ancestors), and one project kept in place while it is renamed (it
 * is sorted by the name it had when editing began, so the list does not jump under the
 * user's cursor; it takes its place when editing ends). Pure: the sidebar derives its
 * rows from this once per change.
 */
import { compareSiblings, type Project, type ProjectTree } from './stores.js';

export interface TreeRow {
  project: Project;
  depth: number;
  hasChildren: boolean;
  /** Whether its sub-projects are shown (false for a leaf). */
  expanded: boolean;
}

export interface TreeViewOptions {
  /** Projects whose sub-trees are folded away. */
  collapsed?: ReadonlySet<string>;
  /** Shows only projects whose name contains this (any case) and their ancestors. */
  query?: string;
  /** A project sorted by this name instead of its own (the one being renamed). */
  pinned?: { id: string; name: string };
}

/** `level` in the order the user should see: as the tree sorts it, the pinned project at its old place. */
function ordered(level: readonly Project[], pinned: TreeViewOptions['pinned']): readonly Project[] {
  const at = pinned ? level.findIndex((p) => p.id === pinned.id) : -1;
  if (at === -1) return level;
  // The others stay in order; the pinned one goes where its old name sorts (a keystroke
  // of a rename costs a search, not a sort of its siblings).
  const project = level[at]!;
  const others = level.filter((p) => p !== project);
  const nameOf = (p: Project) => (p.id === pinned!.id ? pinned!.name : p.name);
  let low = 0;
  let high = others.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareSiblings(others[mid]!, project, nameOf) < 0) low = mid + 1;
    else high = mid;
  }
  others.splice(low, 0, project);
  return others;
}

export function treeRows(tree: ProjectTree, options: TreeViewOptions = {}): TreeRow[] {
  const { collapsed, pinned } = options;
  const query = options.query?.trim().toLowerCase() ?? '';
  const rows: TreeRow[] = [];
  // The computed tree has no cycles; the visited set bounds the walk all the same.
  const visited = new Set<string>();

  if (!query) {
    const walk = (level: readonly Project[], depth: number) => {
      for (const project of ordered(level, pinned)) {
        if (visited.has(project.id)) continue;
        visited.add(project.id);
        const children = tree.childrenOf(project.id);
        const expanded = children.length > 0 && !collapsed?.has(project.id);
        rows.push({ project, depth, hasChildren: children.length > 0, expanded });
        if (expanded) walk(children, depth + 1);
      }
    };
    walk(tree.roots, 0);
    return rows;
  }

  // Searching: a project is shown when it matches or something under it does; ancestors
  // of matches are shown open whatever was collapsed, so every match can be seen.
  const matches = (p: Project) => p.name.toLowerCase().includes(query);
  const search = (level: readonly Project[], depth: number): TreeRow[] => {
    const found: TreeRow[] = [];
    for (const project of ordered(level, pinned)) {
      if (visited.has(project.id)) continue;
      visited.add(project.id);
      const children = tree.childrenOf(project.id);
      const below = search(children, depth + 1);
      if (below.length > 0 || matches(project)) {
        found.push({ project, depth, hasChildren: children.length > 0, expanded: below.length > 0 }, ...below);
      }
    }
    return found;
  };
  return search(tree.roots, 0);
}

/** The ids of a set of collapsed projects, as stored per user. */
export function parseCollapsed(stored: string | null): Set<string> {
  try {
    const ids: unknown = JSON.parse(stored ?? '[]');
    return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}
