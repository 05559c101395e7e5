/** The offline view of the inspection stream: state path and the last events. */
import { useSelector } from '@xstate/react';
import { useStoreValue } from 'basic-sync/react';
import type { SyncService } from 'basic-sync';
import type { InspectionLog } from './inspection.js';

export function InspectorPanel({ service, log }: { service: Pick<SyncService, 'actor'>; log: InspectionLog }) {
  const value = useSelector(service.actor, (s) => JSON.stringify(s.value));
  const entries = useStoreValue(log, (l) => [...l.entries]);
  return (
    <aside className="inspector" aria-label="Sync machine inspector">
      <h2>Sync machine</h2>
      <pre className="inspector-state" data-testid="inspector-state">{JSON.stringify(JSON.parse(value), null, 1)}</pre>
      <ol className="inspector-events">
        {entries.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <code>{e.actor}</code> ← {e.event}
          </li>
        ))}
      </ol>
    </aside>
  );
}
