/**
 * React bindings: the sync status (read from the statechart), a collection's records
 * and one record (re-rendering only when what they read changed), and any store with
 * `subscribe`.
 */
import { useSelector } from '@xstate/react';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Collection } from '../sync/collection.js';
import { statusOf, type SyncStatus } from '../sync/status.js';
import type { SyncService } from '../sync/syncService.js';

const sameStatus = (a: SyncStatus, b: SyncStatus) => JSON.stringify(a) === JSON.stringify(b);

/** The sync status, selected from the running actor; re-renders only when it changes. */
export function useSyncStatus(service: Pick<SyncService, 'actor'>): SyncStatus {
  return useSelector(service.actor, statusOf, sameStatus);
}

export interface Subscribable {
  /** `origin: 'local'` for the user's own writes (see `LocalChange`). */
  subscribe(listener: (change?: { origin?: string }) => void): () => void;
}

/**
 * Runs `work` after the next paint (a task after the next animation frame), so what an
 * input changed at once is painted first; where nothing paints (no document, a hidden
 * tab), soon. Returns a cancel function.
 */
function afterNextPaint(work: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const visible = typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible';
  if (!visible) {
    timer = setTimeout(work, 0);
    return () => clearTimeout(timer);
  }
  const frame = requestAnimationFrame(() => (timer = setTimeout(work, 0)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/** How often, at most, changes from elsewhere (a sync's pages, other tabs) re-render a whole-store value. */
export const REMOTE_RENDER_MS = 250;

/**
 * Runs `work` at once when it has not run for `ms`; otherwise once, `ms` after it last ran
 * (calls meanwhile are one run). Returns the call and a cancel function.
 */
export function atMostEvery(ms: number, work: () => void, now: () => number = () => performance.now()): { call(): void; cancel(): void } {
  let lastAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    lastAt = now();
    work();
  };
  return {
    call() {
      if (timer !== undefined) return;
      const wait = lastAt + ms - now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel: () => clearTimeout(timer),
  };
}

/**
 * A value derived from a whole store (a tree of thousands of records), recomputed in render
 * when the store reports a change, never in the store's notification (which a load or a
 * catch-up page sends from inside the sync service). Every change re-renders as a
 * transition: React renders it when the page is free and skips versions superseded
 * meanwhile. Changes from elsewhere (a sync's pages, other tabs) render at once, then at
 * most every `REMOTE_RENDER_MS` while they keep coming: a first sync of 10k records is
 * rendered a few times, not once per page (each render of a growing tree took the page's
 * thread from the sync). The user's own changes (`origin: 'local'`) re-render after the
 * next paint, so what their input changed at once is painted first: read what the user is
 * acting on with a synchronous subscription (`useRecord`, or `useSyncExternalStore` over
 * one record) so their change shows in the next frame. `select` should return the same
 * value while the store is unchanged (a cached derivation, as `projectTree()` is).
 */
export function useStoreValue<S extends Subscribable, T>(store: S, select: (store: S) => T): T {
  const [version, setVersion] = useState(0);
  const latestSelect = useRef(select);
  latestSelect.current = select;
  // `version` is what changes; `select` reads the store as it is now.
  const value = useMemo(() => select(store), [store, version]);
  const rendered = useRef(value);
  rendered.current = value;
  useEffect(() => {
    let scheduled: (() => void) | null = null;
    const changed = () => {
      scheduled = null;
      startTransition(() => setVersion((v) => v + 1));
    };
    const fromElsewhere = atMostEvery(REMOTE_RENDER_MS, changed);
    const unsubscribe = store.subscribe((change) => {
      // The user's own changes until the next frame are one render, after that frame's paint.
      if (change?.origin === 'local') scheduled ??= afterNextPaint(changed);
      else fromElsewhere.call();
    });
    // A change between the render and this subscription (a load that ended meanwhile) is not missed.
    if (latestSelect.current(store) !== rendered.current) changed();
    return () => {
      unsubscribe();
      scheduled?.();
      fromElsewhere.cancel();
    };
  }, [store]);
  return value;
}

/**
 * A collection's live records, or what `select` derives from them (memoize `select` with
 * `useCallback` when it is not a module-level function). Re-renders when the table changes.
 */
export function useCollection<R extends { id: string }, T = R[]>(collection: Collection<R>, select?: (records: R[]) => T): T {
  const records = useSyncExternalStore(collection.subscribe, collection.list);
  return useMemo(() => (select ? select(records) : (records as unknown as T)), [records, select]);
}

/**
 * One live record (undefined when absent or deleted); re-renders only when it changes.
 * `collection.get` must return the same object while the record is unchanged.
 */
export function useRecord<R extends { id: string }>(collection: Pick<Collection<R>, 'get' | 'subscribe'>, id: string | undefined): R | undefined {
  const read = useCallback(() => (id === undefined ? undefined : collection.get(id)), [collection, id]);
  return useSyncExternalStore(collection.subscribe, read);
}
