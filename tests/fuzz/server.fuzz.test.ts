/**
 * Fuzzing the server as a process (`server/cli.ts`, as `npm run server` runs it): seeded
 * malformed socket frames and REST requests from one user, including non-ASCII text,
 * invalid UTF-8, deep nesting and numbers JSON cannot carry. Afterwards the process is
 * still up, logged no escaped error, answered no request with a 5xx, and two other users'
 * data is exactly what it was. FUZZ_FRAMES / FUZZ_REQUESTS / SEED change the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { signInWithoutBrowser } from '../../src/remote/localAuth.js';
import { prng } from '../helpers/random.js';
import { identityFrame, restRequest, socketFrame, type FuzzRequest } from './inputs.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1_000);
const SEED = Number(process.env.SEED ?? 1);
const P = schema.project_id;

let child: ChildProcess;
let url = '';
let stderr = '';
const dir = mkdtempSync(join(tmpdir(), 'basic-sync-fuzz-'));

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const found = / at (http:\/\/[^\s]+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}, 30_000);

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const json = async (path: string, token: string, init: RequestInit = {}) => {
  const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  return (await res.json()) as { data: unknown };
};

/** Runs `work(i)` for i < count, `parallel` at a time. */
async function pool(count: number, parallel: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) await work(next++);
  }));
}

/** Any method, path and bytes, as a raw HTTP client sends them; resolves with the status. */
function rawRequest(req: FuzzRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const r = request({ hostname, port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', (error) => reject(new Error(`${req.method} ${req.path} (${String(req.body ?? '').slice(0, 80)}): ${error.message}`)));
    r.end(req.body);
  });
}

/** Opens a socket; identifies as the fuzzing user unless `raw`; resolves with it, or null if refused. */
function openSocket(token: string, raw: boolean): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    ws.on('error', () => resolve(null));
    ws.on('open', () => {
      if (raw) return resolve(ws);
      ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: null, authToken: token, schema }));
      ws.once('message', () => resolve(ws));
    });
  });
}

/** Sends one frame and waits briefly for an answer or the close. */
function sendAndWait(ws: WebSocket, frame: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ws.off('message', done);
      ws.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, 50);
    ws.once('message', done);
    ws.once('close', done);
    if (ws.readyState !== ws.OPEN) return done();
    ws.send(frame, { binary: false }, () => {});
  });
}

describe('the server process under seeded malformed input', () => {
  it(`survives ${FRAMES} frames and ${REQUESTS} REST requests (seed ${SEED}); other users' data is unchanged`, async () => {
    const [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((user) => signInWithoutBrowser(url, { user, password: `${user} password`, signUp: true })));
    const bobId = ((await (await fetch(`${url}/auth/userInfo`, { headers: { authorization: `Bearer ${bob!.access_token}` } })).json()) as { id: string }).id;
    for (const [tokens, ids] of [[alice!, ['a1', 'a2', 'a3']], [bob!, ['b1', 'b2']]] as const) {
      for (const id of ids) {
        await json(`/account/${P}/db/projects/${id}`, tokens.access_token, { method: 'PUT', body: JSON.stringify({ value: { id, name: `known ${id}`, lastModified: 1, modifiedBy: 'seed', components: {} } }) });
      }
    }
    const before = [await json(`/account/${P}/db/projects`, alice!.access_token), await json(`/account/${P}/db/projects`, bob!.access_token)];
    const forged = `${mallory!.access_token.slice(0, -6)}AAAAAA`;
    // Fresh connections per request: reusing kept-alive ones races their closing (client-side hang-ups).
    // Each input has its own generator, so a failing one can be rebuilt from (seed, index).
    const inputRandom = (kind: number, i: number) => prng(SEED * 1_000_003 + kind * 100_000 + i);

    // Socket frames: most close the socket, so sockets keep opening until enough were sent.
    let frames = 0;
    let sockets = 0;
    await pool(16, 16, async () => {
      while (frames < FRAMES) await fuzzOneSocket(inputRandom(1, sockets++));
    });
    async function fuzzOneSocket(random: () => number) {
      const raw = random() < 0.15;
      const ws = await openSocket(mallory!.access_token, raw);
      if (!ws) return;
      if (raw) {
        await sendAndWait(ws, identityFrame(random, forged));
        frames += 1;
      }
      for (let k = 0; k < 3 && ws.readyState === ws.OPEN; k++) {
        await sendAndWait(ws, socketFrame(random));
        frames += 1;
      }
      ws.terminate();
    }

    // REST requests.
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    await pool(REQUESTS, 8, async (i) => {
      const req = restRequest(inputRandom(2, i), P, bobId, { own: mallory!.access_token, forged });
      const status = await rawRequest(req);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) fiveHundreds.push(`${req.method} ${req.path} -> ${status}`);
    });
    console.log(`fuzz seed ${SEED}: ${frames} frames on ${sockets} sockets, ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

    expect(frames).toBeGreaterThanOrEqual(FRAMES);
    expect(child.exitCode).toBeNull();
    expect(fiveHundreds).toEqual([]);
    expect(stderr).not.toMatch(/uncaught|unhandled/i);
    const after = [await json(`/account/${P}/db/projects`, alice!.access_token), await json(`/account/${P}/db/projects`, bob!.access_token)];
    expect(after).toEqual(before);
    // Still serving: a normal write and read.
    await json(`/account/${P}/db/projects/a4`, alice!.access_token, { method: 'PUT', body: JSON.stringify({ value: { id: 'a4', name: 'after the fuzz' } }) });
    expect(((await json(`/account/${P}/db/projects/a4`, alice!.access_token)).data as { name: string }).name).toBe('after the fuzz');
  }, 240_000);
});
