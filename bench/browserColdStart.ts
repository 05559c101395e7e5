/**
 * Cold start in a real browser: the production build in Debian's Chromium, 10k records
 * already in localStorage, time until the sync service has loaded them (readable by the
 * UI), before any network, over several reloads. Skipped, with the reason, when Chromium is missing.
 */
import { storeSession, withBuiltApp } from './builtApp.js';

const RELOADS = 5;

/** One page load: when the data was readable, from navigation and from the service's start. */
export interface ColdStartSample {
  fromNavigationMs: number;
  loadMs: number;
}

export function browserColdStart(n: number): Promise<{ samples: ColdStartSample[] } | { skipped: string }> {
  return withBuiltApp(async ({ server, appUrl, browser }) => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    const user = await storeSession(page, server, 'bench');
    await page.evaluate(
      ({ n, userId }) => {
        const now = Date.now();
        for (let i = 0; i < n; i++) {
          const record = { id: `r${i}`, name: `record ${i}`, type: 'project', components: {}, lastModified: now + i, modifiedBy: 'bench' };
          localStorage.setItem(`basic-sync:${userId}:sync:record:projects:r${i}`, JSON.stringify(record));
        }
      },
      { n, userId: user.id },
    );
    await server.close(); // "before any network": nothing answers
    // Several reloads (the caller reports the median): one page load on a 2-core machine is noisy.
    const samples: ColdStartSample[] = [];
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      await page.waitForFunction(() => performance.getEntriesByName('basic-sync:local-ready').length > 0, undefined, { timeout: 30_000 });
      const [start, ready] = await page.evaluate(() =>
        ['basic-sync:start', 'basic-sync:local-ready'].map((name) => performance.getEntriesByName(name)[0]!.startTime),
      );
      samples.push({ fromNavigationMs: ready!, loadMs: ready! - start! });
    }
    return { samples };
  });
}
