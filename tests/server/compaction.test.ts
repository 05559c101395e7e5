/**
 * Revision log compaction against the real server: one log entry per record however
 * often it is written, hard deletes forgotten past the retention horizon, and a client
 * whose checkpoint is older than the horizon gets the whole state, marked `snapshot`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const path = (id = '') => `/account/${schema.project_id}/db/projects${id ? `/${id}` : ''}`;

async function catchUpFrom(server: Awaited<ReturnType<typeof testServer>>, token: string, syncedRevision: number | null) {
  const socket = await TestSocket.identified(server, token);
  socket.send({ type: 'subscribe', syncedRevision });
  const frame = await socket.next('changes');
  socket.close();
  return frame as typeof frame & { snapshot?: boolean };
}

describe('revision log compaction', () => {
  it('keeps one log entry per record, however often it is written', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    for (let i = 0; i < 300; i++) {
      expect((await call(server, access_token, 'PUT', path('a'), { value: project('a', { name: `a ${i}`, lastModified: i }) })).status).toBe(200);
    }
    await call(server, access_token, 'PUT', path('b'), { value: project('b') });
    expect(server.revisionLogSize()).toBe(2);
    // A catch-up from the start still sees the latest state of both.
    const frame = await catchUpFrom(server, access_token, 0);
    expect(frame.currentRevision).toBe(301);
    expect(frame.changes.map((c) => [c.key, 'obj' in c ? c.obj?.name : undefined])).toEqual([
      ['a', 'a 299'],
      ['b', 'project b'],
    ]);
    expect(frame.snapshot).toBeUndefined();
  });

  it('forgets hard deletes past the horizon; a client behind it gets the whole state as a snapshot, one past it the usual catch-up', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    for (const id of ['a', 'b', 'c']) await call(server, access_token, 'PUT', path(id), { value: project(id) });
    const seenAllThree = 3;
    expect((await call(server, access_token, 'DELETE', path('b'))).status).toBe(200); // revision 4
    await call(server, access_token, 'PUT', path('c'), { value: project('c', { name: 'c renamed', lastModified: 2 }) }); // revision 5
    // Still within the horizon: the delete is in the catch-up.
    expect((await catchUpFrom(server, access_token, seenAllThree)).changes).toEqual([
      { type: 3, table: 'projects', key: 'b' },
      { type: 1, table: 'projects', key: 'c', obj: project('c', { name: 'c renamed', lastModified: 2 }) },
    ]);

    expect(server.compact(0)).toEqual({ forgottenDeletes: 1, accounts: 1 });
    expect(server.revisionLogSize()).toBe(2);
    // Behind the horizon (revision 4): the whole state, flagged, so the client knows b is gone.
    const behind = await catchUpFrom(server, access_token, seenAllThree);
    expect(behind.snapshot).toBe(true);
    expect(behind.changes.map((c) => c.key)).toEqual(['a', 'c']);
    // At or past it: only what changed after.
    const past = await catchUpFrom(server, access_token, 4);
    expect(past.snapshot).toBeUndefined();
    expect(past.changes.map((c) => c.key)).toEqual(['c']);
    // Another account is untouched by alice's horizon.
    const bob = await server.issueTokens('bob');
    await call(server, bob.access_token, 'PUT', path('x'), { value: project('x') });
    expect((await catchUpFrom(server, bob.access_token, 0)).snapshot).toBeUndefined();
  });
});

describe('a data file from before compaction', () => {
  it('is migrated: each record keeps its latest writer and revision, deletes become tombstones, the write log is gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-migrate-'));
    // The layout of version 1: every write in a `changes` log beside the records.
    const old = new Database(join(dataDir, 'basicdb.sqlite'));
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, password TEXT);
      CREATE TABLE auth_codes (code TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires INTEGER NOT NULL);
      CREATE TABLE refresh_tokens (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, family TEXT NOT NULL, expires INTEGER NOT NULL,
        replaced_by TEXT, replaced_at INTEGER, revoked INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE accounts (account TEXT PRIMARY KEY, rev INTEGER NOT NULL);
      CREATE TABLE records (account TEXT NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, rev INTEGER NOT NULL,
        PRIMARY KEY (account, tbl, id));
      CREATE TABLE changes (account TEXT NOT NULL, rev INTEGER NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL,
        type INTEGER NOT NULL, source TEXT, PRIMARY KEY (account, rev));
      INSERT INTO users VALUES ('u-alice', 'alice', 0, NULL);
      INSERT INTO accounts VALUES ('u-alice', 4);
      INSERT INTO records VALUES ('u-alice', 'projects', 'a', '${JSON.stringify(project('a', { name: 'a, second write' }))}', 3);
      INSERT INTO changes VALUES ('u-alice', 1, 'projects', 'a', 1, 'device-1'), ('u-alice', 2, 'projects', 'b', 1, NULL),
        ('u-alice', 3, 'projects', 'a', 1, 'device-2'), ('u-alice', 4, 'projects', 'b', 3, 'device-1');
      PRAGMA user_version = 1;`);
    old.close();

    const server = await testServer({ dataDir });
    const { access_token, user } = await server.issueTokens('alice');
    expect(user.id).toBe('u-alice');
    expect(server.revisionLogSize()).toBe(2);
    // A catch-up from revision 2 sees a's latest write and b's delete, in revision order.
    const frame = await catchUpFrom(server, access_token, 2);
    expect(frame.changes).toEqual([
      { type: 1, table: 'projects', key: 'a', obj: project('a', { name: 'a, second write' }) },
      { type: 3, table: 'projects', key: 'b' },
    ]);
    // device-2's own write is not sent back to it.
    const device2 = await TestSocket.identified(server, access_token, 'device-2');
    device2.send({ type: 'subscribe', syncedRevision: 2 });
    expect((await device2.next('changes')).changes).toEqual([{ type: 3, table: 'projects', key: 'b' }]);
    device2.close();
    await server.close();

    const migrated = new Database(join(dataDir, 'basicdb.sqlite'), { readonly: true });
    expect(migrated.pragma('user_version', { simple: true })).toBe(2);
    expect(migrated.prepare("SELECT name FROM sqlite_master WHERE name = 'changes'").all()).toEqual([]);
    migrated.close();
  });
});
