/**
 * Model-based tests of the per-record merge actor with `createTestModel` (xstate/graph):
 * paths generated from its definition for each kind of input, each replayed on a real
 * running actor, with the actor's state, context and reported decisions checked at every
 * state of the path. Together they cover every state and transition, and every decision.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type Actor, type EventObject, type SnapshotFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { MergeDecision, MergeInput } from '../../src/merge/lastModifiedWins.js';
import { recordMergeMachine, type RecordMergeEvent } from '../../src/machines/recordMerge.js';
import { ruleOf } from '../../src/merge/record.js';
import { mergeRules } from '../../basic.config.js';
import { declaredStates, declaredTransitions, statesIn, transitionsTaken } from './coverage.js';

type Snapshot = SnapshotFrom<typeof recordMergeMachine>;
const rec = (lastModified: number, name: string, modifiedBy = 'a') => ({ id: 'p1', lastModified, modifiedBy, name });

const rule = ruleOf(mergeRules, 'projects');
const INPUTS: Record<string, MergeInput & { table: string }> = {
  'remote newer': { table: 'projects', rule, id: 'p1', local: rec(1, 'local'), remote: rec(2, 'remote', 'b') },
  'local newer': { table: 'projects', rule, id: 'p1', local: rec(3, 'local'), remote: rec(2, 'remote', 'b') },
  'same version': { table: 'projects', rule, id: 'p1', local: rec(2, 'x'), remote: rec(2, 'x') },
  'only remote': { table: 'projects', rule, id: 'p1', remote: rec(2, 'remote', 'b') },
  'components on both sides': {
    table: 'projects',
    rule,
    id: 'p1',
    local: { ...rec(3, 'renamed'), components: { emojis: { lastModified: 1, modifiedBy: 'a', items: [] } } },
    remote: { ...rec(2, 'old', 'b'), components: { emojis: { lastModified: 2, modifiedBy: 'b', items: ['🌴'] } } },
  },
  'being edited': { table: 'projects', rule, id: 'p1', local: rec(1, 'local'), remote: rec(2, 'remote', 'b'), editing: true },
  'being edited, same version': { table: 'projects', rule, id: 'p1', local: rec(2, 'x'), remote: rec(2, 'x'), editing: true },
};
const EVENTS: RecordMergeEvent[] = [
  { type: 'REMOTE.ARRIVED', remote: rec(5, 'later remote', 'c') },
  // Editing ends with the record unchanged, or with what the user typed meanwhile (newer than any remote).
  { type: 'EDITING.ENDED' },
  { type: 'EDITING.ENDED', local: rec(9, 'typed while editing') },
];

// The model reports nowhere; the running actor below records what it reports.
const modelMachine = recordMergeMachine.provide({ actions: { reportDecision: () => {} } });
const model = createTestModel(modelMachine, { events: EVENTS });
const declared = declaredTransitions(recordMergeMachine);
const covered = new Set<string>();
const statesSeen = new Set<string>();
const decisions = new Set<string>();
const cases: Array<[string, MergeInput & { table: string }, ReturnType<typeof model.getSimplePaths>[number]]> = [];
for (const [name, input] of Object.entries(INPUTS)) {
  const paths = model.getSimplePaths({ input });
  for (const path of paths) {
    cases.push([`${name}: ${path.steps.map((s) => serialize(s.event)).join(' → ')}`, input, path]);
    let before: Snapshot | undefined;
    for (const step of path.steps) {
      statesIn(step.state).forEach((s) => statesSeen.add(s));
      const kind = step.state.context.decision?.kind;
      if (kind) decisions.add(kind);
      if (before) transitionsTaken(modelMachine, declared, before, step.event).forEach((k) => covered.add(k));
      before = step.state;
    }
    // The first state's eventless decision counts too.
    const first = path.steps[0]!.state;
    for (const d of declared) {
      if (d.eventType !== '' || !statesIn(first).includes(d.targets[0]!.id)) continue;
      // Into `decided`: the reporting branch for an edited record's actor, the plain one otherwise.
      if (d.targets[0]!.id === 'recordMerge.decided' && (d.guard === 'reportsDecision') !== !!input.editing) continue;
      covered.add(d.key);
    }
  }
}
// A state left at once (an eventless decision) counts as visited when a transition out of it is taken.
for (const d of declared) if (covered.has(d.key)) statesSeen.add(d.source.id);

function serialize(event: EventObject): string {
  return 'local' in event ? `${event.type}(typed)` : event.type;
}

describe('recordMerge, model-based', () => {
  it('covers every state, transition and decision', () => {
    const states = declaredStates(recordMergeMachine);
    console.log(`recordMerge coverage: ${covered.size}/${declared.length} transitions, ${states.filter((s) => statesSeen.has(s)).length}/${states.length} states, ${cases.length} paths, decisions ${[...decisions].sort().join(', ')}`);
    expect(declared.map((d) => d.key).filter((k) => !covered.has(k))).toEqual([]);
    expect(states.filter((s) => !statesSeen.has(s))).toEqual([]);
    expect([...decisions].sort()).toEqual(['defer', 'equal', 'keep-local', 'merged', 'take-remote']);
  });

  it.each(cases)('%s', async (_name, input, path) => {
    const reported: MergeDecision[] = [];
    const machine = recordMergeMachine.provide({ actions: { reportDecision: ({ context }) => void reported.push(context.decision!) } });
    const actor: Actor<typeof machine> = createActor(machine, { input });
    actor.start();
    // At each state of the path, the real actor is in the same state with the same context.
    const sameAsModel = (expected: Snapshot) => {
      expect(actor.getSnapshot().value).toEqual(expected.value);
      expect(actor.getSnapshot().context).toEqual(expected.context);
    };
    await path.test({
      states: {
        held: (expected) => {
          sameAsModel(expected);
          expect(reported).toEqual([]); // nothing decided while the user edits
        },
        decided: (expected) => {
          sameAsModel(expected);
          expect(actor.getSnapshot().output).toEqual(expected.context.decision);
          // An actor made for an edited record reports its one decision; a batch's does not (the batch reads it).
          expect(reported).toEqual(input.editing ? [expected.context.decision] : []);
        },
      },
      events: {
        'REMOTE.ARRIVED': ({ event }) => void actor.send(event as RecordMergeEvent),
        'EDITING.ENDED': ({ event }) => void actor.send(event as RecordMergeEvent),
      },
    });
  });
});
