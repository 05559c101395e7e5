/**
 * One sync service per signed-in user, created outside React (StrictMode mounts
 * effects twice; a service lives as long as the page). Each user's data lives under
 * its own localStorage prefix, so switching users never mixes their projects.
 */
import { createStorage } from 'unstorage';
import type { InspectionEvent } from 'xstate';
import schema, { mergeRules } from '../../basic.config.js';
import { batchedLocalStorageDriver, createSyncService, type GetToken, type SyncService } from 'basic-sync';
import { createProjectStore, type ProjectStore } from './stores.js';
import { createUndoHistory, type UndoHistory } from './undo.js';

export interface AppSync {
  service: SyncService<typeof schema>;
  store: ProjectStore;
  /** The store's operations, each undoable (Ctrl/Cmd+Z). */
  undo: UndoHistory;
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
    const storage = createStorage({ driver: batchedLocalStorageDriver({ base: `basic-sync:${options.userId}`, window }) });
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
    sync = { service, store, undo: createUndoHistory(store) };
    byUser.set(options.userId, sync);
  }
  return sync;
}
