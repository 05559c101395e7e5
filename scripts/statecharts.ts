/**
 * `npm run docs:statecharts` writes docs/statecharts/ from the machine definitions:
 * a Mermaid diagram and a page per machine (what each state means, from the states'
 * `description`, and which events move it). `--check` fails when the files on disk
 * differ from what the code generates (CI runs it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { recordMergeMachine } from '../src/machines/recordMerge.js';
import { syncMachine } from '../src/machines/syncMachine.js';

const OUT = 'docs/statecharts';

const MACHINES: Array<{ name: string; file: string; machine: AnyStateMachine; summary: string }> = [
  {
    name: 'syncMachine',
    file: 'src/machines/syncMachine.ts',
    machine: syncMachine,
    summary: 'The sync service: connection and pushing, inbound merging, editing, the token and the tab role, as parallel regions. Tags say what a state means to a user: `synced`, `busy`, `offline`, `attention` (the status reads them).',
  },
  {
    name: 'recordMerge',
    file: 'src/machines/recordMerge.ts',
    machine: recordMergeMachine,
    summary: "A record being edited: its remote versions held while the user edits it, then its merge decision (last modified wins). Records nobody edits are decided by cheap done-on-start actors (`src/merge/decisionActors.ts`).",
  },
];

type StateNode = DirectedGraphNode['stateNode'];
type Transition = DirectedGraphNode['edges'][number]['transition'];

interface Edge {
  source: StateNode;
  target: StateNode | undefined;
  label: string;
}

/** A readable label: `after debounce`, `done: loadLocal [hasPending]`, `always [hasPending]`. */
function labelOf(source: StateNode, transition: Transition): string {
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

function edgesOf(node: DirectedGraphNode): Edge[] {
  const edges: Edge[] = node.edges.map((e) => ({ source: e.source, target: e.target, label: labelOf(e.source, e.transition) }));
  // toDirectedGraph leaves out eventless (`always`) transitions: add them.
  for (const t of node.stateNode.always ?? []) {
    for (const target of t.target ?? []) edges.push({ source: node.stateNode, target, label: labelOf(node.stateNode, t) });
  }
  return edges;
}

const mermaidId = (node: StateNode) => node.id.replace(/[^A-Za-z0-9]/g, '_');
const shortName = (node: StateNode) => node.path[node.path.length - 1] ?? node.id;
const escapeLabel = (s: string) => s.replace(/[:;]/g, " ");

function mermaid(graph: DirectedGraphNode): string {
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
  if (graph.children.length === 0) visit(graph, '  ');
  else {
    graph.children.forEach((child, i) => {
      if (graph.stateNode.type === 'parallel' && i > 0) lines.push('  --');
      visit(child, '  ');
    });
    const initial = graph.stateNode.type === 'compound' ? graph.stateNode.initial?.target?.[0] : undefined;
    if (initial) lines.push(`  [*] --> ${mermaidId(initial)}`);
  }
  return [...lines, ...transitions.map((t) => `  ${t}`)].join('\n') + '\n';
}

function page(entry: (typeof MACHINES)[number], graph: DirectedGraphNode, diagram: string): string {
  const rows: string[] = [];
  const visit = (node: DirectedGraphNode) => {
    const sn = node.stateNode;
    if (sn !== graph.stateNode) {
      const moves = edgesOf(node)
        .map((e) => `\`${e.label}\` → ${e.target ? (e.target === sn ? '(stays)' : `\`${shortName(e.target)}\``) : '(stays)'}`)
        .join('<br>');
      const kind = sn.type === 'parallel' ? ' (parallel)' : sn.type === 'final' ? ' (final)' : '';
      const tags = sn.tags.length > 0 ? ` Tags: ${sn.tags.map((t) => `\`${t}\``).join(', ')}.` : '';
      rows.push(`| \`${sn.path.join('.')}\`${kind} | ${(sn.description ?? '').replace(/\|/g, '\\|')}${tags} | ${moves || '—'} |`);
    }
    node.children.forEach(visit);
  };
  visit(graph);
  const rootMoves = edgesOf(graph).map((e) => `\`${e.label}\``);
  return [
    `# ${entry.name}`,
    '',
    `<!-- Generated by \`npm run docs:statecharts\` from ${entry.file}. Do not edit. -->`,
    '',
    entry.summary,
    '',
    '```mermaid',
    diagram.trimEnd(),
    '```',
    '',
    '| state | what it means | what moves it |',
    '|---|---|---|',
    ...rows,
    ...(rootMoves.length ? ['', `Handled in every state: ${rootMoves.join(', ')}.`] : []),
    '',
  ].join('\n');
}

function generate(): Map<string, string> {
  const files = new Map<string, string>();
  const index = [
    '# Statecharts',
    '',
    '<!-- Generated by `npm run docs:statecharts`. Do not edit. -->',
    '',
    'Generated from the machine definitions; `npm run docs:statecharts -- --check` (run by CI) fails when they are out of date.',
    '',
  ];
  for (const entry of MACHINES) {
    const graph = toDirectedGraph(entry.machine);
    const diagram = mermaid(graph);
    files.set(`${entry.name}.mmd`, diagram);
    files.set(`${entry.name}.md`, page(entry, graph, diagram));
    index.push(`- [${entry.name}](${entry.name}.md): ${entry.summary}`);
  }
  files.set('README.md', `${index.join('\n')}\n`);
  return files;
}

const check = process.argv.includes('--check');
const stale: string[] = [];
mkdirSync(OUT, { recursive: true });
for (const [name, content] of generate()) {
  const path = join(OUT, name);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  if (check) stale.push(path);
  else writeFileSync(path, content);
}
if (stale.length > 0) {
  console.error(`Statechart docs are out of date with the machines: ${stale.join(', ')}\nRun: npm run docs:statecharts`);
  process.exit(1);
}
console.log(check ? 'Statechart docs are up to date.' : `Statechart docs written to ${OUT}/`);
