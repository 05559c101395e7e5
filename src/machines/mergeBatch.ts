/**
 * Decides a bounded chunk of records, one `recordMerge` child per record, spawned
 * in a single `assign` (cheap) and stopped with this actor when it finishes, so
 * the sync machine never holds thousands of live children (see
 * `shared/reference/xstate-v5-notes.md`: children maps are copied per spawn/stop).
 */
import { assign, setup, type ActorRefFrom } from 'xstate';
import type { MergeDecision } from '../merge/lastModifiedWins.js';
import { recordMergeMachine, type RecordMergeInput } from './recordMerge.js';

/** Records per batch: keeps spawn/stop costs linear. */
export const MERGE_BATCH_SIZE = 200;

export interface DecidedRecord {
  input: RecordMergeInput;
  decision: MergeDecision;
}

export const mergeBatchMachine = setup({
  types: {
    input: {} as { records: RecordMergeInput[] },
    context: {} as { records: RecordMergeInput[]; merges: Array<ActorRefFrom<typeof recordMergeMachine>> },
    output: {} as DecidedRecord[],
  },
  actors: { recordMerge: recordMergeMachine },
  actions: {
    spawnMerges: assign({
      merges: ({ context, spawn }) =>
        context.records.map((input, i) => spawn('recordMerge', { id: `merge-${i}`, input })),
    }),
  },
}).createMachine({
  id: 'mergeBatch',
  context: ({ input }) => ({ records: input.records, merges: [] }),
  initial: 'deciding',
  states: {
    deciding: {
      description: 'Spawn one recordMerge actor per record in a single step; each decides at once.',
      entry: 'spawnMerges',
      // Every merge decides synchronously on start (held ones report `defer`).
      always: { target: 'decided' },
    },
    decided: { type: 'final', description: "Every decision is read; the batch ends and its merge actors stop with it." },
  },
  output: ({ context }) =>
    context.merges.map((ref, i) => ({ input: context.records[i]!, decision: ref.getSnapshot().context.decision! })),
});
