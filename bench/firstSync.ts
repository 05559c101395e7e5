/**
 * First sync on a new device, side by side in one Chromium against one local server
 * holding N records for a user: this app (the production build, a stored session, an
 * empty profile) and Basic's own client, unmodified (`@basictech/react` 0.5.0,
 * BasicProvider: Dexie over IndexedDB), signed in with its real flow and then started
 * again signed in on an empty database, its https://api.basic.tech requests and
 * wss://api.basic.tech/ws socket routed to the same server. Both are timed from the
 * navigation that starts the page until all N records are readable there: for this app
 * its `basic-sync:synced` mark (the first catch-up applied; the records are counted),
 * for the SDK its own collection's count (`db.collection(...).query().count()`), polled.
 * Each is measured after a first run of its own (the SDK's: its sign-in flow; this app's:
 * its first load with a session), with an empty store every round: a new device's data,
 * the browser's code caches warm for both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { Browser, Page } from 'playwright-core';
import { build, preview } from 'vite';
import WebSocket from 'ws';
import schema, { mergeRules } from '../basic.config.js';
import type { RunningServer } from '../server/index.js';
import { localServerTokenSource } from '../src/remote/localAuth.js';
import type { WebSocketConstructor } from '../src/remote/syncSocket.js';
import { createSyncService } from '../src/sync/syncService.js';
import { memoryStorage } from '../src/testing/index.js';
import { routeBasicToLocalServer } from '../tests/browser/routeBasic.js';
import { storeSession, withBuiltApp } from './builtApp.js';

/** Measured rounds of each (the median is reported): one page load on 2 shared cores varies by ±100 ms. */
const ROUNDS = 5;
export const USER = 'first-sync';
export const PASSWORD = 'first-sync password';

export interface FirstSyncResult {
  oursMs: number[];
  sdkMs: number[];
  /** The SDK's first sync right after its sign-in flow (sign-in included), for reference. */
  sdkWithSignInMs: number;
  /**
   * This app's first round, not measured with the others, as the SDK's first run is not: the
   * page's first load with a session (its code not yet cached, its service worker installing).
   */
  oursFirstMs: number;
  records: number;
}

/** Writes `n` projects for the user through a sync service in Node, as another device would. */
export async function seed(server: RunningServer, n: number): Promise<void> {
  const service = createSyncService({
    storage: memoryStorage(),
    serverUrl: server.url,
    schema,
    merge: mergeRules,
    getToken: localServerTokenSource(server.url, { user: USER, password: PASSWORD }),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    window: undefined,
    tabs: null,
    log: () => {},
  });
  await service.start();
  const projects = service.collection('projects');
  for (let i = 0; i < n; i++) await projects.put({ id: `p${i}`, name: `Project ${i}`, type: 'project', components: {} } as never);
  await service.whenSynced(120_000);
  service.stop();
}

