/**
 * A statechart as a Mermaid `stateDiagram-v2`, from the machine definition itself:
 * `npm run docs:statecharts` writes it into docs/statecharts/, and the in-app inspector
 * draws the same text and lights up the active states (`mermaidId` names them).
 */
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';

export type StateNode = DirectedGraphNode['stateNode'];
type Transition = DirectedGraphNode['edges'][number]['transition'];

export interface Edge {
  source: StateNode;
  target: StateNode | undefined;
  label: string;
}

/** A readable label: `after debounce`, `done: loadLocal [hasPending]`, `always [hasPending]`. */
export function labelOf(source: StateNode, transition: Transition): string {
  const type = transition.eventType;
  let text = type;
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  const invoked = /^xstate\.(done|error)\.actor\./.exec(type);
  if (type === '') text = 'always';
  else if (after) text = `after ${after[1]}`;
  else if (invoked) {
    const src = source.invoke.map((i) => (typeof i.src === 'string' ? i.src : 'actor')).join(', ');
    text = `${invoked[1]} ${src}`;
  }
  const guard = transition.guard as { type?: string } | string | undefined;
  const guardName = typeof guard === 'string' ? guard : guard?.type;
  return guardName ? `${text} [${guardName}]` : guard ? `${text} [guard]` : text;
}

export function edgesOf(node: DirectedGraphNode): Edge[] {
  const edges: Edge[] = node.edges.map((e) => ({ source: e.source, target: e.target, label: labelOf(e.source, e.transition) }));
  // toDirectedGraph leaves out eventless (`always`) transitions: add them.
  for (const t of node.stateNode.always ?? []) {
    for (const target of t.target ?? []) edges.push({ source: node.stateNode, target, label: labelOf(node.stateNode, t) });
  }
  return edges;
}

/** The diagram's id of a state node (`sync.connected.idle` -> `sync_sync_connected_idle`, from its node id). */
export const mermaidId = (node: StateNode) => node.id.replace(/[^A-Za-z0-9]/g, '_');
export const shortName = (node: StateNode) => node.path[node.path.length - 1] ?? node.id;
const escapeLabel = (s: string) => s.replace(/[:;]/g, " ");

/**
 * The diagram of a graph. With `asOneState`, the graph's root is drawn as a state holding
 * the rest (for one region of a parallel machine).
 */
export function mermaidOfGraph(graph: DirectedGraphNode, options: { asOneState?: boolean } = {}): string {
  const lines = ['stateDiagram-v2'];
  const transitions: string[] = [];
  const visit = (node: DirectedGraphNode, indent: string) => {
    const sn = node.stateNode;
    for (const e of edgesOf(node)) {
      // Self-transitions that only update context are noise in a diagram.
      if (!e.target || e.target === sn) continue;
      transitions.push(`${mermaidId(sn)} --> ${mermaidId(e.target)} : ${escapeLabel(e.label)}`);
    }
    if (node.children.length === 0) {
      lines.push(`${indent}state "${shortName(sn)}" as ${mermaidId(sn)}`);
      if (sn.type === 'final') transitions.push(`${mermaidId(sn)} --> [*]`);
      return;
    }
    lines.push(`${indent}state "${shortName(sn)}" as ${mermaidId(sn)} {`);
    node.children.forEach((child, i) => {
      if (sn.type === 'parallel' && i > 0) lines.push(`${indent}  --`);
      visit(child, `${indent}  `);
    });
    const initial = sn.type === 'compound' ? sn.initial?.target?.[0] : undefined;
    if (initial) lines.push(`${indent}  [*] --> ${mermaidId(initial)}`);
    lines.push(`${indent}}`);
  };
  if (graph.children.length === 0 || graph.stateNode.type === 'parallel' || options.asOneState) {
    // Mermaid accepts parallel regions (`--`) only inside a state, so a parallel root is drawn as one.
    visit(graph, '  ');
  } else {
    graph.children.forEach((child) => visit(child, '  '));
    const initial = graph.stateNode.type === 'compound' ? graph.stateNode.initial?.target?.[0] : undefined;
    if (initial) lines.push(`  [*] --> ${mermaidId(initial)}`);
  }
  return [...lines, ...transitions.map((t) => `  ${t}`)].join('\n') + '\n';
}

/** The Mermaid diagram of a machine. */
export function mermaidOf(machine: AnyStateMachine): string {
  return mermaidOfGraph(toDirectedGraph(machine));
}

/** One diagram per parallel region of a machine (a whole-machine diagram is too wide to read on a page). */
export function mermaidOfRegions(machine: AnyStateMachine): Array<{ region: string; text: string }> {
  const graph = toDirectedGraph(machine);
  if (graph.stateNode.type !== 'parallel') return [{ region: machine.id, text: mermaidOfGraph(graph) }];
  return graph.children.map((region) => ({ region: shortName(region.stateNode), text: mermaidOfGraph(region, { asOneState: true }) }));
}
