import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { eventually, serverRecords, startClient } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';

describe('permanent errors are reported, not retried forever, and the rest keeps syncing', () => {
  it('a write the schema refuses is refused at once, with the reason, and changes nothing', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const before = await a.storage.getKeys();
    await expect(a.service.write('projects', { id: 'bad', name: 'bad', colour: 'red', ...a.service.stamp() })).rejects.toThrow('unknown field "colour" in table projects');
    await expect(a.service.write('projects', { id: 'bad', name: 7, ...a.service.stamp() })).rejects.toThrow(/projects: /);
    expect(await a.storage.getKeys()).toEqual(before);
    expect(a.service.status().pendingCount).toBe(0);
  });

  it('a local record the schema refuses (left by an older version of the app) is reported and set aside until it changes', async () => {
    const server = await testServer();
    const first = await startClient(server, 'alice');
    await first.service.whenSynced();
    const good = await first.store.addProject({ name: 'good' });
    // Written below the service, as an app whose schema had a `colour` field left it.
    const bad = { id: 'bad', name: 'bad', colour: 'red', ...first.service.stamp() };
    first.service.stop();
    await first.storage.setItem('sync:record:projects:bad', bad);
    await first.storage.setItem('sync:outbox:projects:bad', { table: 'projects', id: 'bad', record: bad, queuedAt: Date.now() });
    const a = await startClient(server, 'alice', { storage: first.storage });
    await a.service.whenSynced();

    expect((await serverRecords(server, 'alice')).map((r) => r.id)).toEqual([good.id]);
    const status = a.service.status();
    expect(status.state).toBe('idle');
    expect(status.pendingCount).toBe(0);
    expect(status.quarantined).toEqual([{ table: 'projects', id: 'bad', reason: 'refused before sending: unknown field "colour" in table projects' }]);

    // So is one too large for any frame (instead of a retry loop).
    // (written through the library: the app itself caps names at 200 characters)
    const huge = await a.service.collection('projects').add({ name: 'x'.repeat(1024 * 1024), type: 'project', components: {} } as never);
    await a.service.whenSynced();
    expect(a.service.status().quarantined.find((q) => q.id === huge.id)?.reason).toMatch(/at most 921600 fit in a frame/);

    // Fixing the record lets it through.
    await a.service.write('projects', { id: 'bad', name: 'fixed', ...a.service.stamp() });
    await a.service.whenSynced();
    expect((await serverRecords(server, 'alice')).map((r) => r.name).sort()).toEqual(['fixed', 'good']);
    expect(a.service.status().pendingCount).toBe(0);
    expect(a.service.status().quarantined.map((q) => q.id)).toEqual([huge.id]);
  });

  it('a batch the server refuses is reported; later changes still sync', async () => {
    // This server's schema (same version) lacks `deleted`, so it refuses tombstones.
    const { deleted: _d, ...fields } = schema.tables.projects.fields;
    const server = await testServer({ schema: { ...schema, tables: { projects: { ...schema.tables.projects, fields } } } });
    const a = await startClient(server, 'alice', { schema: { ...schema, tables: { projects: { ...schema.tables.projects, fields: { ...fields, deleted: { type: 'boolean' } } } } } });
    const p = await a.store.addProject({ name: 'to delete' });
    await a.service.whenSynced();
    await a.store.deleteProject(p.id);
    await eventually(() => expect(a.service.status().quarantined.map((q) => q.id)).toEqual([p.id]));
    expect(a.service.status().quarantined[0]!.reason).toMatch(/refused by the server: .*unknown field "deleted"/);

    const q = await a.store.addProject({ name: 'still syncing' });
    await a.service.whenSynced(15_000);
    expect((await serverRecords(server, 'alice')).map((r) => r.id).sort()).toEqual([p.id, q.id].sort());
    expect(a.service.status().pendingCount).toBe(0);
  });

  it('halts (no retry loop) when the server publishes another schema version; local work goes on', async () => {
    const server = await testServer({ schema: { ...schema, version: schema.version + 1 } });
    const a = await startClient(server, 'alice');
    await eventually(() => expect(a.service.status().state).toBe('halted'));
    expect(a.service.status().lastError).toBe(`the server's schema is version ${schema.version + 1}, this app's is ${schema.version}`);
    const p = await a.store.addProject({ name: 'offline but fine' });
    expect(a.store.getProject(p.id)?.name).toBe('offline but fine');
    expect(a.service.status().pendingCount).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.service.status().state).toBe('halted');
    expect(a.logs).toEqual([`the server's schema is version ${schema.version + 1}, this app's is ${schema.version}`]);
  });

  it('a stopped service says so instead of silently not starting', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    a.service.stop();
    a.service.stop(); // idempotent
    expect(() => a.service.start()).toThrow(/stopped; create a new one/);
  });
});
