import { describe, expect, it } from 'vitest';
import { eventually, projectsOf, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';

describe('sync service against the real server', () => {
  it('pushes a local change after the debounce and another client of the same user receives it', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    await a.service.whenSynced();
    await b.service.whenSynced();

    const trip = await a.store.addProject({ name: 'Trip' });
    expect(a.store.listProjects().map((p) => p.name)).toEqual(['Trip']); // local first, instantly
    expect(a.service.status().pendingCount).toBe(1);
    await a.service.whenSynced();
    expect(a.service.status().pendingCount).toBe(0);

    await eventually(() => expect(projectsOf(b)).toEqual(projectsOf(a)));
    expect((await serverRecords(server, 'alice')).map((r) => r.name)).toEqual(['Trip']);
    expect(b.store.getProject(trip.id)?.name).toBe('Trip');
  });
});
