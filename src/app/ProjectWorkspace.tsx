/**
 * The selected project: its name (remote changes wait while it is being edited), its
 * place in the tree, its Emojis component, and deletion (undoable). Every change goes
 * through the undo history, so Ctrl/Cmd+Z can take it back.
 */
import { useId, useState, type RefObject } from 'react';
import { Emojis } from './Emojis.js';
import { NameField, NameHint } from './NameField.js';
import { MAX_NAME_LENGTH, nameProblem, type Project, type ProjectTree } from './stores.js';
import type { UndoEntry, UndoHistory } from './undo.js';

export interface ProjectWorkspaceProps {
  project: Project | undefined;
  tree: ProjectTree;
  actions: UndoHistory;
  onBeginEditing(id: string): void;
  onEndEditing(id: string): void;
  onDeleted(entry: UndoEntry): void;
  onError(message: string): void;
  /** The name input, so the tree's Enter can start a rename. */
  nameInputRef?: RefObject<HTMLInputElement | null>;
  /** Enter or Escape ended a rename: give the keys back to the tree; false when it could not. */
  onRenameDone?(id: string): boolean;
}

export function ProjectWorkspace(props: ProjectWorkspaceProps) {
  const { project, tree, actions } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const hintId = useId();
  // The Parent dropdown lists every possible place only while it is in use: a workspace
  // can have thousands, and a select that holds them all costs every render its layout.
  const [choosingParent, setChoosingParent] = useState(false);
  if (!project) return <section className="workspace empty">Select or add a project.</section>;

  const run = (work: Promise<unknown>) => void work.catch((e: Error) => props.onError(e.message));
  // Only places that keep the tree a tree: not under itself or its own sub-projects.
  const shownParent = tree.parentOf(project.id);
  const problem = draft === null ? undefined : nameProblem(draft);
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
          ref={props.nameInputRef}
          className="project-name"
          maxLength={MAX_NAME_LENGTH}
          aria-invalid={problem ? true : undefined}
          aria-describedby={hintId}
          value={draft ?? project.name}
          onFocus={() => {
            setDraft(project.name);
            props.onBeginEditing(project.id);
          }}
          onChange={(e) => {
            setDraft(e.target.value);
            if (!nameProblem(e.target.value)) run(actions.renameProject(project.id, e.target.value));
          }}
          onKeyDown={(e) => {
            // Enter or Escape ends the rename and gives the keys back to the tree.
            if (e.key !== 'Enter' && e.key !== 'Escape') return;
            e.preventDefault();
            if (!props.onRenameDone?.(project.id)) e.currentTarget.blur();
          }}
          onBlur={() => {
            setDraft(null);
            actions.endTyping();
            props.onEndEditing(project.id);
          }}
        />
        <NameHint id={hintId} value={draft ?? project.name} problem={problem} />
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
      <NameField
        label="New sub-project name"
        placeholder="New sub-project"
        submitLabel="Add sub-project"
        className="add-subproject"
        onSubmit={(name) => run(actions.addProject({ name, parentId: project.id }))}
      />
      <Emojis project={project} onChange={(emojis) => run(actions.updateComponentData(project.id, 'emojis', { kind: 'emojis', emojis }))} />
      <button type="button" className="danger" onClick={() => run(actions.deleteProject(project.id).then(props.onDeleted))}>
        Delete project
      </button>
    </section>
  );
}
