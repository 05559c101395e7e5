/**
 * The sync socket against the real server. Its access token is renewed on the open socket (`tokenUpdate`), against the
 * real server with short-lived tokens: the socket outlives several tokens without a
 * reconnect, and when renewing fails the server's expiry closes it and the client comes
 * back with a fresh token (what 0.5.0 clients always do).
 */
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { localServerTokenSource } from '../../src/remote/localAuth.js';
import { eventually, recordsOf, serverRecords, startClient, testPassword } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';
import { FaultProxy } from '../fault/faultProxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the sync machine's CONNECTION.OPEN events (one per socket the client opened). */
function socketOpens() {
  const seen = { opens: 0 };
  const inspect = (e: InspectionEvent) => {
    if (e.type === '@xstate.event' && e.event.type === 'CONNECTION.OPEN') seen.opens += 1; // only the sync machine receives it
  };
  return { seen, inspect };
}

describe('renewing the socket token', () => {
  it('keeps one socket open across several token lifetimes, and it still syncs', async () => {
    // 4 s tokens, renewed halfway: 2 s of slack for a loaded CI machine (with 2 s tokens a
    // 1 s stall of the whole test run made the server close the socket at expiry).
    const server = await testServer({ tokenTtlSeconds: 4 });
    const { seen, inspect } = socketOpens();
    const a = await startClient(server, 'alice', { inspect });
    await a.service.whenSynced();
    await a.store.addProject({ name: 'before' });
    await a.service.whenSynced();
    await sleep(11_000); // almost three token lifetimes
    const added = await a.store.addProject({ name: 'after three tokens' });
    await a.service.whenSynced();

    expect(seen.opens).toBe(1);
    expect(server.sockets().identified).toBe(1);
    expect(a.service.status().state).toBe('idle');
    expect((await serverRecords(server, 'alice')).map((r) => r.name).sort()).toEqual(['after three tokens', 'before']);
    expect(recordsOf(a).find((r) => r.id === added.id)?.name).toBe('after three tokens');
  }, 30_000);

  it('when renewing fails, the server closes the socket at expiry and the client reconnects with a fresh token', async () => {
    const server = await testServer({ tokenTtlSeconds: 2 });
    const credentials = { user: 'alice', password: testPassword('alice') };
    await server.setPassword('alice', credentials.password);
    const real = localServerTokenSource(server.url, credentials);
    let refreshWorks = true;
    const getToken = () => (refreshWorks ? real() : Promise.reject(new Error('the sign-in service is unreachable')));
    const { seen, inspect } = socketOpens();
    const a = await startClient(server, 'alice', { getToken, inspect });
    await a.service.whenSynced();

    refreshWorks = false;
    await eventually(() => expect(a.service.status().state).toBe('offline-retry'), 8000);
    await a.store.addProject({ name: 'written while signed out' });
    refreshWorks = true;
    a.service.retryNow();
    await eventually(async () => {
      expect(a.service.status().state).toBe('idle');
      expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['written while signed out']);
    }, 8000);
    expect(seen.opens).toBe(2);
  }, 20_000);
});

describe('the socket URL', () => {
  it('can be set apart from the REST URL (newer BasicDB serves the socket from its own host)', async () => {
    const server = await testServer();
    const socketHost = await FaultProxy.start(server.port); // a second address for the same server
    try {
      const a = await startClient(server, 'alice', { socketUrl: `ws://127.0.0.1:${socketHost.port}/ws` });
      await a.store.addProject({ name: 'through the socket host' });
      await a.service.whenSynced();
      expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['through the socket host']);
      // The socket went to the socket host, and only it did (REST stays on the server URL).
      expect(socketHost.stats.connections).toBe(1);
    } finally {
      await socketHost.close();
    }
  });
});

describe("the browser's offline and online events", () => {
  it('offline moves to offline-retry at once (no ack timeout to wait for); online reconnects at once', async () => {
    const server = await testServer();
    const browserWindow = new EventTarget();
    const a = await startClient(server, 'alice', { window: browserWindow as never, retry: { baseMs: 60_000, maxMs: 60_000 }, remoteTimeoutMs: 10_000 });
    await a.service.whenSynced();
    browserWindow.dispatchEvent(new Event('offline'));
    expect(a.service.status().state).toBe('offline-retry');
    expect(a.service.status().lastError).toBe('the browser is offline');
    await a.store.addProject({ name: 'written offline' });
    expect(a.service.status().pendingCount).toBe(1);
    // The next retry is a minute away; `online` does not wait for it.
    browserWindow.dispatchEvent(new Event('online'));
    await a.service.whenSynced();
    expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['written offline']);
  });
});
