import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CREATE, DELETE, UPDATE } from '../../src/protocol/socket.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';
import { FIRST_PAGE_SIZE } from '../../server/socket.js';

const P = 'basic-sync-demo';

describe('/ws: the Dexie.Syncable protocol', () => {
  it('answers clientIdentity with a new identity, and with the same one on reconnect', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const first = await TestSocket.open(server);
    first.send({ type: 'clientIdentity', clientIdentity: null, authToken: access_token, schema: { tables: { projects: {} } } });
    const { clientIdentity } = await first.next('clientIdentity');
    expect(clientIdentity).toMatch(/^[0-9a-f-]{36}$/);

    const again = await TestSocket.open(server);
    again.send({ type: 'clientIdentity', clientIdentity, authToken: access_token });
    expect((await again.next('clientIdentity')).clientIdentity).toBe(clientIdentity);
  });

  it('acks changes, subscribes from a revision and sends only what came after it', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const a = await TestSocket.identified(server, access_token);
    // The official client's first connect: baseRevision null, requestId 1, then subscribe null.
    a.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'p1', obj: project('p1') }], partial: false, baseRevision: null, requestId: 1 });
    expect(await a.next('ack')).toEqual({ type: 'ack', requestId: 1 });
    a.send({ type: 'subscribe', syncedRevision: null });
    const initial = await a.next('changes');
    expect(initial).toEqual({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'p1', obj: project('p1') }], currentRevision: 1, partial: false });

    // Writes by others (REST here) after revision 1 ...
    await call(server, access_token, 'PUT', `/account/${P}/db/projects/p2`, { value: project('p2') });
    await call(server, access_token, 'PATCH', `/account/${P}/db/projects/p1`, { value: { name: 'renamed' } });
    await call(server, access_token, 'PUT', `/account/${P}/db/projects/p3`, { value: project('p3') });
    await call(server, access_token, 'DELETE', `/account/${P}/db/projects/p3`);

    // ... reach a client subscribing from revision 1 as net changes, with the current revision.
    const b = await TestSocket.identified(server, access_token);
    b.send({ type: 'subscribe', syncedRevision: 1 });
    const since = await b.next('changes');
    expect(since.currentRevision).toBe(5);
    expect(since.partial).toBe(false);
    expect(since.changes).toEqual([
      { type: CREATE, table: 'projects', key: 'p2', obj: project('p2') },
      { type: CREATE, table: 'projects', key: 'p1', obj: project('p1', { name: 'renamed' }) },
      { type: DELETE, table: 'projects', key: 'p3' },
    ]);

    // Subscribing at the current revision yields one empty, final changes frame.
    const c = await TestSocket.identified(server, access_token);
    c.send({ type: 'subscribe', syncedRevision: '5' });
    expect(await c.next('changes')).toEqual({ type: 'changes', changes: [], currentRevision: 5, partial: false });
  });

  it('fans live changes out to the account\'s other sockets, never echoing them', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => TestSocket.identified(server, access_token)));
    for (const s of [a!, b!, c!]) {
      s.send({ type: 'subscribe', syncedRevision: null });
      await s.next('changes');
    }
    a!.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'x', obj: project('x') }], partial: false, baseRevision: 0, requestId: 7 });
    expect((await a!.next('ack')).requestId).toBe(7);
    for (const s of [b!, c!]) {
      expect(await s.next('changes')).toEqual({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'x', obj: project('x') }], currentRevision: 1, partial: false });
    }
    // An update arrives at the others as the full record (an upsert they can apply without the old one).
    b!.send({ type: 'changes', changes: [{ type: UPDATE, table: 'projects', key: 'x', mods: { name: 'X', 'components.emojis': { lastModified: 2, items: ['🙂'] } } }], partial: false, baseRevision: 1, requestId: 1 });
    await b!.next('ack');
    const expected = project('x', { name: 'X', components: { emojis: { lastModified: 2, items: ['🙂'] } } });
    expect((await a!.next('changes')).changes).toEqual([{ type: CREATE, table: 'projects', key: 'x', obj: expected }]);
    expect((await c!.next('changes')).changes).toEqual([{ type: CREATE, table: 'projects', key: 'x', obj: expected }]);
    expect(await a!.quietFor('changes')).toBe(true);
    expect(await b!.quietFor('changes')).toBe(true);
    // REST writes reach every socket.
    await call(server, access_token, 'DELETE', `/account/${P}/db/projects/x`);
    for (const s of [a!, b!, c!]) expect((await s.next('changes')).changes).toEqual([{ type: DELETE, table: 'projects', key: 'x' }]);
  });

  it('does not echo to a second socket with the same identity, and does not re-send a client its own writes', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const a1 = await TestSocket.identified(server, access_token, 'client-A');
    const a2 = await TestSocket.identified(server, access_token, 'client-A');
    for (const s of [a1, a2]) {
      s.send({ type: 'subscribe', syncedRevision: 0 });
      await s.next('changes');
    }
    a1.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'y', obj: project('y') }], partial: false, baseRevision: 0, requestId: 1 });
    await a1.next('ack');
    expect(await a2.quietFor('changes')).toBe(true);
    const later = await TestSocket.identified(server, access_token, 'client-A');
    later.send({ type: 'subscribe', syncedRevision: 0 });
    expect((await later.next('changes')).changes).toEqual([]);
  });

  it('applies partial batches only when the final part arrives, then acks every part', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const a = await TestSocket.identified(server, access_token);
    const create = (key: string) => ({ type: CREATE, table: 'projects', key, obj: project(key) });
    a.send({ type: 'changes', changes: [create('p1')], partial: true, baseRevision: 0, requestId: 1 });
    expect(await a.quietFor('ack')).toBe(true);
    expect((await call(server, access_token, 'GET', `/account/${P}/db/projects`)).body.data).toEqual([]);
    a.send({ type: 'changes', changes: [create('p2')], partial: false, baseRevision: 0, requestId: 2 });
    expect((await a.next('ack')).requestId).toBe(1);
    expect((await a.next('ack')).requestId).toBe(2);
    expect((await call(server, access_token, 'GET', `/account/${P}/db/projects`)).body.data).toEqual([project('p1'), project('p2')]);
  });

  it('pages large catch-ups with partial: true and ends with partial: false', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const writer = await TestSocket.identified(server, access_token);
    // More records than one page holds (2,000), in two frames under the 1 MiB frame limit.
    const changes = Array.from({ length: 4500 }, (_, i) => ({ type: CREATE, table: 'projects', key: `k${i}`, obj: project(`k${i}`) }));
    writer.send({ type: 'changes', changes: changes.slice(0, 2250), partial: false, baseRevision: null, requestId: 1 });
    await writer.next('ack');
    writer.send({ type: 'changes', changes: changes.slice(2250), partial: false, baseRevision: null, requestId: 2 });
    await writer.next('ack');
    const reader = await TestSocket.identified(server, access_token);
    reader.send({ type: 'subscribe', syncedRevision: null });
    const pages = [await reader.next('changes')];
    while (pages.at(-1)!.partial) pages.push(await reader.next('changes'));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    // The first two pages are small (deciding starts early), the rest full.
    expect(pages.map((p) => p.changes.length)).toEqual([FIRST_PAGE_SIZE, FIRST_PAGE_SIZE, 2000, 2000]);
    expect(pages.map((p) => p.partial)).toEqual([...pages.slice(1).map(() => true), false]);
    expect(pages.flatMap((p) => p.changes).map((c) => c.key).sort()).toEqual(changes.map((c) => c.key).sort());
    expect(pages.every((p) => p.currentRevision === 4500)).toBe(true);
  });

  it('compresses frames (permessage-deflate) for clients that offer it, and talks plain JSON to those that do not', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const writer = await TestSocket.identified(server, access_token);
    expect(writer.ws.extensions).toMatch(/^permessage-deflate/);
    const changes = Array.from({ length: 200 }, (_, i) => ({ type: CREATE, table: 'projects', key: `k${i}`, obj: project(`k${i}`) }));
    writer.send({ type: 'changes', changes, partial: false, baseRevision: null, requestId: 1 });
    await writer.next('ack');

    const received = async (perMessageDeflate: boolean) => {
      const ws = new WebSocket(server.wsUrl, { perMessageDeflate });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const frames: Array<{ type: string; changes?: unknown[] }> = [];
      let jsonBytes = 0;
      ws.on('message', (data: Buffer) => {
        jsonBytes += data.length;
        frames.push(JSON.parse(data.toString()));
      });
      ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: null, authToken: access_token }));
      ws.send(JSON.stringify({ type: 'subscribe', syncedRevision: null }));
      while (!frames.some((f) => f.type === 'changes')) await new Promise((r) => setTimeout(r, 10));
      const socket = (ws as unknown as { _socket: { bytesRead: number } })._socket;
      const wireBytes = socket.bytesRead;
      ws.close();
      return { extensions: ws.extensions, changes: frames.find((f) => f.type === 'changes')!.changes!.length, jsonBytes, wireBytes };
    };
    const compressed = await received(true);
    const plain = await received(false);
    expect([compressed.changes, plain.changes]).toEqual([200, 200]);
    expect(plain.extensions).toBe('');
    expect(plain.wireBytes).toBeGreaterThan(plain.jsonBytes);
    expect(compressed.wireBytes).toBeLessThan(compressed.jsonBytes / 3);
  });

  it('closes promptly with a socket open that never identified itself', async () => {
    const server = await testServer();
    const silent = await TestSocket.open(server); // connected, no clientIdentity sent
    const closing = server.close();
    const outcome = await Promise.race([closing.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open after 2 s'), 2000))]);
    expect(outcome).toBe('closed');
    expect((await silent.closedByServer()).code).toBe(1006);
  });

  it('sends each client only the tables of the schema it announced', async () => {
    const schema = {
      project_id: P,
      version: 1,
      tables: { projects: { type: 'collection' as const, fields: { name: { type: 'string' as const } } }, notes: { type: 'collection' as const, fields: { text: { type: 'string' as const } } } },
    };
    const server = await testServer({ schema });
    const { access_token } = await server.issueTokens('alice');
    const onlyProjects = await TestSocket.open(server);
    onlyProjects.send({ type: 'clientIdentity', clientIdentity: null, authToken: access_token, schema: { ...schema, tables: { projects: schema.tables.projects } } });
    await onlyProjects.next('clientIdentity');
    onlyProjects.send({ type: 'subscribe', syncedRevision: null });
    await onlyProjects.next('changes');
    await call(server, access_token, 'PUT', `/account/${P}/db/notes/n1`, { value: { text: 'hi' } });
    await call(server, access_token, 'PUT', `/account/${P}/db/projects/p1`, { value: { name: 'p' } });
    expect((await onlyProjects.next('changes')).changes).toEqual([{ type: CREATE, table: 'projects', key: 'p1', obj: { id: 'p1', name: 'p' } }]);
    expect(await onlyProjects.quietFor('changes')).toBe(true);
  });
});

