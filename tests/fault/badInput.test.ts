/**
 * Bad input from the server side, inside the fault harness: the real server behind
 * the proxy, with the proxy slipping each frame of `BAD_INPUTS` into a live sync
 * socket. Every one must be refused with its reason, leave the client's storage
 * exactly as it was, and leave the client able to sync what the real server sends next.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, recordsOf, serverRecords, startClient, type TestClient } from '../helpers/clients.js';
import { TestSocket, testServer } from '../helpers/server.js';
import { BAD_INPUTS } from './badInput.js';
import { FaultProxy } from './faultProxy.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Every key and value in a client's storage. */
async function storageOf(client: TestClient): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await client.storage.getKeys()).sort()) out[key] = await client.storage.getItem(key);
  return out;
}

describe('bad input from the server, through the fault proxy', () => {
  it('refuses every bad frame and record with its reason, keeps local data as it was, and syncs on', async () => {
    const server = await testServer();
    const proxy = await FaultProxy.start(server.port);
    cleanups.push(() => proxy.close());
    const a = await startClient(proxy, 'alice');
    const b = await startClient(server, 'alice');
    const kept = await a.store.addProject({ name: 'kept' });
    await a.store.updateComponentData(kept.id, 'emojis', { kind: 'emojis', emojis: ['🙂'] });
    await b.store.addProject({ name: 'from B' });
    await a.service.whenSynced();
    await b.service.whenSynced();
    await eventually(() => expect(recordsOf(a)).toHaveLength(2));
    // A's own pushes are not echoed, so its checkpoint may lag the server's revision, and
    // a bad frame's reconnect would then move it. B's last write reaches A as a live frame
    // carrying the latest revision, so A starts level.
    await b.store.addProject({ name: 'last from B' });
    await b.service.whenSynced();
    const { access_token } = await server.issueTokens('alice');
    const watcher = await TestSocket.identified(server, access_token);
    watcher.send({ type: 'subscribe', syncedRevision: null });
    const revision = (await watcher.next('changes')).currentRevision;
    watcher.close();
    await eventually(async () => expect((await a.storage.getItem<{ checkpoint: number }>('sync:meta'))?.checkpoint).toBe(revision));

    for (const bad of BAD_INPUTS) {
      // A fresh socket after a refused frame: wait until it is subscribed again.
      await eventually(() => expect(a.service.status().state).toBe('idle'));
      const before = await storageOf(a);
      const logsBefore = a.logs.length;
      let id = '';
      await eventually(() => expect(proxy.injectFrame((view) => ((id = bad.id?.(view) ?? ''), bad.frame(view)))).toBe(1));

      if (bad.refused === 'frame') {
        await eventually(() => expect(a.logs.slice(logsBefore).join('\n'), bad.name).toMatch(bad.reason));
      } else {
        await eventually(() => {
          const entry = a.service.status().quarantined.find((q) => q.id === id);
          expect(entry?.reason, bad.name).toMatch(bad.reason);
        });
      }
      expect(await storageOf(a), bad.name).toEqual(before);
      expect(({} as Record<string, unknown>).polluted, bad.name).toBeUndefined();
    }

    // Still syncing both ways with the real server.
    await b.store.renameProject(kept.id, 'renamed by B');
    await a.store.addProject({ name: 'after the bad input' });
    await a.service.whenSynced();
    await b.service.whenSynced();
    await eventually(async () => expect(recordsOf(a)).toEqual(await serverRecords(server, 'alice')));
    expect(a.store.getProject(kept.id)?.name).toBe('renamed by B');
    expect(a.store.getProject(kept.id)?.components.emojis?.emojis).toEqual(['🙂']);
    expect(proxy.stats.injectedFrames).toBe(BAD_INPUTS.length);
  }, 60_000);
});
