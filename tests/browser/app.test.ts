/**
 * The app in a real browser (Debian's Chromium via playwright-core) against the real
 * server: what a person sees and does. Run with `npm run test:browser`.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, indicator, recordStates, sidebarNames, statesSeen, waitForState } from './harness.js';

const SHOTS = 'docs/screenshots';
const h = new Harness();
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await h.start();
});
afterAll(() => h.stop());

async function serverNames(user: string): Promise<string[]> {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  const { data } = (await res.json()) as { data: Array<{ name?: string; deleted?: boolean }> };
  return data.filter((r) => !r.deleted).map((r) => r.name!).sort();
}

describe('the app, two windows of the same user', () => {
  it('shows an edit from one window in the other after the debounce; the indicator goes debouncing → pushing → synced', async () => {
    const a = await h.signIn(await h.profile(), 'alice');
    const b = await h.signIn(await h.profile(), 'alice');
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-synced.png` });

    await recordStates(a);
    await a.getByLabel('New project name').fill('Trip');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    // From the local store, long before the debounce ends: the tree follows the click's own paint by a frame or two.
    await expect.poll(() => sidebarNames(a), { timeout: 500 }).toEqual(['Trip']);
    await waitForState(a, 'debouncing', 2000);
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-debouncing.png` });
    await waitForState(a, 'idle');
    expect(await statesSeen(a)).toEqual(['idle', 'debouncing', 'pushing', 'idle']);

    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Trip']);
    expect(await serverNames('alice')).toEqual(['Trip']);

    // Sub-project, rename, move, emojis, delete: all reach the other window.
    await a.getByLabel('New sub-project name').fill('Flights');
    await a.getByRole('button', { name: 'Add sub-project' }).click();
    await a.getByRole('button', { name: 'Add 🌴' }).click();
    await a.locator('.project-name').fill('Trip 2026');
    await a.locator('.project-name').blur();
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Trip 2026', 'Flights']);
    await b.getByRole('treeitem', { name: /Trip 2026/ }).click();
    await expect.poll(() => b.getByTestId('emoji-list').textContent(), { timeout: 5000 }).toContain('🌴');

    await b.getByRole('treeitem', { name: /^Flights/ }).click();
    await b.locator('.project-parent').focus(); // as a click would: the places are listed while it is in use
    await b.locator('.project-parent').selectOption({ label: '(top level)' });
    await b.getByRole('button', { name: 'Delete project' }).click();
    await expect.poll(() => sidebarNames(a), { timeout: 5000 }).toEqual(['Trip 2026']);
    await expect.poll(() => serverNames('alice'), { timeout: 5000 }).toEqual(['Trip 2026']);
    await a.context().close();
    await b.context().close();
  });

  it('holds remote changes while a name is being edited, then shows what replaced the user’s name; "Keep mine" puts it back everywhere', async () => {
    const a = await h.signIn(await h.profile(), 'erin');
    const b = await h.signIn(await h.profile(), 'erin');
    await a.getByLabel('New project name').fill('Notes');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Notes']);

    await a.locator('.project-name').focus(); // editing: remote changes to it wait
    await waitForState(a, 'idle');
    await expect.poll(() => indicator(a).textContent()).toContain('Paused while you edit');
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-editing-paused.png` });

    await b.getByRole('treeitem', { name: /^Notes/ }).click();
    await b.locator('.project-name').fill('Notes from B');
    await b.locator('.project-name').blur();
    await waitForState(b, 'idle');
    await expect.poll(() => serverNames('erin'), { timeout: 5000 }).toEqual(['Notes from B']);
    await a.waitForTimeout(300);
    expect(await a.locator('.project-name').inputValue()).toBe('Notes');

    await a.locator('.project-name').blur();
    await expect.poll(() => a.locator('.project-name').inputValue(), { timeout: 5000 }).toBe('Notes from B');
    const notice = a.getByTestId('lost-write');
    await expect.poll(() => notice.textContent()).toContain('“Notes from B” was changed on another device');
    expect(await notice.textContent()).toContain('Yours: name “Notes”');
    await notice.screenshot({ path: `${SHOTS}/notice-replaced.png` });
    await notice.getByRole('button', { name: 'Keep mine' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    expect(await a.locator('.project-name').inputValue()).toBe('Notes');
    await expect.poll(() => serverNames('erin'), { timeout: 5000 }).toEqual(['Notes']);
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Notes']);
    await a.context().close();
    await b.context().close();
  });
});

describe('two windows of one browser profile (shared localStorage)', () => {
  it('follow each other', async () => {
    const context = await h.profile();
    const a = await h.signIn(context, 'jules');
    const b = await context.newPage();
    await b.goto(h.appUrl); // already signed in: same profile
    await waitForState(b, 'idle');
    await a.getByLabel('New project name').fill('Shared');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Shared']);
    await b.getByRole('treeitem', { name: /^Shared/ }).click();
    await b.getByRole('button', { name: 'Add 🚀' }).click();
    await a.getByRole('treeitem', { name: /^Shared/ }).click();
    await expect.poll(() => a.getByTestId('emoji-list').textContent(), { timeout: 5000 }).toContain('🚀');
    await waitForState(a, 'idle');
    await waitForState(b, 'idle');
    await expect.poll(() => serverNames('jules'), { timeout: 5000 }).toEqual(['Shared']);
    await context.close();
  });

  it('share a workspace stored as packs: a first sync, a burst from another device, edits over packed projects, a reload', async () => {
    const pad = (i: number) => String(i).padStart(3, '0');
    await h.seedProjects('kim', Array.from({ length: 600 }, (_, i) => ({ id: `p${i}`, name: `Project ${pad(i)}` })));
    const context = await h.profile();
    const a = await h.signIn(context, 'kim'); // the first sync: 600 projects in one catch-up page
    const b = await context.newPage();
    await b.goto(h.appUrl); // loads them from this profile's localStorage
    await waitForState(b, 'idle');
    const find = async (page: typeof a, name: string) => {
      await page.getByLabel('Search projects').fill(name);
      return sidebarNames(page);
    };
    await expect.poll(() => find(b, 'Project 599')).toEqual(['Project 599']);

    // Another device writes 300 projects at once: one live frame, stored by the syncing window as a pack; the other window hears it.
    await h.seedProjects('kim', Array.from({ length: 300 }, (_, i) => ({ id: `q${i}`, name: `Burst ${pad(i)}` })));
    await expect.poll(() => find(a, 'Burst 299'), { timeout: 10_000 }).toEqual(['Burst 299']);
    await expect.poll(() => find(b, 'Burst 299'), { timeout: 10_000 }).toEqual(['Burst 299']);
    const stored = await a.evaluate(() => {
      const keys = Object.keys(localStorage);
      return { packs: keys.filter((k) => k.includes('\uffffpack:')).length, looseRecords: keys.filter((k) => k.includes(':sync:record:')).length };
    });
    expect(stored.packs).toBeGreaterThanOrEqual(2);
    // 900 records, not 900 keys: only a page under 200 records (the catch-up's last) stays loose.
    expect(stored.looseRecords).toBeLessThan(200);

    // Edits over packed projects, in either window, reach the other window and the server.
    await find(b, 'Project 599');
    await b.getByRole('treeitem', { name: /^Project 599/ }).click();
    await b.locator('.project-name').fill('Renamed in b');
    await b.locator('.project-name').blur();
    await expect.poll(() => find(a, 'Renamed'), { timeout: 5000 }).toEqual(['Renamed in b']);
    await find(a, 'Burst 000');
    await a.getByRole('treeitem', { name: /^Burst 000/ }).click();
    await a.locator('.project-name').fill('Renamed in a');
    await a.locator('.project-name').blur();
    await expect.poll(() => find(b, 'Renamed'), { timeout: 5000 }).toEqual(['Renamed in a', 'Renamed in b']);
    await expect.poll(async () => (await serverNames('kim')).filter((n) => n.startsWith('Renamed')), { timeout: 5000 }).toEqual(['Renamed in a', 'Renamed in b']);

    await a.reload();
    await waitForState(a, 'idle');
    await expect.poll(() => find(a, 'Renamed')).toEqual(['Renamed in a', 'Renamed in b']);
    expect(await find(a, 'Burst 29')).toHaveLength(10); // Burst 290-299
    expect(await find(a, 'Project 00')).toHaveLength(10);
    expect((await serverNames('kim')).length).toBe(900);
    await context.close();
  });
});

describe('offline and reloads', () => {
  it('shows offline while the server is down, keeps editing, and converges when it is back', async () => {
    const a = await h.signIn(await h.profile(), 'carol');
    const b = await h.signIn(await h.profile(), 'carol');
    await a.getByLabel('New project name').fill('Garden');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Garden']);

    await h.stopServer();
    await waitForState(a, 'offline-retry');
    await expect.poll(() => indicator(a).textContent()).toContain('Offline');
    await expect.poll(() => indicator(a).textContent()).toMatch(/retry in \d+s|retrying now/);
    await a.locator('.project-name').fill('Garden, planned offline');
    await a.locator('.project-name').blur();
    await b.getByLabel('New project name').fill('Kitchen');
    await b.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await sidebarNames(a)).toEqual(['Garden, planned offline']); // local editing works
    await expect.poll(() => indicator(a).textContent()).toContain('1 change waiting');
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-offline.png` });

    await h.startServer();
    // Skip the backoff wait; the client may already have retried by itself (the button is gone then).
    await a.getByRole('button', { name: 'Retry now' }).click({ timeout: 2000 }).catch(() => undefined);
    await expect.poll(() => sidebarNames(a), { timeout: 15_000 }).toEqual(['Garden, planned offline', 'Kitchen']);
    await expect.poll(() => sidebarNames(b), { timeout: 15_000 }).toEqual(['Garden, planned offline', 'Kitchen']);
    await expect.poll(() => serverNames('carol'), { timeout: 5000 }).toEqual(['Garden, planned offline', 'Kitchen']);
    await waitForState(a, 'idle');
    await a.context().close();
    await b.context().close();
  });

  it('loses nothing when the page reloads in the middle of the debounce window', async () => {
    const a = await h.signIn(await h.profile(), 'dave');
    await a.getByLabel('New project name').fill('Written just before reload');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForState(a, 'debouncing', 2000);
    expect(await serverNames('dave')).toEqual([]);
    await a.reload();
    await expect.poll(() => sidebarNames(a), { timeout: 5000 }).toEqual(['Written just before reload']);
    await expect.poll(() => serverNames('dave'), { timeout: 5000 }).toEqual(['Written just before reload']);
    await a.context().close();
  });
});

describe('users', () => {
  it('another user never sees the first user\'s projects', async () => {
    const alice = await h.signIn(await h.profile(), 'frank');
    await alice.getByLabel('New project name').fill('Private plans');
    await alice.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForState(alice, 'idle');
    await expect.poll(() => serverNames('frank'), { timeout: 5000 }).toEqual(['Private plans']);

    const bob = await h.signIn(await h.profile(), 'grace');
    await bob.waitForTimeout(500);
    expect(await sidebarNames(bob)).toEqual([]);
    expect(await bob.getByText('No projects yet.').count()).toBe(1);
    await bob.getByLabel('New project name').fill('Grace only');
    await bob.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => serverNames('grace'), { timeout: 5000 }).toEqual(['Grace only']);
    await alice.waitForTimeout(500);
    expect(await sidebarNames(alice)).toEqual(['Private plans']);
    await alice.context().close();
    await bob.context().close();
  });
});

describe('indicator states', () => {
  it('shows "Syncing" while a push waits for its ack, and "Not everything synced" when the server refuses a change', async () => {
    const context = await h.profile();
    let mode: 'delay' | 'refuse' = 'delay';
    // Sit between the app and the real server: hold acks back, or turn one into a refusal.
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { type: string; requestId?: number };
        if (frame.type !== 'ack') return ws.send(m);
        if (mode === 'delay') return void setTimeout(() => ws.send(m), 1500);
        mode = 'delay';
        ws.send(JSON.stringify({ type: 'error', requestId: frame.requestId, message: 'change refused by the server (injected by the test)' }));
      });
    });
    const a = await h.signIn(context, 'henry');
    await a.getByLabel('New project name').fill('Slow network');
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForState(a, 'pushing', 5000);
    await expect.poll(() => indicator(a).textContent()).toContain('Syncing');
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-pushing.png` });
    await waitForState(a, 'idle');

    mode = 'refuse';
    await a.getByRole('button', { name: 'Add 🔥' }).click();
    // The server closes the socket after a refusal; the client reconnects and carries on.
    await expect.poll(() => indicator(a).textContent(), { timeout: 10_000 }).toContain('Not everything synced');
    await a.waitForTimeout(500);
    await waitForState(a, 'idle');
    await expect.poll(() => indicator(a).textContent()).toContain('change refused by the server (injected by the test)');
    await indicator(a).screenshot({ path: `${SHOTS}/indicator-error.png` });
    // The refused change stays local and is reported, not retried in a loop.
    expect(await a.getByTestId('emoji-list').textContent()).toContain('🔥');
    await context.close();
  });
});
