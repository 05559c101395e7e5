/**
 * The selected project: its name (remote changes wait while it is being edited),
 * its place in the tree, its Emojis component, and deletion.
 */
import { useState } from 'react';
import { Emojis } from './Emojis.js';
import { subtreeIds, type Project, type ProjectStore } from './stores.js';

export interface ProjectWorkspaceProps {
  project: Project | undefined;
  projects: Project[];
  store: ProjectStore;
  updatedElsewhere: boolean;
  onBeginEditing(id: string): void;
  onEndEditing(id: string): void;
  onDismissNotice(id: string): void;
  onDeleted(): void;
  onError(message: string): void;
}

export function ProjectWorkspace(props: ProjectWorkspaceProps) {
  const { project, projects, store } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const [subName, setSubName] = useState('');
  if (!project) return <section className="workspace empty">Select or add a project.</section>;

  const run = (work: Promise<unknown>) => void work.catch((e: Error) => props.onError(e.message));
  // A project cannot move under itself or one of its own sub-projects.
  const subtree = new Set(subtreeIds(projects, project.id));
  const parents = projects.filter((p) => !subtree.has(p.id));

  return (
    <section className="workspace" aria-label={`Project ${project.name}`}>
      {props.updatedElsewhere ? (
        <p className="notice" role="status">
          Updated elsewhere while you were editing.{' '}
          <button type="button" onClick={() => props.onDismissNotice(project.id)}>
            Dismiss
          </button>
        </p>
      ) : null}
      <label className="field">
        Name
        <input
          className="project-name"
          value={draft ?? project.name}
          onFocus={() => {
            setDraft(project.name);
            props.onBeginEditing(project.id);
          }}
          onChange={(e) => {
            setDraft(e.target.value);
            if (e.target.value.trim()) run(store.renameProject(project.id, e.target.value));
          }}
          onBlur={() => {
            setDraft(null);
            props.onEndEditing(project.id);
          }}
        />
      </label>
      <label className="field">
        Parent
        <select
          className="project-parent"
          value={project.parentId ?? ''}
          onChange={(e) => run(store.moveProject(project.id, e.target.value || undefined))}
        >
          <option value="">(top level)</option>
          {parents.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <form
        className="add-subproject"
        onSubmit={(e) => {
          e.preventDefault();
          if (!subName.trim()) return;
          run(store.addProject({ name: subName, parentId: project.id }));
          setSubName('');
        }}
      >
        <input aria-label="New sub-project name" placeholder="New sub-project" value={subName} onChange={(e) => setSubName(e.target.value)} />
        <button type="submit">Add sub-project</button>
      </form>
      <Emojis project={project} onChange={(emojis) => run(store.updateComponentData(project.id, 'emojis', { kind: 'emojis', emojis }))} />
      <button
        type="button"
        className="danger"
        onClick={() => {
          run(store.deleteProject(project.id));
          props.onDeleted();
        }}
      >
        Delete project
      </button>
    </section>
  );
}
