/**
 * Transition coverage for model-based tests: every transition a machine declares
 * (from `toDirectedGraph`, plus eventless ones), and which of them a step exercises.
 */
import { getMicrosteps, type AnyStateMachine, type AnyStateNode, type EventObject, type MachineSnapshot } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';

type AnySnapshot = MachineSnapshot<any, any, any, any, any, any, any, any>;

export interface DeclaredTransition {
  key: string;
  source: AnyStateNode;
  eventType: string;
  targets: readonly AnyStateNode[];
  guard: string | undefined;
}

const guardName = (guard: unknown) => (typeof guard === 'string' ? guard : (guard as { type?: string } | undefined)?.type);
const keyOf = (sourceId: string, eventType: string, targetIds: string[], guard: string | undefined) =>
  `${sourceId} --${eventType || 'always'}${guard ? ` [${guard}]` : ''}--> ${targetIds.join(',') || '(stays)'}`;

/** Every transition the machine declares, eventless ones included. */
export function declaredTransitions(machine: AnyStateMachine): DeclaredTransition[] {
  const out = new Map<string, DeclaredTransition>();
  const visit = (node: DirectedGraphNode) => {
    const sn = node.stateNode;
    const all = [...[...sn.transitions.values()].flat(), ...(sn.always ?? [])];
    for (const t of all) {
      const targets = t.target ?? [];
      const key = keyOf(sn.id, t.eventType, targets.map((x) => x.id), guardName(t.guard));
      out.set(key, { key, source: sn, eventType: t.eventType, targets, guard: guardName(t.guard) });
    }
    node.children.forEach(visit);
  };
  visit(toDirectedGraph(machine));
  return [...out.values()];
}

/** Every state node of the machine (its id). */
export function declaredStates(machine: AnyStateMachine): string[] {
  const ids: string[] = [];
  const visit = (node: DirectedGraphNode) => {
    if (node.stateNode !== machine.root) ids.push(node.stateNode.id);
    node.children.forEach(visit);
  };
  visit(toDirectedGraph(machine));
  return ids;
}

const active = (snapshot: AnySnapshot) => new Set((snapshot as unknown as { _nodes: AnyStateNode[] })._nodes.map((n) => n.id));

/**
 * The declared transitions one step (`event` from `snapshot`) takes: the event's own,
 * exactly, then the eventless or raised ones of the following microsteps, matched by
 * source active before and target active after.
 */
export function transitionsTaken(machine: AnyStateMachine, declared: DeclaredTransition[], snapshot: AnySnapshot, event: EventObject): string[] {
  const taken = new Set<string>();
  for (const t of machine.getTransitionData(snapshot, event)) {
    taken.add(keyOf(t.source.id, t.eventType, (t.target ?? []).map((x: AnyStateNode) => x.id), guardName(t.guard)));
  }
  const micro = getMicrosteps(machine, snapshot, event).map(([s]) => s as AnySnapshot);
  for (let i = 1; i < micro.length; i++) {
    const before = active(micro[i - 1]!);
    const after = active(micro[i]!);
    for (const d of declared) {
      const internal = d.eventType === '' || d.eventType === 'CATCH_UP.APPLIED' || d.eventType === 'INBOUND.FAILED';
      if (!internal || !before.has(d.source.id)) continue;
      if (d.targets.length > 0 && d.targets.every((t) => after.has(t.id)) && d.targets.some((t) => !before.has(t.id) || t === d.source)) taken.add(d.key);
    }
  }
  return [...taken];
}

/** The state nodes active in a snapshot. */
export function statesIn(snapshot: AnySnapshot): string[] {
  return [...active(snapshot)];
}
