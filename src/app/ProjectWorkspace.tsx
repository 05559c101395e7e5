/**
 * The selected project: its name (remote changes wait while it is being edited), its
 * place in the tree, its Emojis component, and deletion (undoable). Every change goes
 * through the undo history, so Ctrl/Cmd+Z can take it back.
 */
import { useState } from 'react';
import { Emojis } from './Emojis.js';
import type { Project, ProjectTree } from './stores.js';
import type { UndoEntry, UndoHistory } from './undo.js';

export interface ProjectWorkspaceProps {
  project: Project | undefined;
  tree: ProjectTree;
  actions: UndoHistory;
  onBeginEditing(id: string): void;
  onEndEditing(id: string): void;
  onDeleted(entry: UndoEntry): void;
  onError(message: string): void;
}

export function ProjectWorkspace(props: ProjectWorkspaceProps) {
  const { project, tree, actions } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const [subName, setSubName] = useState('');
  // The Parent dropdown lists every possible place only while it is in use: a workspace
  // can have thousands, and a select that holds them all costs every render its layout.
  const [choosingParent, setChoosingParent] = useState(false);
  if (!project) return <section className="workspace empty">Select or add a project.</section>;

  const run = (work: Promise<unknown>) => void work.catch((e: Error) => props.onError(e.message));
  // Only places that keep the tree a tree: not under itself or its own sub-projects.
  const shownParent = tree.parentOf(project.id);
  const parents = choosingParent
    ? tree.all.filter((p) => p.id !== project.id && tree.canMoveUnder(project.id, p.id))
    : shownParent
      ? [shownParent]
      : [];

  return (
    <section className="workspace" aria-label={`Project ${project.name}`}>
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
            if (e.target.value.trim()) run(actions.renameProject(project.id, e.target.value));
          }}
          onBlur={() => {
            setDraft(null);
            actions.endTyping();
            props.onEndEditing(project.id);
          }}
        />
      </label>
      <label className="field">
        Parent
        <select
          className="project-parent"
          value={shownParent?.id ?? ''}
          onFocus={() => setChoosingParent(true)}
          onBlur={() => setChoosingParent(false)}
          onChange={(e) => run(actions.moveProject(project.id, e.target.value || undefined))}
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
          run(actions.addProject({ name: subName, parentId: project.id }));
          setSubName('');
        }}
      >
        <input aria-label="New sub-project name" placeholder="New sub-project" value={subName} onChange={(e) => setSubName(e.target.value)} />
        <button type="submit">Add sub-project</button>
      </form>
      <Emojis project={project} onChange={(emojis) => run(actions.updateComponentData(project.id, 'emojis', { kind: 'emojis', emojis }))} />
      <button type="button" className="danger" onClick={() => run(actions.deleteProject(project.id).then(props.onDeleted))}>
        Delete project
      </button>
    </section>
  );
}
