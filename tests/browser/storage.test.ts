/**
 * A nearly full localStorage in Chromium: the app says so before a write fails, and
 * moving to IndexedDB keeps every project, frees localStorage, and syncs on from there
 * (against the real server).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, sidebarNames, waitForState } from './harness.js';

const h = new Harness();
beforeAll(() => h.start(), 90_000);
afterAll(() => h.stop());

async function addProject(page: Page, name: string) {
  await page.getByLabel('New project name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

async function serverNames(user: string): Promise<string[]> {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  return ((await res.json()) as { data: Array<{ name: string; deleted?: boolean }> }).data.filter((p) => !p.deleted).map((p) => p.name).sort();
}

describe('a nearly full localStorage', () => {
  it('is said before a write fails, and moving to IndexedDB keeps everything and syncs on', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'storage-user');
    await addProject(page, 'Kept through the move');
    await waitForState(page, 'idle');
    await expect.poll(() => serverNames('storage-user')).toEqual(['Kept through the move']);
    const userId = await page.evaluate(() => JSON.parse(localStorage.getItem('basic-sync:session')!).user.id as string);

    // Something else of this origin fills localStorage to 90% (the app's own data is small).
    await page.evaluate(() => localStorage.setItem('another-part-of-the-site', 'x'.repeat(Math.round(5 * 1024 * 1024 * 0.9))));
    expect(await page.getByRole('alert').filter({ hasText: 'storage for your projects' }).count()).toBe(0); // not yet checked
    await addProject(page, 'Written near the limit');
    const notice = page.getByRole('alert').filter({ hasText: 'storage for your projects' });
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toMatch(/9\d% full/);
    await notice.screenshot({ path: 'docs/screenshots/storage-nearly-full.png' });

    await page.getByRole('button', { name: 'Move to larger storage' }).click();
    await page.waitForEvent('load');
    await waitForState(page, 'idle');
    await expect.poll(async () => (await sidebarNames(page)).sort()).toEqual(['Kept through the move', 'Written near the limit']);
    expect(await notice.count()).toBe(0); // IndexedDB: no such limit to warn about
    const local = await page.evaluate((userId) => ({
      userKeys: Object.keys(localStorage).filter((k) => k.startsWith(`basic-sync:${userId}:`)).length,
      kind: localStorage.getItem(`basic-sync-storage:${userId}`),
    }), userId);
    expect(local).toEqual({ userKeys: 0, kind: 'indexedDB' });

    // It syncs on from IndexedDB, and a reload reads it back.
    await addProject(page, 'Written after the move');
    await waitForState(page, 'idle');
    await expect.poll(() => serverNames('storage-user')).toEqual(['Kept through the move', 'Written after the move', 'Written near the limit']);
    await page.reload();
    await waitForState(page, 'idle');
    await expect.poll(async () => (await sidebarNames(page)).sort()).toEqual(['Kept through the move', 'Written after the move', 'Written near the limit']);
    await context.close();
  });
});
