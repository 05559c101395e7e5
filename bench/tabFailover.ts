/**
 * Failover among the tabs of one browser profile, in Chromium with the built app: how
 * long from closing the owner tab, and from freezing it (its JavaScript stopped with the
 * debugger, as in a frozen or hung tab: headless Chromium does not freeze a visible page),
 * until another tab says it owns the sync role. Three tabs throughout.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { storeSession, withBuiltApp } from './builtApp.js';

const roleOf = (page: Page) => page.getByTestId('sync-indicator').getAttribute('data-role');

async function openTab(context: BrowserContext, appUrl: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByTestId('user-name').waitFor({ timeout: 30_000 });
  return page;
}

/** The tab that owns, once exactly one does. */
async function owner(tabs: Page[], limitMs: number): Promise<Page> {
  const since = Date.now();
  for (;;) {
    const roles = await Promise.all(tabs.map(roleOf));
    const owners = tabs.filter((_, i) => roles[i] === 'owner');
    if (owners.length === 1) return owners[0]!;
    if (Date.now() - since > limitMs) throw new Error(`no single owner within ${limitMs} ms: ${roles}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function tabFailover(closes: number, freezes: number): Promise<{ closeMs: number[]; freezeMs: number[] } | { skipped: string }> {
  return withBuiltApp(async ({ server, appUrl, browser }) => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(appUrl);
    await storeSession(first, server, 'failover');
    let tabs = [first];
    await first.reload();
    while (tabs.length < 3) tabs.push(await openTab(context, appUrl));

    const closeMs: number[] = [];
    for (let i = 0; i < closes; i++) {
      const old = await owner(tabs, 10_000);
      tabs = tabs.filter((t) => t !== old);
      const t = Date.now();
      await old.close();
      await owner(tabs, 10_000);
      closeMs.push(Date.now() - t);
      tabs.push(await openTab(context, appUrl));
    }

    const freezeMs: number[] = [];
    for (let i = 0; i < freezes; i++) {
      const old = await owner(tabs, 10_000);
      const cdp = await context.newCDPSession(old);
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      await cdp.send('Debugger.enable');
      await cdp.send('Debugger.pause');
      const t = Date.now();
      await owner(tabs.filter((x) => x !== old), 10_000);
      freezeMs.push(Date.now() - t);
      await cdp.send('Debugger.resume');
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await cdp.detach();
      await owner(tabs, 10_000); // the thawed tab has stepped down
    }
    await context.close();
    return { closeMs, freezeMs };
  });
}
