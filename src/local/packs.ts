/**
 * Packs: many entries of a key-value store kept as one value, for the storage drivers.
 * Browsers spend most of a load or a batch write on the number of values, not their size
 * (Chromium: 10k localStorage `setItem`s of 200 bytes take 300-400 ms, 50k IndexedDB values
 * of 300 bytes 1.5-2.6 s to read; the same data in a few packs a fraction of that). So a
 * large batch write (a catch-up page) is stored as packs of up to `PACK_SIZE` entries, and
 * single writes stay loose keys over them:
 *
 * - a loose key overrides what packs hold for it; a later pack overrides an earlier one;
 * - a removed key that packs may hold is marked removed;
 * - when a load finds many loose keys, the store is rewritten as packs (compaction).
 *
 * Pack keys start with U+FFFF: they sort after every loose key and cannot be unstorage keys.
 */

/** What every pack key starts with. */
export const PACK = '\uffffpack:';
/** A batch write of at least this many entries is stored as packs. */
export const PACK_FROM = 200;
/** Entries per pack (about 300 KB for 300-byte records). */
export const PACK_SIZE = 1_000;
/** A load that finds this many loose keys (or more) rewrites the store as packs. */
export const COMPACT_FROM = 2_000;

/** Pack thresholds a driver takes as options (small ones let tests reach packs quickly). */
export interface PackOptions {
  /** Batch writes of at least this many entries are stored as packs (default `PACK_FROM`). */
  packFrom?: number;
  /** A load that finds this many loose keys rewrites the store as packs (default `COMPACT_FROM`). */
  compactFrom?: number;
  /** Entries per pack (default `PACK_SIZE`). */
  packSize?: number;
}

/**
 * The key of pack number `n`: base 36, padded, so keys sort as numbers do. `tag` (optional)
 * makes a key unique where two writers may pick the same number (localStorage has no
 * transactions); packs of one number are ordered by tag.
 */
export function packKey(n: number, tag = ''): string {
  return `${PACK}${n.toString(36).padStart(10, '0')}${tag ? `:${tag}` : ''}`;
}

/** The number of a pack key (NaN for any other key). */
export function packNumber(key: string): number {
  return key.startsWith(PACK) ? Number.parseInt(key.slice(PACK.length, PACK.length + 10), 36) : Number.NaN;
}

export const isPackKey = (key: string): boolean => key.startsWith(PACK);

/**
 * Entries as packs of `size`. A pack is the entries one after another, each as
 * `<key length>,<value length>;<key><value>` (lengths in base 36): no escaping, so a pack is
 * no bigger than its entries (JSON would escape every quote of every JSON value in it,
 * ~15% more of a localStorage quota) and reads with `slice` alone.
 */
export function packsOf(entries: ReadonlyArray<readonly [string, string]>, size = PACK_SIZE): string[] {
  const packs: string[] = [];
  for (let i = 0; i < entries.length; i += size) {
    let pack = '';
    for (const [key, value] of entries.slice(i, i + size)) pack += `${key.length.toString(36)},${value.length.toString(36)};${key}${value}`;
    packs.push(pack);
  }
  return packs;
}

/**
 * What a pack holds, in order. Packs written as JSON objects (the IndexedDB driver's first
 * format) are read too. A damaged pack yields what precedes the damage, never a crash.
 */
export function unpack(pack: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  forEachPacked(pack, (key, value) => entries.push([key, value]));
  return entries;
}

/** Visits what a pack holds, in order (`unpack` without an array per entry: a load reads 50k). */
export function forEachPacked(pack: string, visit: (key: string, value: string) => void): void {
  if (pack.startsWith('{')) {
    let entries: unknown;
    try {
      entries = JSON.parse(pack);
    } catch {
      return;
    }
    if (entries !== null && typeof entries === 'object' && !Array.isArray(entries)) for (const [key, value] of Object.entries(entries)) visit(key, value as string);
    return;
  }
  for (let at = 0; at < pack.length; ) {
    const comma = pack.indexOf(',', at);
    const semicolon = pack.indexOf(';', comma);
    const keyLength = Number.parseInt(pack.slice(at, comma), 36);
    const valueLength = Number.parseInt(pack.slice(comma + 1, semicolon), 36);
    const end = semicolon + 1 + keyLength + valueLength;
    if (comma < 0 || semicolon < 0 || !(keyLength >= 0) || !(valueLength >= 0) || end > pack.length) return;
    visit(pack.slice(semicolon + 1, semicolon + 1 + keyLength), pack.slice(semicolon + 1 + keyLength, end));
    at = end;
  }
}

/** Packs in key order: later packs override earlier ones. */
export function packedEntries(packs: ReadonlyArray<string>, into = new Map<string, string>()): Map<string, string> {
  const set = (key: string, value: string) => void into.set(key, value);
  for (const pack of packs) forEachPacked(pack, set);
  return into;
}
