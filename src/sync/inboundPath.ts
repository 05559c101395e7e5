/**
 * The inbound path: a frame of remote changes is checked (schema, ids, prototype keys,
 * clock drift; bad records quarantined) and paired with the local versions for the
 * merge actors, and their decisions are joined into the local store (keeping what they
 * override of the user's work as lost writes, queueing local winners for pushing).
 */
import { fromPromise } from 'xstate';
import type { RecordRef } from '../local/localStore.js';
import { mergeRecords } from '../merge/lastModifiedWins.js';
import type { LostWrite } from '../merge/lostWrite.js';
import { refKey, stampsOf, type SyncRecord } from '../merge/record.js';
import type { ApplyInput, ApplyOutput, InboundFrame, PreparedFrame, Quarantined, TableMergeInput } from '../machines/syncContract.js';
import { loadSchemaChecks } from '../protocol/validate.js';
import { isQuarantined, readRemoteChange } from '../remote/remoteRecords.js';
import type { SyncDeps } from './actors.js';

/** `pendingCount` counts what a push would send (refused versions aside). */
export function createInboundPath(deps: SyncDeps, pendingCount: () => number) {
  const { local, clock, schema } = deps;
  const tables = Object.keys(schema.tables);

  const prepareRemote = fromPromise<PreparedFrame, InboundFrame>(async ({ input }) => {
    const byRef = new Map<string, Omit<TableMergeInput, 'editing'>>();
    const quarantined: Quarantined[] = [];
    await loadSchemaChecks();
    const checked = input.changes.map((change) => readRemoteChange(schema, clock, change, local.mergeRules));
    for (const version of [...checked, ...(input.versions ?? [])]) {
      if (isQuarantined(version)) {
        quarantined.push(version);
        continue;
      }
      const ref = { table: version.table, id: version.record.id };
      const rule = local.ruleOf(ref.table);
      for (const stamp of stampsOf(version.record, rule)) clock.observe(stamp);
      const seen = byRef.get(refKey(ref));
      byRef.set(refKey(ref), {
        ...ref,
        rule,
        local: local.get(ref),
        remote: seen?.remote ? mergeRecords(seen.remote, version.record, rule) : version.record,
      });
    }
    return { inputs: [...byRef.values()], quarantined };
  });

  const applyDecisions = fromPromise<ApplyOutput, ApplyInput>(async ({ input }) => {
    const lostWrites: LostWrite[] = [];
    const toPush: RecordRef[] = [];
    // Held in memory by live merge actors, and in storage in case the page goes away.
    for (const { table, record } of input.held ?? []) await local.hold(table, record);
    // Winning remote versions, written in one pass per table; what they replace of the
    // user's work (unacknowledged, or written while editing) is the user's to lose.
    const incoming = new Map<string, SyncRecord[]>();
    const theirsToLose = new Map<string, SyncRecord>();
    const released: Array<{ table: string; record: SyncRecord }> = [];
    for (const { input: merge, decision } of input.decisions) {
      const table = (merge as TableMergeInput).table;
      const ref = { table, id: merge.id };
      if (decision.kind === 'defer') continue; // batches decide records nobody is editing
      if ((decision.kind === 'take-remote' || decision.kind === 'merged') && decision.record) {
        const mine = local.get(ref);
        if (mine && (input.afterEditing || local.isPending(ref))) theirsToLose.set(refKey(ref), mine);
        const list = incoming.get(table) ?? [];
        list.push(decision.record);
        incoming.set(table, list);
      }
      if (merge.remote) released.push({ table, record: merge.remote });
      if (decision.kind === 'keep-local' || decision.kind === 'merged') toPush.push(ref);
    }
    for (const [table, records] of incoming) {
      const results = await local.applyRemote(table, records);
      for (const result of results) {
        const ref = { table, id: result.id };
        const mine = theirsToLose.get(refKey(ref));
        const lost = mine ? await local.noteLostWrite(ref, mine, result) : null;
        if (lost) lostWrites.push(lost);
      }
    }
    for (const { table, record } of released) await local.releaseHeld(table, record);
    const deletedRemotely: RecordRef[] = [];
    if (input.snapshotKeys) {
      // The server's whole state lacks these: it lost them (reset), never had them (not yet
      // pushed), or, past its horizon, deleted them.
      const onServer = new Set(input.snapshotKeys);
      for (const table of tables) {
        for (const r of local.list(table)) {
          const ref = { table, id: r.id };
          if (onServer.has(refKey(ref))) continue;
          if (input.deletesForgotten && !local.isPending(ref)) {
            if (!r.deleted) deletedRemotely.push(ref);
          } else toPush.push(ref);
        }
      }
    }
    await local.queueForPush(toPush);
    if (input.checkpoint !== undefined) await local.updateMeta({ checkpoint: input.checkpoint, clockLatest: clock.latest });
    return { pendingCount: pendingCount(), lostWrites, deletedRemotely };
  });

  return { prepareRemote, applyDecisions };
}
