import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CREATE } from '../../src/protocol/socket.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const P = 'basic-sync-demo';
const BASE = `/account/${P}/db/projects`;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('durability', () => {
  it('keeps records, revisions, users and tokens across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-'));
    dirs.push(dataDir);
    const first = await testServer({ dataDir });
    const alice = await first.issueTokens('alice');
    await call(first, alice.access_token, 'PUT', `${BASE}/p1`, { value: project('p1') });
    const s = await TestSocket.identified(first, alice.access_token, 'client-1');
    s.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'p2', obj: project('p2') }], partial: false, baseRevision: 1, requestId: 1 });
    await s.next('ack'); // acknowledged means durable
    await first.close();

    const second = await testServer({ dataDir });
    // The old access token and refresh token still work (the signing secret is kept).
    expect((await call(second, alice.access_token, 'GET', BASE)).body.data).toEqual([project('p1'), project('p2')]);
    const refreshed = await call(second, null, 'POST', '/auth/token', { code: alice.refresh });
    expect(refreshed.status).toBe(200);
    expect((await second.issueTokens('alice')).user.id).toBe(alice.user.id);

    const again = await TestSocket.identified(second, alice.access_token, 'client-2');
    again.send({ type: 'subscribe', syncedRevision: 1 });
    const since = await again.next('changes');
    expect(since.currentRevision).toBe(2);
    expect(since.changes).toEqual([{ type: CREATE, table: 'projects', key: 'p2', obj: project('p2') }]);
  });
});
