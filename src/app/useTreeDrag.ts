/**
 * Drag-and-drop in the project tree (`@dnd-kit/core`), mouse and keyboard: where a drop
 * goes (under a row, or above or below it by the pointer's height in the row; the
 * keyboard moves under), what each row shows while dragging, and the refusal of a drop
 * that would put a project under itself. The sidebar spreads `contextProps` on its
 * `DndContext`.
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
import { useRef, useState } from 'react';
import type { ProjectTree } from './stores.js';
import { ROW_HEIGHT, TOP_LEVEL, type DropState } from './TreeRow.js';

/** Where a drop on a row puts the dragged project: above it, under it, or below it. */
export type Zone = 'before' | 'inside' | 'after';

/** The zone at a height in a row, 0 (its top) to 1 (its bottom): the outer quarters are above and below. */
export const zoneAt = (at: number): Zone => (at < 0.25 ? 'before' : at > 0.75 ? 'after' : 'inside');

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

export interface TreeDragOptions {
  tree: ProjectTree;
  onMove(id: string, parentId: string | undefined): void;
  onPlace(id: string, target: string, side: 'before' | 'after'): void;
  /** A project was dropped under `parentId`: show it (open the sub-tree). */
  onDroppedUnder(parentId: string): void;
}

export function useTreeDrag({ tree, onMove, onPlace, onDroppedUnder }: TreeDragOptions) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<{ id: string; zone: Zone; allowed: boolean } | null>(null);
  const overNow = useRef(over); // the latest, for the drop (state may lag a move behind)
  overNow.current = over;
  const [refusal, setRefusal] = useState<string | null>(null);
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
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${nameOf(active.id)}. Arrows choose where it goes, Space drops it, Escape cancels.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${nameOf(active.id)} is over ${nameOf(over.id)}${whyNot(String(active.id), String(over.id)) ? ', which it cannot go under' : ''}.`
        : `${nameOf(active.id)} is over no project.`,
    onDragEnd: ({ active, over }) => (over ? `${nameOf(active.id)} was dropped on ${nameOf(over.id)}.` : `${nameOf(active.id)} was dropped on no project.`),
    onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} was cancelled.`,
  };

  const stop = () => {
    setDragging(null);
    setOver(null);
    overNow.current = null;
  };
  const onDragMove = ({ active, over, activatorEvent, delta }: DragMoveEvent) => {
    let next: typeof overNow.current = null;
    if (over && over.id !== active.id) {
      let zone: Zone = 'inside';
      if (over.id !== TOP_LEVEL && 'clientY' in activatorEvent) {
        const y = (activatorEvent as PointerEvent).clientY + delta.y;
        zone = zoneAt((y - over.rect.top) / over.rect.height);
      }
      next = { id: String(over.id), zone, allowed: !whyNot(String(active.id), String(over.id), zone) };
    }
    const was = overNow.current;
    if (was?.id !== next?.id || was?.zone !== next?.zone || was?.allowed !== next?.allowed) setOver(next);
    overNow.current = next;
  };
  const onDragEnd = ({ active }: DragEndEvent) => {
    const target = overNow.current;
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
