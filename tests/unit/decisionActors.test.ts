/**
 * The cheap decision actors: every record that differs is decided by a child actor of
 * its batch (seen by inspection, as the inspector sees it), with the same answer as
 * `decideMerge`; identical versions get no actor; nothing stays registered afterwards.
 */
import { describe, expect, it } from 'vitest';
import { createActor, toPromise, type AnyActorRef, type InspectionEvent } from 'xstate';
import { mergeBatch, recordDecision, type TableMergeInput } from '../../src/merge/decisionActors.js';
import { decideMerge } from '../../src/merge/lastModifiedWins.js';
import { WHOLE_RECORD } from '../../src/merge/record.js';

const rec = (id: string, lastModified: number, name: string, modifiedBy = 'a') => ({ id, lastModified, modifiedBy, name });
const input = (id: string, local: ReturnType<typeof rec> | undefined, remote: ReturnType<typeof rec> | undefined): TableMergeInput => ({
  table: 'projects',
  id,
  rule: WHOLE_RECORD,
  ...(local ? { local } : {}),
  ...(remote ? { remote } : {}),
});

const CASES: Array<[string, TableMergeInput, string, boolean]> = [
  ['remote newer', input('a', rec('a', 1, 'old'), rec('a', 2, 'new', 'b')), 'take-remote', true],
  ['local newer', input('b', rec('b', 3, 'mine'), rec('b', 2, 'theirs', 'b')), 'keep-local', true],
  ['only remote (first sync)', input('c', undefined, rec('c', 2, 'new', 'b')), 'take-remote', true],
  ['only local', input('d', rec('d', 2, 'mine'), undefined), 'keep-local', true],
  ['identical versions', input('e', rec('e', 2, 'same'), rec('e', 2, 'same')), 'equal', false],
];

describe('decision actors', () => {
  it.each(CASES)('%s: decided as decideMerge decides', (_name, record, kind) => {
    const actor = createActor(recordDecision, { input: record }).start();
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().output).toEqual(decideMerge(record));
    expect(actor.getSnapshot().output?.kind).toBe(kind);
  });

  it('a batch gives each differing record a child actor of its own, done with its decision', async () => {
    const created: Array<{ id: string; parent: AnyActorRef | undefined; ref: AnyActorRef }> = [];
    const inspect = (e: InspectionEvent) => {
      const ref = e.actorRef as AnyActorRef;
      if (e.type === '@xstate.actor' && ref.id.startsWith('decision:')) created.push({ id: ref.id, parent: ref._parent, ref });
    };
    const batch = createActor(mergeBatch, { input: { records: CASES.map(([, r]) => r) }, inspect });
    batch.start();
    const decided = await toPromise(batch);

    expect(decided.map((d) => d.decision.kind)).toEqual(CASES.map(([, , kind]) => kind));
    expect(created.map((c) => c.id)).toEqual(CASES.filter(([, , , actor]) => actor).map(([, r]) => `decision:projects/${r.id}`));
    for (const c of created) {
      expect(c.parent).toBe(batch);
      // Done on start, with its decision as output: nothing left running.
      expect(c.ref.getSnapshot()).toMatchObject({ status: 'done', output: decideMerge(c.ref.getSnapshot().context.input) });
    }
  });
});
