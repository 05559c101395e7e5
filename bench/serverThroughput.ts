/**
 * The server's write path under load, as a separate process (`server/cli.ts`): `sockets`
 * sockets over `users` accounts (compression negotiated, as browsers do) each send
 * single-change `changes` frames at a fixed offered rate (open loop, so a slow server
 * shows as latency, not as a lower offer). After a warm-up at the same rate (JIT, the
 * WAL file growing; 4 s, WARMUP), measures acknowledgements per second and ack latency; then kills the server with SIGKILL, restarts it on the same data, and checks
 * that every acknowledged write is there.
 *
 * Alone: `npx tsx bench/serverThroughput.ts` (RATE, SECONDS; COMPRESS=0 for the uncompressed
 * ceiling; SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import schema from '../basic.config.js';
import { signInWithoutBrowser } from '../src/remote/localAuth.js';

export interface ThroughputResult {
  offeredPerSecond: number;
  ackedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  acked: number;
  lostAfterKill: number;
  compressed: boolean;
}

export function startServerProcess(dataDir: string, port = 0): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/cli.ts', '--port', String(port), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const found = / at (http:\/\/[^\s]+)/.exec(out);
      if (found) resolve({ child, url: found[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;

export async function serverThroughput({ sockets = 200, users = 20, perSecond = 10_000, seconds = 5, warmupSeconds = Number(process.env.WARMUP ?? 4) } = {}): Promise<ThroughputResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-throughput-'));
  let { child, url } = await startServerProcess(dataDir);
  try {
    const names = Array.from({ length: users }, (_, i) => `load${i}`);
    // One sign-up each (sign-in attempts are rate-limited per IP).
    const tokens = await Promise.all(
      names.map(async (username) => {
        const res = await fetch(`${url}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username} bench password` }) });
        if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
        return (await res.json()) as { access_token: string };
      }),
    );
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const open = await Promise.all(
      Array.from({ length: sockets }, (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          // Offers permessage-deflate, as browsers do (COMPRESS=0 for the uncompressed ceiling).
          const ws = new WebSocket(wsUrl, { perMessageDeflate: process.env.COMPRESS !== '0' });
          ws.once('error', reject);
          ws.once('open', () => ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: null, authToken: tokens[i % users]!.access_token, schema })));
          ws.once('message', () => resolve(ws));
        }),
      ),
    );
    const compressed = open.every((ws) => ws.extensions.includes('permessage-deflate'));

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const ackedKeys: Array<{ user: number; key: string }> = [];
    let acksInWindow = 0;
    let windowOpen = false;
    /** Writes sent before this were the warm-up (JIT, the WAL file growing): not measured. */
    let measureFrom = Infinity;
    open.forEach((ws, s) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; requestId?: string };
        if (frame.type !== 'ack' || !frame.requestId) return;
        const started = sentAt.get(frame.requestId);
        if (started === undefined) return;
        sentAt.delete(frame.requestId);
        if (started >= measureFrom) latencies.push(performance.now() - started);
        ackedKeys.push({ user: s % users, key: frame.requestId });
        if (windowOpen) acksInWindow += 1;
      }),
    );

    // Open loop: every 10 ms, whatever the offered rate says is due by now is sent (by the
    // clock, so a late tick sends more rather than lowering the offer).
    let sent = 0;
    let sentBeforeWindow = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started;
        if (elapsed >= (warmupSeconds + seconds) * 1000) {
          clearInterval(timer);
          return resolve();
        }
        if (!windowOpen && elapsed >= warmupSeconds * 1000) {
          windowOpen = true;
          measureFrom = performance.now();
          sentBeforeWindow = sent;
        }
        const due = Math.floor((elapsed / 1000) * perSecond);
        while (sent < due) {
          const s = sent % sockets;
          const key = `k${sent}`;
          sent += 1;
          sentAt.set(key, performance.now());
          const obj = { id: key, name: `write ${sent}`, type: 'project', lastModified: Date.now(), modifiedBy: 'bench', components: {} };
          open[s]!.send(JSON.stringify({ type: 'changes', changes: [{ type: 1, table: 'projects', key, obj }], partial: false, baseRevision: null, requestId: key }));
        }
      }, 10);
    });
    windowOpen = false;
    const elapsed = (performance.now() - measureFrom) / 1000;
    // Let the last acks come in, then kill the server hard and count what survived.
    const drainUntil = Date.now() + 30_000;
    while (sentAt.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    const acked = ackedKeys.length;
    child.kill(process.env.SERVER_NODE_ARGS ? 'SIGINT' : 'SIGKILL'); // SIGINT lets a profile be written
    await new Promise((r) => child.once('exit', r));
    for (const ws of open) ws.terminate();
    ({ child, url } = await startServerProcess(dataDir));
    let lostAfterKill = 0;
    for (let u = 0; u < users; u++) {
      const { access_token } = await signInWithoutBrowser(url, { user: names[u]!, password: `${names[u]} bench password` });
      const res = await fetch(`${url}/account/${schema.project_id}/db/projects`, { headers: { authorization: `Bearer ${access_token}` } });
      const stored = new Set(((await res.json()) as { data: Array<{ id: string }> }).data.map((r) => r.id));
      lostAfterKill += ackedKeys.filter((a) => a.user === u && !stored.has(a.key)).length;
    }
    return {
      offeredPerSecond: Math.round((sent - sentBeforeWindow) / elapsed),
      ackedPerSecond: Math.round(acksInWindow / elapsed),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      acked,
      lostAfterKill,
      compressed,
    };
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs the load generator in a process of its own (as `npm run bench` does): latency is
 * measured where the acks arrive, so a generator sharing a heap with other benchmarks
 * would count its own garbage collection as the server's latency.
 */
export function serverThroughputAlone(rate = 10_000, seconds = 5): Promise<ThroughputResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serverThroughput.ts'], {
      env: { ...process.env, RATE: String(rate), SECONDS: String(seconds), RESULT_JSON: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as ThroughputResult);
      } catch {
        reject(new Error(`the throughput run exited (${code}) without a result: ${out.slice(-500)}`));
      }
    });
  });
}

// `npx tsx bench/serverThroughput.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await serverThroughput({ perSecond: Number(process.env.RATE ?? 10_000), seconds: Number(process.env.SECONDS ?? 5) });
  console.log(process.env.RESULT_JSON ? JSON.stringify(result) : result);
}
