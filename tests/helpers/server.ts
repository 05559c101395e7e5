/** Test helpers: a real server on a free port, signed-in users, REST calls, sockets. */
import WebSocket from 'ws';
import { afterEach } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.js';
import type { ServerFrame } from '../../src/protocol/socket.js';

const running: RunningServer[] = [];

/** Starts a server for this test; it is closed after the test. */
export async function testServer(options: ServerOptions = {}): Promise<RunningServer> {
  // A cheap scrypt cost keeps hundreds of test sign-ups fast; the default is in server/auth.ts.
  const server = await startServer({ dataDir: ':memory:', passwordCost: { N: 2 ** 10, r: 8, p: 1 }, ...options });
  running.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export interface Api {
  status: number;
  body: any;
}

/** One REST call with a bearer token; returns the status and the parsed JSON body. */
export async function call(server: RunningServer, token: string | null, method: string, path: string, body?: unknown): Promise<Api> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A raw protocol socket that queues every frame it receives. */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static async open(server: RunningServer): Promise<TestSocket> {
    const ws = new WebSocket(server.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new TestSocket(ws);
  }

  /** Opens a socket and completes the identity handshake. */
  static async identified(server: RunningServer, token: string, clientIdentity: string | null = null): Promise<TestSocket> {
    const socket = await TestSocket.open(server);
    socket.send({ type: 'clientIdentity', clientIdentity, authToken: token });
    await socket.next('clientIdentity');
    return socket;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Removes and returns the first frame of `type` (waits up to 3 s for it). */
  async next<T extends ServerFrame['type']>(type: T, timeoutMs = 3000): Promise<Extract<ServerFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<ServerFrame, { type: T }>;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the server closes the socket. */
  async closedByServer(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket was not closed');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closed;
  }

  /** Gives the server a moment, then reports whether any frame of `type` arrived. */
  async quietFor(type: ServerFrame['type'], ms = 150): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return !this.frames.some((f) => f.type === type);
  }

  close() {
    this.ws.close();
  }
}

/** A project record as the app's schema has it. */
export function project(id: string, fields: Record<string, unknown> = {}) {
  return { id, name: `project ${id}`, type: 'folder', lastModified: 1, components: {}, ...fields };
}
