/**
 * Hosted BasicDB: `@basictech/react`'s `BasicProvider` signs the user in and its
 * `getToken` feeds the sync service. Loaded only when `VITE_BASIC_PROJECT_ID` is set.
 */
import { BasicProvider, useBasic } from '@basictech/react';
import { StrictMode, useEffect, useMemo } from 'react';
import type { Root } from 'react-dom/client';
import schema from '../../basic.config.js';
import { App } from './App.js';
import { appSyncFor, moveToIndexedDb } from './appSync.js';
import type { AppConfig } from './config.js';
import type { Inspection } from './inspection.js';

function HostedGate({ config, inspection }: { config: AppConfig; inspection?: Inspection }) {
  const basic = useBasic();
  const userId = basic.user?.id;
  const sync = useMemo(
    () => {
      if (!userId) return undefined;
      const made = appSyncFor({ userId, serverUrl: config.serverUrl, socketUrl: config.socketUrl, projectId: config.projectId, getToken: () => basic.getToken(), inspect: inspection?.inspect });
      inspection?.recorder.readOutboxFrom(() => made.service.pendingChanges().map((c) => `${c.table}/${c.id}`));
      return made;
    },
    // getToken is stable for a signed-in user; the service lives as long as the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [userId],
  );
  useEffect(() => {
    void sync?.service.start(); // idempotent; the service outlives StrictMode's remounts
  }, [sync]);
  if (!basic.isAuthReady) return <p>Loading…</p>;
  if (!basic.isSignedIn || !sync) {
    return (
      <main className="signin">
        <h1>basic-sync</h1>
        <button type="button" onClick={() => basic.signin()}>
          Sign in with Basic
        </button>
      </main>
    );
  }
  return <App sync={sync} userId={basic.user?.id ?? 'you'} userName={basic.user?.name ?? basic.user?.email ?? 'you'} onSignOut={({ removeLocalData }) => {
        sync.service.stop();
        void (removeLocalData ? sync.service.removeLocalData() : Promise.resolve()).finally(() => basic.signout());
      }} onMoveStorage={() => {
        sync.service.stop();
        const userId = basic.user?.id;
        if (userId) void moveToIndexedDb(userId).finally(() => location.reload());
      }} inspection={inspection} />;
}

export function renderHosted(root: Root, config: AppConfig, inspection?: Inspection) {
  root.render(
    <StrictMode>
      {/* BasicProvider is used for sign-in and tokens only: with schema version 0 it leaves its
          own Dexie sync off, so basic-sync is the only thing syncing these tables. */}
      <BasicProvider project_id={config.projectId} schema={{ ...schema, project_id: config.projectId, version: 0 }}>
        <HostedGate config={config} inspection={inspection} />
      </BasicProvider>
    </StrictMode>,
  );
}
