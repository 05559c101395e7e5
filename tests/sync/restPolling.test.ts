/**
 * The transport seam, proven by a second transport: REST polling (no WebSocket at all)
 * against the real server, syncing with a socket client of the same user, starting from
 * the whole state, and riding out an outage.
 */
import { describe, expect, it } from 'vitest';
import { restPollingTransport } from '../../src/remote/restPollingTransport.js';
import { eventually, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';
import { FaultProxy } from '../fault/faultProxy.js';

const polling = () => restPollingTransport({ intervalMs: 100 });

describe('REST polling transport', () => {
  it('syncs both ways with a socket client of the same user, and opens no socket', async () => {
    const server = await testServer();
    const poller = await startClient(server, 'alice', { transport: polling() });
    const socket = await startClient(server, 'alice');
    await poller.service.whenSynced();

    const added = await poller.store.addProject({ name: 'written over REST' });
    await poller.store.updateComponentData(added.id, 'emojis', { kind: 'emojis', emojis: ['🚲'] });
    await poller.service.whenSynced();
    await eventually(() => expect(socket.store.getProject(added.id)?.name).toBe('written over REST'));

    await socket.store.renameProject(added.id, 'renamed over the socket');
    await socket.store.addProject({ name: 'a second one', parentId: added.id });
    await socket.service.whenSynced();
    await eventually(() => expect(poller.store.getProject(added.id)?.name).toBe('renamed over the socket'));
    await eventually(() => expect(poller.store.listProjects()).toHaveLength(2));
    await poller.service.whenSynced();

    expect(recordsOf(poller)).toEqual(recordsOf(socket));
    expect(await serverRecords(server, 'alice')).toEqual(recordsOf(poller));
    expect(JSON.stringify(poller.store.getProject(added.id)?.components)).toContain('🚲');
    expect(server.sockets().identified).toBe(1); // the socket client's; the poller has none
    expect(poller.service.status().state).toBe('idle');
  });

  it('a first sync pulls the whole state and pushes what only this device held', async () => {
    const server = await testServer();
    const socket = await startClient(server, 'alice');
    await socket.store.addProject({ name: 'on the server' });
    await socket.service.whenSynced();
    socket.service.stop();

    // Written before the poller ever reached the server (e.g. offline on a new device).
    const down = await FaultProxy.start(server.port);
    down.fault = 'down';
    const poller = await startClient(down, 'alice', { transport: polling() });
    await poller.store.addProject({ name: 'only on this device' });
    await eventually(() => expect(poller.service.status().state).toBe('offline-retry'));
    down.fault = 'none';
    await eventually(() => expect(poller.store.listProjects().map((p) => p.name).sort()).toEqual(['on the server', 'only on this device']));
    await poller.service.whenSynced();
    expect((await serverRecords(server, 'alice')).map((r) => r.name).sort()).toEqual(['on the server', 'only on this device']);
    expect(await serverRecords(server, 'alice')).toEqual(recordsOf(poller));
    await down.close();
  });

  it('an outage mid-session: offline-retry, local writes kept, and everything arrives after', async () => {
    const server = await testServer();
    const proxy = await FaultProxy.start(server.port);
    const poller = await startClient(proxy, 'alice', { transport: polling() });
    const socket = await startClient(server, 'alice');
    await poller.service.whenSynced();

    proxy.fault = 'down';
    proxy.dropAll(); // kept-alive HTTP connections too
    await eventually(() => expect(poller.service.status().state).toBe('offline-retry'));
    const mine = await poller.store.addProject({ name: 'written during the outage' });
    const theirs = await socket.store.addProject({ name: 'written elsewhere meanwhile' });
    await socket.service.whenSynced();
    expect(poller.service.status().pendingCount).toBe(1);

    proxy.fault = 'none';
    await eventually(() => expect(poller.store.getProject(theirs.id)?.name).toBe('written elsewhere meanwhile'));
    await poller.service.whenSynced();
    await eventually(() => expect(socket.store.getProject(mine.id)?.name).toBe('written during the outage'));
    expect(await serverRecords(server, 'alice')).toEqual(recordsOf(poller));
    expect(recordsOf(socket)).toEqual(recordsOf(poller));
    await proxy.close();
  });
});