/** Basic's SDK on a page of its own (the browser test's fixture), built for production and served. */
async function serveSdkPage(): Promise<{ url: string; close(): Promise<void> }> {
  const root = resolve(import.meta.dirname, '..');
  const outDir = mkdtempSync(join(tmpdir(), 'basic-sdk-build-'));
  await build({ configFile: false, root, logLevel: 'error', plugins: [react()], build: { outDir, emptyOutDir: true, rollupOptions: { input: join(root, 'tests/browser/fixtures/basic-sdk.html') } } });
  // A page of the same origin without the SDK, to delete its database from while it is closed.
  writeFileSync(join(outDir, 'blank.html'), '<!doctype html><title>blank</title>');
  const site = await preview({ configFile: false, root, logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  return {
    url: `${site.resolvedUrls!.local[0]!}tests/browser/fixtures/basic-sdk.html`,
    close: async () => {
      await new Promise<void>((r) => site.httpServer.close(() => r()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

type SdkWindow = { __basic?: { isSignedIn: boolean; db?: { collection(n: string): { query(): { count(): Promise<number> } } }; signin(): void } };

/**
 * In every page of the context: polls the SDK's collection count every 25 ms and notes
 * (`__readyAt`) when it first holds `n` records, in ms from the page's navigation.
 */
function watchSdkCount(n: number) {
  const w = window as unknown as SdkWindow & { __readyAt?: number };
  let busy = false;
  const timer = setInterval(() => {
    const basic = w.__basic;
    if (busy || !basic?.isSignedIn || !basic.db) return;
    busy = true;
    basic.db
      .collection('projects')
      .query()
      .count()
      .then((count) => {
        if (count >= n && w.__readyAt === undefined) {
          w.__readyAt = performance.now();
          clearInterval(timer);
        }
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, 25);
}

/** Milliseconds from this page's navigation until the SDK's collection held all records. */
async function sdkReadyAt(page: Page): Promise<number> {
  await page.waitForFunction(() => (window as unknown as { __readyAt?: number }).__readyAt !== undefined, undefined, { timeout: 300_000 });
  return page.evaluate(() => (window as unknown as { __readyAt: number }).__readyAt);
}

async function sdkRounds(browser: Browser, server: RunningServer, n: number): Promise<{ sdkMs: number[]; sdkWithSignInMs: number }> {
  const site = await serveSdkPage();
  server.allowOrigin(site.url);
  try {
    const context = await browser.newContext();
    await routeBasicToLocalServer(context, server);
    await context.addInitScript(watchSdkCount, n);
    const page = await context.newPage();
    await page.goto(site.url);
    await page.getByTestId('status').filter({ hasText: 'signed out' }).waitFor({ timeout: 60_000 });
    await page.evaluate(() => (window as unknown as SdkWindow).__basic!.signin());
    await page.getByLabel('User name').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const sdkWithSignInMs = await sdkReadyAt(page);
    const sdkMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A new device: the same signed-in browser (its token cookie), an empty database.
      await page.goto('about:blank');
      const cleaner = await context.newPage();
      await cleaner.goto(`${new URL(site.url).origin}/blank.html`);
      await cleaner.evaluate(() => new Promise<void>((done, fail) => {
        const request = indexedDB.deleteDatabase('basicdb');
        request.onsuccess = () => done();
        request.onerror = () => fail(request.error);
        request.onblocked = () => fail(new Error('deleting basicdb was blocked'));
      }));
      await cleaner.close();
      await page.goto(site.url);
      sdkMs.push(await sdkReadyAt(page));
    }
    await context.close();
    return { sdkMs, sdkWithSignInMs };
  } finally {
    await site.close();
  }
}

async function oursRounds(browser: Browser, server: RunningServer, appUrl: string, n: number): Promise<{ oursMs: number[]; oursFirstMs: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appUrl);
  const oursMs: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    // A new device: a stored session, nothing else.
    await page.evaluate(() => localStorage.clear());
    await storeSession(page, server, USER);
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('basic-sync:synced').length > 0, undefined, { timeout: 300_000 });
    const [at, count] = await page.evaluate(() => [
      performance.getEntriesByName('basic-sync:synced')[0]!.startTime,
      // Loose records, and records in packs (`<lengths>;<key><value>` each: seeded names hold no `;`).
      Object.keys(localStorage).reduce(
        (sum, k) => sum + (k.includes('\uffffpack:') ? localStorage.getItem(k)!.split(';sync:record:projects:').length - 1 : k.includes(':sync:record:projects:') ? 1 : 0),
        0,
      ),
    ]);
    if (count! < n) throw new Error(`the app said synced with ${count} of ${n} records stored`);
    oursMs.push(at!);
  }
  await context.close();
  const [oursFirstMs, ...measured] = oursMs;
  return { oursMs: measured, oursFirstMs: oursFirstMs! };
}

export function firstSync(n: number): Promise<FirstSyncResult | { skipped: string }> {
  return withBuiltApp(async ({ server, appUrl, browser }) => {
    await server.setPassword(USER, PASSWORD);
    await seed(server, n);
    const { oursMs, oursFirstMs } = await oursRounds(browser, server, appUrl, n);
    const { sdkMs, sdkWithSignInMs } = await sdkRounds(browser, server, n);
    return { oursMs, oursFirstMs, sdkMs, sdkWithSignInMs, records: n };
  });
}
