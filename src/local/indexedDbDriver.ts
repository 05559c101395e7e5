/**
 * An IndexedDB driver for unstorage (over idb-keyval, as unstorage's own `indexedb`
 * driver is), for workspaces past what localStorage holds (about 5 MB), fast to load:
 *
 * - **Packs** (`packs.ts`): 50k values of 300 bytes take Chromium 1.5-2.6 s to `getAll`,
 *   the same data in 50 packs of 1,000 entries 0.2-0.3 s. A load reads the packs and the
 *   loose keys in one transaction; a removed key that packs may hold is a loose `REMOVED`
 *   value; a batch write's packs and a compaction are one transaction each.
 * - **Other tabs.** IndexedDB tells other tabs nothing, so writes are announced on a
 *   BroadcastChannel and `watch` hears other tabs' (what localStorage's `storage` event
 *   does), for `followOtherTabs`.
 *
 * One database per user: the driver owns its whole store, so it takes no `base`. Data
 * written by the earlier one-key-per-value version (or by `setMany`) is read as loose keys.
 */
import { clear, createStore, get, getMany, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import { defineDriver } from 'unstorage';
import { COMPACT_FROM, PACK, PACK_FROM, PACK_SIZE, packedEntries, packKey, packNumber, packsOf, type PackOptions } from './packs.js';

export interface BatchedIndexedDbOptions extends PackOptions {
  /** The database, e.g. `basic-sync:<user>`. */
  dbName: string;
  /** Default `records`. */
  storeName?: string;
}

/** A loose value that says "removed" over what a pack holds (never valid JSON, so never a value). */
const REMOVED = '\u0000removed';

type Announcement = { event: 'update' | 'remove'; keys: string[] };

const packRange = () => IDBKeyRange.lowerBound(PACK);
const looseRange = () => IDBKeyRange.upperBound(PACK, true);

/**
 * Pack keys in the order their transactions committed: each writing transaction numbers its
 * packs after the last one in the store (read inside that transaction; IndexedDB runs one
 * writing transaction on a store at a time), so a later pack always wins.
 */
async function nextPackNumber(store: IDBObjectStore): Promise<number> {
  const last = await promisifyRequest(store.openKeyCursor(packRange(), 'prev'));
  return last ? packNumber(String(last.key)) + 1 : 0;
}

/** Writes `entries` as packs numbered from `first`. */
function putPacks(store: IDBObjectStore, entries: Array<[string, string]>, first: number, size: number): void {
  packsOf(entries, size).forEach((pack, i) => store.put(pack, packKey(first + i)));
}

/** What the store holds: packs in order, then loose keys over them. */
async function readStore(store: IDBObjectStore): Promise<{ all: Map<string, string>; looseCount: number; packCount: number }> {
  const [packs, looseKeys, looseValues] = await Promise.all([
    promisifyRequest(store.getAll(packRange())) as Promise<string[]>,
    promisifyRequest(store.getAllKeys(looseRange())) as Promise<string[]>,
    promisifyRequest(store.getAll(looseRange())) as Promise<string[]>,
  ]);
  const all = packedEntries(packs);
  looseKeys.forEach((key, i) => {
    const value = looseValues[i]!;
    if (value === REMOVED) all.delete(key);
    else all.set(key, value);
  });
  return { all, looseCount: looseKeys.length, packCount: packs.length };
}

/** Rewrites the whole store as packs, in one transaction. */
function compact(useStore: UseStore, packSize: number): Promise<void> {
  return useStore('readwrite', async (store) => {
    const { all } = await readStore(store);
    store.delete(packRange());
    store.delete(looseRange());
    putPacks(store, [...all], 0, packSize);
    return promisifyRequest(store.transaction);
  });
}

export const batchedIndexedDbDriver = defineDriver((options: BatchedIndexedDbOptions) => {
  const storeName = options.storeName ?? 'records';
  const packFrom = options.packFrom ?? PACK_FROM;
  const compactFrom = options.compactFrom ?? COMPACT_FROM;
  const packSize = options.packSize ?? PACK_SIZE;
  const useStore = createStore(options.dbName, storeName);
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`unstorage-idb:${options.dbName}:${storeName}`);
  const announce = (message: Announcement) => channel?.postMessage(message);

  // One whole-store read serves the listing and the reads of a load (getKeys, then
  // getItems); any write of this tab drops it.
  let whole: Promise<Map<string, string>> | null = null;
  const readAll = () =>
    (whole ??= useStore('readonly', readStore).then(({ all, looseCount }) => {
      if (looseCount >= compactFrom) void compact(useStore, packSize).catch(() => {}); // a later load tries again
      return all;
    }));
  const changed = () => {
    whole = null;
  };

  const getItem = async (key: string): Promise<string | null> => {
    const loose = await get<string>(key, useStore);
    if (loose === REMOVED) return null;
    if (loose !== undefined) return loose;
    return (await readAll()).get(key) ?? null;
  };

  return {
    name: 'indexeddb-batched',
    options,
    async hasItem(key: string) {
      return (await getItem(key)) !== null;
    },
    getItem,
    async getItems(items: Array<{ key: string }>) {
      if (items.length < packFrom) {
        const loose = await getMany<string | undefined>(items.map(({ key }) => key), useStore);
        // A key no loose value holds may be in a pack (or nowhere).
        const all = loose.some((value) => value === undefined) ? await readAll() : null;
        return items.map(({ key }, i) => {
          const value = loose[i];
          return { key, value: value === REMOVED ? null : (value ?? all?.get(key) ?? null) };
        });
      }
      const all = await readAll();
      return items.map(({ key }) => ({ key, value: all.get(key) ?? null }));
    },
    /** Every key with its value, from one whole-store read (see `bulk.ts`). */
    getAllEntries: readAll,
    async getKeys(base: string) {
      return [...(await readAll()).keys()].filter((key) => !base || key.startsWith(base));
    },
    async setItem(key: string, value: string) {
      changed();
      await set(key, value, useStore);
      announce({ event: 'update', keys: [key] });
    },
    async setItems(items: Array<{ key: string; value: string }>) {
      changed();
      if (items.length < packFrom) {
        await setMany(items.map(({ key, value }) => [key, value]), useStore);
      } else {
        // Packs, and the loose values they replace removed, in one transaction.
        await useStore('readwrite', async (store) => {
          putPacks(store, items.map(({ key, value }) => [key, value]), await nextPackNumber(store), packSize);
          for (const { key } of items) store.delete(key);
          return promisifyRequest(store.transaction);
        });
      }
      announce({ event: 'update', keys: items.map(({ key }) => key) });
    },
    async removeItem(key: string) {
      changed();
      await useStore('readwrite', async (store) => {
        // Where packs may hold the key, say it is removed; otherwise just delete it.
        const packs = await promisifyRequest(store.count(packRange()));
        if (packs > 0) store.put(REMOVED, key);
        else store.delete(key);
        return promisifyRequest(store.transaction);
      });
      announce({ event: 'remove', keys: [key] });
    },
    async clear() {
      changed();
      await clear(useStore);
    },
    watch(callback: (event: 'update' | 'remove', key: string) => void) {
      const listener = (e: MessageEvent<Announcement>) => {
        for (const key of e.data.keys) callback(e.data.event, key);
      };
      channel?.addEventListener('message', listener);
      return () => channel?.removeEventListener('message', listener);
    },
    dispose() {
      changed();
      channel?.close();
    },
  };
});
