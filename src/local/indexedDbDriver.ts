/**
 * An IndexedDB driver for unstorage (over idb-keyval, as unstorage's own `indexedb`
 * driver is), for workspaces past what localStorage holds (about 5 MB), fast to load:
 *
 * - **Packs.** Chromium spends most of a load on the number of values, not their size:
 *   50k values of 300 bytes take 1.5-2.6 s to `getAll`, the same data in 50 values of
 *   1,000 entries 0.2-0.3 s. So a large batch write (a catch-up page) is stored as packs
 *   (`\uffffpack:<n>` -> JSON of up to 1,000 entries), and a load reads the packs and
 *   the loose keys in one transaction. Single writes stay loose keys (small and fast);
 *   a loose key overrides what packs hold for it, a later pack overrides an earlier one,
 *   and a removed key that packs may hold is marked removed. When a load finds many loose
 *   keys, everything is rewritten as packs (compaction), in one transaction.
 * - **Other tabs.** IndexedDB tells other tabs nothing, so writes are announced on a
 *   BroadcastChannel and `watch` hears other tabs' (what localStorage's `storage` event
 *   does), for `followOtherTabs`.
 *
 * One database per user: the driver owns its whole store, so it takes no `base`. Data
 * written by the earlier one-key-per-value version (or by `setMany`) is read as loose keys.
 */
import { clear, createStore, get, getMany, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import { defineDriver } from 'unstorage';

export interface BatchedIndexedDbOptions {
  /** The database, e.g. `basic-sync:<user>`. */
  dbName: string;
  /** Default `records`. */
  storeName?: string;
  /** Batch writes of at least this many entries are stored as packs (default `PACK_FROM`). */
  packFrom?: number;
  /** A load that finds this many loose keys rewrites the store as packs (default `COMPACT_FROM`). */
  compactFrom?: number;
}

/** Pack keys sort after every loose key (loose keys are unstorage keys: no U+FFFF in them). */
const PACK = '\uffffpack:';
/** A loose value that says "removed" over what a pack holds (never valid JSON, so never a value). */
const REMOVED = '\u0000removed';
/** A batch write of at least this many entries is stored as packs. */
export const PACK_FROM = 200;
/** Entries per pack (about 300 KB for 300-byte records). */
export const PACK_SIZE = 1_000;
/** A load that finds this many loose keys (or more) rewrites the store as packs. */
export const COMPACT_FROM = 2_000;

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
  return last ? Number.parseInt(String(last.key).slice(PACK.length), 36) + 1 : 0;
}
const packKey = (n: number) => `${PACK}${n.toString(36).padStart(10, '0')}`;

/** Writes `entries` as packs numbered from `first`. */
function putPacks(store: IDBObjectStore, entries: Array<[string, string]>, first: number): void {
  packsOf(entries).forEach((pack, i) => store.put(pack, packKey(first + i)));
}

/** Entries as packs of `PACK_SIZE`, JSON each. */
function packsOf(entries: Array<[string, string]>): string[] {
  const packs: string[] = [];
  for (let i = 0; i < entries.length; i += PACK_SIZE) packs.push(JSON.stringify(Object.fromEntries(entries.slice(i, i + PACK_SIZE))));
  return packs;
}

/** What the store holds: packs in order, then loose keys over them. */
async function readStore(store: IDBObjectStore): Promise<{ all: Map<string, string>; looseCount: number; packCount: number }> {
  const [packs, looseKeys, looseValues] = await Promise.all([
    promisifyRequest(store.getAll(packRange())) as Promise<string[]>,
    promisifyRequest(store.getAllKeys(looseRange())) as Promise<string[]>,
    promisifyRequest(store.getAll(looseRange())) as Promise<string[]>,
  ]);
  const all = new Map<string, string>();
  for (const pack of packs) for (const [key, value] of Object.entries(JSON.parse(pack) as Record<string, string>)) all.set(key, value);
  looseKeys.forEach((key, i) => {
    const value = looseValues[i]!;
    if (value === REMOVED) all.delete(key);
    else all.set(key, value);
  });
  return { all, looseCount: looseKeys.length, packCount: packs.length };
}

/** Rewrites the whole store as packs, in one transaction. */
function compact(useStore: UseStore): Promise<void> {
  return useStore('readwrite', async (store) => {
    const { all } = await readStore(store);
    store.delete(packRange());
    store.delete(looseRange());
    putPacks(store, [...all], 0);
    return promisifyRequest(store.transaction);
  });
}

export const batchedIndexedDbDriver = defineDriver((options: BatchedIndexedDbOptions) => {
  const storeName = options.storeName ?? 'records';
  const packFrom = options.packFrom ?? PACK_FROM;
  const compactFrom = options.compactFrom ?? COMPACT_FROM;
  const useStore = createStore(options.dbName, storeName);
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`unstorage-idb:${options.dbName}:${storeName}`);
  const announce = (message: Announcement) => channel?.postMessage(message);

  // One whole-store read serves the listing and the reads of a load (getKeys, then
  // getItems); any write of this tab drops it.
  let whole: Promise<Map<string, string>> | null = null;
  const readAll = () =>
    (whole ??= useStore('readonly', readStore).then(({ all, looseCount }) => {
      if (looseCount >= compactFrom) void compact(useStore).catch(() => {}); // a later load tries again
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
          putPacks(store, items.map(({ key, value }) => [key, value]), await nextPackNumber(store));
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
