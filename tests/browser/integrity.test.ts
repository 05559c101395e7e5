/**
 * Data that cannot break or vanish, as a user meets it in Chromium against the real
 * server: concurrent moves that would make a cycle, delete with Undo, an edit lost to a
 * delete elsewhere and restored, and a render error that shows what failed instead of
 * a blank page. Run with `npm run test:browser`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness, sidebarNames, sidebarTree, waitForState } from './harness.js';

const SHOTS = 'docs/screenshots';
const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());

async function serverProjects(user: string) {
  const { access_token } = await h.server.issueTokens(user);
  const res = await fetch(`${h.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  return ((await res.json()) as { data: Array<Record<string, unknown> & { id: string; name?: string; deleted?: boolean }> }).data;
}
const liveNames = async (user: string) => (await serverProjects(user)).filter((r) => !r.deleted).map((r) => r.name).sort();

async function addProject(page: Page, name: string) {
  await page.getByLabel('New project name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}
const select = (page: Page, name: string) => page.locator('.sidebar .tree-item', { hasText: name }).first().click();

describe('concurrent moves in two browsers', () => {
  it('A under B in one and B under A in the other: neither hangs, both show A and B in the same tree, after a reload too', async () => {
    const a = await h.signIn(await h.profile(), 'kim');
    const b = await h.signIn(await h.profile(), 'kim');
    await addProject(a, 'A');
    await addProject(a, 'B');
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['A', 'B']);
    await select(a, 'A');
    await select(b, 'B');

    // Both moves inside the debounce window: neither page has seen the other's.
    // Focused first, as a click would: the dropdown lists the places while it is in use.
    await Promise.all([a.locator('.project-parent').focus(), b.locator('.project-parent').focus()]);
    await Promise.all([a.locator('.project-parent').selectOption({ label: 'B' }), b.locator('.project-parent').selectOption({ label: 'A' })]);
    await waitForState(a, 'idle');
    await waitForState(b, 'idle');
    await expect.poll(() => sidebarTree(a), { timeout: 8000 }).toMatch(/^(A\(B\)|B\(A\))$/);
    const shape = await sidebarTree(a);
    await expect.poll(() => sidebarTree(b), { timeout: 8000 }).toBe(shape);
    // The project each page had selected is still shown and editable.
    expect(await a.locator('.project-name').inputValue()).toBe('A');
    expect(await b.locator('.project-name').inputValue()).toBe('B');
    await a.screenshot({ path: `${SHOTS}/cycle-resolved.png` });

    await a.reload();
    await waitForState(a, 'idle');
    expect(await sidebarTree(a)).toBe(shape);
    const fresh = await h.signIn(await h.profile(), 'kim');
    await expect.poll(() => sidebarTree(fresh), { timeout: 5000 }).toBe(shape);
    for (const p of [a, b, fresh]) await p.context().close();
  });
});

describe('delete and undo', () => {
  it('deletes at once, and the toast’s Undo brings the project and its sub-projects back everywhere; Ctrl+Z undoes a rename', async () => {
    const a = await h.signIn(await h.profile(), 'lee');
    const b = await h.signIn(await h.profile(), 'lee');
    await addProject(a, 'Trip');
    await a.getByLabel('New sub-project name').fill('Flights');
    await a.getByRole('button', { name: 'Add sub-project' }).click();
    await expect.poll(() => sidebarTree(b), { timeout: 5000 }).toBe('Trip(Flights)');

    await select(a, 'Trip');
    await a.getByRole('button', { name: 'Delete project' }).click();
    await expect.poll(() => sidebarTree(a)).toBe(''); // no confirmation
    const toast = a.getByTestId('toast');
    await expect.poll(() => toast.textContent()).toContain('Deleted “Trip” and 1 sub-project');
    await a.screenshot({ path: `${SHOTS}/delete-undo-toast.png` });
    await expect.poll(() => sidebarTree(b), { timeout: 5000 }).toBe('');
    await expect.poll(() => liveNames('lee'), { timeout: 5000 }).toEqual([]);

    await toast.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => sidebarTree(a)).toBe('Trip(Flights)');
    await expect.poll(() => sidebarTree(b), { timeout: 5000 }).toBe('Trip(Flights)');
    await expect.poll(() => liveNames('lee'), { timeout: 5000 }).toEqual(['Flights', 'Trip']);

    // Rename, leave the field, then Ctrl+Z (outside the text field) takes the whole rename back.
    await select(a, 'Flights');
    await a.locator('.project-name').fill('Flights home');
    await a.locator('.project-name').blur();
    await expect.poll(() => sidebarTree(a)).toBe('Trip(Flights home)');
    await a.keyboard.press('Control+z');
    await expect.poll(() => sidebarTree(a)).toBe('Trip(Flights)');
    await expect.poll(() => toast.textContent()).toContain('Undone: Renamed “Flights”');
    await expect.poll(() => sidebarTree(b), { timeout: 5000 }).toBe('Trip(Flights)');
    await a.context().close();
    await b.context().close();
  });
});

describe('nothing typed disappears silently', () => {
  it('an edit lost to a delete on another device is shown with the typed text, and Restore brings it back everywhere', async () => {
    const a = await h.signIn(await h.profile(), 'max');
    const b = await h.signIn(await h.profile(), 'max');
    await addProject(a, 'Plans');
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Plans']);

    await a.locator('.project-name').fill('Plans for the summer'); // still in the field
    await select(b, 'Plans');
    await b.getByRole('button', { name: 'Delete project' }).click();
    await waitForState(b, 'idle');
    await expect.poll(() => liveNames('max'), { timeout: 5000 }).toEqual([]);
    await a.waitForTimeout(300);
    expect(await a.locator('.project-name').inputValue()).toBe('Plans for the summer'); // held while editing

    await a.locator('.project-name').blur();
    const notice = a.getByTestId('lost-write');
    await expect.poll(() => notice.textContent(), { timeout: 5000 }).toContain('“Plans for the summer” was deleted on another device');
    expect(await notice.textContent()).toContain('Yours: name “Plans for the summer”');
    expect(await sidebarNames(a)).toEqual([]);
    await notice.screenshot({ path: `${SHOTS}/notice-deleted.png` });

    await notice.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect.poll(() => sidebarNames(a)).toEqual(['Plans for the summer']);
    await expect.poll(() => sidebarNames(b), { timeout: 5000 }).toEqual(['Plans for the summer']);
    await expect.poll(() => liveNames('max'), { timeout: 5000 }).toEqual(['Plans for the summer']);
    await a.context().close();
    await b.context().close();
  });
});

describe('render errors', () => {
  it('a project whose data cannot be shown shows what failed and a way on, not a blank page', async () => {
    const a = await h.signIn(await h.profile(), 'nell');
    await addProject(a, 'Fine');
    await waitForState(a, 'idle');
    // Another app wrote this project's emojis in another shape.
    const { access_token } = await h.server.issueTokens('nell');
    const odd = { id: 'odd-shape', name: 'Odd shape', type: 'project', lastModified: Date.now(), modifiedBy: 'other-app', components: { emojis: { kind: 'emojis', emojis: 'not a list', lastModified: Date.now(), modifiedBy: 'other-app' } } };
    await fetch(`${h.server.url}/account/${schema.project_id}/db/projects/odd-shape`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: odd }),
    });
    await expect.poll(() => sidebarNames(a), { timeout: 5000 }).toEqual(['Fine', 'Odd shape']);

    await select(a, 'Odd shape');
    const failure = a.locator('.render-error');
    await expect.poll(() => failure.textContent()).toContain('This project could not be shown');
    expect(await failure.textContent()).toContain('The emojis of “Odd shape” are not a list of emojis');
    expect(await sidebarNames(a)).toEqual(['Fine', 'Odd shape']); // the rest of the app still works
    await a.screenshot({ path: `${SHOTS}/render-error.png` });

    await select(a, 'Fine');
    expect(await failure.count()).toBe(0);
    expect(await a.locator('.project-name').inputValue()).toBe('Fine');
    await a.context().close();
  });
});
