/** Projects as a tree by `parentId`, with a field to add a top-level project. */
import { useState, type FormEvent } from 'react';
import type { Project } from './stores.js';

export interface ProjectSidebarProps {
  projects: Project[];
  selectedId: string | undefined;
  onSelect(id: string): void;
  onAdd(name: string): void;
}

export function ProjectSidebar({ projects, selectedId, onSelect, onAdd }: ProjectSidebarProps) {
  const [name, setName] = useState('');
  const ids = new Set(projects.map((p) => p.id));
  // Orphans (their parent was deleted elsewhere) show at the top level.
  const childrenOf = (parentId: string | undefined) =>
    projects.filter((p) => (parentId === undefined ? p.parentId === undefined || !ids.has(p.parentId) : p.parentId === parentId));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onAdd(name);
    setName('');
  };

  const renderLevel = (parentId: string | undefined, depth: number) => {
    const level = childrenOf(parentId);
    if (level.length === 0) return null;
    return (
      <ul className={depth === 0 ? 'tree' : 'tree nested'}>
        {level.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className={p.id === selectedId ? 'tree-item selected' : 'tree-item'}
              aria-current={p.id === selectedId ? 'true' : undefined}
              onClick={() => onSelect(p.id)}
            >
              <span className="tree-name">{p.name}</span>
              {p.components.emojis?.emojis && (p.components.emojis.emojis as string[]).length > 0 ? (
                <span className="tree-emojis"> {(p.components.emojis.emojis as string[]).join('')}</span>
              ) : null}
            </button>
            {renderLevel(p.id, depth + 1)}
          </li>
        ))}
      </ul>
    );
  };

  return (
    <nav className="sidebar" aria-label="Projects">
      <h2>Projects</h2>
      <form onSubmit={submit} className="add-project">
        <input aria-label="New project name" placeholder="New project" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {projects.length === 0 ? <p className="empty">No projects yet.</p> : renderLevel(undefined, 0)}
    </nav>
  );
}
