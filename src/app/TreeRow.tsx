/**
 * One row of the project tree (a treeitem that can be dragged), the list of rows as one
 * drop target (`useTreeDrag` works out which row is under the drag), and the "top level"
 * drop target shown while dragging. Rows are memoized: a row re-renders only when its
 * record, place, selection or drop state changes.
 */
import { useDraggable, useDroppable } from '@dnd-kit/core';
import { memo, useCallback, type KeyboardEvent, type MutableRefObject, type PointerEventHandler, type ReactNode } from 'react';
import { emojisOf, type Project } from './stores.js';

/** Height of one row in px (`.tree-item`'s). */
export const ROW_HEIGHT = 30;
/** The drop target "top level" (not a project id: ids never start with a colon). */
export const TOP_LEVEL = ':top-level';
/** The drop target that is the whole list of rows. */
export const TREE = ':tree';

/** What a row shows while something is dragged over it: may go under it, may not, or the line above or below it. */
export type DropState = 'allowed' | 'refused' | 'before' | 'after';

export interface TreeRowProps {
  project: Project;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
  /** Where an out-of-view row is placed on its own (a dragged one); rows in view flow. */
  top?: number;
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
export const TreeRow = memo(function TreeRow({ project, depth, hasChildren, expanded, top, focusable, selected, drop, onSelect, onToggle, onKeyDown }: TreeRowProps) {
  const emojis = emojisOf(project) ?? [];
  const drag = useDraggable({ id: project.id, attributes: { role: 'treeitem', tabIndex: focusable ? 0 : -1, roleDescription: 'movable project' } });
  const className = ['tree-item', selected && 'selected', drag.isDragging && 'dragging', drop && `drop-${drop}`].filter(Boolean).join(' ');
  return (
    <li data-depth={depth} role="none" className={top === undefined ? undefined : 'apart'} style={{ paddingLeft: `${depth}rem`, ...(top === undefined ? {} : { transform: `translateY(${top}px)` }) }}>
      <div
        ref={drag.setNodeRef}
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

/** The scrolling list of rows: one drop target for all of them. */
export function TreeDropArea({ className, scroller, children }: { className: string; scroller: MutableRefObject<HTMLDivElement | null>; children: ReactNode }) {
  const { setNodeRef } = useDroppable({ id: TREE });
  const setRef = useCallback(
    (el: HTMLDivElement | null) => {
      setNodeRef(el);
      scroller.current = el;
    },
    [setNodeRef, scroller],
  );
  return (
    <div className={className} ref={setRef}>
      {children}
    </div>
  );
}

/** "Move to the top level" while dragging; a plain area the rest of the time. */
export function TopLevelTarget({ active, drop }: { active: boolean; drop: DropState | undefined }) {
  const { setNodeRef } = useDroppable({ id: TOP_LEVEL, disabled: !active });
  if (!active) return null;
  return (
    <div ref={setNodeRef} className={drop ? `top-level-target drop-${drop}` : 'top-level-target'}>
      Drop here to move to the top level
    </div>
  );
}
