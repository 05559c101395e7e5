/**
 * How the app's views follow its projects: the project the user is working on re-renders
 * at once when its record changes (their change shows in the next frame); the tree of
 * every project re-renders after that paint, as a transition, and only the views that
 * show it (`WithTree`), not the app around them.
 */
import { useCallback, useSyncExternalStore, type ReactNode } from 'react';
import { useStoreValue } from 'basic-sync/react';
import type { Project, ProjectStore, ProjectTree } from './stores.js';

export function useProject(store: ProjectStore, id: string | undefined): Project | undefined {
  const read = useCallback(() => (id === undefined ? undefined : store.getProject(id)), [store, id]);
  return useSyncExternalStore(store.subscribe, read);
}

const treeOf = (store: ProjectStore) => store.projectTree();

export function useProjectTree(store: ProjectStore): ProjectTree {
  return useStoreValue(store, treeOf);
}

/** Renders `children` with the tree; re-renders with it. */
export function WithTree({ store, children }: { store: ProjectStore; children: (tree: ProjectTree) => ReactNode }) {
  return children(useProjectTree(store));
}
