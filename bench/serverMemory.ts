/**
 * The server's memory with clients that do not cooperate, as a separate process: a 10 MB
 * account, `stalled` subscribers that read nothing (their catch-up must not pile up in
 * the server), and `unidentified` sockets that never say who they are. Reports the
 * process's peak resident memory while they are connected, against its idle figure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import schema from '../basic.config.js';
import { startServerProcess } from './serverThroughput.js';

const MiB = 1024 * 1024;
const memoryOf = (pid: number, field: 'VmRSS') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function serverMemory({ accountMiB = 10, stalled = 20, unidentified = 2000 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-memory-'));
  const { child, url } = await startServerProcess(dataDir);
  const sockets: WebSocket[] = [];
  try {
    const res = await fetch(`${url}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'heavy', password: 'heavy bench password' }) });
    const { access_token } = (await res.json()) as { access_token: string };
    // Incompressible records, so compression cannot hide the size.
    const records = Math.ceil((accountMiB * MiB) / 10_000);
    for (let i = 0; i < records; i += 50) {
      const changes = Array.from({ length: Math.min(50, records - i) }, (_, k) => {
        const id = `r${i + k}`;
        return { type: 1, table: 'projects', key: id, obj: { id, name: randomBytes(7_500).toString('base64'), lastModified: 1, modifiedBy: 'bench' } };
      });
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
        ws.once('error', reject);
        ws.once('open', () => ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: null, authToken: access_token, schema })));
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as { type: string };
          if (frame.type === 'clientIdentity') ws.send(JSON.stringify({ type: 'changes', changes, partial: false, baseRevision: null, requestId: 1 }));
          if (frame.type === 'ack') {
            ws.close();
            resolve();
          }
        });
      });
    }
    await sleep(500);
    const idle = memoryOf(child.pid!, 'VmRSS');
    // The peak while the clients below are connected (VmHWM would include the seeding above).
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(child.pid!, 'VmRSS'))), 25);
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    // Subscribers that read nothing: each asks for the whole account.
    for (let i = 0; i < stalled; i++) {
      const ws = new WebSocket(wsUrl);
      sockets.push(ws);
      await new Promise<void>((resolve) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'clientIdentity', clientIdentity: null, authToken: access_token, schema })));
        ws.once('message', () => {
          ws.send(JSON.stringify({ type: 'subscribe', syncedRevision: null }));
          (ws as unknown as { _socket: Socket })._socket.pause();
          resolve();
        });
      });
    }
    // Sockets that never identify.
    await Promise.all(
      Array.from({ length: unidentified }, () => {
        const ws = new WebSocket(wsUrl);
        sockets.push(ws);
        return new Promise<void>((resolve) => {
          ws.once('open', () => resolve());
          ws.once('error', () => resolve());
        });
      }),
    );
    await sleep(3000);
    clearInterval(sampler);
    return { idleMiB: idle / MiB, peakMiB: peak / MiB, stalled, unidentified, accountMiB };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await serverMemory());
