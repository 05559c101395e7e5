/**
 * Projects as a tree (as `projectTree()` computes it): a field to add a top-level project,
 * a search box, collapsible sub-trees (remembered per user), keyboard navigation (arrows,
 * Enter to rename, Delete) and drag-and-drop moves (mouse, or Space / arrows / Space on a
 * focused row), which refuse a drop that would put a project under itself.
 *
 * Only the rows in view are rendered (`@tanstack/react-virtual`), and each row only when
 * its own record, place or state changes: with thousands of projects a keystroke costs
 * the rows on screen, not the whole list.
 */
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragMoveEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEventHandler } from 'react';
import { NameField } from './NameField.js';
import { emojisOf, type Project, type ProjectTree } from './stores.js';
import { parseCollapsed, treeRows } from './treeView.js';

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

/** Height of one row in px (`.tree-item`'s). */
const ROW_HEIGHT = 30;
/** The drop target "top level" (not a project id: ids never start with a colon). */
const TOP_LEVEL = ':top-level';

/** Where a drop on a row puts the dragged project: above it, under it, or below it. */
type Zone = 'before' | 'inside' | 'after';
/** What a row shows while something is dragged over it. */
type DropState = 'allowed' | 'refused' | 'before' | 'after';

/** With the mouse, the row under the pointer; with the keyboard (no pointer), the row the dragged one overlaps most. */
const collision: CollisionDetection = (args) => (args.pointerCoordinates ? pointerWithin(args) : rectIntersection(args));

/** One arrow key moves a keyboard drag by one row. */
const byRow: KeyboardCoordinateGetter = (event, { currentCoordinates }) => {
  if (event.code === 'ArrowDown') return { ...currentCoordinates, y: currentCoordinates.y + ROW_HEIGHT };
  if (event.code === 'ArrowUp') return { ...currentCoordinates, y: currentCoordinates.y - ROW_HEIGHT };
  return undefined;
};

// Sensor options are constants: new objects each render would make dnd-kit set its sensors up again.
/** A mouse drag starts after a few pixels, so a click still selects. */
const POINTER = { activationConstraint: { distance: 6 } };
/** Space picks a row up and drops it (Enter drops too: it renames when not dragging). */
const KEYBOARD = { keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] }, coordinateGetter: byRow };

interface TreeRowProps {
  project: Project;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
  top: number;
  /** Whether Tab reaches this row (the selected one, or the first when none is shown). */
  focusable: boolean;
  selected: boolean;
  /** While something is dragged over this row: whether it may go under it, or the line above or below it. */
  drop: DropState | undefined;
  onSelect(id: string): void;
  onToggle(id: string): void;
  onKeyDown(e: KeyboardEvent<HTMLElement>, id: string): void;
}

/** One project; re-rendered only when its record, place, selection or drop state changes. */
const TreeRow = memo(function TreeRow({ project, depth, hasChildren, expanded, top, focusable, selected, drop, onSelect, onToggle, onKeyDown }: TreeRowProps) {
  const emojis = emojisOf(project) ?? [];
  const drag = useDraggable({ id: project.id, attributes: { role: 'treeitem', tabIndex: focusable ? 0 : -1, roleDescription: 'movable project' } });
  const target = useDroppable({ id: project.id });
  const setRef = useCallback(
    (el: HTMLElement | null) => {
      drag.setNodeRef(el);
      target.setNodeRef(el);
    },
    [drag.setNodeRef, target.setNodeRef],
  );
  const className = ['tree-item', selected && 'selected', drag.isDragging && 'dragging', drop && `drop-${drop}`].filter(Boolean).join(' ');
  return (
    <li data-depth={depth} role="none" style={{ transform: `translateY(${top}px)`, paddingLeft: `${depth}rem` }}>
      <div
        ref={setRef}
        {...drag.attributes}
        aria-level={depth + 1}
        aria-expanded={hasChildren ? expanded : undefined}
        aria-selected={selected}
        data-row-id={project.id}
        className={className}
        onClick={() => onSelect(project.id)}
        onPointerDown={drag.listeners?.onPointerDown as PointerEventHandler<HTMLElement> | undefined}
        onKeyDown={(e) => {
          drag.listeners?.onKeyDown?.(e);
          if (!e.defaultPrevented) onKeyDown(e, project.id);
        }}
      >
        <span
          className="twisty"
          aria-hidden="true"
          onClick={(e) => {
            e.stopPropagation();
            if (hasChildren) onToggle(project.id);
          }}
        >
          {hasChildren ? (expanded ? '▾' : '▸') : ''}
        </span>
        <span className="tree-name" title={project.name}>
          {project.name}
        </span>
        {emojis.length > 0 ? <span className="tree-emojis"> {emojis.join('')}</span> : null}
      </div>
    </li>
  );
});

/** "Move to the top level" while dragging; a plain area the rest of the time. */
function TopLevelTarget({ active, drop }: { active: boolean; drop: DropState | undefined }) {
  const { setNodeRef } = useDroppable({ id: TOP_LEVEL, disabled: !active });
  if (!active) return null;
  return (
    <div ref={setNodeRef} className={drop ? `top-level-target drop-${drop}` : 'top-level-target'}>
      Drop here to move to the top level
    </div>
  );
}

