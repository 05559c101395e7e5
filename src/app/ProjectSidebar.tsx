/** Projects as a tree (as `projectTree()` computes it), with a field to add a top-level project. */
import { useState, type FormEvent } from 'react';
import { emojisOf, type Project, type ProjectTree } from './stores.js';

export interface ProjectSidebarProps {
  tree: ProjectTree;
  selectedId: string | undefined;
  onSelect(id: string): void;
  onAdd(name: string): void;
}

export function ProjectSidebar({ tree, selectedId, onSelect, onAdd }: ProjectSidebarProps) {
  const [name, setName] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onAdd(name);
    setName('');
  };

  // The computed tree has no cycles; the visited set bounds the walk all the same.
  const renderLevel = (level: Project[], depth: number, visited: Set<string>) => {
    const fresh = level.filter((p) => !visited.has(p.id));
    if (fresh.length === 0) return null;
    for (const p of fresh) visited.add(p.id);
    return (
      <ul className={depth === 0 ? 'tree' : 'tree nested'}>
        {fresh.map((p) => {
          const emojis = emojisOf(p) ?? [];
          return (
            <li key={p.id}>
              <button
                type="button"
                className={p.id === selectedId ? 'tree-item selected' : 'tree-item'}
                aria-current={p.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(p.id)}
              >
                <span className="tree-name">{p.name}</span>
                {emojis.length > 0 ? <span className="tree-emojis"> {emojis.join('')}</span> : null}
              </button>
              {renderLevel(tree.childrenOf(p.id), depth + 1, visited)}
            </li>
          );
        })}
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
      {tree.all.length === 0 ? <p className="empty">No projects yet.</p> : renderLevel(tree.roots, 0, new Set())}
    </nav>
  );
}
