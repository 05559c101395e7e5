/**
 * The app's local data operations. The UI calls only these: each writes the local
 * store at once (stamped by the sync service's clock) and the sync service pushes
 * it later. Nothing here talks to the remote.
 *
 * Versions: a project's `lastModified` covers its own fields (name, parent, type,
 * deletion); each component carries its own, so editing a component never makes an
 * older rename elsewhere lose. `movedAt` is the stamp of the write that last set the
 * parent, and `generation` counts the deletes a write has seen (a restore writes the
 * next one, so it wins over the delete it undoes).
 *
 * The tree: every reader (sidebar, workspace, `childrenOf`, subtree deletes, the parent
 * choices) goes through `projectTree()`, which `src/merge/tree.ts` computes the same on
 * every device: always a tree, every live project in it once, whatever concurrent
 * moves and deletes did to the stored parent links.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import {
  canMoveUnder,
  computeTree,
  createCollection,
  cycleBrokenAt,
  differingParts,
  keptVersion,
  subtreeOf,
  toTombstone,
  type Collection,
  type SyncRecord,
  type SyncService,
  type Tree,
  type Versioned,
} from 'basic-sync';

export const PROJECTS = 'projects';

export type ComponentData = Versioned & { kind: string } & Record<string, unknown>;

export interface EmojisData {
  kind: 'emojis';
  emojis: string[];
}

export interface Project extends Versioned {
  id: string;
  name: string;
  /** Absent for a top-level project. */
  parentId?: string;
  /** Stamp of the write that last set `parentId` (absent in records of older writers). */
  movedAt?: number;
  /** Its place among its siblings once placed by hand (a fractional index); absent: by name. */
  rank?: string;
  type: string;
  components: Record<string, ComponentData>;
}

/** The projects as the UI shows them: a tree, children by name. */
export interface ProjectTree {
  /** Top-level projects, in sibling order (placed by hand first, then by name). */
  roots: readonly Project[];
  /** Sub-projects shown under `id`, in sibling order (the same array while the tree is). */
  childrenOf(id: string): readonly Project[];
  /** The project shown above `id` (undefined at the top level). */
  parentOf(id: string): Project | undefined;
  /** `id` and everything shown under it, parents first. */
  subtreeIds(id: string): string[];
  /** Whether `id` may move under `parentId` (or to the top with undefined) without a cycle. */
  canMoveUnder(id: string, parentId: string | undefined): boolean;
  /** Every live project, by name. */
  all: Project[];
  /** Projects shown at the top level because their parent link would close a cycle. */
  cycleBroken: string[];
}

export type ProjectStore = ReturnType<typeof createProjectStore>;

/** Records as they were before an operation, by id (undefined: there was none). */
export type Before = Map<string, SyncRecord | undefined>;

// Plain code-unit order: stable everywhere and far cheaper than localeCompare on 10k names.
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: Project, b: Project) => compareText(a.name, b.name) || compareText(a.id, b.id);

/**
 * Siblings in the order every device shows them: projects placed by hand first, by rank,
 * then the others by name (ties by id). `nameOf` lets the sidebar sort a project being
 * renamed by its old name.
 */
export function compareSiblings(a: Project, b: Project, nameOf: (p: Project) => string = (p) => p.name): number {
  if (a.rank !== undefined && b.rank !== undefined) return compareText(a.rank, b.rank) || compareText(nameOf(a), nameOf(b)) || compareText(a.id, b.id);
  if (a.rank !== undefined) return -1;
  if (b.rank !== undefined) return 1;
  return compareText(nameOf(a), nameOf(b)) || compareText(a.id, b.id);
}

/**
 * The ranks to write so that `moved` ends up at `index` among `siblings` (in their shown
 * order, without `moved`). Placed projects come before unplaced ones, so the unplaced
 * siblings in front of the new place get ranks too, in the order they are shown. Pure.
 */
export function placementRanks(siblings: Project[], moved: string, index: number): Map<string, string> {
  const before = siblings.slice(0, index);
  const firstUnranked = before.findIndex((p) => p.rank === undefined);
  const ranks = new Map<string, string>();
  if (firstUnranked === -1) {
    const next = siblings[index];
    ranks.set(moved, generateKeyBetween(before.at(-1)?.rank ?? null, next?.rank ?? null));
    return ranks;
  }
  const toRank = [...before.slice(firstUnranked).map((p) => p.id), moved];
  const keys = generateNKeysBetween(before[firstUnranked - 1]?.rank ?? null, null, toRank.length);
  toRank.forEach((id, i) => ranks.set(id, keys[i]!));
  return ranks;
}

/** The longest project name the app writes (another app's longer names are shown truncated). */
export const MAX_NAME_LENGTH = 200;

/** Why `name` cannot be a project's name, in words for the user; undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (!name.trim()) return 'A name cannot be empty';
  if (name.trim().length > MAX_NAME_LENGTH) return `A name can have at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** Live (not deleted) projects as the UI sees them. */
