/**
 * The todo example against the real BasicDB-compatible server, everything imported from
 * the built package: two devices of one user and one of another, two tables over one
 * socket each, per-entry notes, deletes, and isolation between users.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSyncService, type WebSocketConstructor } from 'basic-sync';
import { startServer, type RunningServer } from 'basic-sync/server';
import { localServerTokenSource, memoryStorage } from 'basic-sync/testing';
import { mergeRules, schema } from '../src/schema.js';
import { todoApp, type TodoApp } from '../src/todos.js';

const running: Array<{ stop(): void } | RunningServer> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await ('close' in r ? r.close() : r.stop());
});

async function device(server: RunningServer, user: string): Promise<TodoApp & { service: ReturnType<typeof createSyncService<typeof schema>> }> {
  const service = createSyncService({
    storage: memoryStorage(),
    serverUrl: server.url,
    schema,
    merge: mergeRules,
    getToken: localServerTokenSource(server.url, { user, password: `${user} example password`, signUp: true }),
    debounceMs: 500,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    window: undefined,
    log: () => {},
  });
  running.push(service);
  await service.start();
  await service.whenSynced();
  return { ...todoApp(service), service };
}

async function eventually(check: () => void, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('the todo example', () => {
  it('syncs lists and todos between devices; notes from two people both stay; other users see nothing', async () => {
    const server = await startServer({ port: 0, dataDir: ':memory:', schema, passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
    running.push(server);
    const phone = await device(server, 'ana');
    const laptop = await device(server, 'ana');
    const stranger = await device(server, 'ben');
    await eventually(() => expect(server.sockets().identified).toBe(3));

    const groceries = await phone.addList('Groceries');
    const milk = await phone.addTodo(groceries.id, 'milk');
    await phone.service.whenSynced();
    await eventually(() => expect(laptop.todosOf(groceries.id).map((t) => t.text)).toEqual(['milk']));
    expect(laptop.lists.get(groceries.id)?.title).toBe('Groceries');

    // Both note the same todo at once; one ticks it.
    await phone.note(phone.todos.get(milk.id)!, 'ana-phone', 'oat');
    await laptop.note(laptop.todos.get(milk.id)!, 'ana-laptop', 'two litres');
    await laptop.toggle(laptop.todos.get(milk.id)!);
    await Promise.all([phone.service.whenSynced(), laptop.service.whenSynced()]);
    await eventually(() => {
      for (const d of [phone, laptop]) {
        const todo = d.todos.get(milk.id)!;
        expect(todo.done).toBe(true);
        expect(Object.keys(todo.notes ?? {}).sort()).toEqual(['ana-laptop', 'ana-phone']);
      }
    });

    await laptop.removeList(groceries.id);
    await laptop.service.whenSynced();
    await eventually(() => {
      expect(phone.lists.list()).toEqual([]);
      expect(phone.todos.list()).toEqual([]);
    });
    expect(stranger.lists.list()).toEqual([]);
    expect(stranger.todos.list()).toEqual([]);
  });
});
