/**
 * Decides a bounded chunk of records, one `recordMerge` child per record that needs a
 * decision, spawned in a single `assign` (cheap) and stopped with this actor when it
 * finishes, so the sync machine never holds thousands of live children (see
 * `docs/reference/xstate-v5-notes.md`: children maps are copied per spawn/stop).
 * Records whose local and remote versions are identical have nothing to decide and
 * get no actor: that is most records in a catch-up, and an actor costs ~30 µs. The
 * test is `isSameVersion` (stamps first, then JSON), so a record that does differ
 * costs nothing extra before its actor compares it properly.
 */
import { assign, setup, type ActorRefFrom } from 'xstate';
import { isSameVersion, type MergeDecision } from '../merge/lastModifiedWins.js';
import { recordMergeMachine, type RecordMergeInput } from './recordMerge.js';

/**
 * Records per batch. Stopping a batch stops its children one by one, each copying the
 * children map, so the cost per child grows with the batch; with only differing records
 * spawned, 50–100 measured best (10k records, 10% differing: `npm run bench`).
 */
export const MERGE_BATCH_SIZE = 100;

export interface DecidedRecord {
  input: RecordMergeInput;
  decision: MergeDecision;
}

export const mergeBatchMachine = setup({
  types: {
    input: {} as { records: RecordMergeInput[] },
    context: {} as {
      records: RecordMergeInput[];
      /** Per record: its merge actor, or null when both versions are identical. */
      merges: Array<ActorRefFrom<typeof recordMergeMachine> | null>;
    },
    output: {} as DecidedRecord[],
  },
  actors: { recordMerge: recordMergeMachine },
  actions: {
    spawnMerges: assign({
      merges: ({ context, spawn }) =>
        context.records.map((input, i) =>
          input.local && input.remote && isSameVersion(input.local, input.remote) ? null : spawn('recordMerge', { id: `merge-${i}`, input }),
        ),
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
    context.merges.map((ref, i) => {
      const input = context.records[i]!;
      const decision = ref ? ref.getSnapshot().context.decision! : { id: input.id, kind: 'equal' as const, remoteWon: false };
      return { input, decision };
    }),
});
