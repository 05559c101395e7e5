/**
 * The app as it ships, for browser benchmarks: a local server, the production build
 * served on a free port (pointing at that server), and Debian's Chromium.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { startServer, type RunningServer } from '../server/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BuiltApp {
  server: RunningServer;
  appUrl: string;
  browser: Browser;
}

/** Runs `measure` with the built app, or says why it cannot (no Chromium). */
export async function withBuiltApp<T>(measure: (app: BuiltApp) => Promise<T>): Promise<T | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium is missing at ${CHROMIUM}` };
  const server = await startServer();
  const outDir = mkdtempSync(join(tmpdir(), 'basic-sync-build-'));
  process.env.VITE_BASIC_SERVER_URL = server.url;
  try {
    await build({ logLevel: 'error', build: { outDir, emptyOutDir: true, ...(process.env.BENCH_NO_MINIFY ? { minify: false } : {}) } });
    const site = await preview({ logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
    const appUrl = site.resolvedUrls!.local[0]!;
    server.allowOrigin(appUrl);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      return await measure({ server, appUrl, browser });
    } finally {
      await browser.close();
      await new Promise<void>((r) => site.httpServer.close(() => r()));
    }
  } finally {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Signs `page` (already on the app's origin) in as `user` by storing a session, as the sign-in page would. */
export async function storeSession(page: Page, server: RunningServer, user: string): Promise<{ id: string }> {
  const { refresh, user: info } = await server.issueTokens(user);
  await page.evaluate(
    ({ refresh, user }) => localStorage.setItem('basic-sync:session', JSON.stringify({ refresh, user: { id: user.id, name: user.name, email: '' } })),
    { refresh, user: info },
  );
  return info;
}
