/** The demo app: projects in a sidebar, the selected one in a workspace, sync status on top. */
import { useState } from 'react';
import { SyncStatusIndicator } from '../react/SyncStatusIndicator.js';
import { useStoreValue, useSyncStatus } from '../react/hooks.js';
import type { AppSync } from './appSync.js';
import type { Inspection } from './inspection.js';
import { InspectorPanel } from './InspectorPanel.js';
import { ProjectSidebar } from './ProjectSidebar.js';
import { ProjectWorkspace } from './ProjectWorkspace.js';

export interface AppProps {
  sync: AppSync;
  userName: string;
  onSignOut(): void;
  inspection?: Inspection;
}

export function App({ sync, userName, onSignOut, inspection }: AppProps) {
  const { service, store } = sync;
  const status = useSyncStatus(service);
  const projects = useStoreValue(store, (s) => s.listProjects());
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const selected = projects.find((p) => p.id === selectedId);

  return (
    <div className="app">
      <header className="topbar">
        <h1>basic-sync</h1>
        <SyncStatusIndicator status={status} onRetryNow={() => service.retryNow()} />
        <span className="user">
          Signed in as <strong data-testid="user-name">{userName}</strong>{' '}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      {error ? (
        <p className="error" role="alert">
          {error}{' '}
          <button type="button" onClick={() => setError(null)}>
            Dismiss
          </button>
        </p>
      ) : null}
      <div className="layout">
        <ProjectSidebar
          projects={projects}
          selectedId={selectedId}
          onSelect={setSelectedId}
          onAdd={(name) =>
            store.addProject({ name }).then(
              (p) => setSelectedId(p.id),
              (e: Error) => setError(e.message),
            )
          }
        />
        <ProjectWorkspace
          project={selected}
          projects={projects}
          store={store}
          updatedElsewhere={selected ? status.updatedElsewhere.includes(selected.id) : false}
          onBeginEditing={(id) => service.beginEditing(id)}
          onEndEditing={(id) => service.endEditing(id)}
          onDismissNotice={(id) => service.dismissNotice(id)}
          onDeleted={() => setSelectedId(undefined)}
          onError={setError}
        />
        {inspection ? <InspectorPanel service={service} log={inspection.log} /> : null}
      </div>
    </div>
  );
}
