/**
 * unstorage's IndexedDB driver with batch reads and writes, for workspaces past what
 * localStorage holds (about 5 MB). The plain driver opens a transaction per key; loading
 * 50k records that way takes seconds. `getItems` and `setItems` here use one transaction
 * for the whole batch (idb-keyval's `getMany` / `setMany`). One database per user: the
 * driver lists every key of its store, so it takes no `base`. IndexedDB tells other tabs
 * nothing, so writes are announced on a BroadcastChannel and `watch` hears other tabs'
 * (what localStorage's `storage` event does), for `followOtherTabs`.
 */
import { createStore, entries, getMany, setMany } from 'idb-keyval';
import { defineDriver } from 'unstorage';
import indexedDbDriver from 'unstorage/drivers/indexedb';

export interface BatchedIndexedDbOptions {
  /** The database, e.g. `basic-sync:<user>`. */
  dbName: string;
  /** Default `records`. */
  storeName?: string;
}

/**
 * From this many keys on, a batch read takes the whole store in one pass (the store holds
 * one user's data, and a batch that large is a load): 50k `get`s took 7 s in Chromium.
 */
const WHOLE_STORE_FROM = 200;

type Announcement = { event: 'update' | 'remove'; keys: string[] };

export const batchedIndexedDbDriver = defineDriver((options: BatchedIndexedDbOptions) => {
  const storeName = options.storeName ?? 'records';
  const driver = indexedDbDriver({ dbName: options.dbName, storeName });
  const store = createStore(options.dbName, storeName);
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`unstorage-idb:${options.dbName}:${storeName}`);
  const announce = (message: Announcement) => channel?.postMessage(message);
  return {
    ...driver,
    name: 'indexeddb-batched',
    options,
    async getItems(items: Array<{ key: string }>) {
      if (items.length < WHOLE_STORE_FROM) {
        const values = await getMany<string | undefined>(items.map(({ key }) => key), store);
        return items.map(({ key }, i) => ({ key, value: values[i] ?? null }));
      }
      // Loading a store: two requests (all keys, all values) instead of one `get` per key.
      const all = new Map(await entries<string, string>(store));
      return items.map(({ key }) => ({ key, value: all.get(key) ?? null }));
    },
    async setItem(key: string, value: string) {
      await driver.setItem!(key, value, {});
      announce({ event: 'update', keys: [key] });
    },
    async setItems(items: Array<{ key: string; value: string }>) {
      await setMany(items.map(({ key, value }) => [key, value]), store);
      announce({ event: 'update', keys: items.map(({ key }) => key) });
    },
    async removeItem(key: string) {
      await driver.removeItem!(key, {});
      announce({ event: 'remove', keys: [key] });
    },
    watch(callback: (event: 'update' | 'remove', key: string) => void) {
      const listener = (e: MessageEvent<Announcement>) => {
        for (const key of e.data.keys) callback(e.data.event, key);
      };
      channel?.addEventListener('message', listener);
      return () => channel?.removeEventListener('message', listener);
    },
    dispose() {
      channel?.close();
    },
  };
});
