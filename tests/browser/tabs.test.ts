/**
 * Several tabs of one browser profile, in Chromium against the real server: one tab
 * syncs (one socket), the others follow and show its status; closing or freezing the
 * owner hands the role over, and nothing pending is left behind.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, sidebarNames, waitForState } from './harness.js';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());

/** Another tab of an already signed-in profile. */
async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(h.appUrl);
  await page.getByTestId('user-name').waitFor();
  return page;
}

/** A profile signed in as `user` with two tabs: the first owns, the second follows. */
async function ownerAndFollower(user: string) {
  const context = await h.profile();
  const t1 = await h.signIn(context, user);
  const t2 = await openTab(context);
  await expect.poll(() => roles([t1, t2])).toEqual(['owner', 'follower']);
  return { context, t1, t2 };
}

const roleOf = (page: Page) => (page.isClosed() ? Promise.resolve('closed') : page.getByTestId('sync-indicator').getAttribute('data-role'));
const roles = (pages: Page[]) => Promise.all(pages.map(roleOf));

async function addProject(page: Page, name: string) {
  await page.getByLabel('New project name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

/** Milliseconds until one of `pages` says it owns the sync role (polling every 20 ms). */
async function msUntilOwner(pages: Page[], since: number, limitMs: number): Promise<number> {
  for (;;) {
    if ((await roles(pages)).includes('owner')) return Date.now() - since;
    if (Date.now() - since > limitMs) throw new Error(`no owner within ${limitMs} ms: ${await roles(pages)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tabs of one browser profile', () => {
  it('one tab syncs for all: one socket, edits from any tab reach another browser; closing the owner hands over within 1 s, its pending edit still arrives', async () => {
    const context = await h.profile();
    const t1 = await h.signIn(context, 'tabby');
    const t2 = await openTab(context);
    const t3 = await openTab(context);
    await expect.poll(() => roles([t1, t2, t3])).toEqual(['owner', 'follower', 'follower']);
    await expect.poll(() => h.server.sockets().identified).toBe(1);
    // Followers show the owner's status.
    await waitForState(t2, 'idle');

    const elsewhere = await h.signIn(await h.profile(), 'tabby');
    await expect.poll(() => h.server.sockets().identified).toBe(2);
    await addProject(t3, 'From tab 3');
    await expect.poll(() => sidebarNames(elsewhere), { timeout: 5000 }).toContain('From tab 3');

    await addProject(t1, 'Written just before closing');
    const closedAt = Date.now();
    await t1.close();
    const failoverMs = await msUntilOwner([t2, t3], closedAt, 5000);
    console.log(`failover after closing the owner tab: ${failoverMs} ms`);
    expect(failoverMs).toBeLessThan(1000);
    expect((await roles([t2, t3])).sort()).toEqual(['follower', 'owner']);
    await expect.poll(() => sidebarNames(elsewhere), { timeout: 5000 }).toContain('Written just before closing');
    await expect.poll(() => h.server.sockets().identified).toBe(2);
    await elsewhere.context().close();
    await context.close();
  });

  it('a frozen owner is taken over within 5 s, and when it thaws it follows (never two owners)', async () => {
    const { context, t1, t2 } = await ownerAndFollower('frosty');
    const cdp = await context.newCDPSession(t1);
    // Headless Chromium does not freeze a visible page (setWebLifecycleState has no effect
    // here), so the page's JavaScript is also stopped with the debugger: no timers, no
    // heartbeats, the lock still held, as in a frozen or hung tab.
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    const frozenAt = Date.now();
    const failoverMs = await msUntilOwner([t2], frozenAt, 8000);
    console.log(`failover after freezing the owner tab: ${failoverMs} ms`);
    expect(failoverMs).toBeLessThan(5000);
    await addProject(t2, 'Written while tab 1 was frozen');
    await cdp.send('Debugger.resume');
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await expect.poll(() => roles([t1, t2]), { timeout: 5000 }).toEqual(['follower', 'owner']);
    await expect.poll(() => h.server.sockets().identified, { timeout: 5000 }).toBe(1);
    await expect.poll(() => sidebarNames(t1), { timeout: 5000 }).toContain('Written while tab 1 was frozen');
    await context.close();
  });

  it('network off: every tab says offline within 1 s and shows what waits, from any tab; back on, it syncs', async () => {
    const { context, t1, t2 } = await ownerAndFollower('offy');
    await waitForState(t2, 'idle');
    const offAt = Date.now();
    await context.setOffline(true);
    await Promise.all([waitForState(t1, 'offline-retry', 1000), waitForState(t2, 'offline-retry', 1000)]);
    console.log(`every tab offline after ${Date.now() - offAt} ms`);
    await addProject(t2, 'Written offline in tab 2');
    for (const tab of [t1, t2]) await expect.poll(() => tab.getByTestId('sync-indicator').textContent()).toContain('1 change waiting');
    await t2.screenshot({ path: 'docs/screenshots/tabs-offline-follower.png' });
    await context.setOffline(false);
    await waitForState(t1, 'idle', 10_000);
    await waitForState(t2, 'idle', 10_000);
    await expect.poll(async () => (await serverNames('offy')).includes('Written offline in tab 2'), { timeout: 5000 }).toBe(true);
    await context.close();
  });
});

async function serverNames(user: string): Promise<string[]> {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  return ((await res.json()) as { data: Array<{ name: string }> }).data.map((r) => r.name);
}
