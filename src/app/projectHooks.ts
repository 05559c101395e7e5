/**
 * How the app's views follow its projects: the project the user is working on re-renders
 * at once when its record changes (their change shows in the next frame); the tree of
 * every project re-renders after that paint, as a transition, and only the views that
 * show it (`WithTree`), not the app around them.
 */
import { useMemo, type ReactNode } from 'react';
import { useRecord, useStoreValue } from 'basic-sync/react';
import type { Project, ProjectStore, ProjectTree } from './stores.js';

export function useProject(store: ProjectStore, id: string | undefined): Project | undefined {
  const projects = useMemo(() => ({ get: store.getProject, subscribe: store.subscribe }), [store]);
  return useRecord(projects, id);
}

const treeOf = (store: ProjectStore) => store.projectTree();

/** Renders `children` with the tree; re-renders with it. */
export function WithTree({ store, children }: { store: ProjectStore; children: (tree: ProjectTree) => ReactNode }) {
  return children(useStoreValue(store, treeOf));
}
