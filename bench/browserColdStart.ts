/**
 * Cold start in a real browser: the production build in Debian's Chromium, 10k records
 * already in localStorage, time until the sync service has loaded them (readable by the
 * UI), before any network, over several reloads. Skipped, with the reason, when Chromium is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { startServer } from '../server/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RELOADS = 5;

/** One page load: when the data was readable, from navigation and from the service's start. */
export interface ColdStartSample {
  fromNavigationMs: number;
  loadMs: number;
}

export async function browserColdStart(n: number): Promise<{ samples: ColdStartSample[] } | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium is missing at ${CHROMIUM}` };
  const server = await startServer();
  const outDir = mkdtempSync(join(tmpdir(), 'basic-sync-build-'));
  process.env.VITE_BASIC_SERVER_URL = server.url;
  try {
    await build({ logLevel: 'error', build: { outDir, emptyOutDir: true } });
    const site = await preview({ logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
    const appUrl = site.resolvedUrls!.local[0]!;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(appUrl);
      const { refresh, user } = await server.issueTokens('bench');
      await page.evaluate(
        ({ n, refresh, user }) => {
          localStorage.setItem('basic-sync:session', JSON.stringify({ refresh, user: { id: user.id, name: user.name, email: '' } }));
          const now = Date.now();
          for (let i = 0; i < n; i++) {
            const record = { id: `r${i}`, name: `record ${i}`, type: 'project', components: {}, lastModified: now + i, modifiedBy: 'bench' };
            localStorage.setItem(`basic-sync:${user.id}:sync:record:projects:r${i}`, JSON.stringify(record));
          }
        },
        { n, refresh, user },
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
    } finally {
      await browser.close();
      await new Promise<void>((r) => site.httpServer.close(() => r()));
    }
  } finally {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
