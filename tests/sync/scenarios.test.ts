import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import memoryDriver from 'unstorage/drivers/memory';
import { afterEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import schema from '../../basic.config.js';
import { eventually, projectsOf, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { call, testServer } from '../helpers/server.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'basic-sync-it-'));
  dirs.push(d);
  return d;
};
const MINUTE = 60_000;

describe('convergence', () => {
  it('three clients with skewed clocks converge after concurrent edits; rename and emoji both survive', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice', { now: () => Date.now() - 5 * MINUTE });
    const b = await startClient(server, 'alice', { now: () => Date.now() + 3 * MINUTE });
    const c = await startClient(server, 'alice');
    const trip = await a.store.addProject({ name: 'Trip' });
    const home = await a.store.addProject({ name: 'Home' });
    await a.service.whenSynced();
    await eventually(() => {
      expect(projectsOf(b)).toHaveLength(2);
      expect(projectsOf(c)).toHaveLength(2);
    });

    // Concurrently: A renames, B adds an emoji, C moves the project under Home.
    await a.store.renameProject(trip.id, 'Trip 2026');
    await b.store.updateComponentData(trip.id, 'emojis', { kind: 'emojis', emojis: ['🌴'] });
    await c.store.updateComponentData(home.id, 'emojis', { kind: 'emojis', emojis: ['🏠'] });
    await Promise.all([a, b, c].map((x) => x.service.whenSynced()));

    await eventually(async () => {
      const server_ = await serverRecords(server, 'alice');
      for (const x of [a, b, c]) expect(recordsOf(x)).toEqual(server_);
    });
    const final = a.store.getProject(trip.id)!;
    expect(final.name).toBe('Trip 2026');
    expect(final.components.emojis?.emojis).toEqual(['🌴']);
    expect(a.store.getProject(home.id)!.components.emojis?.emojis).toEqual(['🏠']);
  });

  it('a later edit from a client with a slow clock still wins (the clock never falls behind what it saw)', async () => {
    const server = await testServer();
    const fast = await startClient(server, 'alice', { now: () => Date.now() + 10 * MINUTE });
    const slow = await startClient(server, 'alice', { now: () => Date.now() - 10 * MINUTE });
    const p = await fast.store.addProject({ name: 'first' });
    await fast.service.whenSynced();
    await eventually(() => expect(slow.store.getProject(p.id)?.name).toBe('first'));

    await slow.store.renameProject(p.id, 'second, from the slow clock');
    await slow.service.whenSynced();
    await eventually(() => expect(fast.store.getProject(p.id)?.name).toBe('second, from the slow clock'));
    expect((await serverRecords(server, 'alice'))[0]!.name).toBe('second, from the slow clock');
  });

  it('an older remote write does not overwrite a newer local version; the client re-pushes it', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const p = await a.store.addProject({ name: 'newest' });
    await a.service.whenSynced();
    const local = a.service.read('projects', p.id)!;

    // Another writer (last write arrives) puts an older version on the server.
    const { access_token } = await server.issueTokens('alice');
    const stale = { ...local, name: 'stale', lastModified: local.lastModified - 60_000, modifiedBy: 'someone-else' };
    expect((await call(server, access_token, 'PUT', `/account/${schema.project_id}/db/projects/${p.id}`, { value: stale })).status).toBe(200);

    await eventually(async () => expect((await serverRecords(server, 'alice'))[0]).toEqual(a.service.read('projects', p.id)));
    expect(a.store.getProject(p.id)?.name).toBe('newest');
    await a.service.whenSynced();
  });

  it('deletes do not resurrect: a stale client editing a deleted project loses to the tombstone', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const staleStorage = createStorage({ driver: memoryDriver() });
    const b = await startClient(server, 'alice', { storage: staleStorage });
    const parent = await a.store.addProject({ name: 'parent' });
    const child = await a.store.addProject({ name: 'child', parentId: parent.id });
    await a.service.whenSynced();
    await eventually(() => expect(projectsOf(b)).toHaveLength(2));
    b.service.stop();

    await a.store.deleteProject(parent.id); // the child goes too
    await a.service.whenSynced();

    // B, offline with its old copy, renames the child later than the delete, then comes back.
    const b2 = await startClient(server, 'alice', { storage: staleStorage, now: () => Date.now() + MINUTE });
    await b2.store.renameProject(child.id, 'edited after the delete');
    await b2.service.whenSynced();
    await eventually(async () => {
      expect(projectsOf(b2)).toEqual([]);
      expect(projectsOf(a)).toEqual([]);
      const onServer = await serverRecords(server, 'alice');
      expect(onServer.every((r) => r.deleted === true)).toBe(true);
      expect(recordsOf(b2)).toEqual(onServer);
    });
  });
});

