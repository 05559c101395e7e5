/**
 * Revision log compaction against the real server: one log entry per record however
 * often it is written, hard deletes forgotten past the retention horizon, and a client
 * whose checkpoint is older than the horizon gets the whole state, marked `snapshot`.
 */
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const path = (id = '') => `/account/${schema.project_id}/db/projects${id ? `/${id}` : ''}`;

async function catchUpFrom(server: Awaited<ReturnType<typeof testServer>>, token: string, syncedRevision: number | null) {
  const socket = await TestSocket.identified(server, token);
  socket.send({ type: 'subscribe', syncedRevision });
  const frame = await socket.next('changes');
  socket.close();
  return frame as typeof frame & { snapshot?: boolean };
}

describe('revision log compaction', () => {
  it('keeps one log entry per record, however often it is written', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    for (let i = 0; i < 300; i++) {
      expect((await call(server, access_token, 'PUT', path('a'), { value: project('a', { name: `a ${i}`, lastModified: i }) })).status).toBe(200);
    }
    await call(server, access_token, 'PUT', path('b'), { value: project('b') });
    expect(server.revisionLogSize()).toBe(2);
    // A catch-up from the start still sees the latest state of both.
    const frame = await catchUpFrom(server, access_token, 0);
    expect(frame.currentRevision).toBe(301);
    expect(frame.changes.map((c) => [c.key, 'obj' in c ? c.obj?.name : undefined])).toEqual([
      ['a', 'a 299'],
      ['b', 'project b'],
    ]);
    expect(frame.snapshot).toBeUndefined();
  });

  it('forgets hard deletes past the horizon; a client behind it gets the whole state as a snapshot, one past it the usual catch-up', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    for (const id of ['a', 'b', 'c']) await call(server, access_token, 'PUT', path(id), { value: project(id) });
    const seenAllThree = 3;
    expect((await call(server, access_token, 'DELETE', path('b'))).status).toBe(200); // revision 4
    await call(server, access_token, 'PUT', path('c'), { value: project('c', { name: 'c renamed', lastModified: 2 }) }); // revision 5
    // Still within the horizon: the delete is in the catch-up.
    expect((await catchUpFrom(server, access_token, seenAllThree)).changes).toEqual([
      { type: 3, table: 'projects', key: 'b' },
      { type: 1, table: 'projects', key: 'c', obj: project('c', { name: 'c renamed', lastModified: 2 }) },
    ]);

    expect(server.compact(0)).toEqual({ forgottenDeletes: 1, accounts: 1 });
    expect(server.revisionLogSize()).toBe(2);
    // Behind the horizon (revision 4): the whole state, flagged, so the client knows b is gone.
    const behind = await catchUpFrom(server, access_token, seenAllThree);
    expect(behind.snapshot).toBe(true);
    expect(behind.changes.map((c) => c.key)).toEqual(['a', 'c']);
    // At or past it: only what changed after.
    const past = await catchUpFrom(server, access_token, 4);
    expect(past.snapshot).toBeUndefined();
    expect(past.changes.map((c) => c.key)).toEqual(['c']);
    // Another account is untouched by alice's horizon.
    const bob = await server.issueTokens('bob');
    await call(server, bob.access_token, 'PUT', path('x'), { value: project('x') });
    expect((await catchUpFrom(server, bob.access_token, 0)).snapshot).toBeUndefined();
  });
});