describe('access tokens on an open socket', () => {
  it('closes a socket when its token expires (TOKEN_EXPIRED, 4401); a tokenUpdate with a fresh token keeps it open until that one expires', async () => {
    const server = await testServer({ tokenTtlSeconds: 2 });
    const first = await server.issueTokens('alice');
    const plain = await TestSocket.identified(server, first.access_token);
    const updated = await TestSocket.identified(server, first.access_token);
    await new Promise((r) => setTimeout(r, 1000));
    updated.send({ type: 'tokenUpdate', authToken: (await server.issueTokens('alice')).access_token });
    expect(await updated.next('tokenUpdateAck')).toEqual({ type: 'tokenUpdateAck', ok: true });

    expect(await plain.next('error', 3000)).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect((await plain.closedByServer()).code).toBe(4401);
    expect(updated.closed).toBeUndefined(); // its token lasts about a second longer
    updated.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'p1', obj: project('p1') }], partial: false, baseRevision: null, requestId: 1 });
    expect(await updated.next('ack')).toEqual({ type: 'ack', requestId: 1 });
    expect(await updated.next('error', 3000)).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect((await updated.closedByServer()).code).toBe(4401);
  });

  it('refuses a tokenUpdate with another user\'s token or a bad one, and keeps the socket on its old token', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'tokenUpdate', authToken: (await server.issueTokens('bob')).access_token });
    expect(await s.next('tokenUpdateAck')).toMatchObject({ ok: false, code: 'UNAUTHORIZED', message: 'the token is for another user' });
    s.send({ type: 'tokenUpdate', authToken: 'not-a-jwt' });
    expect(await s.next('tokenUpdateAck')).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    s.send({ type: 'subscribe', syncedRevision: null });
    expect((await s.next('changes')).changes).toEqual([]);
  });

  it('answers an expired token at identify with TOKEN_EXPIRED', async () => {
    const server = await testServer({ tokenTtlSeconds: 1 });
    const { access_token } = await server.issueTokens('alice');
    await new Promise((r) => setTimeout(r, 2100));
    const s = await TestSocket.open(server);
    s.send({ type: 'clientIdentity', clientIdentity: null, authToken: access_token });
    expect(await s.next('error')).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'unauthorized: access token expired' });
    expect((await s.closedByServer()).code).toBe(4401);
  });
});