describe('durability of local changes', () => {
  it.each([
    ['memory', () => {
      const storage = createStorage({ driver: memoryDriver() });
      return () => storage; // the same memory survives the "reload"
    }],
    ['fs', () => {
      const base = tempDir();
      return () => createStorage({ driver: fsDriver({ base }) }); // a fresh instance over the same files
    }],
  ])('a reload in the middle of the debounce window loses nothing (%s driver): the outbox is pushed on the next start', async (_driver, location) => {
    const server = await testServer();
    const openStorage = location();
    const storage = openStorage();
    const a = await startClient(server, 'alice', { storage });
    await a.service.whenSynced();
    const p = await a.store.addProject({ name: 'typed just before reload' });
    expect(a.service.status().state).toBe('debouncing');
    a.service.stop(); // the page goes away before the debounce fires
    expect(await serverRecords(server, 'alice')).toEqual([]);

    const reloaded = await startClient(server, 'alice', { storage: openStorage() });
    expect(reloaded.store.getProject(p.id)?.name).toBe('typed just before reload'); // readable before any network
    await reloaded.service.whenSynced();
    expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['typed just before reload']);
  });

  it('server down, then up: local work goes on offline and everything converges', async () => {
    const dataDir = tempDir();
    let server = await testServer({ dataDir });
    const port = server.port;
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    const p = await a.store.addProject({ name: 'before outage' });
    await a.service.whenSynced();
    await eventually(() => expect(projectsOf(b)).toHaveLength(1));

    await server.close();
    await eventually(() => expect(a.service.status().state).toBe('offline-retry'));
    await a.store.renameProject(p.id, 'renamed offline');
    const q = await b.store.addProject({ name: 'created offline' });
    expect(a.store.getProject(p.id)?.name).toBe('renamed offline');
    expect(a.service.status().lastError).toBeTruthy();
    expect(a.service.status().nextRetryAt).toBeGreaterThan(0);

    server = await testServer({ dataDir, port });
    await Promise.all([a.service.whenSynced(15_000), b.service.whenSynced(15_000)]);
    await eventually(async () => {
      const onServer = await serverRecords(server, 'alice');
      expect(onServer.map((r) => r.name).sort()).toEqual(['created offline', 'renamed offline']);
      expect(recordsOf(a)).toEqual(onServer);
      expect(recordsOf(b)).toEqual(onServer);
    });
    expect(a.store.getProject(q.id)?.name).toBe('created offline');
    // Logged once for the outage, not once per retry.
    expect(a.logs.filter((l) => /socket|failed|closed/i.test(l)).length).toBeLessThanOrEqual(2);
  });

  it('survives token expiry mid-session and a server that no longer accepts the old token', async () => {
    const dataDir = tempDir();
    let server = await testServer({ dataDir, tokenTtlSeconds: 2, secret: 'first-secret-first-secret-first-secret' });
    const port = server.port;
    const a = await startClient(server, 'alice');
    await a.store.addProject({ name: 'one' });
    await a.service.whenSynced();

    await new Promise((r) => setTimeout(r, 2200)); // the token has expired
    await a.store.addProject({ name: 'two' });
    await a.service.whenSynced();

    // A restart with a new signing secret: every old access token is refused (401 / close 4401).
    await server.close();
    server = await testServer({ dataDir, port, tokenTtlSeconds: 2, secret: 'second-secret-second-secret-second' });
    await a.store.addProject({ name: 'three' });
    await a.service.whenSynced(15_000);
    expect((await serverRecords(server, 'alice')).map((r) => r.name).sort()).toEqual(['one', 'three', 'two']);
  });
});

describe('the clock across reloads', () => {
  it('never reissues a component stamp after a reload, even with the wall clock standing still', async () => {
    const server = await testServer();
    const storage = createStorage({ driver: memoryDriver() });
    const frozen = () => 1_800_000_000_000;
    const a = await startClient(server, 'alice', { storage, now: frozen });
    const p = await a.store.addProject({ name: 'p' });
    await a.store.updateComponentData(p.id, 'emojis', { kind: 'emojis', emojis: ['one'] });
    await a.store.updateComponentData(p.id, 'emojis', { kind: 'emojis', emojis: ['two'] });
    const before = a.store.getProject(p.id)!.components.emojis!;
    expect(before.lastModified).toBeGreaterThan(a.store.getProject(p.id)!.lastModified);
    a.service.stop();

    const b = await startClient(server, 'alice', { storage, now: frozen });
    await b.store.updateComponentData(p.id, 'emojis', { kind: 'emojis', emojis: ['three'] });
    const after = b.store.getProject(p.id)!.components.emojis!;
    expect(after.lastModified).toBeGreaterThan(before.lastModified);
    await b.service.whenSynced();
    expect((await serverRecords(server, 'alice'))[0]!.components).toEqual({ emojis: after });
  });
});

