/**
 * A localStorage driver for unstorage, fast to load and to write a catch-up page to:
 *
 * - **Batches.** `getItems` and `setItems` (without them unstorage goes through a promise
 *   per key).
 * - **Packs** (`packs.ts`): a batch write of `packFrom`+ entries is stored as a few packs
 *   (`<base>:\uffffpack:<n>:<tag>`), not a `setItem` per entry: Chromium spends 300-400 ms
 *   on 10k `setItem`s of 200 bytes. Single writes stay loose keys (`<base>:<key>`) over
 *   them; a removed key that packs hold is marked (`<base>:\uffffremoved:<key>`). A load
 *   that finds `compactFrom`+ loose keys rewrites the store as packs.
 * - **All or nothing.** A batch that does not fit (quota) leaves the store as it was.
 * - **Other tabs.** `watch` turns `storage` events into the keys that changed: a pack
 *   written by another tab is read and each entry that differs reported.
 *
 * localStorage has no transactions: two tabs may write packs at once, so each pack key
 * carries a random tag (packs of one number are ordered by it) and a pack, once written,
 * never changes. What another tab writes reaches this one as `storage` events, in order.
 */
import { defineDriver, normalizeKey } from 'unstorage';
import { COMPACT_FROM, isPackKey, PACK_FROM, packKey, packNumber, packsOf, unpack, type PackOptions } from './packs.js';

/** The parts of the Web Storage API the driver uses. */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Where `storage` events arrive (a `window`). */
export type StorageEventTarget = {
  addEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
  removeEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
};

export interface BatchedLocalStorageOptions extends PackOptions {
  /** Every key is stored as `<base>:<key>`, e.g. `basic-sync:<user>`. */
  base?: string;
  /** Default: `window.localStorage` (of `window` when given). */
  storage?: WebStorage;
  /** Where other tabs' `storage` events arrive; without it `watch` hears nothing. */
  window?: StorageEventTarget & { localStorage?: WebStorage };
}

/**
 * Entries per pack here (about 50 KB of 200-byte records): Chromium's `setItem` costs
 * about 0.02 ms per KB up to ~200 KB and more per KB past it (400 KB: 0.03), and four times
 * as much for a string with any character past U+00FF (an emoji in one record makes its
 * whole pack such a string): smaller packs keep both costs to the records that have them.
 */
export const LOCAL_STORAGE_PACK_SIZE = 250;

/** Marks a key removed over what packs hold for it. */
const REMOVED = '\uffffremoved:';

type Watcher = (event: 'update' | 'remove', key: string) => void;

