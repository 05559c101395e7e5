/**
 * The project tree across devices, against the real server: concurrent moves that would
 * make a cycle, and moves under a parent deleted elsewhere. Every service ends with the
 * same valid tree and nothing missing. (Lost writes and restores: lostWrites.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { allSynced, startClient, threeDevices, type TestClient } from '../helpers/clients.js';
import { expectSameValidTree, treeShape } from '../helpers/tree.js';

/** Of records in a cycle, the one whose parent link was set last (by stamp, then id): shown at the top. */
function lastLinked(client: TestClient, ids: string[]): string {
  const stamped = ids.map((id) => ({ id, stamp: client.store.getProject(id)!.movedAt! }));
  stamped.sort((x, y) => x.stamp - y.stamp || (x.id < y.id ? -1 : 1));
  return client.store.getProject(stamped.at(-1)!.id)!.name;
}

describe('concurrent moves', () => {
  it('A under B on one device and B under A on another: no cycle, both shown, the same tree everywhere, a new device too', async () => {
    const { server, clients } = await threeDevices();
    const [a, b, c] = clients;
    const A = await a.store.addProject({ name: 'A' });
    const B = await a.store.addProject({ name: 'B' });
    await allSynced(server, clients);

    // Both within the debounce window: neither device has seen the other's move.
    await a.store.moveProject(A.id, B.id);
    await b.store.moveProject(B.id, A.id);
    await allSynced(server, clients);

    const shape = expectSameValidTree(clients);
    // The link set last is ignored: its project is shown at the top level, the other under it.
    const top = lastLinked(a, [A.id, B.id]);
    expect(shape).toBe(top === 'A' ? 'A(B)' : 'B(A)');
    const fresh = await startClient(server, 'alice');
    await fresh.service.whenSynced();
    expect(treeShape(fresh)).toBe(shape);
    expect(c.store.childrenOf(undefined).map((p) => p.name)).toEqual([top]);
  });

  it('a three-way cycle is broken at its last link, the same way on every device', async () => {
    const { server, clients } = await threeDevices();
    const [a, b, c] = clients;
    const [A, B, C] = [await a.store.addProject({ name: 'A' }), await a.store.addProject({ name: 'B' }), await a.store.addProject({ name: 'C' })];
    await allSynced(server, clients);

    await a.store.moveProject(A.id, B.id);
    await b.store.moveProject(B.id, C.id);
    await c.store.moveProject(C.id, A.id);
    await allSynced(server, clients);
    const expected = { A: 'A(C(B))', B: 'B(A(C))', C: 'C(B(A))' }[lastLinked(a, [A.id, B.id, C.id])];
    expect(expectSameValidTree(clients)).toBe(expected);
  });

  it('after a broken cycle, a later move changes only the moved project', async () => {
    const { server, clients } = await threeDevices();
    const [a, b] = clients;
    const [A, B, D] = [await a.store.addProject({ name: 'A' }), await a.store.addProject({ name: 'B' }), await a.store.addProject({ name: 'D' })];
    await allSynced(server, clients);
    await a.store.moveProject(A.id, B.id);
    await b.store.moveProject(B.id, A.id);
    await allSynced(server, clients);
    const top = lastLinked(a, [A.id, B.id]);
    const [shownTop, under] = top === 'A' ? [A, B] : [B, A];
    expect(expectSameValidTree(clients)).toBe(`${shownTop.name}(${under.name}) D`);

    // Moving the lower one away must not revive the top one's ignored link to it (it would jump under).
    await a.store.moveProject(under.id, D.id);
    await allSynced(server, clients);
    expect(expectSameValidTree(clients)).toBe(`${shownTop.name} D(${under.name})`);
  });
});

describe('deletes, edits and restores', () => {
  it('a project moved under a parent deleted elsewhere is still shown (top level), and comes back under it when the parent is restored', async () => {
    const { server, clients } = await threeDevices();
    const [a, b] = clients;
    const P = await a.store.addProject({ name: 'P' });
    const Q = await a.store.addProject({ name: 'Q' });
    await allSynced(server, clients);

    const deleted = await a.store.deleteProject(P.id);
    await b.store.moveProject(Q.id, P.id); // b has not seen the delete
    await allSynced(server, clients);
    expect(expectSameValidTree(clients)).toBe('Q');

    await a.store.revert(deleted); // undo the delete
    await allSynced(server, clients);
    expect(expectSameValidTree(clients)).toBe('P(Q)');
  });
});
