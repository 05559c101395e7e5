/**
 * A client that was away longer than the server keeps hard deletes: it comes back to a
 * snapshot of the whole state. What the server deleted meanwhile goes (as a remote delete,
 * decided by merge actors), and what the client wrote while away is pushed, not lost.
 */
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { eventually, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { call, testServer } from '../helpers/server.js';

describe('coming back after the server forgot its deletes', () => {
  it('drops what the server deleted, keeps and pushes what was written while away', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const kept = await a.store.addProject({ name: 'kept' });
    const deletedThere = await a.store.addProject({ name: 'deleted by another kind of client' });
    await a.service.whenSynced();
    a.service.stop();

    // Away: another client hard-deletes one record (REST DELETE, as Basic's SDK does) ...
    const { access_token } = await server.issueTokens('alice');
    const del = await call(server, access_token, 'DELETE', `/account/${schema.project_id}/db/projects/${deletedThere.id}`);
    expect(del.status).toBe(200);
    // ... and the server forgets that delete.
    expect(server.compact(0).forgottenDeletes).toBe(1);

    // Back, offline work included: a record written while away (pending, never on the server).
    const back = await startClient(server, 'alice', { storage: a.storage });
    const writtenAway = await back.store.addProject({ name: 'written while away' });
    await eventually(async () => {
      await back.service.whenSynced();
      const names = back.store.listProjects().map((p) => p.name).sort();
      expect(names).toEqual(['kept', 'written while away']);
      const onServer = await serverRecords(server, 'alice');
      expect(recordsOf(back)).toEqual(onServer);
    });
    const onServer = await serverRecords(server, 'alice');
    expect(onServer.find((r) => r.id === deletedThere.id)).toMatchObject({ deleted: true });
    expect(onServer.find((r) => r.id === kept.id)?.name).toBe('kept');
    expect(onServer.find((r) => r.id === writtenAway.id)?.name).toBe('written while away');
    expect(back.service.status().lostWrites).toEqual([]);
  });
});
