/**
 * Operating the server: Prometheus metrics, structured logs without stacks for client
 * errors, and an online backup taken while the server keeps writing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { backupDatabase } from '../../server/backup.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const path = (id: string) => `/account/${schema.project_id}/db/projects/${id}`;

/** The value of one sample in Prometheus' text format. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no sample ${name} in:\n${text.slice(0, 2000)}`);
  return Number(line.slice(name.length + 1));
}

describe('metrics', () => {
  it('serves sockets, frames, writes, commit latency and the revision log size', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const socket = await TestSocket.identified(server, access_token);
    socket.send({ type: 'changes', changes: [{ type: 1, table: 'projects', key: 'a', obj: project('a') }], partial: false, baseRevision: null, requestId: 1 });
    await socket.next('ack');
    socket.send({ type: 'nonsense' });
    await socket.next('error');
    await call(server, access_token, 'PUT', path('b'), { value: project('b') });
    const unidentified = await TestSocket.open(server);

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'basic_sync_sockets{state="unidentified"}')).toBe(1);
    expect(sample(text, 'basic_sync_socket_frames_received_total{type="clientIdentity"}')).toBe(1);
    expect(sample(text, 'basic_sync_socket_frames_received_total{type="changes"}')).toBe(1);
    expect(sample(text, 'basic_sync_socket_frames_received_total{type="invalid"}')).toBe(1);
    expect(sample(text, 'basic_sync_socket_frames_refused_total{code="BAD_REQUEST"}')).toBe(1);
    expect(sample(text, 'basic_sync_changes_written_total{via="socket"}')).toBe(1);
    expect(sample(text, 'basic_sync_changes_written_total{via="rest"}')).toBe(1);
    expect(sample(text, 'basic_sync_commit_seconds_count')).toBe(1);
    expect(sample(text, 'basic_sync_revision_log_entries')).toBe(2);
    expect(text).toMatch(/^basic_sync_process_resident_memory_bytes \d+/m);
    unidentified.close();
  });

  it('asks for the metrics token when one is configured', async () => {
    const server = await testServer({ metricsToken: 'scrape-me' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
  });
});

describe('logs', () => {
  it('are JSON lines with levels; a client error is a debug line without a stack', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const server = await testServer({ logger: pino({ level: 'debug' }, sink) });
    const { access_token } = await server.issueTokens('alice');
    const socket = await TestSocket.identified(server, access_token);
    socket.send('{"type":"changes"');
    await socket.next('error');
    expect((await call(server, access_token, 'PUT', path('x'), { value: { id: 'x', name: 5 } })).status).toBe(400); // a name must be text
    await new Promise((r) => setTimeout(r, 50));
    const refused = lines.filter((l) => l.msg === 'socket: frame refused' || l.msg === 'request refused');
    expect(refused).toHaveLength(2);
    for (const line of refused) {
      expect(line.level).toBe(20); // debug
      expect(JSON.stringify(line)).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });
});

describe('backup', () => {
  it('copies the database while the server keeps writing; the copy holds every acknowledged write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-backup-'));
    const server = await testServer({ dataDir });
    const { access_token } = await server.issueTokens('alice');
    for (let i = 0; i < 50; i++) await call(server, access_token, 'PUT', path(`r${i}`), { value: project(`r${i}`) });
    // Writes go on during the backup; those acknowledged before it started must be in it.
    let writing = true;
    const during = (async () => {
      for (let i = 0; writing; i++) await call(server, access_token, 'PUT', path(`during${i}`), { value: project(`during${i}`) });
    })();
    const to = join(dataDir, 'backup.sqlite');
    expect((await backupDatabase(dataDir, to)).pages).toBeGreaterThan(0);
    writing = false;
    await during;

    const copy = new Database(to, { readonly: true });
    const ids = copy.prepare<[], { id: string }>("SELECT id FROM records WHERE id LIKE 'r%'").all().map((r) => r.id);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `r${i}`)));
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    // The command refuses to overwrite a file.
    await expect(backupDatabase(dataDir, to)).rejects.toThrow(/exists already/);
  });

  it('is one command', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-backup-'));
    const missing = spawnSync('npx', ['tsx', 'server/backup-cli.ts', '--data-dir', dataDir, '--to', join(dataDir, 'b.sqlite')], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/backup failed: no database at/);
  });
});
