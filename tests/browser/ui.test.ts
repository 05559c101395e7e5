/**
 * The app as a user works with it in Chromium, against the real server: a layout that
 * holds with 500 projects and a 10,000-character name, a tree to work with (search,
 * keyboard, collapsing, drag-and-drop moves that refuse a cycle, a stable order while
 * typing), answers in place for bad names, phone width, and an axe-core check of the
 * main screens.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, indicator, seriousViolations, sidebarNames, sidebarTree, waitForState } from './harness.js';

const SHOTS = 'docs/screenshots';
const h = new Harness();
beforeAll(() => h.start(), 90_000);
afterAll(() => h.stop());

const row = (page: Page, name: string) => page.locator('.sidebar .tree-item', { has: page.locator('.tree-name', { hasText: new RegExp(`^${name}$`) }) });

async function addProject(page: Page, name: string) {
  await page.getByLabel('New project name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await row(page, name).waitFor();
}

async function serverParents(user: string): Promise<Record<string, string | null>> {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  const { data } = (await res.json()) as { data: Array<{ id: string; name: string; parentId?: string; deleted?: boolean }> };
  const live = data.filter((p) => !p.deleted);
  const nameOf = new Map(live.map((p) => [p.id, p.name]));
  return Object.fromEntries(live.map((p) => [p.name, p.parentId ? (nameOf.get(p.parentId) ?? '?') : null]));
}

/**
 * Drags one row onto another with the mouse, as a person would (dnd-kit starts after a few
 * pixels): onto its middle (under it), or its top or bottom edge (above or below it).
 */
async function drag(page: Page, from: string, onto: string, where: 'middle' | 'top' | 'bottom' = 'middle') {
  const a = (await row(page, from).boundingBox())!;
  const b = (await row(page, onto).boundingBox())!;
  const y = where === 'top' ? b.y + 3 : where === 'bottom' ? b.y + b.height - 3 : b.y + b.height / 2;
  await page.mouse.move(a.x + 40, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 40, a.y + a.height / 2 + 10, { steps: 3 });
  await page.mouse.move(b.x + 40, y, { steps: 8 });
  await page.mouse.up();
}

const noHorizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
const inViewport = (page: Page, selector: string) =>
  page.evaluate((selector) => {
    const r = document.querySelector(selector)!.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
  }, selector);

