/**
 * React bindings: the sync status (read from the statechart), a collection's records
 * and one record (re-rendering only when what they read changed), and any store with
 * `subscribe`.
 */
import { useSelector } from '@xstate/react';
import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react';
import type { Collection } from '../sync/collection.js';
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

/**
 * A collection's live records, or what `select` derives from them (memoize `select` with
 * `useCallback` when it is not a module-level function). Re-renders when the table changes.
 */
export function useCollection<R extends { id: string }, T = R[]>(collection: Collection<R>, select?: (records: R[]) => T): T {
  const records = useSyncExternalStore(collection.subscribe, collection.list);
  return useMemo(() => (select ? select(records) : (records as unknown as T)), [records, select]);
}

/** One live record (undefined when absent or deleted); re-renders only when it changes. */
export function useRecord<R extends { id: string }>(collection: Collection<R>, id: string | undefined): R | undefined {
  const read = useCallback(() => (id === undefined ? undefined : collection.get(id)), [collection, id]);
  return useSyncExternalStore(collection.subscribe, read);
}
