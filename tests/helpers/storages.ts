/**
 * The storages the local store and the sync suite run on: memory, localStorage (the
 * Web Storage API over a Map) and IndexedDB (fake-indexeddb in Node, the real one in
 * the browser tests). `TEST_STORAGE` picks the one `startClient` uses by default.
 */
import 'fake-indexeddb/auto';
import { createStorage, type Storage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { batchedIndexedDbDriver } from '../../src/local/indexedDbDriver.js';
import { batchedLocalStorageDriver } from '../../src/local/localStorageDriver.js';

/** A change as another tab's `storage` event reports it. */
export type StorageChange = { key: string | null; oldValue: string | null; newValue: string | null };

/**
 * The Web Storage API over a Map (what the drivers use of `localStorage`). `capacity`: the
 * characters of keys and values it holds at most (a write past it throws as a full
 * localStorage does); `onChange`: told of every change, as other tabs are.
 */
export function fakeLocalStorage(options: { capacity?: number; onChange?: (change: StorageChange) => void } = {}): globalThis.Storage {
  const map = new Map<string, string>();
  let used = 0;
  const api = {
    get length() {
      return map.size;
    },
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => {
      const value = String(v);
      const old = map.get(k) ?? null;
      const next = used - (old === null ? 0 : k.length + old.length) + k.length + value.length;
      if (options.capacity !== undefined && next > options.capacity) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      map.set(k, value);
      used = next;
      options.onChange?.({ key: k, oldValue: old, newValue: value });
    },
    removeItem: (k: string) => {
      const old = map.get(k);
      if (old === undefined) return;
      map.delete(k);
      used -= k.length + old.length;
      options.onChange?.({ key: k, oldValue: old, newValue: null });
    },
    clear: () => {
      map.clear();
      used = 0;
      options.onChange?.({ key: null, oldValue: null, newValue: null });
    },
  };
  // Drivers list keys with Object.keys(storage), as on the real localStorage.
  return new Proxy(api, {
    ownKeys: () => [...map.keys()],
    getOwnPropertyDescriptor: (_t, k) => (typeof k === 'string' && map.has(k) ? { enumerable: true, configurable: true, value: map.get(k) } : undefined),
    has: (_t, k) => typeof k === 'string' && map.has(k),
  }) as unknown as globalThis.Storage;
}

let databases = 0;

export const STORAGES = {
  memory: (): Storage => createStorage({ driver: memoryDriver() }),
  localStorage: (): Storage => createStorage({ driver: batchedLocalStorageDriver({ base: 'test', storage: fakeLocalStorage() }) }),
  indexedDB: (): Storage => createStorage({ driver: batchedIndexedDbDriver({ dbName: `basic-sync-test-${process.pid}-${++databases}` }) }),
};

export type StorageKind = keyof typeof STORAGES;

/** The storage `startClient` gives a client by default (`TEST_STORAGE=indexedDB npm test ...`). */
export function defaultStorage(): Storage {
  const kind = (process.env.TEST_STORAGE ?? 'memory') as StorageKind;
  const make = STORAGES[kind];
  if (!make) throw new Error(`TEST_STORAGE must be one of ${Object.keys(STORAGES).join(', ')}, not ${kind}`);
  return make();
}
