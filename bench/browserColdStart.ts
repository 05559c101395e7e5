/**
 * Cold start in a real browser: the production build in Debian's Chromium, N records
 * already stored (localStorage, or IndexedDB as the app's "larger storage" keeps them),
 * time until the sync service has loaded them (readable by the UI), before any network,
 * over several reloads. Skipped, with the reason, when Chromium is missing.
 */
import { storeSession, withBuiltApp } from './builtApp.js';

const RELOADS = 5;

/** One page load: when the data was readable, from navigation and from the service's start. */
export interface ColdStartSample {
  fromNavigationMs: number;
  loadMs: number;
}

export interface ColdStartOptions {
  /** Where the records are: localStorage (the app's default) or IndexedDB (after "Move to larger storage"). */
  storage?: 'localStorage' | 'indexedDB';
  /** Padding per record, to reach a data size (IndexedDB: 50k records of about 300 bytes is 15 MB). */
  padding?: number;
}

export function browserColdStart(n: number, options: ColdStartOptions = {}): Promise<{ samples: ColdStartSample[]; bytes: number } | { skipped: string }> {
  const storage = options.storage ?? 'localStorage';
  return withBuiltApp(async ({ server, appUrl, browser }) => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    const user = await storeSession(page, server, 'bench');
    const bytes = await page.evaluate(
      async ({ n, userId, storage, padding }) => {
        const now = Date.now();
        const note = 'n'.repeat(padding);
        const entries: Array<[string, string]> = [];
        let bytes = 0;
        for (let i = 0; i < n; i++) {
          const record = { id: `r${i}`, name: `record ${i}`, type: 'project', components: {}, lastModified: now + i, modifiedBy: 'bench', ...(padding ? { note } : {}) };
          const value = JSON.stringify(record);
          bytes += value.length;
          entries.push([`sync:record:projects:r${i}`, value]);
        }
        if (storage === 'localStorage') {
          for (const [key, value] of entries) localStorage.setItem(`basic-sync:${userId}:${key}`, value);
          return bytes;
        }
        // As the app's IndexedDB driver stores them (idb-keyval: database per user, store `records`).
        localStorage.setItem(`basic-sync-storage:${userId}`, 'indexedDB');
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(`basic-sync:${userId}`);
          open.onupgradeneeded = () => open.result.createObjectStore('records');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('records', 'readwrite');
          const store = tx.objectStore('records');
          for (const [key, value] of entries) store.put(value, key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return bytes;
      },
      { n, userId: user.id, storage, padding: options.padding ?? 0 },
    );
    await server.close(); // "before any network": nothing answers
    // Written one value per record (as an older version stored them); the first load
    // rewrites them as packs (the drivers' compaction), as a first sync would have written
    // them. The reloads measured below start from that.
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('basic-sync:local-ready').length > 0, undefined, { timeout: 60_000 });
    if (storage === 'indexedDB') {
      await page.waitForFunction(
        (userId) =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open(`basic-sync:${userId}`);
            open.onsuccess = () => {
              const count = open.result.transaction('records').objectStore('records').count(IDBKeyRange.upperBound('\uffff', true));
              count.onsuccess = () => {
                open.result.close();
                resolve(count.result < 100);
              };
            };
          }),
        user.id,
        { timeout: 120_000, polling: 500 },
      );
    }
    // Several reloads (the caller reports the median): one page load on a 2-core machine is noisy.
    const samples: ColdStartSample[] = [];
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      await page.waitForFunction(() => performance.getEntriesByName('basic-sync:local-ready').length > 0, undefined, { timeout: 60_000 });
      const [start, ready] = await page.evaluate(() =>
        ['basic-sync:start', 'basic-sync:local-ready'].map((name) => performance.getEntriesByName(name)[0]!.startTime),
      );
      samples.push({ fromNavigationMs: ready!, loadMs: ready! - start! });
    }
    return { samples, bytes };
  });
}
