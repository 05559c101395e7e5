/**
 * The demo app: projects in a sidebar, the selected one in a workspace, sync status on
 * top, and what another device replaced of the user's work (with a way to take it back).
 * Deletes ask nothing but can be undone (the toast, or Ctrl/Cmd+Z for recent changes).
 */
import { lazy, startTransition, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppSync } from './appSync.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import type { Inspection } from './inspection.js';
import { ProjectSidebar } from './ProjectSidebar.js';
import { StorageNotice } from './StorageNotice.js';
import { ProjectWorkspace } from './ProjectWorkspace.js';
import { LostWrites, SignOut, StatusIndicator } from './statusParts.js';
import { PROJECTS } from './stores.js';
import { useProject, WithTree } from './projectHooks.js';
import { UpdatePrompt } from './UpdatePrompt.js';
import type { UndoEntry } from './undo.js';

export interface AppProps {
  sync: AppSync;
  userId: string;
  userName: string;
  onSignOut(options: { removeLocalData: boolean }): void;
  /** Moves the user's projects from localStorage to IndexedDB (then the page reloads). */
  onMoveStorage(): void;
  inspection?: Inspection;
}

// Its own chunk (with the diagram renderer), loaded only with ?inspect.
const InspectorPanel = lazy(() => import('./inspector/InspectorPanel.js').then((m) => ({ default: m.InspectorPanel })));

/** How long the "Undo" toast stays. */
const TOAST_MS = 10_000;

/** Whether a key press belongs to a text field (its own undo), not to the app. */
const inTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function App({ sync, userId, userName, onSignOut, onMoveStorage, inspection }: AppProps) {
  const { service, store, undo } = sync;
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [toast, setToast] = useState<{ text: string; entry?: UndoEntry } | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  // The project being renamed keeps its place in the tree until editing ends.
  const [pinned, setPinned] = useState<{ id: string; name: string } | undefined>();
  // At phone width the sidebar is a drawer.
  const [drawerOpen, setDrawerOpen] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  // At once when it changes; the tree follows after the next paint (`WithTree`).
  const selected = useProject(store, selectedId);
  const fail = useCallback((e: Error) => setError(e.message), []);
  const select = useCallback((id: string) => {
    setSelectedId(id);
    setDrawerOpen(false);
  }, []);
  const deleted = useCallback((entry: UndoEntry) => {
    setSelectedId(undefined);
    setToast({ text: entry.label, entry });
  }, []);
  // The same functions every render, so the sidebar (memoized) re-renders only when what it
  // shows changes, not on every keystroke in the workspace.
  const treeActions = useMemo(
    () => ({
      // The cleared field is the click's answer; the new project opens a frame later.
      onAdd: (name: string) => void undo.addProject({ name }).then((p) => startTransition(() => setSelectedId(p.id)), fail),
      onRename: () => nameInput.current?.focus(),
      onDelete: (id: string) => void undo.deleteProject(id).then(deleted, fail),
      onMove: (id: string, parentId: string | undefined) => void undo.moveProject(id, parentId).catch(fail),
      onPlace: (id: string, target: string, side: 'before' | 'after') => void undo.placeProject(id, target, side).catch(fail),
    }),
    [undo, deleted, fail],
  );

  const undoLatest = useCallback(
    (entry?: UndoEntry) =>
      undo.undo(entry).then(
        (done) => setToast(done ? { text: `Undone: ${done.label}` } : { text: 'Nothing to undo' }),
        (e: Error) => setError(e.message),
      ),
    [undo],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey || inTextField(e.target)) return;
      e.preventDefault();
      void undoLatest();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undoLatest]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  return (
    <div className="app">
      <header className="topbar">
        <button
          type="button"
          className="drawer-toggle"
          aria-expanded={drawerOpen}
          aria-controls="project-sidebar"
          onClick={() => setDrawerOpen((open) => !open)}
        >
          ☰ Projects
        </button>
        <h1>basic-sync</h1>
        <StatusIndicator service={service} />
        <span className="user">
          <span className="signed-in-as">
            Signed in as <strong data-testid="user-name">{userName}</strong>
          </span>{' '}
          <button type="button" onClick={() => setSigningOut(true)}>
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
      {sync.storageKind === 'localStorage' ? <StorageNotice subscribe={store.subscribe} onMove={onMoveStorage} /> : null}
      <LostWrites
        service={service}
        store={store}
        onKeepMine={(lost) => service.keepMine(lost).then(() => setSelectedId(lost.id), fail)}
        onDismiss={(lost) => void service.dismissNotice(lost).catch(fail)}
      />
      <div className="layout">
        {drawerOpen ? <div className="drawer-backdrop" aria-hidden="true" onClick={() => setDrawerOpen(false)} /> : null}
        <WithTree store={store}>
          {(tree) => (
            <>
              <ErrorBoundary what="The project list">
                <ProjectSidebar
                  tree={tree}
                  selectedId={selectedId}
                  open={drawerOpen}
                  collapsedKey={`basic-sync-collapsed:${userId}`}
                  pinned={pinned}
                  onSelect={select}
                  {...treeActions}
                />
              </ErrorBoundary>
              <ErrorBoundary what="This project" resetKey={selectedId}>
                <ProjectWorkspace
                  project={selected}
                  tree={tree}
                  actions={undo}
                  nameInputRef={nameInput}
                  onRenameDone={(id) => {
                    const row = document.querySelector<HTMLElement>(`#project-sidebar [data-row-id="${CSS.escape(id)}"]`);
                    row?.focus();
                    return row !== null && document.activeElement === row; // a closed drawer's rows take no focus
                  }}
                  onBeginEditing={(id) => {
                    setPinned({ id, name: store.getProject(id)?.name ?? '' });
                    service.beginEditing(PROJECTS, id);
                  }}
                  onEndEditing={(id) => {
                    setPinned(undefined);
                    service.endEditing(PROJECTS, id);
                  }}
                  onDeleted={deleted}
                  onError={setError}
                />
              </ErrorBoundary>
            </>
          )}
        </WithTree>
        {inspection ? (
          <Suspense fallback={<aside className="inspector">Loading the inspector…</aside>}>
            <InspectorPanel recorder={inspection.recorder} />
          </Suspense>
        ) : null}
      </div>
      {toast ? (
        <div className="toast" role="status" aria-live="polite" data-testid="toast">
          <span>{toast.text}</span>
          {toast.entry ? (
            <button type="button" onClick={() => void undoLatest(toast.entry)}>
              Undo
            </button>
          ) : null}
          <button type="button" aria-label="Close" onClick={() => setToast(null)}>
            ×
          </button>
        </div>
      ) : null}
      {signingOut ? (
        <SignOut
          service={service}
          onCancel={() => setSigningOut(false)}
          onSignOut={onSignOut}
        />
      ) : null}
      <UpdatePrompt />
    </div>
  );
}