describe('group commit', () => {
  it('batches from many sockets share a transaction, but a bad one fails alone; every acked write is stored, in order per socket', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const sockets = await Promise.all(Array.from({ length: 8 }, () => TestSocket.identified(server, access_token)));
    // Sent in one go: 8 sockets × 25 frames, one socket's 3rd frame is invalid.
    sockets.forEach((s, i) => {
      for (let n = 0; n < 25; n++) {
        const bad = i === 3 && n === 2;
        const obj = bad ? { id: `s${i}-${n}`, name: 42 } : project(`s${i}-${n}`);
        s.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: `s${i}-${n}`, obj }], partial: false, baseRevision: null, requestId: n });
      }
    });
    for (const [i, s] of sockets.entries()) {
      if (i === 3) {
        expect(await s.next('ack')).toEqual({ type: 'ack', requestId: 0 });
        expect(await s.next('ack')).toEqual({ type: 'ack', requestId: 1 });
        expect(await s.next('error')).toMatchObject({ requestId: 2, code: 'BAD_REQUEST' });
        continue;
      }
      for (let n = 0; n < 25; n++) expect(await s.next('ack')).toEqual({ type: 'ack', requestId: n });
    }
    const stored = new Set((await call(server, access_token, 'GET', `/account/${P}/db/projects`)).body.data.map((r: { id: string }) => r.id));
    for (let i = 0; i < 8; i++) for (let n = 0; n < 25; n++) if (i !== 3) expect(stored.has(`s${i}-${n}`)).toBe(true);
    expect(stored.has('s3-0') && stored.has('s3-1')).toBe(true);
    expect(stored.has('s3-2')).toBe(false);
  });
});
