/** The batched IndexedDB driver (fake-indexeddb in Node): same data as unstorage's own driver, and other tabs hear writes. */
import 'fake-indexeddb/auto';
import { createStorage } from 'unstorage';
import indexedDbDriver from 'unstorage/drivers/indexedb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchedIndexedDbDriver } from '../../src/local/indexedDbDriver.js';
import { expectPageThenEdits, runHistory, stepArb, writePageThenEdits } from '../helpers/storageModel.js';

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
    await writePageThenEdits(storage);
    // What IndexedDB holds: three packs and two loose keys, not 2,500 values.
    const raw = createStorage({ driver: indexedDbDriver({ dbName: name, storeName: 'records' }) });
    const rawKeys = await raw.getKeys();
    expect(rawKeys.filter((k) => k.startsWith('\uffffpack:'))).toHaveLength(3);
    expect(rawKeys.filter((k) => !k.startsWith('\uffffpack:')).sort()).toEqual(['sync:record:projects:r7', 'sync:record:projects:r8']);
    // A fresh driver (a reload) reads the same thing back.
    await expectPageThenEdits(createStorage({ driver: batchedIndexedDbDriver({ dbName: name }) }));
  });

  it('holds what a plain map holds after any history of writes, batches, removes, clears, reloads and compactions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        const name = dbName();
        // Small thresholds, so packs and compactions happen in short histories.
        await runHistory(() => createStorage({ driver: batchedIndexedDbDriver({ dbName: name, packFrom: 3, compactFrom: 4, packSize: 4 }) }), steps);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
