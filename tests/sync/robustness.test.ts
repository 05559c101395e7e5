import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { CREATE } from '../../src/protocol/socket.js';
import { eventually, projectsOf, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { flakyStorage } from '../helpers/flakyStorage.js';
import { TestSocket, call, testServer } from '../helpers/server.js';

describe('local storage failures', () => {
  it('a quota error on the record write leaves no half-written record and no stray outbox entry', async () => {
    const server = await testServer();
    const { storage, control } = flakyStorage();
    const a = await startClient(server, 'alice', { storage });
    const p = await a.store.addProject({ name: 'kept' });
    await a.service.whenSynced();
    const keysBefore = (await storage.getKeys()).sort();

    control.failWrites = true;
    control.failOn = (key) => key.startsWith('sync:record');
    await expect(a.store.renameProject(p.id, 'too big')).rejects.toThrow(/local storage is full \(quota exceeded\)/);
    expect(a.store.getProject(p.id)?.name).toBe('kept');
    expect((await storage.getKeys()).sort()).toEqual(keysBefore); // the outbox write was undone
    expect(a.service.status().lastError).toMatch(/quota exceeded/);
    expect(a.service.status().pendingCount).toBe(0);

    control.failWrites = false;
    await a.store.renameProject(p.id, 'fits again');
    await a.service.whenSynced();
    expect((await serverRecords(server, 'alice'))[0]!.name).toBe('fits again');
  });

  it('a quota error while applying remote changes keeps local data and the checkpoint, and retries', async () => {
    const server = await testServer();
    const { storage, control } = flakyStorage();
    const a = await startClient(server, 'alice', { storage });
    const b = await startClient(server, 'alice');
    await a.service.whenSynced();
    const checkpoint = await storage.getItem<{ checkpoint: unknown }>('sync:meta');

    control.failWrites = true;
    control.failOn = (key) => key.startsWith('sync:record');
    await b.store.addProject({ name: 'from B' });
    await b.service.whenSynced();
    await eventually(() => expect(a.service.status().lastError).toMatch(/quota exceeded/));
    expect(projectsOf(a)).toEqual([]);
    expect((await storage.getItem<{ checkpoint: unknown }>('sync:meta'))?.checkpoint).toEqual(checkpoint?.checkpoint);

    control.failWrites = false;
    a.service.retryNow();
    await eventually(() => expect(projectsOf(a).map((p) => p.name)).toEqual(['from B']));
  });
});

describe('remote input is checked before it touches local state', () => {
  it('quarantines records that break the schema or claim a far-future lastModified, and applies the rest', async () => {
    // The server accepts a field the app's schema lacks, so it can hand the client a bad record.
    const loose = { ...schema, tables: { projects: { ...schema.tables.projects, fields: { ...schema.tables.projects.fields, colour: { type: 'string' as const } } } } };
    const server = await testServer({ schema: loose });
    const a = await startClient(server, 'alice');
    const good = await a.store.addProject({ name: 'good' });
    await a.service.whenSynced();
    const before = recordsOf(a);

    const { access_token } = await server.issueTokens('alice');
    const put = (id: string, value: Record<string, unknown>) => call(server, access_token, 'PUT', `/account/${schema.project_id}/db/projects/${id}`, { value });
    await put('bad-field', { name: 'x', colour: 'red', lastModified: Date.now(), modifiedBy: 'm' });
    await put(good.id, { ...a.service.read('projects', good.id), colour: 'blue', lastModified: Date.now() + 10_000 });
    await put('from-the-future', { name: 'future', lastModified: Date.now() + 400 * 24 * 3600_000, modifiedBy: 'm' });
    await put('fine', { name: 'fine', lastModified: Date.now(), modifiedBy: 'm' });

    await eventually(() => expect(a.store.getProject('fine')?.name).toBe('fine'));
    expect(recordsOf(a).filter((r) => r.id !== 'fine')).toEqual(before);
    const reasons = Object.fromEntries(a.service.status().quarantined.map((q) => [q.id, q.reason]));
    expect(reasons['bad-field']).toMatch(/unknown field "colour"/);
    expect(reasons[good.id]).toMatch(/unknown field "colour"/);
    expect(reasons['from-the-future']).toMatch(/further ahead of this clock/);
    expect(a.logs.some((l) => /refused .* remote record/.test(l))).toBe(true);
  });

  it('refuses hostile frames from a server: polluting keys are quarantined, a malformed frame drops the socket, local data stays', async () => {
    const hostile = await hostileServer([
      { type: 'changes', currentRevision: 1, partial: false, changes: [
        { type: CREATE, table: 'projects', key: '__proto__', obj: { id: '__proto__', name: 'evil', lastModified: 1, modifiedBy: 'x' } },
        { type: CREATE, table: 'projects', key: 'p1', obj: JSON.parse('{"id":"p1","name":"n","lastModified":1,"modifiedBy":"x","components":{"__proto__":{"polluted":true}}}') },
        { type: CREATE, table: 'projects', key: 'typed', obj: { id: 'typed', name: 42, lastModified: 1, modifiedBy: 'x' } },
        { type: CREATE, table: 'secrets', key: 's', obj: { id: 's' } },
        { type: CREATE, table: 'projects', key: 'ok', obj: { id: 'ok', name: 'ok', lastModified: 1, modifiedBy: 'x' } },
      ] },
      '{"type":"changes","changes":"not a list","partial":false,"currentRevision":2}',
    ]);
    const storage = createStorage({ driver: memoryDriver() });
    const a = await startClient(hostile, 'alice', { storage, getToken: async () => 'not-a-jwt' });
    await eventually(() => expect(a.service.status().state).toBe('offline-retry'));
    expect(a.service.status().lastError).toMatch(/malformed changes frame/);
    expect(recordsOf(a).map((r) => r.id)).toEqual(['ok']);
    const reasons = a.service.status().quarantined.map((q) => `${q.table}/${q.id}: ${q.reason}`);
    expect(reasons).toEqual([
      'projects/__proto__: invalid record id "__proto__": 1-128 of [A-Za-z0-9_.:-]',
      'projects/p1: forbidden key "__proto__" in value.components',
      'projects/typed: projects: Field name should be type string, got number',
      'secrets/s: unknown table "secrets"',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The checkpoint moved only past the well-formed frame.
    expect((await storage.getItem<{ checkpoint: unknown }>('sync:meta'))?.checkpoint).toBe(1);
    await hostile.close();
  });

  it('refuses an oversized frame from a server and keeps its local data', async () => {
    const huge = { type: 'changes', currentRevision: 1, partial: false, changes: [{ type: CREATE, table: 'projects', key: 'big', obj: { id: 'big', name: 'x'.repeat(5 * 1024 * 1024), lastModified: 1, modifiedBy: 'x' } }] };
    const hostile = await hostileServer([huge]);
    const storage = createStorage({ driver: memoryDriver() });
    await storage.setItem('sync:record:projects:mine', { id: 'mine', name: 'mine', lastModified: 1, modifiedBy: 'me' });
    const a = await startClient(hostile, 'alice', { storage, getToken: async () => 'not-a-jwt' });
    await eventually(() => expect(a.service.status().lastError).toMatch(/refused a \d+-byte frame \(limit 4194304\)/));
    expect(recordsOf(a)).toEqual([{ id: 'mine', name: 'mine', lastModified: 1, modifiedBy: 'me' }]);
    expect((await storage.getItem<{ checkpoint: unknown }>('sync:meta'))?.checkpoint).toBeNull();
    await hostile.close();
  });
});

/** A server that answers identity and then sends the given frames, whatever the client asked. */
async function hostileServer(frames: unknown[]) {
  const { createServer } = await import('node:http');
  const { WebSocketServer } = await import('ws');
  const http = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.endsWith('/schema') ? { data: [{ schema }] } : { error: 'no' }));
  });
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'clientIdentity') ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: 'hostile' }));
      if (frame.type === 'subscribe') for (const f of frames) ws.send(typeof f === 'string' ? f : JSON.stringify(f));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); http.close(() => r()); }),
  };
}

