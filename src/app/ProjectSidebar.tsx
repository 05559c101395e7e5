/**
 * Projects as a tree (as `projectTree()` computes it), with a field to add a top-level
 * project. The tree is flattened once per change (depth-first, each row with its depth)
 * and only the rows in view are rendered (`@tanstack/react-virtual`): with thousands of
 * projects, a first sync or a keystroke costs the rows on screen, not the whole list.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type FormEvent } from 'react';
import { emojisOf, type Project, type ProjectTree } from './stores.js';

export interface ProjectSidebarProps {
  tree: ProjectTree;
  selectedId: string | undefined;
  onSelect(id: string): void;
  onAdd(name: string): void;
}

interface Row {
  project: Project;
  depth: number;
}

/** Height of one row in px (`.tree-item`'s). */
const ROW_HEIGHT = 30;

/** The tree's rows, depth first. The computed tree has no cycles; the visited set bounds the walk all the same. */
export function treeRows(tree: ProjectTree): Row[] {
  const rows: Row[] = [];
  const visited = new Set<string>();
  const walk = (level: Project[], depth: number) => {
    for (const project of level) {
      if (visited.has(project.id)) continue;
      visited.add(project.id);
      rows.push({ project, depth });
      walk(tree.childrenOf(project.id), depth + 1);
    }
  };
  walk(tree.roots, 0);
  return rows;
}

interface TreeRowProps {
  project: Project;
  depth: number;
  top: number;
  selected: boolean;
  onSelect(id: string): void;
}

/** One project; re-rendered only when its record, place or selection changes. */
const TreeRow = memo(function TreeRow({ project, depth, top, selected, onSelect }: TreeRowProps) {
  const emojis = emojisOf(project) ?? [];
  return (
    <li data-depth={depth} style={{ transform: `translateY(${top}px)`, paddingLeft: `${depth}rem` }}>
      <button
        type="button"
        className={selected ? 'tree-item selected' : 'tree-item'}
        aria-current={selected ? 'true' : undefined}
        onClick={() => onSelect(project.id)}
      >
        <span className="tree-name">{project.name}</span>
        {emojis.length > 0 ? <span className="tree-emojis"> {emojis.join('')}</span> : null}
      </button>
    </li>
  );
});

export function ProjectSidebar({ tree, selectedId, onSelect, onAdd }: ProjectSidebarProps) {
  const [name, setName] = useState('');
  const rows = useMemo(() => treeRows(tree), [tree]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]!.project.id,
    overscan: 8,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onAdd(name);
    setName('');
  };

  return (
    <nav className="sidebar" aria-label="Projects">
      <h2>Projects</h2>
      <form onSubmit={submit} className="add-project">
        <input aria-label="New project name" placeholder="New project" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {rows.length === 0 ? (
        <p className="empty">No projects yet.</p>
      ) : (
        <div className="tree-scroll" ref={scroller}>
          <ul className="tree" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const { project, depth } = rows[item.index]!;
              return <TreeRow key={item.key} project={project} depth={depth} top={item.start} selected={project.id === selectedId} onSelect={onSelect} />;
            })}
          </ul>
        </div>
      )}
    </nav>
  );
}
