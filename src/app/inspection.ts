/**
 * Inspection, only when asked for with `?inspect` (nothing is loaded or recorded
 * otherwise):
 * - `?inspect`          an in-app panel: the sync machine's state and its last events,
 *                       from XState's raw inspection stream (works offline).
 * - `?inspect=stately`  also the Stately inspector (`@statelyai/inspect`), which opens
 *                       stately.ai/inspect in a new window and steps through the sync
 *                       actor and its merge children.
 */
import type { InspectionEvent } from 'xstate';

export interface InspectionEntry {
  at: number;
  actor: string;
  event: string;
}

/** A bounded log of the events actors received, for the in-app panel. */
export class InspectionLog {
  readonly entries: InspectionEntry[] = [];
  private listeners = new Set<() => void>();

  constructor(private readonly limit = 40) {}

  record = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.event') return;
    const ref = event.actorRef as { id?: string; sessionId: string };
    const actor = ref.id || ref.sessionId;
    this.entries.unshift({ at: Date.now(), actor, event: event.event.type });
    this.entries.length = Math.min(this.entries.length, this.limit);
    for (const listener of this.listeners) listener();
  };

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface Inspection {
  log: InspectionLog;
  inspect: (event: InspectionEvent) => void;
}

export async function inspectionFromUrl(search: string): Promise<Inspection | undefined> {
  const mode = new URLSearchParams(search).get('inspect');
  if (mode === null) return undefined;
  const log = new InspectionLog();
  if (mode !== 'stately') return { log, inspect: log.record };
  const { createBrowserInspector } = await import('@statelyai/inspect');
  const stately = createBrowserInspector();
  return {
    log,
    inspect: (event) => {
      log.record(event);
      stately.inspect.next?.(event);
    },
  };
}
