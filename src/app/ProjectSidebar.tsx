/**
 * Projects as a tree (as `projectTree()` computes it): a field to add a top-level project,
 * a search box, collapsible sub-trees (remembered per user), keyboard navigation (arrows,
 * Home/End, Left/Right, Enter to rename, Delete, Alt+arrows to reorder) and drag-and-drop
 * (`useTreeDrag`).
 *
 * Only the rows in view are rendered (`@tanstack/react-virtual`), and each row only when
 * its own record, place or state changes (`TreeRow`): with thousands of projects a
 * keystroke costs the rows on screen, not the whole list.
 */
import { DndContext } from '@dnd-kit/core';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { NameField } from './NameField.js';
import type { ProjectTree } from './stores.js';
import { TopLevelTarget, TreeDropArea, TreeRow, ROW_HEIGHT, TOP_LEVEL } from './TreeRow.js';
import { parseCollapsed, treeRows } from './treeView.js';
import { useTreeDrag } from './useTreeDrag.js';

export interface ProjectSidebarProps {
  tree: ProjectTree;
  selectedId: string | undefined;
  /** At phone width the sidebar is a drawer: whether it is pulled out. */
  open: boolean;
  /** Where this user's collapsed sub-trees are remembered (a localStorage key). */
  collapsedKey: string;
  /** The project being renamed, with the name it had when editing began (it keeps that place). */
  pinned?: { id: string; name: string };
  onSelect(id: string): void;
  onAdd(name: string): void;
  onRename(id: string): void;
  onDelete(id: string): void;
  onMove(id: string, parentId: string | undefined): void;
  /** Puts `id` just before or after its sibling-to-be `target`. */
  onPlace(id: string, target: string, side: 'before' | 'after'): void;
}

