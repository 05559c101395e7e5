/**
 * Typed collections over the sync service, against the real server: every operation
 * writes locally at once and reaches another device; bad input is refused and changes
 * nothing; reads are stable objects until something changes (what React needs).
 */
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import WebSocket from 'ws';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { localServerTokenSource } from '../../src/remote/localAuth.js';
import type { WebSocketConstructor } from '../../src/remote/syncSocket.js';
import { createSyncService } from '../../src/sync/syncService.js';
import { eventually, testPassword } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';
import { mergeRules as todoRules, schema as todoSchema } from '../../examples/todo/src/schema.js';
import type { RunningServer } from '../../server/index.js';

async function device(server: RunningServer, user: string) {
  await server.setPassword(user, testPassword(user));
  const service = createSyncService({
    storage: createStorage({ driver: memoryDriver() }),
    serverUrl: server.url,
    schema: todoSchema,
    merge: todoRules,
    getToken: localServerTokenSource(server.url, { user, password: testPassword(user) }),
    debounceMs: 500,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    window: undefined,
    log: () => {},
  });
  await service.start();
  return service;
}

describe('collections', () => {
  it('add, update, setEntry, delete and put restore: local at once, on another device after sync', async () => {
    const server = await testServer({ schema: todoSchema });
    const [a, b] = [await device(server, 'cora'), await device(server, 'cora')];
    const todos = a.collection('todos');
    const elsewhere = b.collection('todos');

    // Records are typed from the schema.
    expectTypeOf(todos.get('x')).toEqualTypeOf<ReturnType<typeof todos.get>>();
    expectTypeOf<NonNullable<ReturnType<typeof todos.get>>['done']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<NonNullable<ReturnType<typeof todos.get>>['text']>().toEqualTypeOf<string | undefined>();

    const milk = await todos.add({ text: 'milk', done: false, listId: 'l1' });
    expect(todos.get(milk.id)).toMatchObject({ text: 'milk', done: false, modifiedBy: a.clientId });
    await todos.update(milk.id, { done: true, listId: undefined });
    expect(todos.get(milk.id)).toMatchObject({ text: 'milk', done: true });
    expect(todos.get(milk.id)).not.toHaveProperty('listId');
    await todos.setEntry(milk.id, 'notes', 'cora', { text: 'oat' });
    expect((todos.get(milk.id)!.notes as Record<string, { text: string }>).cora!.text).toBe('oat');
    await a.whenSynced();
    await eventually(() => expect(elsewhere.get(milk.id)).toEqual(todos.get(milk.id)));

    await todos.delete(milk.id);
    expect(todos.get(milk.id)).toBeUndefined();
    expect(todos.list()).toEqual([]);
    await a.whenSynced();
    await eventually(() => expect(elsewhere.get(milk.id)).toBeUndefined());

    // Writing it whole again restores it, at the generation after its delete (it wins there too).
    await elsewhere.put({ id: milk.id, text: 'milk again' });
    expect(b.read('todos', milk.id)?.generation).toBe(1);
    await b.whenSynced();
    await eventually(() => expect(todos.get(milk.id)).toMatchObject({ text: 'milk again' }));
    expect(todos.get(milk.id)).not.toHaveProperty('done'); // put writes the record whole
  });

  it('refuses what the schema does not have, and changes nothing', async () => {
    const server = await testServer({ schema: todoSchema });
    const a = await device(server, 'rita');
    const todos = a.collection('todos');
    const kept = await todos.add({ text: 'kept' });
    const before = a.list('todos');
    await expect(todos.add({ text: 'x', colour: 'red' } as never)).rejects.toThrow('todos has no field "colour"');
    await expect(todos.update(kept.id, { colour: 'red' } as never)).rejects.toThrow('todos has no field "colour"');
    await expect(todos.update('missing', { text: 'x' })).rejects.toThrow('todos has no record missing');
    await expect(todos.add({ id: kept.id, text: 'again' })).rejects.toThrow(`todos already has a record ${kept.id}`);
    await expect(todos.setEntry(kept.id, 'text', 'k', {})).rejects.toThrow('todos.text is not a json field');
    await expect(todos.add({ text: 42 } as never)).rejects.toThrow();
    expect(() => a.collection('tasks' as never)).toThrow('the schema has no table "tasks"');
    expect(a.list('todos')).toEqual(before);
  });

  it('list() and get() keep their identity until the table changes, and subscribers hear only their table', async () => {
    const server = await testServer({ schema: todoSchema });
    const a = await device(server, 'ivy');
    const todos = a.collection('todos');
    const lists = a.collection('lists');
    let todoChanges = 0;
    const off = todos.subscribe(() => todoChanges++);
    const one = await todos.add({ text: 'one' });
    const list1 = todos.list();
    expect(todos.list()).toBe(list1);
    expect(todos.get(one.id)).toBe(todos.get(one.id));
    await lists.add({ title: 'other table' });
    expect(todoChanges).toBe(1);
    expect(todos.list()).toBe(list1);
    await todos.add({ text: 'two' });
    expect(todoChanges).toBe(2);
    expect(todos.list()).not.toBe(list1);
    expect(todos.list().map((t) => t.text).sort()).toEqual(['one', 'two']);
    off();
  });
});
