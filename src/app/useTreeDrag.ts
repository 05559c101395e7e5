/**
 * Drag-and-drop in the project tree (`@dnd-kit/core`), mouse and keyboard: where a drop
 * goes (under a row, or above or below it by the pointer's height in the row; the
 * keyboard moves under), what each row shows while dragging, and the refusal of a drop
 * that would put a project under itself. The sidebar spreads `contextProps` on its
 * `DndContext`.
 *
 * The list of rows is one drop target (`TREE`), not one per row: the row under the
 * pointer is its height over the list divided by the row height, and a keyboard drag goes
 * over the rows one by one. dnd-kit measures every drop target and tests each against the
 * dragged row at every step of a drag; with a target per row that cost a frame per step.
 */
import {
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragMoveEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { useRef, useState, type RefObject } from 'react';
import type { ProjectTree } from './stores.js';
import { ROW_HEIGHT, TOP_LEVEL, TREE, type DropState } from './TreeRow.js';

/** Where a drop on a row puts the dragged project: above it, under it, or below it. */
export type Zone = 'before' | 'inside' | 'after';

/** The zone at a height in a row, 0 (its top) to 1 (its bottom): the outer quarters are above and below. */
export const zoneAt = (at: number): Zone => (at < 0.25 ? 'before' : at > 0.75 ? 'after' : 'inside');

/** With the mouse, the target under the pointer; with the keyboard (no pointer), the one the dragged row overlaps most. */
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

/** Where a drag is: over a row (its id, and where in it) or the top level. */
export interface DragTarget {
  id: string;
  zone: Zone;
}

/**
 * The row at `y` px below the top of a list of `ROW_HEIGHT` rows, and where in it; null
 * past either end. Pure.
 */
export function rowAt(ids: readonly string[], y: number): DragTarget | null {
  const at = y / ROW_HEIGHT;
  const index = Math.floor(at);
  const id = ids[index];
  return id === undefined ? null : { id, zone: zoneAt(at - index) };
}

export interface TreeDragOptions {
  tree: ProjectTree;
  /** The ids of the rows shown, in order. */
  rowIds: readonly string[];
  /** The list element of the rows (row i is i × `ROW_HEIGHT` below its top). */
  list: RefObject<HTMLElement | null>;
  onMove(id: string, parentId: string | undefined): void;
  onPlace(id: string, target: string, side: 'before' | 'after'): void;
  /** A project was dropped under `parentId`: show it (open the sub-tree). */
  onDroppedUnder(parentId: string): void;
}

export function useTreeDrag({ tree, rowIds, list, onMove, onPlace, onDroppedUnder }: TreeDragOptions) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<{ id: string; zone: Zone; allowed: boolean } | null>(null);
  // The latest target, for the drop: set by the drag's own events only. (State may lag a
  // move behind, and a render of a transition, such as a sync's page arriving mid-drag, sees
  // state without the last move: copying state here in render made such a drop go where
  // the pointer had been a move earlier.)
  const overNow = useRef<typeof over>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  // What the last announcement said the dragged project is over (it is said once per change),
  // and where the last drop went (dnd-kit's `over` is the whole list).
  const announced = useRef<string | null>(null);
  const dropped = useRef<DragTarget | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, POINTER), useSensor(KeyboardSensor, KEYBOARD));

  const nameOf = (id: string | number | undefined) => (id === TOP_LEVEL ? 'the top level' : `“${tree.all.find((p) => p.id === id)?.name ?? id}”`);
  /** Why `id` cannot go where `zone` of `target` says, or undefined when it can. */
  const whyNot = (id: string, target: string, zone: Zone = 'inside') => {
    if (id === target || target === TOP_LEVEL) return undefined;
    const parentId = zone === 'inside' ? target : tree.parentOf(target)?.id;
    if (tree.canMoveUnder(id, parentId)) return undefined;
    return zone === 'inside'
      ? `${nameOf(id)} cannot move under its own sub-project ${nameOf(target)}.`
      : `${nameOf(id)} cannot move next to its own sub-project ${nameOf(target)}.`;
  };
  // Announced from the target this hook computed (dnd-kit's `over` is the whole list); run after `onDragMove`.
  const overWords = ({ active }: { active: { id: string | number } }) => {
    const target = overNow.current;
    const words = target
      ? `${nameOf(active.id)} is over ${nameOf(target.id)}${target.allowed ? '' : ', which it cannot go under'}.`
      : `${nameOf(active.id)} is over no project.`;
    if (words === announced.current) return undefined;
    announced.current = words;
    return words;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      announced.current = null;
      return `Picked up ${nameOf(active.id)}. Arrows choose where it goes, Space drops it, Escape cancels.`;
    },
    onDragMove: overWords,
    onDragOver: overWords,
    onDragEnd: ({ active }) => {
      const target = dropped.current;
      return target ? `${nameOf(active.id)} was dropped on ${nameOf(target.id)}.` : `${nameOf(active.id)} was dropped on no project.`;
    },
    onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} was cancelled.`,
  };

  /** The row a drag is over: from the pointer's height over the list, or (keyboard) as many rows from the dragged one as it moved. */
  const rowOf = (activeId: string, activatorEvent: Event, deltaY: number): DragTarget | null => {
    if ('clientY' in activatorEvent) {
      const top = list.current?.getBoundingClientRect().top;
      return top === undefined ? null : rowAt(rowIds, (activatorEvent as PointerEvent).clientY + deltaY - top);
    }
    const id = rowIds[rowIds.indexOf(activeId) + Math.round(deltaY / ROW_HEIGHT)];
    return id === undefined ? null : { id, zone: 'inside' };
  };

  const stop = () => {
    setDragging(null);
    setOver(null);
    overNow.current = null;
  };
  const onDragMove = ({ active, over, activatorEvent, delta }: DragMoveEvent) => {
    const id = String(active.id);
    const target: DragTarget | null = over?.id === TOP_LEVEL ? { id: TOP_LEVEL, zone: 'inside' } : over?.id === TREE ? rowOf(id, activatorEvent, delta.y) : null;
    const next = target && target.id !== id ? { ...target, allowed: !whyNot(id, target.id, target.zone) } : null;
    const was = overNow.current;
    if (was?.id !== next?.id || was?.zone !== next?.zone || was?.allowed !== next?.allowed) setOver(next);
    overNow.current = next;
  };
  const onDragEnd = ({ active }: DragEndEvent) => {
    const target = overNow.current;
    dropped.current = target;
    stop();
    if (!target || target.id === active.id) return;
    const id = String(active.id);
    const problem = whyNot(id, target.id, target.zone);
    setRefusal(problem ?? null);
    if (problem) return;
    if (target.zone !== 'inside') return onPlace(id, target.id, target.zone);
    const parentId = target.id === TOP_LEVEL ? undefined : target.id;
    if (tree.parentOf(id)?.id === parentId) return;
    onMove(id, parentId);
    if (parentId !== undefined) onDroppedUnder(parentId);
  };

  return {
    /** The project being dragged. */
    dragging,
    /** Why the last drop was refused, in words. */
    refusal,
    /** What the row of `id` (or `TOP_LEVEL`) shows now. */
    dropOn: (id: string): DropState | undefined => (over?.id !== id ? undefined : !over.allowed ? 'refused' : over.zone === 'inside' ? 'allowed' : over.zone),
    contextProps: {
      sensors,
      collisionDetection: collision,
      accessibility: {
        announcements,
        screenReaderInstructions: { draggable: 'To move a project, press Space, choose a place with the arrow keys, and press Space again. Escape cancels.' },
      },
      onDragStart: ({ active }: DragStartEvent) => {
        setDragging(String(active.id));
        setRefusal(null);
      },
      onDragMove,
      onDragOver: onDragMove,
      onDragEnd,
      onDragCancel: stop,
    },
  };
}
