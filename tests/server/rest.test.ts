import { describe, expect, it } from 'vitest';
import { call, project, testServer } from '../helpers/server.js';

const P = 'basic-sync-demo';

describe('REST, account family /account/{project}/db/{table}', () => {
  it('creates, reads, replaces, patches and deletes records', async () => {
    const server = await testServer();
    const { access_token: t } = await server.issueTokens('alice');
    const base = `/account/${P}/db/projects`;

    const created = await call(server, t, 'POST', base, { value: { name: 'Inbox', lastModified: 5 } });
    expect(created.status).toBe(200);
    const id = created.body.data.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.data).toEqual({ id, name: 'Inbox', lastModified: 5 });

    const put = await call(server, t, 'PUT', `${base}/p2`, { value: project('p2', { name: 'Work' }) });
    expect(put.body.data).toEqual(project('p2', { name: 'Work' }));

    const patched = await call(server, t, 'PATCH', `${base}/p2`, { value: { name: 'Work 2', parentId: id } });
    expect(patched.body.data).toEqual(project('p2', { name: 'Work 2', parentId: id }));

    // A top-level null removes the field (moving the project back to the root).
    const moved = await call(server, t, 'PATCH', `${base}/p2`, { value: { parentId: null } });
    expect(moved.body.data).toEqual(project('p2', { name: 'Work 2' }));

    const list = await call(server, t, 'GET', base);
    expect(list.body.data.map((r: { id: string }) => r.id).sort()).toEqual([id, 'p2'].sort());
    expect((await call(server, t, 'GET', `${base}?id=p2`)).body.data).toEqual([project('p2', { name: 'Work 2' })]);
    expect((await call(server, t, 'GET', `${base}/p2`)).body.data).toEqual(project('p2', { name: 'Work 2' }));

    const replaced = await call(server, t, 'PUT', `${base}/p2`, { value: { name: 'Only name' } });
    expect(replaced.body.data).toEqual({ id: 'p2', name: 'Only name' });

    expect((await call(server, t, 'DELETE', `${base}/p2`)).body.data).toEqual({ id: 'p2' });
    expect((await call(server, t, 'GET', base)).body.data.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('answers 404 for PATCH, DELETE and GET of an absent record and an unknown project', async () => {
    const server = await testServer();
    const { access_token: t } = await server.issueTokens('alice');
    const base = `/account/${P}/db/projects`;
    for (const [method, body] of [['PATCH', { value: { name: 'x' } }], ['DELETE', undefined], ['GET', undefined]] as const) {
      const res = await call(server, t, method, `${base}/absent`, body);
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/not found/);
    }
    expect((await call(server, t, 'GET', `/account/other-project/db/projects`)).status).toBe(404);
    expect((await call(server, t, 'GET', base)).body.data).toEqual([]);
  });
});

describe('REST, 0.5.0 family /project/{project}/db/{account}/{table}', () => {
  it('works on the token owner account with the same verbs (PATCH body { id, value })', async () => {
    const server = await testServer();
    const { access_token: t, user } = await server.issueTokens('alice');
    const base = `/project/${P}/db/${user.id}/projects`;

    const created = await call(server, t, 'POST', base, { value: project('a1') });
    expect(created.body.data).toEqual(project('a1'));
    const patched = await call(server, t, 'PATCH', base, { id: 'a1', value: { name: 'renamed' } });
    expect(patched.body.data).toEqual(project('a1', { name: 'renamed' }));
    expect((await call(server, t, 'PUT', `${base}/a2`, { value: project('a2') })).status).toBe(200);
    expect((await call(server, t, 'DELETE', `${base}/a2`)).status).toBe(200);

    // Both families see the same data.
    const viaAccount = await call(server, t, 'GET', `/account/${P}/db/projects`);
    expect(viaAccount.body.data).toEqual([project('a1', { name: 'renamed' })]);
    expect((await call(server, t, 'GET', base)).body.data).toEqual(viaAccount.body.data);
  });

  it('answers 403 when the path names another account, and changes nothing', async () => {
    const server = await testServer();
    const alice = await server.issueTokens('alice');
    const bob = await server.issueTokens('bob');
    await call(server, bob.access_token, 'PUT', `/account/${P}/db/projects/b1`, { value: project('b1') });
    const base = `/project/${P}/db/${bob.user.id}/projects`;
    expect((await call(server, alice.access_token, 'GET', base)).status).toBe(403);
    expect((await call(server, alice.access_token, 'PUT', `${base}/b1`, { value: project('b1', { name: 'stolen' }) })).status).toBe(403);
    expect((await call(server, alice.access_token, 'DELETE', `${base}/b1`)).status).toBe(403);
    expect((await call(server, bob.access_token, 'GET', base)).body.data).toEqual([project('b1')]);
  });
});
