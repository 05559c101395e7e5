/**
 * Reads and writes in bulk. unstorage's `getKeys` then `getItems` pass each of 10k keys
 * through its key normalization twice (most of a 10k-record load in Chromium, measured),
 * and `setItems` once per key of a catch-up page; a driver of this library (mounted at the
 * root) answers a load from what it read anyway (`getAllEntries`: its packs and loose keys)
 * and takes a page as it is. Any other driver goes through unstorage.
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

/**
 * Writes entries in one batch: straight to a driver of this library mounted at the root (as
 * JSON, as unstorage would write them, without its per-key normalization: a catch-up page
 * is 2,000 keys), through unstorage's `setItems` otherwise.
 */
export async function writeEntries(storage: Storage, entries: Array<{ key: string; value: object }>): Promise<void> {
  const { base, driver } = storage.getMount(entries[0]?.key ?? '');
  if (base === '' && hasEntries(driver) && driver.setItems) {
    await driver.setItems(
      entries.map(({ key, value }) => ({ key, value: JSON.stringify(value) })),
      {},
    );
    return;
  }
  await storage.setItems(entries);
}

function parse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