describe('a big workspace', () => {
  it('keeps the indicator in view, cuts long names without widening the page, and finds projects by search', async () => {
    const longName = 'x'.repeat(10_000);
    await h.seedProjects('big-user', [
      ...Array.from({ length: 500 }, (_, i) => ({ id: `p${String(i).padStart(3, '0')}`, name: `Project ${String(i).padStart(3, '0')}` })),
      { id: 'long', name: longName },
      { id: 'spaced', name: 'word '.repeat(2_000).trim() },
    ]);
    const context = await h.profile();
    const page = await h.signIn(context, 'big-user');
    await row(page, 'Project 000').waitFor();

    // Project 450 is far down: scroll the tree to it, select it; the top bar stays.
    await page.locator('.tree-scroll').evaluate((el) => (el.scrollTop = 450 * 30));
    await row(page, 'Project 450').click();
    await expect.poll(() => page.locator('.project-name').inputValue()).toBe('Project 450');
    expect(await inViewport(page, '[data-testid="sync-indicator"]')).toBe(true);
    expect(await inViewport(page, '.project-name')).toBe(true);
    expect(await page.evaluate(() => scrollY)).toBe(0);
    await page.screenshot({ path: `${SHOTS}/big-workspace.png` });

    // The 10,000-character names: one line each, cut with an ellipsis, whole in the tooltip; the page keeps its width.
    await page.locator('.tree-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    const long = page.locator('.sidebar .tree-name', { hasText: 'xxxxxxxx' });
    await long.click();
    expect(await long.getAttribute('title')).toBe(longName);
    expect(await long.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')).toBe(true);
    expect(await long.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(30);
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.locator('.sidebar .tree-name', { hasText: 'word word' }).click();
    expect(await noHorizontalOverflow(page)).toBe(true);

    // Search: matches only (any case), the rest hidden; clearing it brings the tree back.
    await page.getByLabel('Search projects').fill('project 45');
    await expect.poll(() => sidebarNames(page)).toEqual(Array.from({ length: 10 }, (_, i) => `Project 45${i}`));
    await page.getByLabel('Search projects').fill('nothing like it');
    await page.getByText('No project matches “nothing like it”.').waitFor();
    await page.getByLabel('Search projects').fill('');
    await row(page, 'Project 000').waitFor();

    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});

describe('the project tree', () => {
  it('moves by drag-and-drop (mouse and keyboard), refuses a drop under its own sub-project, and remembers collapsed sub-trees', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'tree-user');
    for (const name of ['Alpha', 'Beta', 'Gamma']) await addProject(page, name);
    await expect.poll(() => sidebarTree(page)).toBe('Alpha Beta Gamma');

    // Mouse: Beta onto Alpha.
    await drag(page, 'Beta', 'Alpha');
    await expect.poll(() => sidebarTree(page)).toBe('Alpha(Beta) Gamma');

    // Alpha onto its own sub-project: refused, said, nothing changes.
    await drag(page, 'Alpha', 'Beta');
    await page.getByRole('alert').filter({ hasText: '“Alpha” cannot move under its own sub-project “Beta”.' }).waitFor();
    expect(await sidebarTree(page)).toBe('Alpha(Beta) Gamma');
    await page.screenshot({ path: `${SHOTS}/tree-refused-drop.png` });

    // Keyboard: Gamma picked up with Space, one row up (Beta), dropped with Space.
    await row(page, 'Gamma').click();
    await row(page, 'Gamma').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowUp');
    // Said to screen readers: the row it is over (the list is one drop target; the row is worked out).
    await expect.poll(() => page.locator('[id^="DndLiveRegion"]').textContent()).toBe('“Gamma” is over “Beta”.');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('[id^="DndLiveRegion"]').textContent()).toBe('“Gamma” was dropped on “Beta”.');
    await expect.poll(() => sidebarTree(page)).toBe('Alpha(Beta(Gamma))');
    await waitForState(page, 'idle');
    expect(await serverParents('tree-user')).toEqual({ Alpha: null, Beta: 'Alpha', Gamma: 'Beta' });

    // Collapsing Alpha hides what is under it, and stays so after a reload.
    await row(page, 'Alpha').locator('.twisty').click();
    expect(await sidebarTree(page)).toBe('Alpha');
    expect(await row(page, 'Alpha').getAttribute('aria-expanded')).toBe('false');
    await page.reload();
    await row(page, 'Alpha').waitFor();
    expect(await sidebarTree(page)).toBe('Alpha');
    await context.close();
  });

  it('reorders siblings by dropping above or below a row, or with Alt+arrows; every device shows that order, and Undo takes it back', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'order-user');
    for (const name of ['Alpha', 'Beta', 'Gamma']) await addProject(page, name);
    await drag(page, 'Gamma', 'Alpha', 'top');
    await expect.poll(() => sidebarTree(page)).toBe('Gamma Alpha Beta');
    await drag(page, 'Gamma', 'Beta', 'bottom');
    await expect.poll(() => sidebarTree(page)).toBe('Alpha Beta Gamma');
    await row(page, 'Alpha').click();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => sidebarTree(page)).toBe('Beta Alpha Gamma');
    // Dropped above a sub-project: beside it, under its parent.
    await drag(page, 'Gamma', 'Beta', 'middle');
    await expect.poll(() => sidebarTree(page)).toBe('Beta(Gamma) Alpha');
    await drag(page, 'Alpha', 'Gamma', 'top');
    await expect.poll(() => sidebarTree(page)).toBe('Beta(Alpha Gamma)');
    await page.screenshot({ path: `${SHOTS}/tree-reordered.png` });

    await waitForState(page, 'idle');
    const elsewhere = await h.signIn(await h.profile(), 'order-user');
    await expect.poll(() => sidebarTree(elsewhere), { timeout: 5000 }).toBe('Beta(Alpha Gamma)');
    await elsewhere.context().close();

    await page.locator('body').click({ position: { x: 900, y: 600 } }); // out of any field
    await page.keyboard.press('Control+z');
    await expect.poll(() => sidebarTree(page)).toBe('Beta(Gamma) Alpha');
    await context.close();
  });

  it('works from the keyboard: arrows, Enter to rename, Delete with Undo; a renamed project keeps its place until editing ends', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'keys-user');
    for (const name of ['Apples', 'Bread', 'Cheese']) await addProject(page, name);
    await drag(page, 'Bread', 'Apples');
    await expect.poll(() => sidebarTree(page)).toBe('Apples(Bread) Cheese');

    await row(page, 'Apples').click();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.project-name').inputValue()).toBe('Bread');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.project-name').inputValue()).toBe('Cheese');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft'); // to the parent
    await expect.poll(() => page.locator('.project-name').inputValue()).toBe('Apples');
    await page.keyboard.press('ArrowLeft'); // collapses it
    expect(await sidebarTree(page)).toBe('Apples Cheese');
    await page.keyboard.press('ArrowRight'); // opens it again
    expect(await sidebarTree(page)).toBe('Apples(Bread) Cheese');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Apples');

    // Enter renames: the name field takes the keys. "Cheese" becomes "Aa cheese" letter by letter
    // and keeps its place while typing; it moves when editing ends.
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('project-name');
    await page.keyboard.press('Home');
    for (const key of ['A', 'a', ' ']) {
      await page.keyboard.press(key === ' ' ? 'Space' : key);
      expect(await sidebarTree(page)).toMatch(/^Apples\(Bread\) /);
    }
    await page.keyboard.press('Enter'); // ends the rename: the keys go back to the tree
    await expect.poll(() => sidebarTree(page)).toBe('Aa Cheese Apples(Bread)');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('treeitem');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.project-name').inputValue()).toBe('Apples');

    // Delete on a row deletes it (and what is under it); Undo brings them back.
    await row(page, 'Apples').focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => sidebarTree(page)).toBe('Aa Cheese');
    await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => sidebarTree(page)).toBe('Aa Cheese Apples(Bread)');
    await context.close();
  });
});

