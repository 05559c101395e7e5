/**
 * The todo example (examples/todo, on the built package) in Chromium against a server
 * with its schema: two browsers of one user, lists and todos in both, a tick and notes.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { startServer, type RunningServer } from '../../server/index.js';
import { schema } from '../../examples/todo/src/schema.js';
import { CHROMIUM, freePort } from './harness.js';

let server: RunningServer;
let vite: ViteDevServer;
let browser: Browser;
let appUrl: string;

beforeAll(async () => {
  server = await startServer({ port: 0, dataDir: ':memory:', schema, passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
  process.env.VITE_BASIC_SERVER_URL = server.url;
  vite = await createServer({
    configFile: fileURLToPath(new URL('../../examples/todo/vite.config.ts', import.meta.url)),
    server: { port: await freePort(), host: '127.0.0.1', strictPort: true, hmr: false },
    logLevel: 'warn',
  });
  await vite.listen();
  appUrl = vite.resolvedUrls!.local[0]!;
  server.allowOrigin(appUrl);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.close();
});

async function signIn(user: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(appUrl);
  await page.getByLabel('Name').fill(user);
  await page.getByLabel('Password (8 or more)').fill(`${user} example password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid="sync-indicator"][data-state="idle"]').waitFor({ timeout: 20_000 });
  return page;
}

describe('the todo example in the browser', () => {
  it('two browsers of one user share lists and todos, ticks and notes', async () => {
    const one = await signIn('eve');
    const two = await signIn('eve');
    await one.getByLabel('New list').fill('Groceries');
    await one.getByRole('button', { name: 'Add list' }).click();
    await one.getByLabel('New todo').fill('milk');
    await one.getByRole('button', { name: 'Add', exact: true }).click();
    await two.getByRole('button', { name: 'Groceries' }).click({ timeout: 10_000 });
    await two.getByLabel('milk').check({ timeout: 10_000 });
    await expect.poll(() => one.getByLabel('milk').isChecked(), { timeout: 10_000 }).toBe(true);
    one.once('dialog', (d) => void d.accept('oat'));
    await one.getByRole('button', { name: 'Note' }).click();
    await expect.poll(() => two.getByRole('listitem').filter({ hasText: 'milk' }).textContent(), { timeout: 10_000 }).toContain('eve: oat');
    await two.screenshot({ path: 'docs/screenshots/example-todo.png' });
  });
});
