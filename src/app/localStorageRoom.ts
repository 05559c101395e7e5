/**
 * How full this origin's localStorage is. Browsers cap it per origin: Chromium at 5 Mi
 * characters of keys and values (measured: 5,242,262 characters stored, then
 * QuotaExceededError), Firefox and Safari about the same. The app warns well before a
 * write fails, and offers to move the user's projects to IndexedDB, which holds far more.
 */
export const LOCAL_STORAGE_CAP_CHARS = 5 * 1024 * 1024;
/** From here on the app says so. */
export const NEARLY_FULL = 0.8;

/** Characters of keys and values stored by this origin. */
export function localStorageChars(storage: Pick<Storage, 'length' | 'key' | 'getItem'> = localStorage): number {
  let chars = 0;
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key !== null) chars += key.length + (storage.getItem(key)?.length ?? 0);
  }
  return chars;
}

/** The share of the cap in use, 0..1. */
export function localStorageFullness(storage?: Pick<Storage, 'length' | 'key' | 'getItem'>): number {
  return localStorageChars(storage) / LOCAL_STORAGE_CAP_CHARS;
}
