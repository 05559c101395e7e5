import { describe, expect, it } from 'vitest';
import { LocalStore } from '../../src/local/localStore.js';
import { STORAGES } from '../helpers/storages.js';

const rec = (id: string, lastModified: number, name: string) => ({ id, lastModified, modifiedBy: 'c1', name });

describe.each(Object.entries(STORAGES))('LocalStore on %s', (_kind, makeStorage) => {
  it('repairs a crash between the outbox write and the record write on load', async () => {
    const storage = makeStorage();
    await storage.setItem('sync:record:projects:p1', rec('p1', 1, 'old'));
    // The outbox entry of a newer write made it to storage; the record write did not.
    await storage.setItem('sync:outbox:projects:p1', { table: 'projects', id: 'p1', record: rec('p1', 2, 'new'), queuedAt: 5 });
    await storage.setItem('sync:outbox:projects:p2', { table: 'projects', id: 'p2', record: rec('p2', 3, 'created'), queuedAt: 6 });
    const store = new LocalStore(storage);
    await store.load(() => 'client-1');
    expect(store.get({ table: 'projects', id: 'p1' })).toEqual(rec('p1', 2, 'new'));
    expect(store.get({ table: 'projects', id: 'p2' })).toEqual(rec('p2', 3, 'created'));
    expect(await storage.getItem('sync:record:projects:p2')).toEqual(rec('p2', 3, 'created'));
    expect(store.pendingCount()).toBe(2);
    expect(store.oldestPendingAt()).toBe(5);
    expect(store.getMeta().clientId).toBe('client-1');
  });

  it('tells who read it before it was loaded (a slow storage) that records are there now', async () => {
    const storage = makeStorage();
    await storage.setItem('sync:record:projects:p1', rec('p1', 1, 'stored'));
    const store = new LocalStore(storage);
    const heard: Array<{ origin: string; ids: string[] }> = [];
    store.subscribe((change) => heard.push({ origin: change.origin, ids: change.refs.map((r) => r.id) }));
    expect(store.list('projects')).toEqual([]); // read too early
    await store.load(() => 'client-1');
    expect(heard).toEqual([{ origin: 'load', ids: ['p1'] }]);
    expect(store.list('projects')).toEqual([rec('p1', 1, 'stored')]);
  });

  it('keeps the client id across loads and clears only acknowledged versions', async () => {
    const storage = makeStorage();
    const store = new LocalStore(storage);
    await store.load(() => 'first');
    await store.writeLocal('projects', rec('p1', 1, 'a'));
    await store.writeLocal('projects', rec('p1', 2, 'b'));
    expect(store.pendingCount()).toBe(1); // coalesced: one entry per record
    await store.acknowledge([{ table: 'projects', id: 'p1', record: rec('p1', 1, 'a') }]);
    expect(store.pendingCount()).toBe(1); // a newer version is still waiting
    await store.acknowledge([{ table: 'projects', id: 'p1', record: rec('p1', 2, 'b') }]);
    expect(store.pendingCount()).toBe(0);

    const again = new LocalStore(storage);
    await again.load(() => 'second');
    expect(again.getMeta().clientId).toBe('first');
    expect(again.list('projects')).toEqual([rec('p1', 2, 'b')]);
  });

  it('joins remote versions instead of overwriting a newer local one', async () => {
    const store = new LocalStore(makeStorage());
    await store.load(() => 'c');
    await store.writeLocal('projects', rec('p1', 5, 'local'));
    expect(await store.applyRemote('projects', [rec('p1', 3, 'older remote')])).toEqual([rec('p1', 5, 'local')]);
    expect(await store.applyRemote('projects', [rec('p1', 9, 'newer remote')])).toEqual([rec('p1', 9, 'newer remote')]);
  });
});

describe.each(Object.entries(STORAGES))('held remote versions on %s', (_kind, makeStorage) => {
  it('survive a reload and are merged on load; a newer local version is queued to push', async () => {
    const storage = makeStorage();
    const store = new LocalStore(storage);
    await store.load(() => 'c');
    await store.writeLocal('projects', rec('p1', 5, 'local'));
    await store.acknowledge([{ table: 'projects', id: 'p1', record: rec('p1', 5, 'local') }]);
    await store.hold('projects', rec('p1', 9, 'remote, held while editing'));
    await store.hold('projects', { ...rec('p2', 1, 'older remote, held'), modifiedBy: 'other' });
    await store.writeLocal('projects', rec('p2', 3, 'newer local'));

    const reloaded = new LocalStore(storage);
    await reloaded.load(() => 'c');
    expect(reloaded.get({ table: 'projects', id: 'p1' })).toEqual(rec('p1', 9, 'remote, held while editing'));
    expect(reloaded.get({ table: 'projects', id: 'p2' })).toEqual(rec('p2', 3, 'newer local'));
    expect(reloaded.pendingEntries().map((e) => e.id)).toEqual(['p2']);
    expect(await storage.getKeys('sync:held')).toEqual([]);
  });

  it('releases a held version once a version including it is applied', async () => {
    const storage = makeStorage();
    const store = new LocalStore(storage);
    await store.load(() => 'c');
    await store.hold('projects', rec('p1', 4, 'held'));
    await store.releaseHeld('projects', rec('p1', 3, 'older'));
    expect(await storage.getKeys('sync:held')).toHaveLength(1);
    await store.releaseHeld('projects', rec('p1', 4, 'held'));
    expect(await storage.getKeys('sync:held')).toEqual([]);
  });
});
