/**
 * The batched localStorage driver: the same data as unstorage's own driver, packs for big
 * batches, all or nothing when localStorage is full, and other tabs hear every change,
 * packs included.
 */
import fc from 'fast-check';
import { createStorage, type Storage } from 'unstorage';
import localStorageDriver from 'unstorage/drivers/localstorage';
import { describe, expect, it } from 'vitest';
import { batchedLocalStorageDriver, LOCAL_STORAGE_PACK_SIZE } from '../../src/local/localStorageDriver.js';
import { isPackKey } from '../../src/local/packs.js';
import { apply, expectPageThenEdits, runHistory, stepArb, writeArb, writePageThenEdits } from '../helpers/storageModel.js';
import { fakeLocalStorage, type StorageChange } from '../helpers/storages.js';

/** A window whose `storage` events the test delivers. */
function fakeWindow() {
  const listeners = new Set<(event: StorageEvent) => void>();
  return {
    addEventListener: (_type: 'storage', listener: (event: StorageEvent) => void) => void listeners.add(listener),
    removeEventListener: (_type: 'storage', listener: (event: StorageEvent) => void) => void listeners.delete(listener),
    deliver: (change: StorageChange) => {
      for (const listener of listeners) listener(change as StorageEvent);
    },
  };
}

describe('batchedLocalStorageDriver', () => {
  it('reads a batch exactly as the plain localStorage driver reads key by key, under its base only', async () => {
    const local = fakeLocalStorage();
    local.setItem('other:sync:record:projects:x', '{"id":"x"}');
    const batched = createStorage({ driver: batchedLocalStorageDriver({ base: 'app:u1', storage: local }) });
    const plain = createStorage({ driver: localStorageDriver({ base: 'app:u1', storage: local }) });
    await batched.setItem('sync:record:projects:a', { id: 'a', name: 'A' });
    await batched.setItem('sync:record:projects:b', { id: 'b', name: 'B' });
    await batched.setItem('sync:meta', { checkpoint: 3 });
    expect(local.getItem('app:u1:sync:record:projects:a')).toBe('{"id":"a","name":"A"}');

    const keys = await batched.getKeys('sync');
    expect(keys.sort()).toEqual(['sync:meta', 'sync:record:projects:a', 'sync:record:projects:b']);
    const viaBatch = await batched.getItems([...keys, 'sync:record:projects:missing']);
    const oneByOne = await plain.getItems([...keys, 'sync:record:projects:missing']);
    expect(viaBatch).toEqual(oneByOne);
    expect(viaBatch.find((i) => i.key === 'sync:record:projects:b')?.value).toEqual({ id: 'b', name: 'B' });
    expect(viaBatch.find((i) => i.key === 'sync:record:projects:missing')?.value).toBeNull();
  });

  it('stores a catch-up page as a few packs; single writes and removes win over them, after a reload too', async () => {
    const local = fakeLocalStorage();
    const storage = createStorage({ driver: batchedLocalStorageDriver({ base: 'app:u1', storage: local }) });
    await writePageThenEdits(storage);
    const raw = Object.keys(local);
    expect(raw.filter((k) => isPackKey(k.slice('app:u1:'.length)))).toHaveLength(Math.ceil(2_500 / LOCAL_STORAGE_PACK_SIZE));
    expect(raw.filter((k) => !isPackKey(k.slice('app:u1:'.length))).sort()).toEqual(['app:u1:sync:record:projects:r7', 'app:u1:\uffffremoved:sync:record:projects:r8']);

    const reloaded = createStorage({ driver: batchedLocalStorageDriver({ base: 'app:u1', storage: local }) });
    await expectPageThenEdits(reloaded);
    // Moving away clears every key of the user, packs and marks included.
    await reloaded.clear();
    expect(Object.keys(local)).toEqual([]);
  });

  it('holds what a plain map holds after any history of writes, reloads, clears and full storage, all or nothing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), fc.option(fc.integer({ min: 150, max: 1_500 })), async (steps, capacity) => {
        const local = fakeLocalStorage({ capacity: capacity ?? undefined });
        // Small thresholds, so packs and compactions happen in short histories; a reload may
        // compact, and must not lose anything if that does not fit.
        const open = () => createStorage({ driver: batchedLocalStorageDriver({ base: 'app', storage: local, packFrom: 3, compactFrom: 4, packSize: 4 }) });
        // A write that does not fit changes nothing.
        await runHistory(open, steps, (storage, model, write) => apply(storage, model, write).catch((error: Error) => expect(error.name).toBe('QuotaExceededError')));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('two tabs over one localStorage: each follows every change of the other through storage events, packs and compactions included (property)', async () => {
    const op = fc.oneof(
      fc.record({ tab: fc.constantFrom(0, 1), write: writeArb }),
      fc.record({ tab: fc.constantFrom(0, 1), reload: fc.constant(true) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        let writer = 0;
        const queued: StorageChange[][] = [[], []];
        // Each tab hears the other's changes (never its own), later, in order.
        const local = fakeLocalStorage({ onChange: (change) => queued[1 - writer]!.push(change) });
        const windows = [fakeWindow(), fakeWindow()];
        const model = new Map<string, number>();
        // What each tab knows, as the local store keeps it: read once, then re-read key by key as it hears of changes.
        const mirrors = [new Map<string, unknown>(), new Map<string, unknown>()];
        const storages: Storage[] = [];
        const open = async (tab: number) => {
          writer = tab;
          const storage = createStorage({ driver: batchedLocalStorageDriver({ base: 'app', storage: local, window: windows[tab], packFrom: 3, compactFrom: 4, packSize: 4 }) });
          const mirror = mirrors[tab]!;
          mirror.clear();
          for (const { key, value } of await storage.getItems(await storage.getKeys())) mirror.set(key, value);
          await storage.watch(async (_event, key) => {
            const value = await storage.getItem(key);
            if (value === null) mirror.delete(key);
            else mirror.set(key, value);
          });
          storages[tab]?.dispose();
          storages[tab] = storage;
        };
        const deliver = async () => {
          for (const tab of [0, 1]) for (const change of queued[tab]!.splice(0)) windows[tab]!.deliver(change);
          await new Promise((r) => setTimeout(r, 0));
        };
        await open(0);
        await open(1);
        await deliver();
        for (const o of ops) {
          writer = o.tab;
          if ('write' in o) {
            await apply(storages[o.tab]!, model, o.write);
            // A tab knows its own writes (it made them); it hears only the other's.
            const written = o.write.kind === 'batch' ? o.write.entries.map(([key]) => key) : [o.write.key];
            for (const key of written) {
              if (model.has(key)) mirrors[o.tab]!.set(key, model.get(key));
              else mirrors[o.tab]!.delete(key);
            }
          } else await open(o.tab);
          await deliver();
          for (const tab of [0, 1]) expect(Object.fromEntries(mirrors[tab]!)).toEqual(Object.fromEntries(model));
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
