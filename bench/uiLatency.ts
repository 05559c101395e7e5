/**
 * A workspace of N projects in Chromium (the production build, synced from the local
 * server): add, select, rename (each keystroke), move and emoji clicks, each timed from
 * the input to the next paint with the Event Timing API (`PerformanceObserver`, type
 * `event`). The API reports only events of 16 ms or more, so an interaction it does not
 * report took less than 16 ms; the p95 per kind is taken over every interaction, counting
 * those as 16 ms (an upper bound).
 *
 * The same harness also measures a page that does next to nothing (a click changes one
 * word; a key types into a bare input): its count over 16 ms is the floor the harness and
 * Chromium's own frame (waiting for the next vsync, paint, present) give any page, since
 * Event Timing rounds to 8 ms and "16" means under 20.
 */
import type { Browser, Page } from 'playwright-core';
import { seed, USER, PASSWORD } from './firstSync.js';
import { storeSession, withBuiltApp } from './builtApp.js';

type Kinds = Record<string, { interactions: number; slowMs: number[] }>;

export interface UiLatency {
  /** Per kind: how many interactions, and each one's duration when it took 16 ms or more. */
  kinds: Kinds;
  /** The same, on a page that changes one word per click or types into a bare input. */
  floor: Kinds;
}

const nextPaint = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Slow interactions (by `interactionId`, their longest event) since the last call. */
async function takeSlow(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __events: Array<{ id: number; duration: number }> };
    const byInteraction = new Map<number, number>();
    for (const e of w.__events.splice(0)) if (e.id) byInteraction.set(e.id, Math.max(byInteraction.get(e.id) ?? 0, e.duration));
    return [...byInteraction.values()];
  });
}

/** Starts recording `page`'s slow events; the returned function measures one kind of interaction into `kinds`. */
async function eventTiming(page: Page, kinds: Kinds) {
  await page.evaluate(() => {
    const w = window as unknown as { __events: Array<{ id: number; duration: number }> };
    w.__events = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as Array<PerformanceEntry & { interactionId?: number }>) w.__events.push({ id: e.interactionId ?? 0, duration: e.duration });
    }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
  });
  return async (kind: string, count: number, act: (i: number) => Promise<void>) => {
    // Entries arrive after their paint: what came before (a click to set up) is not this kind's.
    await page.waitForTimeout(200);
    await takeSlow(page);
    for (let i = 0; i < count; i++) {
      await act(i);
      await nextPaint(page);
    }
    await page.waitForTimeout(200); // entries are reported after the paint
    kinds[kind] = { interactions: count, slowMs: await takeSlow(page) };
  };
}

/** The harness on a page that does next to nothing: what any page scores. */
async function harnessFloor(browser: Browser): Promise<Kinds> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.setContent(`<button id="word">Click</button> <span id="count">0</span> <input id="text" aria-label="Text">
    <script>let n = 0; document.getElementById('word').onclick = () => { document.getElementById('count').textContent = String(++n); };</script>`);
  const floor: Kinds = {};
  const measure = await eventTiming(page, floor);
  await measure('click', 30, () => page.click('#word'));
  await page.focus('#text');
  await measure('keystroke', 30, () => page.keyboard.press('x'));
  await context.close();
  return floor;
}

export function uiLatency(projects: number): Promise<UiLatency | { skipped: string }> {
  return withBuiltApp(async ({ server, appUrl, browser }) => {
    await server.setPassword(USER, PASSWORD);
    await seed(server, projects);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(appUrl);
    await storeSession(page, server, USER);
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('basic-sync:synced').length > 0, undefined, { timeout: 120_000 });
    await page.locator('.sidebar .tree-item').first().waitFor();
    const kinds: Kinds = {};
    const measure = await eventTiming(page, kinds);
    const rows = page.locator('.sidebar .tree-item');
    await measure('select', 30, (i) => rows.nth(i % 20).click());
    await measure('add', 20, async (i) => {
      await page.getByLabel('New project name').fill(`Added ${i}`);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
    });
    await rows.nth(3).click();
    await page.locator('.project-name').click();
    await measure('rename (per keystroke)', 30, (i) => page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace'));
    // Move: a keyboard drag in the tree (Space picks a row up, ArrowDown goes over the next
    // row, Space drops it there, under that project); each key is one interaction.
    await measure('move', 30, async (i) => {
      if (i % 3 === 0) await rows.nth(10 + i / 3).focus();
      await page.keyboard.press(i % 3 === 1 ? 'ArrowDown' : 'Space');
    });
    await measure('emoji', 20, () => page.getByRole('button', { name: 'Add 🎉' }).click());
    await context.close();
    return { kinds, floor: await harnessFloor(browser) };
  });
}

/** The p95 over every interaction, unreported ones counted as 16 ms. */
export function p95Of({ interactions, slowMs }: { interactions: number; slowMs: number[] }): number {
  const all = [...slowMs, ...Array.from({ length: Math.max(0, interactions - slowMs.length) }, () => 16)].sort((a, b) => a - b);
  return all[Math.min(all.length - 1, Math.ceil(0.95 * all.length) - 1)]!;
}