function asProject(record: (Versioned & { id: string }) | undefined): Project | undefined {
  if (!record || record.deleted) return undefined;
  return { name: '', type: 'project', components: {}, ...record } as Project;
}

/**
 * A project's emojis; null when the data is not a list of strings (another app wrote it
 * in another shape), so a reader can say so instead of showing something wrong.
 */
export function emojisOf(project: Project): string[] | null {
  const list = project.components.emojis?.emojis;
  if (list === undefined) return [];
  return Array.isArray(list) && list.every((e) => typeof e === 'string') ? list : null;
}

/** Whether `list` is in `byName` order already (the store's list is; sorting it again costs a change 1,000 comparisons). */
const isByName = (list: readonly Project[]) => list.every((p, i) => i === 0 || byName(list[i - 1]!, p) < 0);

/**
 * Siblings in `compareSiblings` order, from ids in name order: the placed ones sorted by
 * rank, then the rest as they come (by name already), so an unplaced level costs no sort.
 */
function inSiblingOrder(ids: readonly string[], byId: ReadonlyMap<string, Project>): Project[] {
  const placed: Project[] = [];
  const rest: Project[] = [];
  for (const id of ids) {
    const project = byId.get(id)!;
    (project.rank === undefined ? rest : placed).push(project);
  }
  if (placed.length === 0) return rest;
  return [...placed.sort((a, b) => compareSiblings(a, b)), ...rest];
}

const NO_CHILDREN: Project[] = [];

/** The tree of the given live projects (a pure view; see `src/merge/tree.ts`); each level is ordered once, when first read. */
export function projectTreeOf(projects: Project[]): ProjectTree {
  const all = isByName(projects) ? projects : [...projects].sort(byName);
  const byId = new Map(all.map((p) => [p.id, p]));
  const tree: Tree = computeTree(all.map((p) => ({ id: p.id, parentId: p.parentId, stamp: p.movedAt ?? p.lastModified })));
  const levels = new Map<string, Project[]>();
  const childrenOf = (id: string) => {
    let level = levels.get(id);
    if (!level) {
      const ids = tree.children(id);
      levels.set(id, (level = ids.length === 0 ? NO_CHILDREN : inSiblingOrder(ids, byId)));
    }
    return level;
  };
  return {
    all,
    roots: inSiblingOrder(tree.children(undefined), byId),
    childrenOf,
    parentOf: (id) => {
      const parent = tree.parentOf.get(id);
      return parent === undefined ? undefined : byId.get(parent);
    },
    subtreeIds: (id) => subtreeOf(tree, id),
    canMoveUnder: (id, parentId) => canMoveUnder(tree, id, parentId),
    cycleBroken: cycleBrokenAt(tree),
  };
}

