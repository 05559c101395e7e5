/**
 * Every socket and client is bounded, against the real server: identify in time, answer
 * pings, read what is sent, keep to the rate limits and the per-user socket cap.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CREATE } from '../../src/protocol/socket.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const P = 'basic-sync-demo';
const BASE = `/account/${P}/db/projects`;
const change = (key: string, fields: Record<string, unknown> = {}) => ({ type: CREATE, table: 'projects', key, obj: project(key, fields) });
const until = async (check: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
/** The TCP socket under a `ws` client: pausing it makes a client that reads nothing. */
const tcpOf = (ws: WebSocket) => (ws as unknown as { _socket: import('node:net').Socket })._socket;

describe('socket bounds', () => {
  it('closes a socket that does not identify in time (4408)', async () => {
    const server = await testServer({ limits: { identifyTimeoutMs: 200 } });
    const silent = await TestSocket.open(server);
    const closed = await silent.closedByServer(2000);
    expect(closed.code).toBe(4408);
    expect(closed.reason).toMatch(/no clientIdentity within 200 ms/);
    expect(server.sockets().sockets).toBe(0);
  });

  it('drops a peer that stops answering pings; a live one stays', async () => {
    const server = await testServer({ limits: { heartbeatMs: 150 } });
    const { access_token } = await server.issueTokens('alice');
    const live = await TestSocket.identified(server, access_token);
    const dead = await TestSocket.identified(server, access_token);
    tcpOf(dead.ws).pause(); // reads nothing, so answers no ping
    await until(() => server.sockets().identified === 1, 3000);
    expect(live.closed).toBeUndefined();
  });

  it('drops a live subscriber whose unsent data passes the bound; it catches up in full when it comes back', async () => {
    const server = await testServer({ limits: { maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 } });
    const { access_token } = await server.issueTokens('alice');
    const slow = await TestSocket.identified(server, access_token);
    slow.send({ type: 'subscribe', syncedRevision: null });
    const first = await slow.next('changes');
    tcpOf(slow.ws).pause();
    // Incompressible records (the socket is deflated), more than the kernel's buffers hold.
    const writes = 400;
    for (let i = 0; i < writes; i++) await call(server, access_token, 'PUT', `${BASE}/r${i}`, { value: project(`r${i}`, { name: randomBytes(15_000).toString('base64') }) });
    await until(() => server.sockets().identified === 0, 5000);
    // Reconnecting from its checkpoint, it gets everything it missed.
    const back = await TestSocket.identified(server, access_token);
    back.send({ type: 'subscribe', syncedRevision: first.currentRevision });
    const keys = new Set<string>();
    for (;;) {
      const page = await back.next('changes');
      for (const c of page.changes) keys.add(c.key);
      if (!page.partial) break;
    }
    expect(keys.size).toBe(writes);
  });

  it('sends a catch-up in pages bounded by bytes, and what was written meanwhile right after it', async () => {
    const server = await testServer({ limits: { pageBytes: 4096 } });
    const { access_token } = await server.issueTokens('alice');
    for (let i = 0; i < 40; i++) await call(server, access_token, 'PUT', `${BASE}/r${i}`, { value: project(`r${i}`, { name: 'y'.repeat(500) }) });
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'subscribe', syncedRevision: null });
    await call(server, access_token, 'PUT', `${BASE}/meanwhile`, { value: project('meanwhile') });
    const pages = [];
    for (;;) {
      const page = await s.next('changes');
      pages.push(page);
      if (!page.partial && page.changes.some((c) => c.key === 'meanwhile')) break;
      if (!page.partial && pages.flatMap((p) => p.changes).length >= 41) break;
    }
    const keys = pages.flatMap((p) => p.changes.map((c) => c.key));
    expect(new Set(keys)).toEqual(new Set([...Array.from({ length: 40 }, (_, i) => `r${i}`), 'meanwhile']));
    expect(pages.length).toBeGreaterThan(5);
    for (const p of pages) expect(JSON.stringify(p.changes).length).toBeLessThan(4096 + 1200);
  });

  it('caps sockets per user (4429 with RATE_LIMITED); another user is not affected', async () => {
    const server = await testServer({ limits: { maxSocketsPerUser: 2 } });
    const alice = (await server.issueTokens('alice')).access_token;
    await TestSocket.identified(server, alice);
    await TestSocket.identified(server, alice);
    const third = await TestSocket.open(server);
    third.send({ type: 'clientIdentity', clientIdentity: null, authToken: alice });
    expect(await third.next('error')).toMatchObject({ code: 'RATE_LIMITED', message: 'at most 2 sockets per user' });
    expect((await third.closedByServer()).code).toBe(4429);
    await TestSocket.identified(server, (await server.issueTokens('bob')).access_token);
  });
});

describe('rate limits', () => {
  it('per socket: writes past the burst are refused (RATE_LIMITED, 4429) and not applied', async () => {
    const server = await testServer({ limits: { writesPerSocket: { perSecond: 0.001, burst: 3 } } });
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    for (let i = 1; i <= 3; i++) {
      s.send({ type: 'changes', changes: [change(`w${i}`)], partial: false, baseRevision: null, requestId: i });
      expect(await s.next('ack')).toEqual({ type: 'ack', requestId: i });
    }
    s.send({ type: 'changes', changes: [change('w4')], partial: false, baseRevision: null, requestId: 4 });
    expect(await s.next('error')).toMatchObject({ requestId: 4, code: 'RATE_LIMITED' });
    expect((await s.closedByServer()).code).toBe(4429);
    expect((await call(server, access_token, 'GET', BASE)).body.data.map((r: { id: string }) => r.id)).toEqual(['w1', 'w2', 'w3']);
  });

  it('per user, over REST and sockets together: 429 past the burst', async () => {
    const server = await testServer({ limits: { writesPerUser: { perSecond: 0.001, burst: 2 } } });
    const { access_token } = await server.issueTokens('alice');
    expect((await call(server, access_token, 'PUT', `${BASE}/a`, { value: project('a') })).status).toBe(200);
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'changes', changes: [change('b')], partial: false, baseRevision: null, requestId: 1 });
    await s.next('ack');
    const refused = await call(server, access_token, 'PUT', `${BASE}/c`, { value: project('c') });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/too many writes/);
    const bob = (await server.issueTokens('bob')).access_token;
    expect((await call(server, bob, 'PUT', `${BASE}/d`, { value: project('d') })).status).toBe(200);
  });

  it('sign-in attempts per IP: 429 past the burst', async () => {
    const server = await testServer({ limits: { signInsPerIp: { perSecond: 0.001, burst: 2 } } });
    const attempt = () => call(server, null, 'POST', '/auth/token', { grant_type: 'password', username: 'alice', password: 'guess guess' });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const third = await attempt();
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/too many sign-in attempts/);
  });

  it('caps the bytes of a partial batch', async () => {
    const server = await testServer({ limits: { maxPendingBytes: 2048 } });
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'changes', changes: [change('p1', { name: 'z'.repeat(1500) })], partial: true, baseRevision: null, requestId: 1 });
    s.send({ type: 'changes', changes: [change('p2', { name: 'z'.repeat(1500) })], partial: true, baseRevision: null, requestId: 2 });
    expect((await s.next('error')).message).toMatch(/more than 2048 bytes in one partial batch/);
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([]);
  });
});
