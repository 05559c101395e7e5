/**
 * Reconcile: deciding N records with the per-record decision actors (a `mergeBatch` actor
 * per batch of `MERGE_BATCH_SIZE`, one child actor per record that differs, as the sync
 * machine does) against a plain loop calling the same `decideMerge`, in one process.
 */
import { createActor, toPromise } from 'xstate';
import { mergeBatch, type TableMergeInput as RecordMergeInput } from '../src/merge/decisionActors.js';
import { decideMerge } from '../src/merge/lastModifiedWins.js';
import { MERGE_BATCH_SIZE } from '../src/machines/syncMachine.js';
import { ruleOf, type SyncRecord } from '../src/merge/record.js';
import { mergeRules } from '../basic.config.js';

const rule = ruleOf(mergeRules, 'projects');

/** N records of about 1 KB; 10% differ between local and remote, 1% conflict in components. */
export function reconcileInputs(n: number): RecordMergeInput[] {
  const inputs: RecordMergeInput[] = [];
  for (let i = 0; i < n; i++) {
    // Own text per record (a shared string would make the heap look smaller than the data).
    const filler = `${i}:`.padEnd(800, 'abcdefghij');
    const base: SyncRecord = {
      id: `r${i}`,
      name: `record ${i}`,
      type: 'project',
      lastModified: 1_700_000_000_000 + i,
      modifiedBy: 'client-a',
      components: { emojis: { kind: 'emojis', emojis: ['🙂'], notes: filler, lastModified: 1_700_000_000_000, modifiedBy: 'client-a' } },
    };
    let remote: SyncRecord = JSON.parse(JSON.stringify(base)) as SyncRecord;
    if (i % 10 === 0) remote = { ...remote, name: `record ${i} renamed`, lastModified: base.lastModified + 5, modifiedBy: 'client-b' };
    if (i % 100 === 0) {
      remote = {
        ...remote,
        components: { emojis: { kind: 'emojis', emojis: ['🌴'], notes: filler, lastModified: base.lastModified + 9, modifiedBy: 'client-b' } },
      };
      base.name = `record ${i} local rename`;
      base.lastModified += 7;
    }
    inputs.push({ table: 'projects', id: base.id, local: base, remote, rule });
  }
  return inputs;
}

export function decideWithLoop(inputs: RecordMergeInput[]): number {
  let changed = 0;
  for (const input of inputs) if (decideMerge(input).kind !== 'equal') changed++;
  return changed;
}

/** The first sync of a new device: the same records with no local copies. */
export function firstSyncInputs(n: number): RecordMergeInput[] {
  return reconcileInputs(n).map(({ local: _none, ...input }) => input);
}

/** As the sync machine decides: a `mergeBatch` actor per bounded batch. `afterBatch` samples memory. */
export async function decideWithActors(inputs: RecordMergeInput[], afterBatch?: () => void): Promise<number> {
  let changed = 0;
  for (let i = 0; i < inputs.length; i += MERGE_BATCH_SIZE) {
    const decided = await toPromise(createActor(mergeBatch, { input: { records: inputs.slice(i, i + MERGE_BATCH_SIZE) } }).start());
    afterBatch?.();
    for (const d of decided) if (d.decision.kind !== 'equal') changed++;
  }
  return changed;
}
