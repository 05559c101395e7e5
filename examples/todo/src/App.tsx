/** Lists on the left, the chosen list's todos on the right; every row re-renders only when its record changes. */
import { useCollection, useRecord, useSyncStatus, SyncStatusIndicator } from 'basic-sync/react';
import type { SyncService } from 'basic-sync';
import { memo, useCallback, useState } from 'react';
import type { schema } from './schema.js';
import type { TodoApp, Todo } from './todos.js';

export function App({ app, service, user }: { app: TodoApp; service: SyncService<typeof schema>; user: string }) {
  const status = useSyncStatus(service);
  const lists = useCollection(app.lists);
  const [listId, setListId] = useState<string | undefined>();
  const [title, setTitle] = useState('');
  return (
    <main>
      <header>
        <strong>Todos</strong> · {user} <SyncStatusIndicator status={status} onRetryNow={() => service.retryNow()} />
      </header>
      <nav aria-label="Lists">
        <ul>
          {lists.map((list) => (
            <li key={list.id}>
              <button type="button" aria-current={list.id === listId} onClick={() => setListId(list.id)}>
                {list.title}
              </button>
            </li>
          ))}
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void app.addList(title).then((l) => setListId(l.id));
            setTitle('');
          }}
        >
          <input aria-label="New list" value={title} onChange={(e) => setTitle(e.target.value)} /> <button type="submit">Add list</button>
        </form>
      </nav>
      {listId ? <ListView app={app} listId={listId} user={user} onRemoved={() => setListId(undefined)} /> : <p>Pick or add a list.</p>}
    </main>
  );
}

function ListView({ app, listId, user, onRemoved }: { app: TodoApp; listId: string; user: string; onRemoved(): void }) {
  const list = useRecord(app.lists, listId);
  const ids = useCollection(
    app.todos,
    useCallback((all: Todo[]) => app.todosOf(listId, all).map((t) => t.id), [app, listId]),
  );
  const [text, setText] = useState('');
  if (!list) return <p>This list was removed.</p>;
  return (
    <section aria-label={list.title}>
      <h2>{list.title}</h2>
      <ul>
        {ids.map((id) => (
          <TodoRow key={id} app={app} id={id} user={user} />
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void app.addTodo(listId, text.trim());
          setText('');
        }}
      >
        <input aria-label="New todo" value={text} onChange={(e) => setText(e.target.value)} /> <button type="submit">Add</button>
      </form>
      <button type="button" onClick={() => void app.removeList(listId).then(onRemoved)}>
        Remove list
      </button>
    </section>
  );
}

const TodoRow = memo(function TodoRow({ app, id, user }: { app: TodoApp; id: string; user: string }) {
  const todo = useRecord(app.todos, id);
  if (!todo) return null;
  const notes = Object.entries(todo.notes ?? {}) as Array<[string, { text?: string; deleted?: boolean }]>;
  return (
    <li>
      <label>
        <input type="checkbox" checked={todo.done ?? false} onChange={() => void app.toggle(todo)} /> {todo.text}
      </label>
      {notes
        .filter(([, n]) => !n.deleted && n.text)
        .map(([author, n]) => (
          <small key={author}>
            {' '}
            · {author}: {n.text}
          </small>
        ))}{' '}
      <button type="button" onClick={() => void app.note(todo, user, prompt('Your note') ?? '')}>
        Note
      </button>
    </li>
  );
});
