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

const keyArb = fc.integer({ min: 0, max: 30 }).map((i) => `sync:k${i}`);
const writeArb = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }),
  fc.record({ kind: fc.constant('batch' as const), entries: fc.array(fc.tuple(keyArb, fc.integer()), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('remove' as const), key: keyArb }),
);
type Write = typeof writeArb extends fc.Arbitrary<infer T> ? T : never;

/** Applies a write to a storage and, if it succeeds, to the model of what it should hold. */
async function apply(storage: Storage, model: Map<string, number>, o: Write): Promise<void> {
  if (o.kind === 'set') {
    await storage.setItem(o.key, o.value);
    model.set(o.key, o.value);
  } else if (o.kind === 'batch') {
    await storage.setItems(o.entries.map(([key, value]) => ({ key, value })));
    for (const [key, value] of o.entries) model.set(key, value);
  } else {
    await storage.removeItem(o.key);
    model.delete(o.key);
  }
}

async function expectHolds(storage: Storage, model: Map<string, number>): Promise<void> {
  expect((await storage.getKeys()).sort()).toEqual([...model.keys()].sort());
  const all = await storage.getItems([...model.keys(), 'sync:missing']);
  expect(Object.fromEntries(all.map(({ key, value }) => [key, value]))).toEqual({ ...Object.fromEntries(model), 'sync:missing': null });
  for (const [key, value] of model) expect(await storage.getItem(key)).toBe(value);
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
    await storage.setItems(Array.from({ length: 2_500 }, (_, i) => ({ key: `sync:record:projects:r${i}`, value: { id: `r${i}`, v: 1 } })));
    await storage.setItem('sync:record:projects:r7', { id: 'r7', v: 2 });
    await storage.removeItem('sync:record:projects:r8');
    const raw = Object.keys(local);
    expect(raw.filter((k) => isPackKey(k.slice('app:u1:'.length)))).toHaveLength(Math.ceil(2_500 / LOCAL_STORAGE_PACK_SIZE));
    expect(raw.filter((k) => !isPackKey(k.slice('app:u1:'.length))).sort()).toEqual(['app:u1:sync:record:projects:r7', 'app:u1:\uffffremoved:sync:record:projects:r8']);

    const reloaded = createStorage({ driver: batchedLocalStorageDriver({ base: 'app:u1', storage: local }) });
    const keys = await reloaded.getKeys('sync:record');
    expect(keys).toHaveLength(2_499);
    expect(keys).not.toContain('sync:record:projects:r8');
    expect(await reloaded.getItem('sync:record:projects:r7')).toEqual({ id: 'r7', v: 2 });
    expect(await reloaded.getItem('sync:record:projects:r2499')).toEqual({ id: 'r2499', v: 1 });
    expect(await reloaded.getItem('sync:record:projects:r8')).toBeNull();
    // Moving away clears every key of the user, packs and marks included.
    await reloaded.clear();
    expect(Object.keys(local)).toEqual([]);
  });

  it('holds what a plain map holds after any history of writes, reloads, clears and full storage, all or nothing (property)', async () => {
    const op = fc.oneof(writeArb, writeArb, fc.constant({ kind: 'clear' as const }), fc.constant({ kind: 'reload' as const }));
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.option(fc.integer({ min: 150, max: 1_500 })), async (ops, capacity) => {
        const local = fakeLocalStorage({ capacity: capacity ?? undefined });
        // Small thresholds, so packs and compactions happen in short histories.
        const open = () => createStorage({ driver: batchedLocalStorageDriver({ base: 'app', storage: local, packFrom: 3, compactFrom: 4, packSize: 4 }) });
        let storage = open();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'clear') {
            await storage.clear();
            model.clear();
          } else if (o.kind === 'reload') {
            storage = open(); // a load may compact, and must not lose anything if that does not fit
          } else {
            // A write that does not fit changes nothing.
            await apply(storage, model, o).catch((error: Error) => expect(error.name).toBe('QuotaExceededError'));
          }
          await expectHolds(storage, model);
        }
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
