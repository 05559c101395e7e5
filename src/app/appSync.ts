/**
 * One sync service per signed-in user, created outside React (StrictMode mounts
 * effects twice; a service lives as long as the page). Each user's data lives under
 * its own localStorage prefix (or IndexedDB database), so switching users never mixes
 * their projects. localStorage by default: it loads fastest; IndexedDB once the user
 * moves there (`moveToIndexedDb`), for workspaces past localStorage's few megabytes.
 */
import { createStorage } from 'unstorage';
import type { InspectionEvent } from 'xstate';
import schema, { mergeRules } from '../../basic.config.js';
import { batchedIndexedDbDriver, batchedLocalStorageDriver, createSyncService, type GetToken, type SyncService } from 'basic-sync';
import { createProjectStore, type ProjectStore } from './stores.js';
import { createUndoHistory, type UndoHistory } from './undo.js';

export interface AppSync {
  service: SyncService<typeof schema>;
  store: ProjectStore;
  /** The store's operations, each undoable (Ctrl/Cmd+Z). */
  undo: UndoHistory;
  /** Where this user's projects live in this browser. */
  storageKind: StorageKind;
}

export type StorageKind = 'localStorage' | 'indexedDB';

/** The localStorage key that says where a user's data lives (outside the data's own prefix). */
export const storageKindKey = (userId: string) => `basic-sync-storage:${userId}`;
const localPrefix = (userId: string) => `basic-sync:${userId}`;
const databaseName = (userId: string) => `basic-sync:${userId}`;

export function storageKindOf(userId: string): StorageKind {
  return localStorage.getItem(storageKindKey(userId)) === 'indexedDB' ? 'indexedDB' : 'localStorage';
}

/**
 * Moves a user's projects, outbox and sync state from localStorage to IndexedDB, as they
 * are stored (one transaction), then says so (other tabs hear it and reload) and frees
 * localStorage. The caller stops the service first and reloads after.
 */
export async function moveToIndexedDb(userId: string): Promise<void> {
  const from = batchedLocalStorageDriver({ base: localPrefix(userId) });
  const to = batchedIndexedDbDriver({ dbName: databaseName(userId) });
  try {
    const items = await from.getItems!((await from.getKeys('', {})).map((key) => ({ key })), {});
    await to.setItems!(items.map(({ key, value }) => ({ key, value: value as string })), {});
  } finally {
    await to.dispose?.();
  }
  localStorage.setItem(storageKindKey(userId), 'indexedDB');
  await from.clear!('', {});
}

const byUser = new Map<string, AppSync>();

export function appSyncFor(options: {
  userId: string;
  serverUrl: string;
  socketUrl?: string;
  projectId: string;
  getToken: GetToken;
  inspect?: (event: InspectionEvent) => void;
}): AppSync {
  let sync = byUser.get(options.userId);
  if (!sync) {
    const storageKind = storageKindOf(options.userId);
    const storage = createStorage({
      driver:
        storageKind === 'indexedDB'
          ? batchedIndexedDbDriver({ dbName: databaseName(options.userId) })
          : batchedLocalStorageDriver({ base: localPrefix(options.userId), window }),
    });
    const service = createSyncService({
      storage,
      serverUrl: options.serverUrl,
      socketUrl: options.socketUrl,
      // One tab of this browser syncs for this user; the others follow it.
      tabGroup: `${options.projectId}:${options.userId}`,
      projectId: options.projectId,
      schema,
      merge: mergeRules,
      getToken: options.getToken,
      inspect: options.inspect,
    });
    const store = createProjectStore(service);
    sync = { service, store, undo: createUndoHistory(store), storageKind };
    byUser.set(options.userId, sync);
  }
  return sync;
}