export function ProjectSidebar(props: ProjectSidebarProps) {
  const { tree, selectedId, pinned, onSelect } = props;
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState(() => parseCollapsed(localStorage.getItem(props.collapsedKey)));
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<{ id: string; zone: Zone; allowed: boolean } | null>(null);
  const overNow = useRef(over); // the latest, for the drop (state may lag a move behind)
  overNow.current = over;
  const [refusal, setRefusal] = useState<string | null>(null);
  const rows = useMemo(() => treeRows(tree, { collapsed, query, pinned }), [tree, collapsed, query, pinned]);
  const indexOf = useMemo(() => new Map(rows.map((r, i) => [r.project.id, i])), [rows]);
  const scroller = useRef<HTMLDivElement>(null);
  // A row asked to take the keyboard focus once it is rendered (after arrows scrolled it into view).
  const focusWanted = useRef<string | null>(null);

  const selectedIndex = selectedId === undefined ? undefined : indexOf.get(selectedId);
  const draggingIndex = dragging === null ? undefined : indexOf.get(dragging);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]!.project.id,
    overscan: 8,
    // The dragged row stays rendered when it scrolls out of view, so the drag goes on.
    rangeExtractor: useCallback(
      (range: Range) => {
        const indexes = defaultRangeExtractor(range);
        return draggingIndex === undefined || indexes.includes(draggingIndex) ? indexes : [...indexes, draggingIndex].sort((a, b) => a - b);
      },
      [draggingIndex],
    ),
  });

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

  const sensors = useSensors(useSensor(PointerSensor, POINTER), useSensor(KeyboardSensor, KEYBOARD));
  const nameOf = (id: string | number | undefined) => (id === TOP_LEVEL ? 'the top level' : `“${tree.all.find((p) => p.id === id)?.name ?? id}”`);
  /** Why `id` cannot go where `zone` of `target` says, or undefined when it can. */
  const whyNot = (id: string, target: string, zone: Zone = 'inside') => {
    if (id === target) return undefined; // dropped on itself: nothing to do
    if (target === TOP_LEVEL) return undefined;
    const parentId = zone === 'inside' ? target : tree.parentOf(target)?.id;
    if (tree.canMoveUnder(id, parentId)) return undefined;
    return zone === 'inside'
      ? `${nameOf(id)} cannot move under its own sub-project ${nameOf(target)}.`
      : `${nameOf(id)} cannot move next to its own sub-project ${nameOf(target)}.`;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${nameOf(active.id)}. Arrows choose where it goes, Space drops it, Escape cancels.`,
    onDragOver: ({ active, over }) => (over ? `${nameOf(active.id)} is over ${nameOf(over.id)}${whyNot(String(active.id), String(over.id)) ? ', which it cannot go under' : ''}.` : `${nameOf(active.id)} is over no project.`),
    onDragEnd: ({ active, over }) => (over ? `${nameOf(active.id)} was dropped on ${nameOf(over.id)}.` : `${nameOf(active.id)} was dropped on no project.`),
    onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} was cancelled.`,
  };

  const onDragMove = ({ active, over, activatorEvent, delta }: DragMoveEvent) => {
    let next: typeof overNow.current = null;
    if (over && over.id !== active.id) {
      // With the mouse, the pointer's height in the row says where: its top quarter above
      // the row, its bottom quarter below, the middle under it. The keyboard moves under.
      let zone: Zone = 'inside';
      if (over.id !== TOP_LEVEL && 'clientY' in activatorEvent) {
        const y = (activatorEvent as PointerEvent).clientY + delta.y;
        const at = (y - over.rect.top) / over.rect.height;
        zone = at < 0.25 ? 'before' : at > 0.75 ? 'after' : 'inside';
      }
      next = { id: String(over.id), zone, allowed: !whyNot(String(active.id), String(over.id), zone) };
    }
    const was = overNow.current;
    if (was?.id !== next?.id || was?.zone !== next?.zone || was?.allowed !== next?.allowed) setOver(next);
    overNow.current = next;
  };
  const onDragEnd = ({ active }: DragEndEvent) => {
    const target = overNow.current;
    setDragging(null);
    setOver(null);
    if (!target || target.id === active.id) return;
    const id = String(active.id);
    const problem = whyNot(id, target.id, target.zone);
    if (problem) {
      setRefusal(problem);
      return;
    }
    setRefusal(null);
    if (target.zone !== 'inside') {
      props.onPlace(id, target.id, target.zone);
      return;
    }
    const parentId = target.id === TOP_LEVEL ? undefined : target.id;
    if (tree.parentOf(id)?.id === parentId) return;
    props.onMove(id, parentId);
    if (parentId !== undefined && collapsed.has(parentId)) toggle(parentId); // show where it went
  };
  const dropOn = (id: string): DropState | undefined =>
    over?.id !== id ? undefined : !over.allowed ? 'refused' : over.zone === 'inside' ? 'allowed' : over.zone;

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
        <DndContext
          sensors={sensors}
          collisionDetection={collision}
          accessibility={{ announcements, screenReaderInstructions: { draggable: 'To move a project, press Space, choose a place with the arrow keys, and press Space again. Escape cancels.' } }}
          onDragStart={({ active }) => {
            setDragging(String(active.id));
            setRefusal(null);
          }}
          onDragMove={onDragMove}
          onDragOver={onDragMove}
          onDragEnd={onDragEnd}
          onDragCancel={() => {
            setDragging(null);
            setOver(null);
            overNow.current = null;
          }}
        >
          <div className="tree-area">
            {/* Over the search box, so showing it moves no row under the pointer. */}
            <TopLevelTarget active={dragging !== null} drop={dropOn(TOP_LEVEL)} />
            <div className="tree-scroll" ref={scroller}>
              <ul className="tree" role="tree" aria-label="Project tree" style={{ height: virtualizer.getTotalSize() }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const { project, depth, hasChildren, expanded } = rows[item.index]!;
                  return (
                    <TreeRow
                      key={item.key}
                      project={project}
                      depth={depth}
                      hasChildren={hasChildren}
                      expanded={expanded}
                      top={item.start}
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
            </div>
          </div>
        </DndContext>
      )}
    </nav>
  );
}
