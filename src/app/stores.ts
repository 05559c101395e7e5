/**
 * The app's local data operations. The UI calls only these: each writes the local
 * store at once (stamped by the sync service's clock) and the sync service pushes
 * it later. Nothing here talks to the remote.
 *
 * Versions: a project's `lastModified` covers its own fields (name, parent, type,
 * deletion); each component carries its own, so editing a component never makes an
 * older rename elsewhere lose.
 */
import type { SyncService } from '../sync/syncService.js';
import type { SyncRecord, Versioned } from '../merge/record.js';

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
  type: string;
  components: Record<string, ComponentData>;
}

export type ProjectStore = ReturnType<typeof createProjectStore>;

/** A project's id followed by the ids of all its sub-projects, parents before children. */
export function subtreeIds(projects: Project[], id: string): string[] {
  const ids = [id];
  for (let i = 0; i < ids.length; i++) for (const p of projects) if (p.parentId === ids[i]) ids.push(p.id);
  return ids;
}

// Plain code-unit order: stable everywhere and far cheaper than localeCompare on 10k names.
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Live (not deleted) projects as the UI sees them. */
function asProject(record: SyncRecord | undefined): Project | undefined {
  if (!record || record.deleted) return undefined;
  return { name: '', type: 'project', components: {}, ...record } as Project;
}

export function createProjectStore(service: Pick<SyncService, 'read' | 'list' | 'write' | 'stamp' | 'onChange'>) {
  const get = (id: string) => asProject(service.read(PROJECTS, id));
  const require = (id: string) => {
    const project = get(id);
    if (!project) throw new Error(`no project ${id}`);
    return project;
  };
  const writeFields = (project: Project, fields: Partial<Project>) =>
    service.write(PROJECTS, { ...project, ...fields, ...service.stamp() } as SyncRecord);

  return {
    getProject: get,

    /** Live projects, by name. */
    listProjects(): Project[] {
      return service
        .list(PROJECTS)
        .map(asProject)
        .filter((p): p is Project => p !== undefined)
        .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
    },

    /** Children of a project (or the top level with `undefined`). */
    childrenOf(parentId: string | undefined): Project[] {
      return this.listProjects().filter((p) => p.parentId === parentId);
    },

    async addProject(input: { name: string; parentId?: string; type?: string; id?: string }): Promise<Project> {
      const name = input.name.trim();
      if (!name) throw new Error('a project needs a name');
      if (input.parentId !== undefined) require(input.parentId);
      const project: Project = {
        id: input.id ?? globalThis.crypto.randomUUID(),
        name,
        type: input.type ?? 'project',
        components: {},
        ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
        ...service.stamp(),
      };
      await service.write(PROJECTS, project as unknown as SyncRecord);
      return project;
    },

    async renameProject(id: string, name: string): Promise<void> {
      const trimmed = name.trim();
      if (!trimmed) throw new Error('a project needs a name');
      await writeFields(require(id), { name: trimmed });
    },

    /** Moves a project under another (or to the top level with `undefined`). */
    async moveProject(id: string, parentId: string | undefined): Promise<void> {
      const project = require(id);
      if (parentId !== undefined) {
        require(parentId);
        if (subtreeIds(this.listProjects(), id).includes(parentId)) throw new Error('a project cannot move under itself');
      }
      const { parentId: _old, ...rest } = project;
      await service.write(PROJECTS, { ...rest, ...(parentId !== undefined ? { parentId } : {}), ...service.stamp() } as unknown as SyncRecord);
    },

    /** Deletes a project and its sub-projects (tombstones, so no client brings them back). */
    async deleteProject(id: string): Promise<void> {
      require(id);
      for (const target of subtreeIds(this.listProjects(), id).reverse()) {
        await service.write(PROJECTS, { id: target, deleted: true, ...service.stamp() });
      }
    },

    /** Replaces one component's data; the component gets its own new version. */
    async updateComponentData(projectId: string, componentId: string, data: { kind: string } & Record<string, unknown>): Promise<void> {
      const project = require(projectId);
      const component = { ...data, ...service.stamp() } as ComponentData;
      await service.write(PROJECTS, { ...project, components: { ...project.components, [componentId]: component } } as unknown as SyncRecord);
    },

    /** Called after any local or remote change to projects. */
    subscribe(listener: () => void): () => void {
      return service.onChange((change) => {
        if (change.refs.some((r) => r.table === PROJECTS)) listener();
      });
    },
  };
}
