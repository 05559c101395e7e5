/**
 * Undo for the last few local operations (add, rename, move, delete, emoji changes).
 * Each entry keeps the records as they were before the operation; undoing writes them
 * back through `store.revert`, which is a new local write and syncs like any other
 * (a restored project wins over its delete on every device; see `generation`).
 *
 * The history is this tab's own and lives in memory: it undoes what this user just did
 * here, not what other devices did.
 */
import type { Before, Project, ProjectStore } from './stores.js';

export interface UndoEntry {
  /** What the operation did, in words ("Deleted “Trip” and 2 sub-projects"). */
  label: string;
  before: Before;
  /** Consecutive operations with the same key are one entry (typing a name). */
  key?: string;
}

export type UndoHistory = ReturnType<typeof createUndoHistory>;

const quoted = (p: Project | undefined) => `“${p?.name ?? 'a project'}”`;
const subProjects = (n: number) => (n === 0 ? '' : ` and ${n} sub-project${n === 1 ? '' : 's'}`);

export function createUndoHistory(store: ProjectStore, limit = 20) {
  const entries: UndoEntry[] = [];
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());

  /** Runs `operation` on `ids`, remembering how they were so it can be undone. */
  async function record<T>(label: string, ids: string[], operation: () => Promise<T>, key?: string): Promise<T> {
    const before = store.snapshot(ids);
    const result = await operation();
    const last = entries.at(-1);
    if (key !== undefined && last?.key === key) return result; // keep the state before the first keystroke
    entries.push({ label, before, key });
    if (entries.length > limit) entries.shift();
    changed();
    return result;
  }

  return {
    async addProject(input: { name: string; parentId?: string }): Promise<Project> {
      const id = globalThis.crypto.randomUUID();
      return record(`Added “${input.name.trim()}”`, [id], () => store.addProject({ ...input, id }));
    },
    renameProject(id: string, name: string): Promise<void> {
      return record(`Renamed ${quoted(store.getProject(id))}`, [id], () => store.renameProject(id, name), `rename:${id}`);
    },
    moveProject(id: string, parentId: string | undefined): Promise<void> {
      const ids = [id, ...store.projectTree().cycleBroken];
      return record(`Moved ${quoted(store.getProject(id))}`, ids, () => store.moveProject(id, parentId));
    },
    placeProject(id: string, target: string, side: 'before' | 'after'): Promise<void> {
      return record(`Moved ${quoted(store.getProject(id))}`, store.placementIds(id, target, side), () => store.placeProject(id, target, side));
    },
    async deleteProject(id: string): Promise<UndoEntry> {
      const ids = store.projectTree().subtreeIds(id);
      const label = `Deleted ${quoted(store.getProject(id))}${subProjects(ids.length - 1)}`;
      await record(label, ids, () => store.deleteProject(id));
      return entries.at(-1)!;
    },
    updateComponentData(projectId: string, componentId: string, data: { kind: string } & Record<string, unknown>): Promise<void> {
      return record(`Changed the emojis of ${quoted(store.getProject(projectId))}`, [projectId], () =>
        store.updateComponentData(projectId, componentId, data),
      );
    },

    /** Undoes the latest operation (or `entry`, when it is still in the history); returns it. */
    async undo(entry?: UndoEntry): Promise<UndoEntry | undefined> {
      const at = entry ? entries.lastIndexOf(entry) : entries.length - 1;
      if (at < 0) return undefined;
      const [undone] = entries.splice(at, 1);
      changed();
      await store.revert(undone!.before);
      return undone;
    },

    /** The operation Ctrl/Cmd+Z would undo next. */
    latest(): UndoEntry | undefined {
      return entries.at(-1);
    },

    /** A rename session ended (the field lost focus): the next keystroke starts a new entry. */
    endTyping() {
      const last = entries.at(-1);
      if (last?.key) last.key = undefined;
    },

    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