function Sidebar(props: ProjectSidebarProps) {
  const { tree, selectedId, pinned, onSelect } = props;
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState(() => parseCollapsed(localStorage.getItem(props.collapsedKey)));
  const rows = useMemo(() => treeRows(tree, { collapsed, query, pinned }), [tree, collapsed, query, pinned]);
  const rowIds = useMemo(() => rows.map((r) => r.project.id), [rows]);
  const indexOf = useMemo(() => new Map(rowIds.map((id, i) => [id, i])), [rowIds]);
  const scroller = useRef<HTMLDivElement | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const toggle = useCallback(
    (id: string) =>
      setCollapsed((was) => {
        const next = new Set(was);
        if (!next.delete(id)) next.add(id);
        localStorage.setItem(props.collapsedKey, JSON.stringify([...next]));
        return next;
      }),
    [props.collapsedKey],
  );
  const { dragging, refusal, dropOn, contextProps } = useTreeDrag({
    tree,
    rowIds,
    list,
    onMove: props.onMove,
    onPlace: props.onPlace,
    // Show where it went.
    onDroppedUnder: (parentId) => {
      if (collapsed.has(parentId)) toggle(parentId);
    },
  });
  // A row asked to take the keyboard focus once it is rendered (after arrows scrolled it into view).
  const focusWanted = useRef<string | null>(null);

  const selectedIndex = selectedId === undefined ? undefined : indexOf.get(selectedId);
  const draggingIndex = dragging === null ? undefined : indexOf.get(dragging);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]!.project.id,
    // A few rows past each edge: every rendered row re-renders at each step of a drag (dnd-kit).
    overscan: 3,
    // The dragged row stays rendered when it scrolls out of view, so the drag goes on.
    rangeExtractor: useCallback(
      (range: Range) => {
        const indexes = defaultRangeExtractor(range);
        return draggingIndex === undefined || indexes.includes(draggingIndex) ? indexes : [...indexes, draggingIndex].sort((a, b) => a - b);
      },
      [draggingIndex],
    ),
  });

  const focusRow = useCallback(
    (id: string) => {
      const index = indexOf.get(id);
      if (index === undefined) return;
      focusWanted.current = id;
      onSelect(id);
      virtualizer.scrollToIndex(index, { align: 'auto' });
    },
    [indexOf, onSelect, virtualizer],
  );
  useEffect(() => {
    const id = focusWanted.current;
    if (id === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(id)}"]`);
    if (el) {
      focusWanted.current = null;
      el.focus();
    }
  });

  const latest = useRef({ rows, indexOf, dragging, focusRow, toggle, props });
  latest.current = { rows, indexOf, dragging, focusRow, toggle, props };
  // Stable for every row (rows are memoized); reads the latest state when a key is pressed.
  const onRowKeyDown = useCallback((e: KeyboardEvent<HTMLElement>, id: string) => {
    const { rows, indexOf, dragging, focusRow, toggle, props } = latest.current;
    if (dragging !== null) return; // the arrows belong to the drag
    const at = indexOf.get(id);
    if (at === undefined) return;
    const row = rows[at]!;
    const parentId = props.tree.parentOf(id)?.id;
    const go = (index: number) => rows[index] && focusRow(rows[index]!.project.id);
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      // Alt+arrows move the project one place among its siblings.
      const siblings = parentId === undefined ? props.tree.roots : props.tree.childrenOf(parentId);
      const i = siblings.findIndex((p) => p.id === id);
      const neighbour = siblings[e.key === 'ArrowUp' ? i - 1 : i + 1];
      if (neighbour) props.onPlace(id, neighbour.id, e.key === 'ArrowUp' ? 'before' : 'after');
      focusWanted.current = id;
      e.preventDefault();
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
        go(at + 1);
        break;
      case 'ArrowUp':
        go(at - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.hasChildren && !row.expanded) toggle(row.project.id);
        else if (row.expanded) go(at + 1);
        break;
      case 'ArrowLeft':
        if (row.expanded) toggle(row.project.id);
        else if (parentId !== undefined) focusRow(parentId);
        break;
      case 'Enter':
        props.onRename(row.project.id);
        break;
      case 'Delete':
      case 'Backspace':
        props.onDelete(row.project.id);
        break;
      default:
        return;
    }
    e.preventDefault();
  }, []);

  // Rows in view flow after a padding (a row added above them shifts none of them: they do
  // not re-render); only a dragged row kept rendered out of view is placed on its own.
  const items = virtualizer.getVirtualItems();
  const apart = (index: number) => index === draggingIndex && !items.some((other) => Math.abs(other.index - index) === 1);
  const flowStart = items.find((item) => !apart(item.index))?.start ?? 0;
  return (
    <nav id="project-sidebar" className={props.open ? 'sidebar open' : 'sidebar'} aria-label="Projects">
      <h2>Projects</h2>
      <NameField label="New project name" placeholder="New project" submitLabel="Add" className="add-project" onSubmit={props.onAdd} />
      <input type="search" className="tree-search" aria-label="Search projects" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {refusal ? (
        <p className="field-error" role="alert">
          {refusal}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p className="empty">{query.trim() ? `No project matches “${query.trim()}”.` : 'No projects yet.'}</p>
      ) : (
        <DndContext {...contextProps}>
          <div className="tree-area">
            {/* Over the search box, so showing it moves no row under the pointer. */}
            <TopLevelTarget active={dragging !== null} drop={dropOn(TOP_LEVEL)} />
            <TreeDropArea className="tree-scroll" scroller={scroller}>
              <ul ref={list} className="tree" role="tree" aria-label="Project tree" style={{ height: virtualizer.getTotalSize(), paddingTop: flowStart }}>
                {items.map((item) => {
                  const { project, depth, hasChildren, expanded } = rows[item.index]!;
                  return (
                    <TreeRow
                      key={item.key}
                      project={project}
                      depth={depth}
                      hasChildren={hasChildren}
                      expanded={expanded}
                      top={apart(item.index) ? item.start : undefined}
                      focusable={project.id === selectedId || (selectedIndex === undefined && item.index === 0)}
                      selected={project.id === selectedId}
                      drop={dropOn(project.id)}
                      onSelect={onSelect}
                      onToggle={toggle}
                      onKeyDown={onRowKeyDown}
                    />
                  );
                })}
              </ul>
            </TreeDropArea>
          </div>
        </DndContext>
      )}
    </nav>
  );
}

/** Re-renders only when a prop changes (the app passes the same callbacks every render). */
export const ProjectSidebar = memo(Sidebar);
