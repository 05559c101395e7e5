/**
 * Inspection, only when asked for with `?inspect` (nothing is loaded or recorded
 * otherwise; the inspector's code and the diagram renderer are separate chunks):
 * - `?inspect`          the in-app inspector: the statechart drawn from the machine
 *                       definition with the active states lit, the live merge actors,
 *                       outbox and quarantine, and a timeline of recorded snapshots to
 *                       step back and forward through. Needs no network.
 * - `?inspect=stately`  also the Stately inspector (`@statelyai/inspect`), which opens
 *                       stately.ai/inspect in a new window (where it can be reached).
 */
import type { InspectionEvent } from 'xstate';
import { syncMachine } from 'basic-sync';
import type { SnapshotRecorder } from './inspector/snapshotRecorder.js';

export interface Inspection {
  recorder: SnapshotRecorder;
  inspect: (event: InspectionEvent) => void;
}

export async function inspectionFromUrl(search: string): Promise<Inspection | undefined> {
  const mode = new URLSearchParams(search).get('inspect');
  if (mode === null) return undefined;
  const { SnapshotRecorder } = await import('./inspector/snapshotRecorder.js');
  const recorder = new SnapshotRecorder(syncMachine);
  if (mode !== 'stately') return { recorder, inspect: recorder.inspect };
  const { createBrowserInspector } = await import('@statelyai/inspect');
  const stately = createBrowserInspector();
  return {
    recorder,
    inspect: (event) => {
      recorder.inspect(event);
      stately.inspect.next?.(event);
    },
  };
}
