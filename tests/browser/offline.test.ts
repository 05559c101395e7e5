/**
 * The app as it ships, in Chromium: its service worker starts it with no network at all
 * (the app's own server gone too), showing the user's data, and a deployed update is
 * offered to the open tab instead of stranding it on the old version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, freePort, sidebarNames, waitForState } from './harness.js';

const h = new Harness();
const outDir = mkdtempSync(join(tmpdir(), 'basic-sync-app-'));
beforeAll(() => h.start());
afterAll(async () => {
  await h.stop();
  rmSync(outDir, { recursive: true, force: true });
});

const appVersion = (page: Page) => page.locator('meta[name="app-version"]').getAttribute('content');
/** Resolves once a service worker is active for the page (it then answers navigations). */
const serviceWorkerActive = (page: Page) => page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state));

describe('the app as it ships', () => {
  it('reloads with no network and shows the user’s data; what is written offline syncs when the network is back', async () => {
    const port = await freePort();
    let site = await h.servedBuild({ outDir, port, version: '1' });
    const context = await h.profile();
    const page = await h.signIn(context, 'nomad', '', site.url);
    await page.getByLabel('New project name').fill('Packed for the road');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForState(page, 'idle');
    expect(await serviceWorkerActive(page)).toBe('activated');
    // What the service worker keeps: the app, not the inspector's megabytes (loaded only with ?inspect).
    const cached = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))).flat());
    expect(cached.some((url) => url.includes('/index.html'))).toBe(true);
    expect(cached.filter((url) => /InspectorPanel|mermaid|elk|cytoscape|katex/i.test(url))).toEqual([]);

    // No network, and nothing serves the app any more: only the service worker can start it.
    await site.close();
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('user-name').filter({ hasText: 'nomad' }).waitFor();
    await expect.poll(() => sidebarNames(page)).toContain('Packed for the road');
    await waitForState(page, 'offline-retry', 5000);
    await page.getByLabel('New project name').fill('Written in the tunnel');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByTestId('sync-indicator').textContent()).toContain('1 change waiting');
    await page.screenshot({ path: 'docs/screenshots/offline-start.png' });

    await context.setOffline(false);
    await waitForState(page, 'idle', 15_000);
    const elsewhere = await h.signIn(await h.profile(), 'nomad');
    await expect.poll(() => sidebarNames(elsewhere), { timeout: 5000 }).toContain('Written in the tunnel');
    await elsewhere.context().close();

    // A new version is deployed: the open tab is told, and one click moves it over.
    site = await h.servedBuild({ outDir, port, version: '2' });
    expect(await appVersion(page)).toBe('1');
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await page.getByTestId('update-prompt').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect.poll(() => appVersion(page).catch(() => null), { timeout: 15_000 }).toBe('2');
    await page.getByTestId('user-name').filter({ hasText: 'nomad' }).waitFor();
    await expect.poll(() => sidebarNames(page)).toContain('Written in the tunnel');
    await context.close();
    await site.close();
  });
});
