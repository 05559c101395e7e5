/**
 * Nothing a user wrote disappears without a word: writes lost to a delete or to a newer
 * version are kept and shown with a way back; restores win over the deletes they saw
 * and nothing stale comes back; undo is a new write that syncs like any other. All
 * against the real server.
 */
import { describe, expect, it } from 'vitest';
import { createUndoHistory } from '../../src/app/undo.js';
import { allSynced, serverRecords, startClient, threeDevices } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';
import { treeShape } from '../helpers/tree.js';

describe('writes lost to deletes, and restores', () => {
  it('an edit lost to a delete while editing is noticed (and survives a reload); Restore brings the project back everywhere with the typed text', async () => {
    const { server, clients } = await threeDevices();
    const [a, b] = clients;
    const P = await a.store.addProject({ name: 'draft' });
    await allSynced(server, clients);

    a.service.beginEditing('projects', P.id);
    await b.store.deleteProject(P.id);
    await b.service.whenSynced();
    await a.store.renameProject(P.id, 'typed by A');
    await new Promise((r) => setTimeout(r, 300));
    expect(a.store.getProject(P.id)?.name).toBe('typed by A'); // the delete waits while editing
    a.service.endEditing('projects', P.id);
    await allSynced(server, clients);

    for (const c of clients) expect(c.store.getProject(P.id)).toBeUndefined();
    const lost = a.service.status().lostWrites;
    expect(lost).toEqual([expect.objectContaining({ table: 'projects', id: P.id, kind: 'deleted', mine: expect.objectContaining({ name: 'typed by A' }) })]);

    // A reload keeps the notice: what the user typed is still there to restore.
    a.service.stop();
    const reloaded = await startClient(server, 'alice', { storage: a.storage });
    expect(reloaded.service.status().lostWrites).toEqual(lost);

    await reloaded.service.keepMine({ table: 'projects', id: P.id });
    const everyone = [reloaded, clients[1], clients[2]];
    await allSynced(server, everyone);
    for (const c of everyone) expect(c.store.getProject(P.id)).toMatchObject({ name: 'typed by A', generation: 1 });
    expect(reloaded.service.status().lostWrites).toEqual([]);
  });

  it('an edit that had not seen a delete loses to it; a restore that saw it wins; a restore of that edit wins in turn', async () => {
    const { server, clients } = await threeDevices();
    const [a, , c] = clients;
    const P = await a.store.addProject({ name: 'before' });
    await allSynced(server, clients);

    const deleted = await a.store.deleteProject(P.id);
    await c.store.renameProject(P.id, 'stale edit'); // concurrent: c has not seen the delete
    await allSynced(server, clients);
    for (const x of clients) expect(x.store.getProject(P.id)).toBeUndefined();
    expect(c.service.status().lostWrites).toEqual([expect.objectContaining({ id: P.id, kind: 'deleted' })]);

    await a.store.revert(deleted); // Undo: the delete was seen, so this wins over it
    await allSynced(server, clients);
    for (const x of clients) expect(x.store.getProject(P.id)).toMatchObject({ name: 'before', generation: 1 });

    // c puts its text back after seeing the restore: a plain newer edit of the restored project.
    await c.service.keepMine({ table: 'projects', id: P.id });
    await allSynced(server, clients);
    for (const x of clients) expect(x.store.getProject(P.id)).toMatchObject({ name: 'stale edit', generation: 1 });
  });

  it('addProject with the id of a deleted project restores it, and the restore sticks on every device and the server', async () => {
    const { server, clients } = await threeDevices();
    const [a, b] = clients;
    const P = await a.store.addProject({ name: 'gone' });
    await allSynced(server, clients);
    await a.store.deleteProject(P.id);
    await allSynced(server, clients);

    await b.store.addProject({ id: P.id, name: 'back again' });
    await allSynced(server, clients);
    for (const x of clients) expect(x.store.getProject(P.id)).toMatchObject({ name: 'back again', generation: 1 });
    expect((await serverRecords(server, 'alice'))[0]).toMatchObject({ name: 'back again', generation: 1 });
  });
});

describe('writes lost to newer versions', () => {
  it('an unacknowledged rename replaced by a newer one elsewhere is noticed; Dismiss lets it go', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice', { now: () => Date.now() - 60_000 }); // a's clock is behind
    const b = await startClient(server, 'alice');
    const P = await a.store.addProject({ name: 'start' });
    await allSynced(server, [a, b]);

    await a.store.renameProject(P.id, 'mine, not yet pushed');
    await b.store.renameProject(P.id, 'newer, from b');
    b.service.flush(); // b's arrives while a's still waits for the debounce
    await allSynced(server, [a, b]);
    expect(a.store.getProject(P.id)?.name).toBe('newer, from b');
    const [lost] = a.service.status().lostWrites;
    expect(lost).toMatchObject({ id: P.id, kind: 'overwritten', lost: ['name'], mine: { name: 'mine, not yet pushed' } });
    expect(b.service.status().lostWrites).toEqual([]);

    await a.service.dismissNotice(lost!);
    expect(a.service.status().lostWrites).toEqual([]);
    a.service.stop();
    expect((await startClient(server, 'alice', { storage: a.storage })).service.status().lostWrites).toEqual([]);
  });

  it('an acknowledged write that a later one replaces is not a loss (the other was simply later)', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    const P = await a.store.addProject({ name: 'start' });
    await a.store.renameProject(P.id, 'from a');
    await allSynced(server, [a, b]);
    await b.store.renameProject(P.id, 'later, from b');
    await allSynced(server, [a, b]);
    expect(a.store.getProject(P.id)?.name).toBe('later, from b');
    expect(a.service.status().lostWrites).toEqual([]);
  });
});

describe('undo', () => {
  it('undoes add, rename (typed as one), move, emoji change and delete, each a write another device and the server see', async () => {
    const server = await testServer();
    const a = await startClient(server, 'alice');
    const b = await startClient(server, 'alice');
    const undo = createUndoHistory(a.store);
    const clients = [a, b];
    const trip = await undo.addProject({ name: 'Trip' });
    const home = await undo.addProject({ name: 'Home' });
    await allSynced(server, clients);
    const step = async (expected: string) => {
      await allSynced(server, clients);
      expect(treeShape(b)).toBe(expected);
    };

    for (const typed of ['T', 'Tr', 'Trip 2026']) await undo.renameProject(trip.id, typed);
    undo.endTyping();
    await undo.moveProject(trip.id, home.id);
    await undo.updateComponentData(trip.id, 'emojis', { kind: 'emojis', emojis: ['🌴'] });
    const deleted = await undo.deleteProject(home.id);
    expect(deleted.label).toBe('Deleted “Home” and 1 sub-project');
    await step('');

    expect((await undo.undo())?.label).toBe('Deleted “Home” and 1 sub-project');
    await step('Home(Trip 2026)');
    expect(b.store.getProject(trip.id)?.components.emojis?.emojis).toEqual(['🌴']);
    await undo.undo(); // the emoji
    await step('Home(Trip 2026)');
    expect(b.store.getProject(trip.id)?.components.emojis?.emojis).toBeUndefined();
    await undo.undo(); // the move
    await step('Home Trip 2026');
    await undo.undo(); // the whole rename
    await step('Home Trip');
    await undo.undo(); // adding Home
    await step('Trip');
    expect(undo.latest()?.label).toBe('Added “Trip”');
  });
});
