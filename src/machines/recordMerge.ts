/**
 * One record's merge decision, as an actor. It takes the local and remote versions
 * (and whether the user is editing the record) and ends in one of the decisions of
 * `decideMerge`: take remote, keep local and push it, equal, merged — or it waits
 * (`held`) while the record is being edited, collecting later remote versions, and
 * hands them back to the sync machine (`MERGE.RELEASED`) when editing ends, to be
 * decided again like any other remote change ("remote wins only if newer").
 *
 * The sync machine decides records in bounded batches (`mergeBatch`, whose children stop
 * with the batch) and keeps only `held` ones alive.
 */
import { assign, sendParent, setup } from 'xstate';
import { decideMerge, mergeRecords, type MergeDecision, type MergeInput } from '../merge/lastModifiedWins.js';
import type { SyncRecord } from '../merge/record.js';

/** A record's merge input, with the table it belongs to. */
export type RecordMergeInput = MergeInput & { table: string };

export interface RecordMergeContext {
  input: RecordMergeInput;
  decision: MergeDecision | null;
}

export type RecordMergeEvent =
  /** Another remote version of the held record arrived. */
  | { type: 'REMOTE.ARRIVED'; remote: SyncRecord }
  /** The user stopped editing the record. */
  | { type: 'EDITING.ENDED' };

/** Sent to the parent when a held record is released. */
export interface MergeReleasedEvent {
  type: 'MERGE.RELEASED';
  table: string;
  id: string;
  remote: SyncRecord;
}

export const recordMergeMachine = setup({
  types: {
    input: {} as RecordMergeInput,
    context: {} as RecordMergeContext,
    events: {} as RecordMergeEvent,
    output: {} as MergeDecision,
  },
  guards: {
    mustWaitForEditing: ({ context }) => context.decision?.kind === 'defer',
  },
  actions: {
    decide: assign({ decision: ({ context }) => decideMerge(context.input) }),
    joinRemote: assign({
      input: ({ context, event }) => {
        if (event.type !== 'REMOTE.ARRIVED') return context.input;
        const held = context.input.remote;
        return { ...context.input, remote: held ? mergeRecords(held, event.remote, context.input.rule) : event.remote };
      },
    }),
    releaseToParent: sendParent(
      ({ context }): MergeReleasedEvent => ({
        type: 'MERGE.RELEASED',
        table: context.input.table,
        id: context.input.id,
        remote: context.input.remote!,
      }),
    ),
  },
}).createMachine({
  id: 'recordMerge',
  context: ({ input }) => ({ input, decision: null }),
  initial: 'deciding',
  states: {
    deciding: {
      description: 'Compare the local and remote versions (last modified wins; components one by one).',
      entry: 'decide',
      always: [{ guard: 'mustWaitForEditing', target: 'held' }, { target: 'decided' }],
    },
    decided: { type: 'final', description: "Done: take remote, keep local (and push it), equal, or merged; the decision is the actor's output." },
    held: {
      description: 'The record is being edited: remote versions wait here (joined as they arrive) until editing ends.',
      on: {
        'REMOTE.ARRIVED': { actions: 'joinRemote' },
        'EDITING.ENDED': { target: 'released' },
      },
    },
    released: { type: 'final', description: 'Editing ended: the held remote version goes back to the sync machine to be decided again.', entry: 'releaseToParent' },
  },
  output: ({ context }) => context.decision!,
});