export const batchedLocalStorageDriver = defineDriver((options: BatchedLocalStorageOptions = {}) => {
  const storage = options.storage ?? options.window?.localStorage ?? globalThis.localStorage;
  if (!storage) throw new Error('[basic-sync] batchedLocalStorageDriver: no localStorage here (pass `storage`)');
  const base = options.base ? normalizeKey(options.base) : '';
  const prefix = base ? `${base}:` : '';
  const packFrom = options.packFrom ?? PACK_FROM;
  const compactFrom = options.compactFrom ?? COMPACT_FROM;
  const packSize = options.packSize ?? LOCAL_STORAGE_PACK_SIZE;

  /** This driver's keys in storage (whole keys, prefix included). */
  const listing = (): string[] => Object.keys(storage).filter((key) => key.startsWith(prefix));

  // What the packs hold: per pack key (whole), its entries; merged in pack order. Packs never
  // change once written, so the index is refreshed by comparing pack keys only.
  let packs = new Map<string, Array<[string, string]>>();
  let packed = new Map<string, string>();
  let fresh = false;
  const refresh = (keys: string[] = listing()): Map<string, string> => {
    const packKeys = keys.filter((key) => isPackKey(key.slice(prefix.length))).sort();
    if (!(packKeys.length === packs.size && packKeys.every((key) => packs.has(key)))) {
      packs = new Map(packKeys.map((key) => [key, packs.get(key) ?? unpack(storage.getItem(key) ?? '')]));
      packed = new Map();
      for (const entries of packs.values()) for (const [key, value] of entries) packed.set(key, value);
    }
    fresh = true;
    return packed;
  };
  // Without `storage` events (no window) nothing else writes this driver's keys behind its back.
  const index = () => (fresh ? packed : refresh());
  /** Takes in a pack that sorts after every known one. */
  const addPack = (whole: string, entries: Array<[string, string]>) => {
    packs.set(whole, entries);
    for (const [key, value] of entries) packed.set(key, value);
  };

  const getItem = (key: string): string | null => {
    const loose = storage.getItem(prefix + key);
    if (loose !== null) return loose;
    const value = index().get(key);
    return value === undefined || storage.getItem(prefix + REMOVED + key) !== null ? null : value;
  };

  const setItem = (key: string, value: string) => {
    storage.setItem(prefix + key, value);
    if (index().has(key)) storage.removeItem(prefix + REMOVED + key);
  };

  const removeItem = (key: string) => {
    // The mark first: if it does not fit, nothing changed.
    if (index().has(key)) storage.setItem(prefix + REMOVED + key, '');
    storage.removeItem(prefix + key);
  };

  /** Loose keys, removal marks and packs, from one listing. */
  const survey = () => {
    const keys = listing();
    const loose: string[] = [];
    const removed = new Set<string>();
    for (const whole of keys) {
      const key = whole.slice(prefix.length);
      if (key.startsWith(REMOVED)) removed.add(key.slice(REMOVED.length));
      else if (!isPackKey(key)) loose.push(key);
    }
    return { keys, loose, removed, packed: refresh(keys) };
  };

  /**
   * Writes `entries` as new packs, after every pack in `keys` (a listing); on failure removes
   * what it wrote and throws. Returns the packs written.
   */
  const writePacks = (entries: Array<[string, string]>, keys: string[]): Array<[string, Array<[string, string]>]> => {
    const last = keys.reduce((max, whole) => (isPackKey(whole.slice(prefix.length)) ? Math.max(max, packNumber(whole.slice(prefix.length))) : max), -1);
    const tag = Math.random().toString(36).slice(2, 8);
    const written: Array<[string, Array<[string, string]>]> = [];
    try {
      packsOf(entries, packSize).forEach((pack, i) => {
        const key = prefix + packKey(last + 1 + i, tag);
        storage.setItem(key, pack);
        written.push([key, entries.slice(i * packSize, (i + 1) * packSize)]);
      });
    } catch (error) {
      for (const [key] of written) storage.removeItem(key);
      throw error;
    }
    return written;
  };

  /** Loose writes; if one fails, the ones before it are undone. */
  const writeLoose = (items: Array<{ key: string; value: string }>) => {
    const before = items.map(({ key }) => [key, storage.getItem(prefix + key)] as const);
    try {
      for (const { key, value } of items) storage.setItem(prefix + key, value);
    } catch (error) {
      for (const [key, value] of before) {
        if (value === null) storage.removeItem(prefix + key);
        else storage.setItem(prefix + key, value);
      }
      throw error;
    }
    const inPacks = index();
    for (const { key } of items) if (inPacks.has(key)) storage.removeItem(prefix + REMOVED + key);
  };

  /** Rewrites everything as packs (new ones first, so a failure or a crash leaves a whole store). */
  const compact = (survey: ReturnType<typeof surveyAll>) => {
    try {
      writePacks([...survey.all], survey.keys);
    } catch {
      return; // no room for a second copy: stays as it is
    }
    for (const whole of survey.keys) storage.removeItem(whole);
    refresh();
  };

  /** Every key and value (loose over packed, removed ones left out). */
  const surveyAll = () => {
    const s = survey();
    const all = new Map<string, string>();
    for (const [key, value] of s.packed) if (!s.removed.has(key)) all.set(key, value);
    for (const key of s.loose) all.set(key, storage.getItem(prefix + key)!);
    return { ...s, all };
  };

  /** Everything, from one listing; a load that finds many loose keys compacts them. */
  const loadAll = (): Map<string, string> => {
    const s = surveyAll();
    if (s.loose.length >= compactFrom) compact(s);
    return s.all;
  };
  const getKeys = (subBase: string): string[] => {
    const keys = [...loadAll().keys()];
    return subBase ? keys.filter((key) => key.startsWith(subBase)) : keys;
  };

  const watchers = new Set<Watcher>();
  const onStorage = (event: StorageEvent) => {
    if (event.key === null) {
      fresh = false; // localStorage.clear() in another tab
      return;
    }
    if (!event.key.startsWith(prefix)) return;
    const key = event.key.slice(prefix.length);
    if (isPackKey(key)) {
      if (event.newValue === null) {
        fresh = false; // a compaction or a clear: listed again when next needed
        return;
      }
      // Report what the new pack changes (all of it when the index is not known to be current).
      const entries = unpack(event.newValue);
      const changed = fresh ? entries.filter(([k, value]) => packed.get(k) !== value) : entries;
      if (fresh && [...packs.keys()].every((known) => known < event.key!)) addPack(event.key, entries);
      else fresh = false;
      for (const [k] of changed) for (const watcher of watchers) watcher('update', k);
    } else if (key.startsWith(REMOVED)) {
      if (event.newValue !== null) for (const watcher of watchers) watcher('remove', key.slice(REMOVED.length));
    } else {
      for (const watcher of watchers) watcher(event.newValue === null ? 'remove' : 'update', key);
    }
  };
  options.window?.addEventListener('storage', onStorage);

  return {
    name: 'localstorage-batched',
    options,
    getInstance: () => storage,
    hasItem: (key: string) => getItem(key) !== null,
    getItem,
    getItems(items: Array<{ key: string }>) {
      if (items.length < packFrom) return items.map(({ key }) => ({ key, value: getItem(key) }));
      // One listing answers which keys are loose, marked or packed.
      const { keys, packed: inPacks } = survey();
      const present = new Set(keys);
      return items.map(({ key }) => {
        if (present.has(prefix + key)) return { key, value: storage.getItem(prefix + key) };
        return { key, value: present.has(prefix + REMOVED + key) ? null : (inPacks.get(key) ?? null) };
      });
    },
    getKeys,
    /** Every key with its value, from one listing (see `bulk.ts`). */
    getAllEntries: loadAll,
    setItem,
    setItems(items: Array<{ key: string; value: string }>) {
      if (items.length < packFrom) return writeLoose(items);
      const keys = listing();
      const present = new Set(keys);
      refresh(keys);
      try {
        // The new packs sort after every listed one: the index takes them in as they are.
        for (const [whole, entries] of writePacks(items.map(({ key, value }) => [key, value]), keys)) addPack(whole, entries);
      } catch {
        // Packs are written before what they replace is removed, so they need room for a
        // second copy; loose writes replace in place.
        return writeLoose(items);
      }
      // The loose values and marks the packs replace.
      for (const { key } of items) {
        if (present.has(prefix + key)) storage.removeItem(prefix + key);
        if (present.has(prefix + REMOVED + key)) storage.removeItem(prefix + REMOVED + key);
      }
    },
    removeItem,
    clear(subBase: string) {
      if (subBase) {
        for (const key of getKeys(subBase)) removeItem(key);
        return;
      }
      for (const whole of listing()) storage.removeItem(whole);
      refresh();
    },
    watch(callback: Watcher) {
      watchers.add(callback);
      return () => void watchers.delete(callback);
    },
    dispose() {
      watchers.clear();
      options.window?.removeEventListener('storage', onStorage);
    },
  };
});
