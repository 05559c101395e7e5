/** The batched IndexedDB driver (fake-indexeddb in Node): same data as unstorage's own driver, and other tabs hear writes. */
import 'fake-indexeddb/auto';
import { createStorage } from 'unstorage';
import indexedDbDriver from 'unstorage/drivers/indexedb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchedIndexedDbDriver } from '../../src/local/indexedDbDriver.js';

let n = 0;
const dbName = () => `idb-driver-test-${process.pid}-${++n}`;

describe('batchedIndexedDbDriver', () => {
  it('batch reads and writes hold exactly what the plain driver reads and writes key by key', async () => {
    const name = dbName();
    const batched = createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) });
    const plain = createStorage({ driver: indexedDbDriver({ dbName: name, storeName: 'records' }) });
    await batched.setItems([
      { key: 'sync:record:projects:a', value: { id: 'a', name: 'Ä', n: 1 } },
      { key: 'sync:record:projects:b', value: { id: 'b', nested: { x: [1, 2] } } },
    ]);
    await plain.setItem('sync:meta', { checkpoint: 3 });
    expect(await plain.getItem('sync:record:projects:a')).toEqual({ id: 'a', name: 'Ä', n: 1 });
    expect(await batched.getItems(['sync:record:projects:a', 'sync:record:projects:b', 'sync:meta', 'missing'])).toEqual([
      { key: 'sync:record:projects:a', value: { id: 'a', name: 'Ä', n: 1 } },
      { key: 'sync:record:projects:b', value: { id: 'b', nested: { x: [1, 2] } } },
      { key: 'sync:meta', value: { checkpoint: 3 } },
      { key: 'missing', value: null },
    ]);
    expect((await batched.getKeys()).sort()).toEqual(['sync:meta', 'sync:record:projects:a', 'sync:record:projects:b']);
  });

  it('another tab over the same database hears every write and remove (as localStorage tabs hear storage events)', async () => {
    const name = dbName();
    const tabA = createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) });
    const tabB = createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) });
    const heard: string[] = [];
    const own: string[] = [];
    await tabB.watch((event, key) => heard.push(`${event} ${key}`));
    await tabA.watch((event, key) => own.push(`${event} ${key}`));
    await tabA.setItem('sync:record:projects:a', { id: 'a' });
    await tabA.setItems([{ key: 'sync:record:projects:b', value: { id: 'b' } }]);
    await tabA.removeItem('sync:record:projects:a');
    await expect.poll(() => heard).toEqual(['update sync:record:projects:a', 'update sync:record:projects:b', 'remove sync:record:projects:a']);
    expect(own).toEqual([]); // a tab does not hear itself
    expect(await tabB.getItem('sync:record:projects:b')).toEqual({ id: 'b' });
    await tabA.dispose();
    await tabB.dispose();
  });

  it('stores a large batch as packs: a load reads them, and later single writes and removes win over them', async () => {
    const name = dbName();
    const storage = createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) });
    const page = Array.from({ length: 2_500 }, (_, i) => ({ key: `sync:record:projects:r${i}`, value: { id: `r${i}`, v: 1 } }));
    await storage.setItems(page);
    await storage.setItem('sync:record:projects:r7', { id: 'r7', v: 2 });
    await storage.removeItem('sync:record:projects:r8');
    // What IndexedDB holds: three packs and two loose keys, not 2,500 values.
    const raw = createStorage({ driver: indexedDbDriver({ dbName: name, storeName: 'records' }) });
    const rawKeys = await raw.getKeys();
    expect(rawKeys.filter((k) => k.startsWith('\uffffpack:'))).toHaveLength(3);
    expect(rawKeys.filter((k) => !k.startsWith('\uffffpack:')).sort()).toEqual(['sync:record:projects:r7', 'sync:record:projects:r8']);
    // A fresh driver (a reload) reads the same thing back.
    const reloaded = createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) });
    const keys = await reloaded.getKeys('sync:record');
    expect(keys).toHaveLength(2_499);
    expect(keys).not.toContain('sync:record:projects:r8');
    expect(await reloaded.getItem('sync:record:projects:r7')).toEqual({ id: 'r7', v: 2 });
    expect(await reloaded.getItem('sync:record:projects:r2499')).toEqual({ id: 'r2499', v: 1 });
    expect(await reloaded.getItem('sync:record:projects:r8')).toBeNull();
    expect(await reloaded.hasItem('sync:record:projects:r8')).toBe(false);
  });

  it('holds what a plain map holds after any history of writes, batches, removes, clears, reloads and compactions (property)', async () => {
    const keyArb = fc.integer({ min: 0, max: 40 }).map((i) => `sync:k${i}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }),
      fc.record({ kind: fc.constant('batch' as const), entries: fc.array(fc.tuple(keyArb, fc.integer()), { minLength: 1, maxLength: 12 }) }),
      fc.record({ kind: fc.constant('remove' as const), key: keyArb }),
      fc.constant({ kind: 'clear' as const }),
      fc.constant({ kind: 'reload' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const name = dbName();
        // Small thresholds, so packs and compactions happen in short histories.
        const open = () => createStorage({ driver: batchedIndexedDbDriver({ dbName: name, packFrom: 3, compactFrom: 4, packSize: 4 }) });
        let storage = open();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            await storage.setItem(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === 'batch') {
            await storage.setItems(o.entries.map(([key, value]) => ({ key, value })));
            for (const [key, value] of o.entries) model.set(key, value);
          } else if (o.kind === 'remove') {
            await storage.removeItem(o.key);
            model.delete(o.key);
          } else if (o.kind === 'clear') {
            await storage.clear();
            model.clear();
          } else {
            await storage.dispose();
            storage = open();
          }
          expect((await storage.getKeys()).sort()).toEqual([...model.keys()].sort());
        }
        const all = await storage.getItems([...model.keys(), 'sync:missing']);
        expect(Object.fromEntries(all.map(({ key, value }) => [key, value]))).toEqual({ ...Object.fromEntries(model), 'sync:missing': null });
        for (const [key, value] of model) expect(await storage.getItem(key)).toBe(value);
        await storage.dispose();
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
