/**
 * Sign-out in Chromium against the real server, in the app as it ships (it may sign out
 * offline, and then starts from its service worker): it names changes that have not
 * reached the server, every tab of the profile follows it, and on a shared computer it
 * removes the user's data from the browser (the server still has what was synced).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, freePort, sidebarNames, waitForState } from './harness.js';

const h = new Harness();
const outDir = mkdtempSync(join(tmpdir(), 'basic-sync-app-'));
let site: { url: string; close(): Promise<void> };
beforeAll(async () => {
  await h.start();
  site = await h.servedBuild({ outDir, port: await freePort(), version: '1' });
});
afterAll(async () => {
  await site?.close();
  await h.stop();
  rmSync(outDir, { recursive: true, force: true });
});

async function addProject(page: Page, name: string) {
  await page.getByLabel('New project name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

/** The keys this browser holds for the signed-in user's data, and whether a session is kept. */
function localData(page: Page, userId: string) {
  return page.evaluate((userId) => {
    const keys = Object.keys(localStorage);
    return { userKeys: keys.filter((k) => k.startsWith(`basic-sync:${userId}:`)).length, session: localStorage.getItem('basic-sync:session') !== null };
  }, userId);
}

const userIdOf = (page: Page) => page.evaluate(() => (JSON.parse(localStorage.getItem('basic-sync:session')!) as { user: { id: string } }).user.id);

async function serverNames(user: string): Promise<string[]> {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  return ((await res.json()) as { data: Array<{ name: string }> }).data.map((r) => r.name);
}

describe('signing out', () => {
  it('says what has not synced; keeping the data, every tab signs out and the change syncs at the next sign-in', async () => {
    const context = await h.profile();
    const t1 = await h.signIn(context, 'leaver', '', site.url);
    const t2 = await context.newPage();
    await t2.goto(site.url);
    await t2.evaluate(() => navigator.serviceWorker.ready);
    await t2.getByTestId('user-name').waitFor();
    const userId = await userIdOf(t1);

    await context.setOffline(true);
    await waitForState(t1, 'offline-retry', 5000);
    await addProject(t1, 'Not yet on the server');
    await t1.getByRole('button', { name: 'Sign out' }).click();
    const dialog = t1.getByTestId('signout-dialog');
    await expect.poll(() => dialog.getByTestId('signout-pending').textContent()).toContain('1 change has not reached the server yet (you are offline)');
    await dialog.getByLabel('Remove my projects from this browser').check();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('The 1 change that has not synced will be lost.');
    await t1.screenshot({ path: 'docs/screenshots/signout-pending.png' });
    await dialog.getByLabel('Remove my projects from this browser').uncheck();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await t1.getByTestId('user-name').waitFor();

    await t1.getByRole('button', { name: 'Sign out' }).click();
    await dialog.getByRole('button', { name: 'Sign out', exact: true }).click();
    for (const tab of [t1, t2]) await tab.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    expect(await localData(t1, userId)).toMatchObject({ session: false });
    expect((await localData(t1, userId)).userKeys).toBeGreaterThan(0);
    expect(await serverNames('leaver')).not.toContain('Not yet on the server');

    await context.setOffline(false);
    await t2.close();
    const back = await h.signIn(context, 'leaver', '', site.url);
    await expect.poll(() => serverNames('leaver'), { timeout: 10_000 }).toContain('Not yet on the server');
    await expect.poll(() => sidebarNames(back)).toContain('Not yet on the server');
    await context.close();
  });

  it('on a shared computer: removes the user’s data from this browser; the server keeps what was synced', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'visitor', '', site.url);
    const userId = await userIdOf(page);
    await addProject(page, 'Synced before leaving');
    await waitForState(page, 'idle');
    await expect.poll(() => serverNames('visitor')).toContain('Synced before leaving');

    await page.getByRole('button', { name: 'Sign out' }).click();
    const dialog = page.getByTestId('signout-dialog');
    await expect.poll(() => dialog.textContent()).toContain('Everything you changed has reached the server.');
    await dialog.getByLabel('Remove my projects from this browser').check();
    await dialog.getByRole('button', { name: 'Remove data and sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    expect(await localData(page, userId)).toEqual({ userKeys: 0, session: false });

    const back = await h.signIn(context, 'visitor', '', site.url);
    await expect.poll(() => sidebarNames(back), { timeout: 10_000 }).toContain('Synced before leaving');
    await context.close();
  });
});
