/**
 * The unmodified `@basictech/react` 0.5.0 client against this project's server: its whole
 * flow (authorize with the sign-in page, code for tokens, userInfo, the schema check, the
 * sync socket) with the browser's requests to api.basic.tech routed to the local server.
 * What it writes reaches the server, and what another client writes reaches it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { Harness } from './harness.js';
import { routeBasicToLocalServer } from './routeBasic.js';

const harness = new Harness();
beforeAll(() => harness.start(), 90_000);
afterAll(() => harness.stop());

type Basic = { isSignedIn: boolean; dbStatus: string; user: { id?: string; name?: string }; db: any; signin(): void };
const basicOf = (page: Page, read: string) => page.evaluate(`(${read})(window.__basic)`);

async function serverProjects(user: string) {
  const { access_token } = await harness.server.issueTokens(user);
  const res = await fetch(`${harness.server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  return ((await res.json()) as { data: Array<{ id: string; name: string }> }).data;
}

describe("Basic's own client (@basictech/react 0.5.0)", () => {
  it('signs in through the sign-in page, syncs its writes up and another client\'s writes down', async () => {
    await harness.server.setPassword('sdk-user', 'sdk-user password');
    const context = await harness.profile();
    await routeBasicToLocalServer(context, harness.server);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`${harness.appUrl}tests/browser/fixtures/basic-sdk.html`);
    await page.getByTestId('status').filter({ hasText: 'signed out' }).waitFor({ timeout: 30_000 });

    // authorize: the SDK sends the page to the server's sign-in page, which redirects back with a code.
    await page.evaluate(() => (window as unknown as { __basic: Basic }).__basic.signin());
    await page.getByLabel('User name').fill('sdk-user');
    await page.getByLabel('Password').fill('sdk-user password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // token, userInfo, schema check, then the socket: the SDK says ONLINE.
    await page.getByTestId('status').filter({ hasText: 'signed in ONLINE' }).waitFor({ timeout: 30_000 });
    expect(await basicOf(page, '(b) => b.user.name')).toBe('sdk-user');

    // Its write reaches the server.
    const record = { name: 'written by the SDK', type: 'project', components: {}, lastModified: Date.now(), modifiedBy: 'sdk' };
    const id = (await page.evaluate((r) => (window as unknown as { __basic: Basic }).__basic.db.collection('projects').add(r), record)) as string;
    await expect.poll(async () => (await serverProjects('sdk-user')).map((p) => p.name), { timeout: 15_000 }).toContain('written by the SDK');
    expect((await serverProjects('sdk-user')).find((p) => p.name === 'written by the SDK')?.id).toBe(id);

    // Another client's write reaches it over the socket.
    const { access_token } = await harness.server.issueTokens('sdk-user');
    const other = { id: 'from-another-client', name: 'written elsewhere', type: 'project', components: {}, lastModified: Date.now(), modifiedBy: 'other' };
    const put = await fetch(`${harness.server.url}/account/${schema.project_id}/db/projects/${other.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: other }),
    });
    expect(put.status).toBe(200);
    await expect
      .poll(async () => (await page.evaluate(() => (window as unknown as { __basic: Basic }).__basic.db.collection('projects').getAll())) as Array<{ name: string }>, {
        timeout: 15_000,
      })
      .toEqual(expect.arrayContaining([expect.objectContaining({ name: 'written elsewhere' }), expect.objectContaining({ name: 'written by the SDK' })]));
    await context.close();
  });
});