describe('editing-paused', () => {
  it('holds remote changes to a record being edited, merges them when editing ends, shows what of the user’s it replaced, and "Keep mine" puts it back everywhere', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    const p = await a.store.addProject({ name: 'draft' });
    await a.service.whenSynced();
    await eventually(() => expect(b.store.getProject(p.id)?.name).toBe('draft'));

    a.service.beginEditing('projects', p.id);
    expect(a.service.status().editingPaused).toBe(true);
    await b.store.renameProject(p.id, 'renamed by B');
    await b.service.whenSynced();
    await new Promise((r) => setTimeout(r, 300));
    expect(a.store.getProject(p.id)?.name).toBe('draft'); // held, not applied

    a.service.endEditing('projects', p.id);
    await eventually(() => expect(a.store.getProject(p.id)?.name).toBe('renamed by B'));
    expect(a.service.status().lostWrites).toEqual([
      { table: 'projects', id: p.id, kind: 'overwritten', lost: ['name'], mine: expect.objectContaining({ name: 'draft' }), at: expect.any(Number) },
    ]);
    expect(a.service.status().editingPaused).toBe(false);
    await a.service.keepMine({ table: 'projects', id: p.id });
    expect(a.service.status().lostWrites).toEqual([]);
    expect(a.store.getProject(p.id)?.name).toBe('draft');
    await a.service.whenSynced();
    await eventually(() => expect(b.store.getProject(p.id)?.name).toBe('draft'));
    expect((await serverRecords(server, 'alice'))[0]).toMatchObject({ name: 'draft' });
  });

  it('a record being edited is decided by one live merge actor, from the deferral to the decision, with no batch for it', async () => {
    const server = await testServer();
    type Created = { src?: unknown; id: string; getSnapshot(): { context?: { input?: { id?: string } } } };
    const refs: Created[] = [];
    const inspect = (e: InspectionEvent) => {
      if (e.type === '@xstate.actor') refs.push(e.actorRef as unknown as Created);
    };
    // Read once they have started (a stopped actor keeps its last snapshot).
    const created = (from: number) =>
      refs.slice(from).filter((r) => typeof r.src === 'string').map((r) => ({ src: r.src, id: r.id, record: r.getSnapshot().context?.input?.id }));
    const a = await startClient(server, 'alice', { inspect });
    const b = await startClient(server, 'alice');
    const p = await a.store.addProject({ name: 'draft' });
    await a.service.whenSynced();
    await eventually(() => expect(b.store.getProject(p.id)?.name).toBe('draft'));

    a.service.beginEditing('projects', p.id);
    const from = refs.length;
    type HeldSnapshot = { value: string; context: { input: { remote: { name: string } } } };
    const heldActor = () => a.service.actor.getSnapshot().children[`held:projects/${p.id}`] as { getSnapshot(): HeldSnapshot } | undefined;
    await b.store.renameProject(p.id, 'first from B');
    await b.service.whenSynced();
    await eventually(() => expect(heldActor()?.getSnapshot().value).toBe('held'));
    const first = heldActor();
    await b.store.renameProject(p.id, 'second from B');
    await b.service.whenSynced();
    await eventually(() => expect(heldActor()?.getSnapshot().context.input.remote.name).toBe('second from B'));
    expect(heldActor()).toBe(first); // the same actor took the second version
    expect(a.store.getProject(p.id)?.name).toBe('draft');

    a.service.endEditing('projects', p.id);
    await eventually(() => expect(a.store.getProject(p.id)?.name).toBe('second from B'));
    await eventually(() => expect(heldActor()).toBeUndefined());
    const since = created(from);
    // One merge actor for the record from the moment it deferred, and no batch at all.
    expect(since.filter((c) => c.src === 'recordMerge')).toEqual([{ src: 'recordMerge', id: `held:projects/${p.id}`, record: p.id }]);
    expect(since.filter((c) => c.src === 'mergeBatch')).toEqual([]);
    expect(refs.slice(from).filter((r) => r.id.startsWith('decision:'))).toEqual([]);
    expect(a.service.status().lostWrites).toHaveLength(1); // the user's 'draft' was replaced: said so
    expect(recordsOf(a)).toEqual(await serverRecords(server, 'alice'));
  });

  it('a local edit made while editing wins over an older remote change held meanwhile', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    const p = await a.store.addProject({ name: 'draft' });
    await a.service.whenSynced();
    await eventually(() => expect(b.store.getProject(p.id)).toBeDefined());

    a.service.beginEditing('projects', p.id);
    await b.store.renameProject(p.id, 'from B');
    await b.service.whenSynced();
    await new Promise((r) => setTimeout(r, 200));
    await a.store.renameProject(p.id, 'typed by A'); // later than B's
    a.service.endEditing('projects', p.id);
    await a.service.whenSynced();
    await eventually(() => {
      expect(b.store.getProject(p.id)?.name).toBe('typed by A');
      expect(a.store.getProject(p.id)?.name).toBe('typed by A');
    });
    expect(a.service.status().lostWrites).toEqual([]);
  });
});