describe('answers in place', () => {
  it('says an empty name cannot be, counts near the cap, and shows how to remove an emoji', async () => {
    const context = await h.profile();
    const page = await h.signIn(context, 'feedback-user');
    await page.getByLabel('New project name').fill('   ');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'A name cannot be empty' }).waitFor();
    expect(await sidebarNames(page)).toEqual([]);

    await addProject(page, 'Kept');
    await row(page, 'Kept').click();
    await page.locator('.project-name').fill('');
    await page.getByRole('alert').filter({ hasText: 'A name cannot be empty' }).waitFor();
    expect(await page.locator('.project-name').getAttribute('aria-invalid')).toBe('true');
    expect(await sidebarNames(page)).toEqual(['Kept']); // the last name that could be
    await page.locator('.project-name').fill('y'.repeat(300));
    expect((await page.locator('.project-name').inputValue()).length).toBe(200);
    await page.getByText('200/200').waitFor();

    await page.getByRole('button', { name: 'Add 🎉' }).click();
    const remove = page.getByRole('button', { name: 'Remove 🎉' });
    expect(await remove.locator('.emoji-x').isVisible()).toBe(false);
    await remove.hover();
    expect(await remove.locator('.emoji-x').isVisible()).toBe(true);
    await page.locator('.emojis').screenshot({ path: `${SHOTS}/emoji-remove.png` });
    await remove.click();
    await page.getByText('None yet — pick some below.').waitFor();
    await context.close();
  });
});

describe('the sign-in page', () => {
  it('looks like the app, has a favicon, and loads with no failed request', async () => {
    // (axe is injected as a script, which the page's strict Content-Security-Policy would refuse)
    const context = await h.browser.newContext({ viewport: { width: 1100, height: 640 }, bypassCSP: true });
    const failed: string[] = [];
    context.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const page = await context.newPage();
    await page.goto(h.appUrl);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('User name').waitFor();
    expect(await page.evaluate(() => (document.querySelector('link[rel="icon"]') as HTMLLinkElement | null)?.href)).toMatch(/\/favicon\.svg$/);
    const icon = await page.request.get(new URL('/favicon.svg', page.url()).href);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/signin-page.png` });
    expect(failed).toEqual([]);
    await context.close();
  });
});

describe('phone width', () => {
  it('shows the editor with the sidebar as a drawer, nothing wider than the screen', async () => {
    const context = await h.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await h.signIn(context, 'phone-user');
    await page.getByRole('button', { name: '☰ Projects' }).click();
    await addProject(page, 'On the go');
    await page.screenshot({ path: `${SHOTS}/phone-drawer.png` });
    expect(await seriousViolations(page)).toEqual([]);
    await row(page, 'On the go').click();
    await expect.poll(() => page.locator('.sidebar').evaluate((el) => getComputedStyle(el).visibility)).toBe('hidden');
    expect(await page.locator('.project-name').inputValue()).toBe('On the go');
    expect(await inViewport(page, '.project-name')).toBe(true);
    expect(await indicator(page).isVisible()).toBe(true);
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/phone-editor.png` });
    await context.close();
  });
});
