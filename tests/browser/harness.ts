/**
 * The browser-test harness: a real server (on disk, so it can restart on the same
 * port), the app served by Vite pointing at it, and Debian's Chromium via playwright-core.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, createServer as createVite, preview, type Plugin, type ViteDevServer } from 'vite';
import { startServer, type RunningServer } from '../../server/index.js';
import { localServerTokenSource } from '../../src/remote/localAuth.js';
import { memoryStorage } from '../../src/testing/index.js';
import { startClient } from '../helpers/clients.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class Harness {
  server!: RunningServer;
  vite!: ViteDevServer;
  browser!: Browser;
  appUrl!: string;
  private dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-browser-'));
  private serverPort = 0;
  private readonly accounts = new Set<string>();

  async start(): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH)`);
    }
    this.serverPort = await freePort();
    await this.startServer();
    process.env.VITE_BASIC_SERVER_URL = this.server.url;
    delete process.env.VITE_BASIC_PROJECT_ID;
    const appPort = await freePort();
    this.vite = await createVite({ server: { port: appPort, strictPort: true, host: '127.0.0.1', hmr: false }, logLevel: 'warn' });
    await this.vite.listen();
    this.appUrl = `http://127.0.0.1:${appPort}/`;
    this.server.allowOrigin(this.appUrl);
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Warm Vite's dependency optimisation once so the first test does not pay for it.
    const page = await this.browser.newPage();
    await page.goto(this.appUrl);
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    await page.close();
  }

  async startServer(): Promise<void> {
    this.server = await startServer({ port: this.serverPort, dataDir: this.dataDir, allowedOrigins: this.appUrl ? [this.appUrl] : [] });
  }

  async stopServer(): Promise<void> {
    await this.server.close();
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.vite?.close();
    await this.server?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * The app as it ships (production build, with its service worker), served on `port`
   * from `outDir`; `version` is written into its page, so a second build is a new version.
   */
  async servedBuild(options: { outDir: string; port: number; version: string }): Promise<{ url: string; close(): Promise<void> }> {
    const versionMark: Plugin = { name: 'version-mark', transformIndexHtml: (html) => html.replace('<title>', `<meta name="app-version" content="${options.version}" />\n    <title>`) };
    await build({ logLevel: 'error', plugins: [versionMark], build: { outDir: options.outDir, emptyOutDir: true } });
    const site = await preview({ logLevel: 'error', build: { outDir: options.outDir }, preview: { port: options.port, host: '127.0.0.1', strictPort: true } });
    const url = `http://127.0.0.1:${options.port}/`;
    this.server.allowOrigin(url);
    return { url, close: () => new Promise<void>((resolve) => site.httpServer.close(() => resolve())) };
  }

  /** A separate browser profile (own localStorage), like a second browser. */
  async profile(): Promise<BrowserContext> {
    return this.browser.newContext({ viewport: { width: 1100, height: 640 } });
  }

  /**
   * Creates `user`'s account with these projects already on the server (written by a
   * Node client of the library, as another device would), so the browser's sign-in
   * pulls them.
   */
  async seedProjects(user: string, projects: Array<{ id: string; name: string; parentId?: string }>): Promise<void> {
    const password = `${user} browser password`;
    await this.server.setPassword(user, password);
    this.accounts.add(user);
    const { service } = await startClient(this.server, user, { getToken: localServerTokenSource(this.server.url, { user, password }), storage: memoryStorage(), tabs: null });
    const collection = service.collection('projects');
    for (const project of projects) await collection.put({ type: 'project', components: {}, ...project } as never);
    await service.whenSynced(60_000);
    service.stop();
  }

  /** Opens the app in `context` and signs in as `user` through the server's sign-in page. */
  async signIn(context: BrowserContext, user: string, query = '', appUrl = this.appUrl): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`${appUrl}${query}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(`${user} browser password`);
    // The first sign-in of a name in this run creates its account.
    const action = this.accounts.has(user) ? 'Sign in' : 'Create account';
    this.accounts.add(user);
    await page.getByRole('button', { name: action }).click();
    await page.getByTestId('user-name').filter({ hasText: user }).waitFor();
    await waitForState(page, 'idle');
    return page;
  }
}

export const indicator = (page: Page) => page.getByTestId('sync-indicator');

/** Waits until the indicator shows the given statechart state. */
export async function waitForState(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-testid="sync-indicator"][data-state="${state}"]`).waitFor({ timeout });
}

/** Records every state the indicator shows from now on (read with `statesSeen`). */
export async function recordStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __states: string[] };
    const el = document.querySelector('[data-testid="sync-indicator"]')!;
    w.__states = [el.getAttribute('data-state')!];
    new MutationObserver(() => {
      const s = el.getAttribute('data-state')!;
      if (w.__states[w.__states.length - 1] !== s) w.__states.push(s);
    }).observe(el, { attributes: true, attributeFilter: ['data-state'] });
  });
}

export function statesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __states: string[] }).__states);
}

/** Names in the project sidebar, in order. */
export async function sidebarNames(page: Page): Promise<string[]> {
  return page.locator('.sidebar .tree-name').allTextContents();
}

/** The sidebar's tree as text, children in order: "A(B C) D" (rows in the order shown). */
export function sidebarTree(page: Page): Promise<string> {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('.sidebar ul.tree > li')]
      .map((li) => ({ depth: Number(li.getAttribute('data-depth')), top: new DOMMatrix(getComputedStyle(li).transform).m42, name: li.querySelector('.tree-name')!.textContent! }))
      .sort((a, b) => a.top - b.top);
    let at = 0;
    const level = (depth: number): string => {
      const parts: string[] = [];
      while (at < rows.length && rows[at]!.depth === depth) {
        const name = rows[at]!.name;
        at += 1;
        const inner = at < rows.length && rows[at]!.depth > depth ? level(depth + 1) : '';
        parts.push(inner ? `${name}(${inner})` : name);
      }
      return parts.join(' ');
    };
    return level(0);
  });
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
