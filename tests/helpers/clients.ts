/** Test helpers: sync services with their own storage, against a real server. */
import type { Storage } from 'unstorage';
import WebSocket from 'ws';
import { afterEach, expect } from 'vitest';
import schema, { mergeRules } from '../../basic.config.js';
import type { RunningServer } from '../../server/index.js';
import { testServer } from './server.js';
import { defaultStorage } from './storages.js';
import { createProjectStore } from '../../src/app/stores.js';
import { localServerTokenSource, signInWithoutBrowser } from '../../src/remote/localAuth.js';
import type { WebSocketConstructor } from '../../src/remote/syncSocket.js';
import { createSyncService, type SyncServiceOptions } from '../../src/sync/syncService.js';
import type { BasicSchema } from '../../src/protocol/schema.js';

const services: Array<{ stop(): void }> = [];
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
});

export interface TestClient {
  service: ReturnType<typeof createSyncService>;
  store: ReturnType<typeof createProjectStore>;
  storage: Storage;
  logs: string[];
}

/** The password test accounts get (the server's sign-in is real; tests sign up on first use). */
export const testPassword = (user: string) => `${user} test password`;

/** A started sync service for `user` with its own (or the given) storage. */
export async function startClient(
  server: RunningServer | { url: string },
  user: string,
  options: Partial<SyncServiceOptions> & { storage?: Storage; startMayFail?: boolean } = {},
): Promise<TestClient> {
  const { startMayFail, ...serviceOptions } = options;
  const storage = options.storage ?? defaultStorage();
  const logs: string[] = [];
  const credentials = { user, password: testPassword(user), signUp: true };
  // The account exists with its password before the client signs in (in-process
  // `issueTokens` makes password-less accounts, which no password opens).
  if (!options.getToken) {
    if ('setPassword' in server) await server.setPassword(user, credentials.password);
    // Through a proxy the network may be down (a reload mid-fault): the client starts anyway.
    else await signInWithoutBrowser(server.url, credentials).catch(() => undefined);
  }
  const service = createSyncService<BasicSchema>({
    storage,
    serverUrl: server.url,
    schema,
    merge: mergeRules,
    getToken: localServerTokenSource(server.url, credentials),
    debounceMs: 500,
    maxWaitMs: 1500,
    retry: { baseMs: 50, maxMs: 400 },
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    log: (m) => logs.push(m),
    window: undefined,
    ...serviceOptions,
  });
  services.push(service);
  // A start that fails (the local store cannot load) leaves the service halted, to be inspected.
  await service.start().catch((error: unknown) => {
    if (!startMayFail) throw error;
  });
  let store: TestClient['store'] | undefined;
  return {
    service,
    // Made on first use: a client of another schema has no projects table.
    get store() {
      return (store ??= createProjectStore(service));
    },
    storage,
    logs,
  };
}

/** Every live project of a client, as comparable plain data. */
export function projectsOf(client: TestClient) {
  return client.store.listProjects();
}

/** What the server holds for a user (REST, the whole table). */
export async function serverRecords(server: RunningServer, user: string) {
  const { access_token } = await server.issueTokens(user);
  const res = await fetch(`${server.url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
  const body = (await res.json()) as { data: Array<Record<string, unknown> & { id: string }> };
  return body.data.sort((a, b) => a.id.localeCompare(b.id));
}

/** Every record (tombstones included) of a client, sorted by id. */
export function recordsOf(client: TestClient) {
  return client.service.list('projects').sort((a, b) => a.id.localeCompare(b.id));
}

/** Waits until `check` passes (polling), or fails with its last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A real server and three started clients of one user (three devices). */
export async function threeDevices() {
  const server = await testServer();
  const clients = [await startClient(server, 'alice'), await startClient(server, 'alice'), await startClient(server, 'alice')] as const;
  return { server, clients };
}

/** Waits until every client has pushed everything and holds exactly what the server holds for alice. */
export async function allSynced(server: RunningServer, clients: readonly TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.service.whenSynced()));
  await eventually(async () => {
    const onServer = await serverRecords(server, 'alice');
    for (const c of clients) expect(recordsOf(c)).toEqual(onServer);
  });
}
