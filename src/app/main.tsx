/** Entry point: sign in (local server or hosted BasicDB), then run the app on its sync service. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { appSyncFor, moveToIndexedDb, storageKindKey } from './appSync.js';
import { appConfig } from './config.js';
import { inspectionFromUrl } from './inspection.js';
import { createLocalSignIn } from './localSignIn.js';
import { appUpdate } from './appUpdate.js';
import { UpdatePrompt } from './UpdatePrompt.js';
import './styles.css';

appUpdate.register();

const root = createRoot(document.getElementById('root')!);
const config = appConfig();
const inspection = await inspectionFromUrl(location.search);

function SignInScreen({ onSignIn, message }: { onSignIn(): void; message?: string }) {
  return (
    <main className="signin">
      <h1>basic-sync</h1>
      <p>Projects that live in your browser and sync through {config.mode === 'local' ? 'the local BasicDB server' : 'BasicDB'}.</p>
      {message ? <p className="error" role="alert">{message}</p> : null}
      <button type="button" onClick={onSignIn}>
        Sign in
      </button>
      <UpdatePrompt />
    </main>
  );
}

if (config.mode === 'hosted') {
  const { renderHosted } = await import('./hostedRoot.js');
  renderHosted(root, config, inspection);
} else {
  const auth = createLocalSignIn(config.serverUrl, config.projectId);
  let session = null;
  let message: string | undefined;
  try {
    session = await auth.completeSignIn();
  } catch (error) {
    message = (error as Error).message;
  }
  if (!session) {
    root.render(<SignInScreen onSignIn={() => auth.signIn()} message={message} />);
  } else {
    const sync = appSyncFor({ userId: session.user.id, serverUrl: config.serverUrl, socketUrl: config.socketUrl, projectId: config.projectId, getToken: auth.getToken, inspect: inspection?.inspect });
    inspection?.recorder.readOutboxFrom(() => sync.service.pendingChanges().map((c) => `${c.table}/${c.id}`));
    // Marks for the benchmarks: when local data is readable (before any network), and when
    // the first sync has everything the server held readable too.
    performance.mark('basic-sync:start');
    void sync.service.start().then(() => performance.mark('basic-sync:local-ready'));
    void sync.service.whenSynced(24 * 60 * 60 * 1000).then(
      () => performance.mark('basic-sync:synced'),
      () => {},
    );
    const signOut = async ({ removeLocalData }: { removeLocalData: boolean }) => {
      sync.service.stop();
      // The session goes first: the other tabs of this browser hear it and stop too.
      await auth.signOut();
      if (removeLocalData) await sync.service.removeLocalData();
      location.reload();
    };
    const moveStorage = async () => {
      sync.service.stop();
      try {
        await moveToIndexedDb(session.user.id);
      } finally {
        location.reload();
      }
    };
    // Another tab moved this user's projects: this one reloads onto the new storage.
    window.addEventListener('storage', (e) => {
      if (e.key === storageKindKey(session.user.id)) location.reload();
    });
    auth.onSignedOutElsewhere(() => {
      sync.service.stop();
      location.reload();
    });
    root.render(
      <StrictMode>
        <App
          sync={sync}
          userId={session.user.id}
          userName={session.user.name}
          onSignOut={(options) => void signOut(options)}
          onMoveStorage={() => void moveStorage()}
          inspection={inspection}
        />
      </StrictMode>,
    );
  }
}
