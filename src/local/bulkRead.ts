/**
 * Reads everything under a prefix in one pass. unstorage's `getKeys` then `getItems` pass
 * each of 10k keys through its key normalization twice (most of a 10k-record load in
 * Chromium, measured); a driver of this library answers `getEntries` from what it read
 * anyway (its packs and loose keys). Any other driver goes the usual way.
 */
import { destr } from 'destr';
import type { Storage } from 'unstorage';

/** What a driver may add to unstorage's driver interface: every key and raw value under `base`. */
export interface EntriesDriver {
  getEntries(base: string): Array<{ key: string; value: string }> | Promise<Array<{ key: string; value: string }>>;
}

const hasEntries = (driver: object): driver is EntriesDriver => typeof (driver as Partial<EntriesDriver>).getEntries === 'function';

/** Every key under `base` with its value, parsed as unstorage's `getItem` parses it. */
export async function readEntries(storage: Storage, base: string): Promise<Array<{ key: string; value: unknown }>> {
  const mount = storage.getMount(base);
  // Keys reach a driver relative to its mount point; the fast path keeps to a driver mounted at the root.
  if (mount.base === '' && hasEntries(mount.driver)) {
    return (await mount.driver.getEntries(base)).map(({ key, value }) => ({ key, value: destr(value) }));
  }
  return storage.getItems(await storage.getKeys(base));
}
