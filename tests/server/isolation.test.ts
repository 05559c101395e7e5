import { describe, expect, it } from 'vitest';
import { CREATE } from '../../src/protocol/socket.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const P = 'basic-sync-demo';
const BASE = `/account/${P}/db/projects`;

describe('per-user isolation', () => {
  it('one user never reads, lists, changes or hears of another user\'s records', async () => {
    const server = await testServer();
    const alice = await server.issueTokens('alice');
    const bob = await server.issueTokens('bob');

    const bobSocket = await TestSocket.identified(server, bob.access_token);
    bobSocket.send({ type: 'subscribe', syncedRevision: null });
    expect((await bobSocket.next('changes')).changes).toEqual([]);

    await call(server, alice.access_token, 'PUT', `${BASE}/same-id`, { value: project('same-id', { name: 'alice' }) });
    const aliceSocket = await TestSocket.identified(server, alice.access_token);
    aliceSocket.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'a2', obj: project('a2') }], partial: false, baseRevision: null, requestId: 1 });
    await aliceSocket.next('ack');

    // Bob hears nothing, lists nothing, and the same id is a different record for him.
    expect(await bobSocket.quietFor('changes')).toBe(true);
    expect((await call(server, bob.access_token, 'GET', BASE)).body.data).toEqual([]);
    expect((await call(server, bob.access_token, 'GET', `${BASE}/same-id`)).status).toBe(404);
    expect((await call(server, bob.access_token, 'PATCH', `${BASE}/same-id`, { value: { name: 'bob' } })).status).toBe(404);
    expect((await call(server, bob.access_token, 'DELETE', `${BASE}/same-id`)).status).toBe(404);
    await call(server, bob.access_token, 'PUT', `${BASE}/same-id`, { value: project('same-id', { name: 'bob' }) });

    // A socket of Bob's asking for everything gets only Bob's record.
    const bobLater = await TestSocket.identified(server, bob.access_token);
    bobLater.send({ type: 'subscribe', syncedRevision: 0 });
    expect((await bobLater.next('changes')).changes).toEqual([{ type: CREATE, table: 'projects', key: 'same-id', obj: project('same-id', { name: 'bob' }) }]);

    // Alice's data is untouched by all of Bob's calls; revisions are per account.
    const aliceList = await call(server, alice.access_token, 'GET', BASE);
    expect(aliceList.body.data).toEqual([project('a2'), project('same-id', { name: 'alice' })]);
    const aliceLater = await TestSocket.identified(server, alice.access_token);
    aliceLater.send({ type: 'subscribe', syncedRevision: null });
    expect((await aliceLater.next('changes')).currentRevision).toBe(2);
  });
});
