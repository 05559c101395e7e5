/**
 * A schema that is not the demo's, through one service and one socket per device,
 * against the real server: two tables, one merged whole and one with a per-entry field
 * declared in the service's `merge` option.
 */
import { describe, expect, it } from 'vitest';
import type { SyncRecord } from '../../src/merge/record.js';
import { createSyncService } from '../../src/sync/syncService.js';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { eventually, startClient, type TestClient } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';
import { mergeRules as todoRules, schema as todoSchema } from '../../examples/todo/src/schema.js';

async function write(client: TestClient, table: string, fields: Record<string, unknown> & { id: string }) {
  const current = client.service.read(table, fields.id);
  await client.service.write(table, { ...current, ...fields, ...client.service.stamp() } as SyncRecord);
}
/** A pause past any stamp ticked in the same millisecond (a few ticks of a hybrid clock). */
const later = () => new Promise((r) => setTimeout(r, 20));
const note = (client: TestClient, text: string) => ({ text, ...client.service.stamp() });

describe('any schema', () => {
  it('two tables through one socket per device; a declared per-entry field merges entry by entry, an undeclared one whole', async () => {
    const server = await testServer({ schema: todoSchema });
    const [a, b] = [await startClient(server, 'tina', { schema: todoSchema, merge: todoRules }), await startClient(server, 'tina', { schema: todoSchema, merge: todoRules })];
    await eventually(() => expect(server.sockets().identified).toBe(2)); // one socket each, for both tables

    await write(a, 'lists', { id: 'l1', title: 'Groceries' });
    await write(a, 'todos', { id: 't1', listId: 'l1', text: 'milk', done: false, notes: {} });
    await a.service.whenSynced();
    await eventually(() => {
      expect(b.service.read('lists', 'l1')?.title).toBe('Groceries');
      expect(b.service.read('todos', 't1')?.text).toBe('milk');
    });

    // Offline from each other: a renames the todo and notes something, b ticks it and notes something else.
    await write(a, 'todos', { id: 't1', text: 'oat milk', notes: { ...(a.service.read('todos', 't1')!.notes as object), a: note(a, 'the blue one') } });
    await later(); // b's writes are the later ones, whatever the two clocks' ticks
    await write(b, 'todos', { id: 't1', done: true, notes: { ...(b.service.read('todos', 't1')!.notes as object), b: note(b, 'bought') } });
    // Lists merge whole: the later title wins, nothing else of the earlier survives.
    await write(a, 'lists', { id: 'l1', title: 'Shop' });
    await later();
    await write(b, 'lists', { id: 'l1', title: 'Shopping' });
    await Promise.all([a.service.whenSynced(), b.service.whenSynced()]);

    await eventually(() => {
      for (const c of [a, b]) {
        const todo = c.service.read('todos', 't1')!;
        expect(todo.done).toBe(true); // b's write is the later one: its own fields win
        expect(Object.keys(todo.notes as object).sort()).toEqual(['a', 'b']); // both notes survive
        expect(c.service.read('lists', 'l1')?.title).toBe('Shopping');
      }
      expect(a.service.read('todos', 't1')).toEqual(b.service.read('todos', 't1'));
    });
    const { access_token } = await server.issueTokens('tina');
    const res = await fetch(`${server.url}/account/todo-example/db/todos/t1`, { headers: { authorization: `Bearer ${access_token}` } });
    const onServer = ((await res.json()) as { data: SyncRecord }).data;
    expect(Object.keys(onServer.notes as object).sort()).toEqual(['a', 'b']);
  });

  it('editing holds remote changes of that record only, not of a record with the same id in another table', async () => {
    const server = await testServer({ schema: todoSchema });
    const [a, b] = [await startClient(server, 'tom', { schema: todoSchema, merge: todoRules }), await startClient(server, 'tom', { schema: todoSchema, merge: todoRules })];
    await write(a, 'lists', { id: 'x1', title: 'list' });
    await write(a, 'todos', { id: 'x1', listId: 'x1', text: 'todo', done: false, notes: {} });
    await a.service.whenSynced();
    await eventually(() => expect(b.service.read('todos', 'x1')?.text).toBe('todo'));

    b.service.beginEditing('todos', 'x1');
    await write(a, 'lists', { id: 'x1', title: 'list, renamed' });
    await write(a, 'todos', { id: 'x1', text: 'todo, renamed' });
    await a.service.whenSynced();
    await eventually(() => expect(b.service.read('lists', 'x1')?.title).toBe('list, renamed'));
    expect(b.service.read('todos', 'x1')?.text).toBe('todo'); // held while edited
    expect(b.service.status().editingPaused).toBe(true);

    b.service.endEditing('todos', 'x1');
    await eventually(() => expect(b.service.read('todos', 'x1')?.text).toBe('todo, renamed'));
  });

  it.each([
    ['a table the schema lacks', { tasks: { perEntryFields: ['notes'] } }, 'merge rules name table "tasks", which the schema does not have'],
    ['a per-entry field that is not json', { todos: { perEntryFields: ['text'] } }, 'todos.text merges per entry, so it must be a json field of the schema'],
    ['a per-entry field the table lacks', { todos: { perEntryFields: ['tags'] } }, 'todos.tags merges per entry'],
    ['a version field the table lacks', { todos: { versionFields: ['doneAt'] } }, 'todos.doneAt is a version field the schema does not have'],
  ])('refuses merge rules naming %s, before anything starts', (_name, merge, message) => {
    const options = { storage: createStorage({ driver: memoryDriver() }), serverUrl: 'http://127.0.0.1:9', schema: todoSchema, getToken: async () => 'unused', window: undefined };
    expect(() => createSyncService({ ...options, merge })).toThrow(message);
  });

  it('refuses a schema whose tables lack the version fields the sync layer writes', () => {
    const { generation: _g, ...fields } = todoSchema.tables.lists.fields;
    const schema = { ...todoSchema, tables: { ...todoSchema.tables, lists: { type: 'collection' as const, fields } } };
    const options = { storage: createStorage({ driver: memoryDriver() }), serverUrl: 'http://127.0.0.1:9', getToken: async () => 'unused', window: undefined };
    expect(() => createSyncService({ ...options, schema })).toThrow('schema: table lists needs a field generation of type number');
  });
});
