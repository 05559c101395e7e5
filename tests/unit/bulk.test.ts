/** `readEntries` reads what unstorage's getKeys + getItems read, on every storage (one pass where the driver can). */
import { createStorage } from 'unstorage';
import { describe, expect, it } from 'vitest';
import { batchedLocalStorageDriver } from '../../src/local/localStorageDriver.js';
import { readEntries, writeEntries } from '../../src/local/bulk.js';
import { fakeLocalStorage, STORAGES } from '../helpers/storages.js';

describe.each(Object.entries(STORAGES))('readEntries on %s', (_kind, makeStorage) => {
  it('gives every key under the prefix with its value, parsed as getItem parses it', async () => {
    const storage = makeStorage();
    await storage.setItems(Array.from({ length: 300 }, (_, i) => ({ key: `sync:record:projects:r${i}`, value: { id: `r${i}`, n: i } })));
    await storage.setItem('sync:record:projects:r7', { id: 'r7', n: 'edited' });
    await storage.removeItem('sync:record:projects:r8');
    await storage.setItem('sync:meta', { checkpoint: 4 });
    await storage.setItem('sync:note', 'plain text, not JSON');
    await storage.setItem('other:thing', { id: 'x' });
    const byKey = (entries: Array<{ key: string; value: unknown }>) => Object.fromEntries(entries.map(({ key, value }) => [key, value]));
    const expected = byKey(await storage.getItems(await storage.getKeys('sync')));
    expect(Object.keys(expected)).toHaveLength(301);
    const read: Array<{ key: string; value: unknown }> = [];
    await readEntries(storage, 'sync', (key, value) => read.push({ key, value }));
    expect(byKey(read)).toEqual(expected);
  });
});

it('reads through unstorage when the driver is mounted below the root', async () => {
  const storage = createStorage();
  storage.mount('app', batchedLocalStorageDriver({ storage: fakeLocalStorage() }));
  await storage.setItem('app:sync:meta', { checkpoint: 1 });
  const read: Array<{ key: string; value: unknown }> = [];
  await readEntries(storage, 'app:sync', (key, value) => read.push({ key, value }));
  expect(read).toEqual([{ key: 'app:sync:meta', value: { checkpoint: 1 } }]);
});

describe.each(Object.entries(STORAGES))('writeEntries on %s', (_kind, makeStorage) => {
  it('stores what unstorage\'s setItems stores', async () => {
    const direct = makeStorage();
    const through = makeStorage();
    const entries = Array.from({ length: 250 }, (_, i) => ({ key: `sync:record:projects:r${i}`, value: { id: `r${i}`, name: `Ä ${i}`, nested: { n: [i] } } }));
    await writeEntries(direct, entries);
    await through.setItems(entries);
    const keys = (await through.getKeys('sync')).sort();
    expect((await direct.getKeys('sync')).sort()).toEqual(keys);
    expect(await direct.getItems(keys)).toEqual(await through.getItems(keys));
  });
});
