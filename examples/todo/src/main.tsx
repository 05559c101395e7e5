/**
 * The todo example's entry: a name and a password for the local BasicDB-compatible
 * server (`basic-sync/testing`'s token source; an app on hosted BasicDB passes
 * `useBasic().getToken` instead), then one sync service for both tables.
 */
import { createSyncService, batchedLocalStorageDriver } from 'basic-sync';
import { localServerTokenSource } from 'basic-sync/testing';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createStorage } from 'unstorage';
import { App } from './App.js';
import { mergeRules, schema } from './schema.js';
import { todoApp } from './todos.js';
import './styles.css';

const serverUrl = import.meta.env.VITE_BASIC_SERVER_URL ?? 'http://127.0.0.1:8787';
const root = createRoot(document.getElementById('root')!);

function start(user: string, password: string) {
  const service = createSyncService({
    storage: createStorage({ driver: batchedLocalStorageDriver({ base: `todos:${user}`, window }) }),
    serverUrl,
    schema,
    merge: mergeRules,
    getToken: localServerTokenSource(serverUrl, { user, password, signUp: true }),
    tabGroup: `${schema.project_id}:${user}`,
  });
  void service.start();
  root.render(
    <StrictMode>
      <App app={todoApp(service)} service={service} user={user} />
    </StrictMode>,
  );
}

function SignIn() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (user.trim() && password.length >= 8) start(user.trim(), password);
      }}
    >
      <h1>Todos</h1>
      <label>
        Name <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" />
      </label>{' '}
      <label>
        Password (8 or more) <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      </label>{' '}
      <button type="submit">Sign in</button>
    </form>
  );
}

root.render(<SignIn />);