describe('coalescing and batching', () => {
  it('many edits inside one debounce window become one request carrying only the latest versions', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice', { debounceMs: 1000, maxWaitMs: 5000 });
    await a.service.whenSynced();
    const watcher = await TestSocket.identified(server, (await server.issueTokens('alice')).access_token);
    watcher.send({ type: 'subscribe', syncedRevision: null });
    await watcher.next('changes');

    const projects = [];
    for (let i = 0; i < 5; i++) projects.push(await a.store.addProject({ name: `p${i}` }));
    for (let round = 0; round < 20; round++) {
      for (const p of projects) await a.store.renameProject(p.id, `${p.name}-${round}`);
    }
    expect(a.service.status().state).toBe('debouncing');
    await a.service.whenSynced();
    const frame = await watcher.next('changes');
    expect(frame.changes).toHaveLength(5);
    expect(frame.changes.map((c) => (c.type === CREATE ? c.obj.name : null)).sort()).toEqual(['p0-19', 'p1-19', 'p2-19', 'p3-19', 'p4-19']);
    expect(frame.currentRevision).toBe(5); // five writes on the server, not 105
    expect(await watcher.quietFor('changes')).toBe(true);
  });

  it('splits a push larger than the server\'s frame limit into several acknowledged frames', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    await a.service.whenSynced();
    const projects = a.service.collection('projects'); // the library itself: the app caps names at 200 characters
    for (let i = 0; i < 300; i++) await projects.add({ name: `big ${i} ${'x'.repeat(5000)}`, type: 'project', components: {} } as never);
    await a.service.whenSynced();
    expect(a.service.status().quarantined).toEqual([]);
    expect(await serverRecords(server, 'alice')).toEqual(recordsOf(a));
    expect(recordsOf(a)).toHaveLength(300);
  });

  it('reconciles thousands of records in bounded batches and keeps no finished merge actors', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const writer = await TestSocket.identified(server, access_token);
    const now = Date.now();
    const changes = Array.from({ length: 3000 }, (_, i) => ({
      type: CREATE,
      table: 'projects',
      key: `r${i}`,
      obj: { id: `r${i}`, name: `record ${i}`, type: 'project', components: {}, lastModified: now - 1000 + (i % 7), modifiedBy: 'seed' },
    }));
    writer.send({ type: 'changes', changes, partial: false, baseRevision: null, requestId: 1 });
    await writer.next('ack');

    const a = await startClient(server, 'alice');
    await a.service.whenSynced(20_000);
    expect(a.store.listProjects()).toHaveLength(3000);
    const children = Object.keys(a.service.actor.getSnapshot().children);
    expect(children.sort()).toEqual(['connection', 'election']); // the tab election and the socket: no merge actors left
    expect(await serverRecords(server, 'alice')).toEqual(recordsOf(a));
  });
});

describe('page lifecycle', () => {
  it('pushes at once on pagehide instead of waiting for the debounce window', async () => {
    const server = await testServer();
    const target = new EventTarget();
    const win = Object.assign(target, { document: { visibilityState: 'hidden' } });
    const a = await startClient(server, 'alice', { debounceMs: 1000, maxWaitMs: 10_000, window: win as never });
    await a.service.whenSynced();
    await a.store.addProject({ name: 'leaving' });
    expect(a.service.status().state).toBe('debouncing');
    target.dispatchEvent(new Event('pagehide'));
    await eventually(async () => expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['leaving']), 800);
  });
});
