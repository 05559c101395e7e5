/**
 * Merge decisions as actors, cheaply. Each record a batch decides is a child actor of the
 * batch (the inspector shows it with its input and decision), made from plain actor logic
 * that is done as soon as it starts, its output `decideMerge`'s answer. A machine per
 * record, stopped with its batch, cost 20-75 µs a record, because spawning and stopping
 * children copies the parent's children map each time; these are never in a map and never
 * stopped (`npm run bench` measures what they cost, first sync included). Records whose two
 * versions are identical have nothing to decide and get no actor. A record being edited
 * is decided by the `recordMerge` statechart instead, which can wait.
 */
import { createActor, fromPromise, type ActorLogic, type AnyActorRef, type EventObject, type Snapshot } from 'xstate';
import { decideMerge, isSameVersion, type MergeDecision, type MergeInput } from './lastModifiedWins.js';

/** A record's merge input, with the table it belongs to. */
export type TableMergeInput = MergeInput & { table: string };

export interface DecidedRecord {
  input: TableMergeInput;
  decision: MergeDecision;
}

export type RecordDecisionSnapshot = Snapshot<MergeDecision> & { context: DecidedRecord };

/** One record's decision: an actor that is done on start, with the decision as its output. */
export const recordDecision: ActorLogic<RecordDecisionSnapshot, EventObject, TableMergeInput> = {
  transition: (snapshot) => snapshot,
  getInitialSnapshot: (_scope, input) => {
    const decision = decideMerge(input);
    return { status: 'done', output: decision, error: undefined, context: { input, decision } };
  },
  getPersistedSnapshot: (snapshot) => snapshot,
};

/** Decides `records`, each by a `recordDecision` child of `parent` (identical versions need none). */
export function decideBatch(records: TableMergeInput[], parent: AnyActorRef): DecidedRecord[] {
  return records.map((input) => {
    if (input.local && input.remote && isSameVersion(input.local, input.remote)) {
      return { input, decision: { id: input.id, kind: 'equal', remoteWon: false } };
    }
    const child = createActor(recordDecision, { parent, id: `decision:${input.table}/${input.id}`, input });
    return { input, decision: child.start().getSnapshot().output! };
  });
}

/** A batch of records decided by one child actor each; its output is every decision, in order. */
export const mergeBatch = fromPromise<DecidedRecord[], { records: TableMergeInput[] }>(async ({ input, self }) => decideBatch(input.records, self));
