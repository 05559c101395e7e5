/**
 * Reads everything under a prefix in one pass. unstorage's `getKeys` then `getItems` pass
 * each of 10k keys through its key normalization twice (most of a 10k-record load in
 * Chromium, measured); a driver of this library answers `getAllEntries` from what it read
 * anyway (its packs and loose keys). Any other driver goes the usual way.
 */
import type { Storage } from 'unstorage';

/** What a driver may add to unstorage's driver interface: every key it holds with its raw value. */
export interface EntriesDriver {
  getAllEntries(): Iterable<[string, string]> | Promise<Iterable<[string, string]>>;
}

const hasEntries = (driver: object): driver is EntriesDriver => typeof (driver as Partial<EntriesDriver>).getAllEntries === 'function';

/**
 * Visits every key under `base` with its value: JSON values parsed (what this library
 * stores: records, outbox entries, metadata), anything else as the string it is.
 */
export async function readEntries(storage: Storage, base: string, visit: (key: string, value: unknown) => void): Promise<void> {
  const mount = storage.getMount(base);
  // Keys reach a driver relative to its mount point; the fast path keeps to a driver mounted at the root.
  if (mount.base === '' && hasEntries(mount.driver)) {
    // JSON.parse, not unstorage's destr: a third of the time for 50k values, and what is
    // parsed here was written by this library (remote records with prototype keys are refused
    // before they are stored; a parsed `__proto__` key is an own property, not a prototype).
    for (const [key, value] of await mount.driver.getAllEntries()) if (key.startsWith(base)) visit(key, parse(value));
    return;
  }
  for (const { key, value } of await storage.getItems(await storage.getKeys(base))) visit(key, value);
}

function parse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
