/**
 * One record's merge decision, as an actor. It takes the local and remote versions
 * (and whether the user is editing the record) and ends in one of the decisions of
 * `decideMerge`: take remote, keep local and push it, equal, merged. While the record
 * is being edited it waits (`held`) instead, joining later remote versions as they
 * arrive; when editing ends it goes back to `deciding` with the record as the user left
 * it ("remote wins only if newer") and reports that decision to the sync machine
 * (`MERGE.DECIDED`), which applies it like any other.
 *
 * The sync machine decides records nobody edits in batches of cheap decision actors
 * (`src/merge/decisionActors.ts`) and spawns this statechart only for a record being
 * edited: it lives from the moment it defers until its decision is made.
 */
import { assertEvent, assign, sendParent, setup } from 'xstate';
import { decideMerge, mergeRecords, type MergeDecision } from '../merge/lastModifiedWins.js';
import type { TableMergeInput } from '../merge/decisionActors.js';
import type { SyncRecord } from '../merge/record.js';

/** A record's merge input, with the table it belongs to. */
export type RecordMergeInput = TableMergeInput;

export interface RecordMergeContext {
  input: RecordMergeInput;
  decision: MergeDecision | null;
  /**
   * Spawned by the sync machine for a record being edited (not by a batch, which reads its
   * children): it reports its decision, made at once or after editing, to its parent.
   */
  reportsDecision: boolean;
}

export type RecordMergeEvent =
  /** Another remote version of the held record arrived. */
  | { type: 'REMOTE.ARRIVED'; remote: SyncRecord }
  /** The user stopped editing the record; `local` is the record as they left it (null: none; absent: unchanged). */
  | { type: 'EDITING.ENDED'; local?: SyncRecord | null };

/** Sent to the parent when a record held while edited is decided. */
export interface MergeDecidedEvent {
  type: 'MERGE.DECIDED';
  table: string;
  id: string;
  input: RecordMergeInput;
  decision: MergeDecision;
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
    reportsDecision: ({ context }) => context.reportsDecision,
  },
  actions: {
    decide: assign({ decision: ({ context }) => decideMerge(context.input) }),
    joinRemote: assign({
      input: ({ context, event }) => {
        assertEvent(event, 'REMOTE.ARRIVED');
        const held = context.input.remote;
        return { ...context.input, remote: held ? mergeRecords(held, event.remote, context.input.rule) : event.remote };
      },
    }),
    resumeAfterEditing: assign(({ context, event }) => {
      assertEvent(event, 'EDITING.ENDED');
      const local = event.local === undefined ? context.input.local : (event.local ?? undefined);
      return { input: { ...context.input, local, editing: false } };
    }),
    reportDecision: sendParent(
      ({ context }): MergeDecidedEvent => ({
        type: 'MERGE.DECIDED',
        table: context.input.table,
        id: context.input.id,
        input: context.input,
        decision: context.decision!,
      }),
    ),
  },
}).createMachine({
  id: 'recordMerge',
  context: ({ input }) => ({ input, decision: null, reportsDecision: input.editing === true }),
  initial: 'deciding',
  states: {
    deciding: {
      description: 'Compare the local and remote versions (last modified wins; components one by one).',
      entry: 'decide',
      always: [
        { guard: 'mustWaitForEditing', target: 'held' },
        { guard: 'reportsDecision', target: 'decided', actions: 'reportDecision' },
        { target: 'decided' },
      ],
    },
    decided: { type: 'final', description: "Done: take remote, keep local (and push it), equal, or merged; the decision is the actor's output." },
    held: {
      description: 'The record is being edited: remote versions wait here (joined as they arrive) until editing ends; then the decision is made again against the record as the user left it.',
      on: {
        'REMOTE.ARRIVED': { actions: 'joinRemote' },
        'EDITING.ENDED': { target: 'deciding', actions: 'resumeAfterEditing' },
      },
    },
  },
  output: ({ context }) => context.decision!,
});
