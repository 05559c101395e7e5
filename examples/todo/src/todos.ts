/** The example's operations, on two typed collections of one sync service. */
import type { RecordOf, SyncService } from 'basic-sync';
import type { schema } from './schema.js';

export type List = RecordOf<typeof schema, 'lists'>;
export type Todo = RecordOf<typeof schema, 'todos'>;

export function todoApp(service: SyncService<typeof schema>) {
  const lists = service.collection('lists');
  const todos = service.collection('todos');
  return {
    lists,
    todos,
    addList: (title: string) => lists.add({ title: title.trim() || 'Untitled' }),
    addTodo: (listId: string, text: string) => todos.add({ listId, text, done: false, notes: {} }),
    toggle: (todo: Todo) => todos.update(todo.id, { done: !todo.done }),
    /** This person's note on a todo (their own entry of `notes`). */
    note: (todo: Todo, author: string, text: string) => todos.setEntry(todo.id, 'notes', author, text ? { text } : undefined),
    /** A list and its todos. */
    async removeList(listId: string) {
      for (const todo of todos.list()) if (todo.listId === listId) await todos.delete(todo.id);
      await lists.delete(listId);
    },
    todosOf: (listId: string, all: Todo[] = todos.list()) => all.filter((t) => t.listId === listId),
  };
}
export type TodoApp = ReturnType<typeof todoApp>;