export function createProjectStore(service: Pick<SyncService, 'schema' | 'read' | 'list' | 'write' | 'stamp' | 'onChange' | 'mergeRuleOf'>) {
  const projects = createCollection(service, PROJECTS) as unknown as Collection<Project>;
  const require = (id: string) => {
    const project = get(id);
    if (!project) throw new Error(`no project ${id}`);
    return project;
  };
  const write = (record: object) => service.write(PROJECTS, record as SyncRecord);
  const snapshot = (ids: string[]): Before => new Map(ids.map((id) => [id, service.read(PROJECTS, id)]));
  // Derived once per change of the table: the collection's list keeps its identity until then.
  let derived: { from: Project[]; live: Project[]; tree?: ProjectTree } | null = null;
  // One Project per stored record version, so a change re-renders only what it changed.
  const shownAs = new WeakMap<object, Project>();
  const shown = (record: Project) => {
    let project = shownAs.get(record);
    if (!project) shownAs.set(record, (project = asProject(record)!));
    return project;
  };
  // The same object while the record is unchanged (a view can subscribe to it).
  const get = (id: string) => {
    const record = projects.get(id);
    return record && !record.deleted ? shown(record) : undefined;
  };
  const current = () => {
    const from = projects.list();
    if (derived?.from !== from) derived = { from, live: from.map(shown).sort(byName) };
    return derived;
  };
  const live = () => current().live;

  /** Where placing `id` before or after `target` takes it: the parent, whether that is a move, and the ranks to write. */
  const placement = (id: string, target: string, side: 'before' | 'after') => {
    const tree = store.projectTree();
    const parentId = tree.parentOf(target)?.id;
    // The other siblings keep their order when `id` moves in (a move writes nothing of theirs).
    const siblings = store.childrenOf(parentId).filter((p) => p.id !== id);
    const at = siblings.findIndex((p) => p.id === target) + (side === 'before' ? 0 : 1);
    return { parentId, moves: tree.parentOf(id)?.id !== parentId, ranks: placementRanks(siblings, id, at) };
  };

  const store = {
    /** A live project; the same object until its record changes. */
    getProject: get,

    /** Live projects, by name. */
    listProjects: live,

    /** The projects as a tree (computed the same way on every device). */
    projectTree(): ProjectTree {
      const d = current();
      d.tree ??= projectTreeOf(d.live);
      return d.tree;
    },

    /** Children shown under a project (or the top level with `undefined`). */
    childrenOf(parentId: string | undefined): readonly Project[] {
      const tree = store.projectTree();
      return parentId === undefined ? tree.roots : tree.childrenOf(parentId);
    },

    /**
     * Adds a project. Given the `id` of a deleted project, this restores it: the write
     * carries the generation after the delete, so it wins over that delete everywhere.
     */
    async addProject(input: { name: string; parentId?: string; type?: string; id?: string }): Promise<Project> {
      const problem = nameProblem(input.name);
      if (problem) throw new Error(problem);
      const name = input.name.trim();
      if (input.parentId !== undefined) require(input.parentId);
      if (input.id !== undefined && get(input.id)) throw new Error(`a project ${input.id} already exists`);
      return projects.add({
        ...(input.id !== undefined ? { id: input.id } : {}),
        name,
        type: input.type ?? 'project',
        components: {},
        ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
        movedAt: service.stamp().lastModified,
      });
    },

    async renameProject(id: string, name: string): Promise<void> {
      const problem = nameProblem(name);
      if (problem) throw new Error(problem);
      const trimmed = name.trim();
      require(id);
      await projects.update(id, { name: trimmed });
    },

    /**
     * Moves a project under another (or to the top level with `undefined`). Refuses a
     * move that would put it under itself or its own sub-projects, as the tree shows them.
     */
    async moveProject(id: string, parentId: string | undefined): Promise<void> {
      require(id);
      if (parentId !== undefined) require(parentId);
      const tree = store.projectTree();
      if (!tree.canMoveUnder(id, parentId)) throw new Error('a project cannot move under itself or one of its sub-projects');
      /** A project at `parentId` (top level when undefined), the link stamped now. */
      // A project that changes parent loses its hand-placed rank (it was a place among other siblings).
      const place = (target: string, under: string | undefined) => projects.update(target, { parentId: under, movedAt: service.stamp().lastModified, rank: undefined });
      // Links a cycle made the tree ignore are written as shown (top level), so this move
      // cannot revive one of them and make another project jump.
      for (const other of tree.cycleBroken) {
        if (other !== id) await place(other, undefined);
      }
      await place(id, parentId);
    },

    /**
     * Puts a project next to a sibling: just before or after `target`, under `target`'s
     * parent (a move too, when that parent is another). Writes the ranks that make every
     * device show that order (see `placementRanks`).
     */
    async placeProject(id: string, target: string, side: 'before' | 'after'): Promise<void> {
      require(id);
      require(target);
      if (id === target) return;
      const { parentId, moves, ranks } = placement(id, target, side);
      if (moves) await store.moveProject(id, parentId);
      for (const [placed, rank] of ranks) await projects.update(placed, { rank });
    },

    /** The projects `placeProject` would write (for undo). */
    placementIds(id: string, target: string, side: 'before' | 'after'): string[] {
      return [...new Set([id, ...store.projectTree().cycleBroken, ...placement(id, target, side).ranks.keys()])];
    },

    /** Deletes a project and its sub-projects (tombstones); returns what was deleted, for undo. */
    async deleteProject(id: string): Promise<Before> {
      require(id);
      const ids = store.projectTree().subtreeIds(id);
      const before = snapshot(ids);
      for (const target of [...ids].reverse()) await projects.delete(target);
      return before;
    },

    /** Replaces one component's data; the component gets its own new version. */
    async updateComponentData(projectId: string, componentId: string, data: { kind: string } & Record<string, unknown>): Promise<void> {
      require(projectId);
      await projects.setEntry(projectId, 'components', componentId, data);
    },

    /** The current versions of these records (what `revert` can bring back later). */
    snapshot,

    /**
     * Brings records back to how they were (`before`), as new local writes that sync like
     * any other: a deleted project is restored (next generation, so it wins over its
     * delete), an added one is deleted, changed fields and components are written back.
     */
    async revert(before: Before): Promise<void> {
      const rule = service.mergeRuleOf(PROJECTS);
      for (const [id, was] of before) {
        const now = service.read(PROJECTS, id);
        if (!was || was.deleted) {
          if (now && !now.deleted) await write(toTombstone(now, service.stamp()));
        } else {
          const changed = now && !now.deleted ? differingParts(was, now, rule) : ['record'];
          if (changed.length > 0) await write(keptVersion(now, { mine: was, lost: changed }, service.stamp(), rule));
        }
      }
    },

    /** Called after any local or remote change to projects. */
    subscribe: projects.subscribe,
  };
  return store;
}
