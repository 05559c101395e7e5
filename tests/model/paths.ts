/**
 * Test paths generated from the sync machine's definition: a shortest path to every
 * model state, and a greedy cover with one path per declared transition.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, type StatePath } from 'xstate/graph';
import { syncMachine as realSyncMachine } from '../../src/machines/syncMachine.js';
import { declaredTransitions, statesIn, transitionsTaken } from './coverage.js';
import { MODEL_INPUT, eventsFor, serializeEvent, serializeState, type SyncSnapshot } from './syncModel.js';

export type Path = StatePath<SyncSnapshot, EventObject>;
export const syncMachine = realSyncMachine as AnyStateMachine;
const traversal = { input: MODEL_INPUT, events: eventsFor, serializeState, serializeEvent } as never;

/** Shortest paths to every state, then one path per declared transition (greedy cover). */
export function generateTransitionCover() {
  const shortest = new Map<string, Path>();
  for (const path of getShortestPaths(syncMachine, traversal) as unknown as Path[]) shortest.set(serializeState(path.state), path);
  const declared = declaredTransitions(syncMachine);
  const covered = new Set<string>();
  const statesSeen = new Set<string>();
  const paths: Path[] = [];
  const steps = adjacencyMapToArray(getAdjacencyMap(syncMachine, traversal)) as Array<{ state: SyncSnapshot; event: EventObject; nextState: SyncSnapshot }>;
  const prefixLength = (s: SyncSnapshot) => shortest.get(serializeState(s))?.steps.length ?? Infinity;
  steps.sort((a, b) => prefixLength(a.state) - prefixLength(b.state));
  for (const { state, event, nextState } of steps) {
    const taken = transitionsTaken(syncMachine, declared, state, event);
    const newStates = statesIn(nextState).filter((s) => !statesSeen.has(s));
    if (taken.every((k) => covered.has(k)) && newStates.length === 0) continue;
    const prefix = shortest.get(serializeState(state));
    if (!prefix) continue;
    taken.forEach((k) => covered.add(k));
    newStates.forEach((s) => statesSeen.add(s));
    paths.push({ state: nextState, steps: [...prefix.steps, { state: nextState, event }], weight: prefix.weight + 1 } as Path);
  }
  for (const path of shortest.values()) for (const step of path.steps) statesIn(step.state).forEach((s) => statesSeen.add(s));
  return { paths, declared, covered, statesSeen, stateCount: shortest.size };
}



