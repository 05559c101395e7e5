/** React bindings: the sync status (read from the statechart) and any store with `subscribe`. */
import { useSelector } from '@xstate/react';
import { useCallback, useRef, useSyncExternalStore } from 'react';
import { statusOf, type SyncStatus } from '../sync/status.js';
import type { SyncService } from '../sync/syncService.js';

const sameStatus = (a: SyncStatus, b: SyncStatus) => JSON.stringify(a) === JSON.stringify(b);

/** The sync status, selected from the running actor; re-renders only when it changes. */
export function useSyncStatus(service: Pick<SyncService, 'actor'>): SyncStatus {
  return useSelector(service.actor, statusOf, sameStatus);
}

export interface Subscribable {
  subscribe(listener: () => void): () => void;
}

/** A value derived from a store, recomputed only after the store reports a change. */
export function useStoreValue<S extends Subscribable, T>(store: S, select: (store: S) => T): T {
  const version = useRef(0);
  const cache = useRef<{ version: number; value: T } | null>(null);
  const subscribe = useCallback(
    (onChange: () => void) =>
      store.subscribe(() => {
        version.current += 1;
        onChange();
      }),
    [store],
  );
  const getSnapshot = () => {
    if (!cache.current || cache.current.version !== version.current) cache.current = { version: version.current, value: select(store) };
    return cache.current.value;
  };
  return useSyncExternalStore(subscribe, getSnapshot);
}
