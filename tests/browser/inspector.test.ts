/**
 * The in-app inspector (`?inspect`) in Chromium, with no way to reach stately.ai: the
 * statechart drawn from the machine definition with the active states lit, the outbox,
 * and a timeline that steps back to an earlier state and forward again while the
 * browser is offline. Without the flag, none of its code is loaded.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, seriousViolations, waitForState } from './harness.js';

const SHOTS = 'docs/screenshots';
const h = new Harness();
beforeAll(() => h.start(), 90_000);
afterAll(() => h.stop());

/** The diagram ids of the highlighted states (`sync_sync_connected_idle`, ...). */
const litStates = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('[data-testid="inspector-diagram"] .active-state')].map((el) => /-state-(.+)-\d+$/.exec(el.id)?.[1] ?? '?').sort());
const shownEvent = (page: Page) => page.getByTestId('inspector-event').textContent();
const outboxHeading = (page: Page) => page.getByRole('region', { name: 'Outbox', exact: true }).locator('h3').textContent();
const lastRecorded = async (page: Page) => (await page.locator('.inspector-timeline li').last().textContent())!.replace(/^\d+\. /, '');
/** The selected project's id. */
const projectId = (page: Page) => page.evaluate(() => document.querySelector('.tree-item.selected')!.getAttribute('data-row-id')!);
const regions = (page: Page) => page.locator('[data-testid="inspector-state"] li').allTextContents();

describe('the inspector', () => {
  it('draws the statechart with the active states lit and steps back and forward through recorded snapshots while offline', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1500, height: 950 } });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await h.signIn(context, 'inspector-user', '?inspect');
    await page.locator('[data-testid="inspector-diagram"] svg').nth(4).waitFor({ timeout: 30_000 });
    await expect.poll(() => regions(page)).toEqual(['sync: connected › idle', 'inbound: waiting', 'editing: not-editing', 'role: owner', 'token: fresh']);
    await expect.poll(() => litStates(page)).toEqual(
      ['sync_editing', 'sync_editing_not_editing', 'sync_inbound', 'sync_inbound_waiting', 'sync_role', 'sync_role_owner', 'sync_sync', 'sync_sync_connected', 'sync_sync_connected_idle', 'sync_token', 'sync_token_fresh'].sort(),
    );
    // Events in words, not XState's internal names.
    const timeline = await page.locator('.inspector-timeline li').allTextContents();
    expect(timeline.some((t) => t.endsWith('connected'))).toBe(true);
    expect(timeline.some((t) => t.endsWith('local records loaded'))).toBe(true);
    expect(timeline.join('\n')).not.toMatch(/xstate\.|[A-Z]+\.[A-Z]+/);

    // Offline: the change waits in the outbox, and the inspector needs nothing from the network.
    await context.setOffline(true);
    await waitForState(page, 'offline-retry');
    await page.getByLabel('New project name').fill('Seen in the outbox');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(async () => (await page.locator('.inspector-timeline li').allTextContents()).some((t) => t.endsWith('local change'))).toBe(true);
    await page.getByRole('region', { name: 'Outbox', exact: true }).getByText(/^projects\//).waitFor();
    expect(await outboxHeading(page)).toBe('Outbox (1)');
    expect(await litStates(page)).toContain('sync_sync_offline_retry');

    // Step back to before the network went away: idle, connected, nothing waiting.
    const back = page.getByRole('button', { name: '◀ Step back' });
    for (let i = 0; i < 50 && (await shownEvent(page)) !== 'network went offline'; i++) await back.click();
    expect(await shownEvent(page)).toBe('network went offline');
    await back.click();
    expect(await regions(page)).toContain('sync: connected › idle');
    expect(await litStates(page)).toContain('sync_sync_connected_idle');
    expect(await litStates(page)).not.toContain('sync_sync_offline_retry');
    expect(await outboxHeading(page)).toBe('Outbox (0)');
    await page.screenshot({ path: `${SHOTS}/inspector-stepping.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // And forward again: offline-retry; then back to following live.
    await page.getByRole('button', { name: 'Step forward ▶' }).click();
    expect(await shownEvent(page)).toBe('network went offline');
    expect(await litStates(page)).toContain('sync_sync_offline_retry');
    await page.getByRole('button', { name: 'Follow live' }).click();
    expect(await shownEvent(page)).toBe(await lastRecorded(page));
    expect(await page.getByRole('button', { name: 'Following live' }).getAttribute('aria-pressed')).toBe('true');

    await context.setOffline(false);
    await waitForState(page, 'idle', 20_000);
    expect(await outboxHeading(page)).toBe('Outbox (0)');

    // A record being edited gets a live merge actor when another device changes it; it is listed with its state.
    const id = await projectId(page);
    await page.locator('.project-name').click();
    await h.seedProjects('inspector-user', [{ id, name: 'Renamed on another device' }]);
    const mergeActors = page.getByRole('region', { name: 'Merge actors', exact: true });
    await mergeActors.getByText(`held:projects/${id}: held`).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/app-with-inspector.png` });
    await page.locator('.project-name').blur();
    await expect.poll(() => mergeActors.locator('li').count()).toBe(0);
    expect((await page.locator('.inspector-timeline li').allTextContents()).some((t) => t.includes('editing ended'))).toBe(true);
    expect(requests.filter((url) => url.includes('stately'))).toEqual([]);
    await context.close();
  });

  it('costs nothing without the flag: neither the inspector nor the diagram renderer is loaded', async () => {
    const context = await h.profile();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await h.signIn(context, 'plain-user');
    await page.getByLabel('New project name').fill('Not inspected');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForState(page, 'idle');
    expect(await page.locator('.inspector').count()).toBe(0);
    expect(requests.filter((url) => /inspector|mermaid|snapshotRecorder/i.test(url))).toEqual([]);
    await context.close();
  });
});
