/**
 * The in-app inspector (`?inspect`), offline: the sync statechart drawn from its own
 * definition (the Mermaid text `npm run docs:statecharts` writes, rendered here by
 * Mermaid) with the active states lit; a timeline of recorded snapshots to step back and
 * forward through, or follow live; and what the shown step held: live merge actors,
 * the outbox and the quarantine. Loaded as its own chunk, only with `?inspect`.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { syncMachine } from 'basic-sync';
import type { SnapshotRecorder } from './snapshotRecorder.js';
import { mermaidOfRegions } from './statechartDiagram.js';

export interface InspectorPanelProps {
  recorder: SnapshotRecorder;
}

/** `sync.sync.connected.idle` -> the diagram's `sync_sync_connected_idle`. */
const diagramId = (stateId: string) => stateId.replace(/[^A-Za-z0-9]/g, '_');

const DIAGRAM_SCALE = 0.65;

/** The rendered diagram's elements of each state, by diagram id. */
type StateElements = Map<string, Element[]>;

function useDiagram(container: React.RefObject<HTMLDivElement | null>): { elements: StateElements | null; failure: string | null } {
  const [elements, setElements] = useState<StateElements | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { default: mermaid } = await import('mermaid');
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', layout: 'dagre', state: { useMaxWidth: false } });
      const drawn: string[] = [];
      for (const { region, text } of mermaidOfRegions(syncMachine)) {
        const { svg } = await mermaid.render(`statechart-${region}`, text);
        // Focusable: each region scrolls, and the keyboard must reach it too.
        drawn.push(`<figure tabindex="0"><figcaption>${region}</figcaption>${svg}</figure>`);
      }
      if (cancelled || !container.current) return;
      container.current.innerHTML = drawn.join('');
      // Drawn at two thirds of Mermaid's size: small enough to see around the active state, still readable.
      for (const svg of container.current.querySelectorAll('svg')) {
        const width = Number(svg.getAttribute('width') ?? svg.viewBox.baseVal.width);
        if (width > 0) svg.setAttribute('width', String(Math.round(width * DIAGRAM_SCALE)));
        svg.removeAttribute('height');
      }
      const byId: StateElements = new Map();
      // Mermaid names a state's group `…-state-<id>-<n>` (leaves and composite states alike).
      for (const el of container.current.querySelectorAll('g[id*="-state-"]')) {
        const id = /-state-(.+)-\d+$/.exec(el.id)?.[1];
        if (id) byId.set(id, [...(byId.get(id) ?? []), el]);
      }
      setElements(byId);
    })().catch((e: Error) => setFailure(`The statechart could not be drawn: ${e.message}`));
    return () => {
      cancelled = true;
    };
  }, [container]);
  return { elements, failure };
}

/** One list of what a step held: a record or actor per line, with what it says of it. */
function RefList({ label, heading, items, empty }: { label: string; heading: string; items: Array<{ ref: string; detail?: string }>; empty: string }) {
  return (
    <section aria-label={label}>
      <h3>{heading}</h3>
      {items.length ? (
        <ul>
          {items.map(({ ref, detail }) => (
            <li key={ref}>
              <code>{ref}</code>
              {detail === undefined ? null : `: ${detail}`}
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty">{empty}</p>
      )}
    </section>
  );
}

export function InspectorPanel({ recorder }: InspectorPanelProps) {
  // Re-renders when a step is recorded (the steps themselves are read below).
  useSyncExternalStore(
    (listener) => recorder.subscribe(listener),
    () => recorder.steps.at(-1)?.n ?? 0,
  );
  const steps = recorder.steps;
  // Following live, the last step is shown; stepping, the chosen one (by its number, which
  // stays when the oldest steps are dropped) stays put.
  const [chosen, setChosen] = useState<number | null>(null);
  const index = chosen === null ? steps.length - 1 : Math.max(0, steps.findIndex((s) => s.n === chosen));
  const step = steps[index];
  const following = chosen === null;
  const diagram = useRef<HTMLDivElement>(null);
  const { elements, failure } = useDiagram(diagram);

  useEffect(() => {
    if (!elements) return;
    const active = new Set(step?.active.map(diagramId));
    for (const [id, els] of elements) for (const el of els) el.classList.toggle('active-state', active.has(id));
    // Each region scrolls on its own (drawn at a readable size): bring its active leaf state into view.
    for (const figure of diagram.current?.querySelectorAll('figure') ?? []) {
      const leaf = figure.querySelector('.active-state.node');
      if (!leaf) continue;
      const box = leaf.getBoundingClientRect();
      const frame = figure.getBoundingClientRect();
      figure.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
      figure.scrollTop += box.top + box.height / 2 - (frame.top + frame.height / 2);
    }
  }, [elements, step]);

  const go = (to: number) => setChosen(steps[Math.max(0, Math.min(steps.length - 1, to))]?.n ?? null);
  const timeline = steps.slice(-60);

  return (
    <aside className="inspector" aria-label="Sync machine inspector">
      <h2>Sync machine</h2>
      <div className="inspector-controls" role="group" aria-label="Timeline">
        <button type="button" onClick={() => go(index - 1)} disabled={index <= 0}>
          ◀ Step back
        </button>
        <button type="button" onClick={() => go(index + 1)} disabled={following || index >= steps.length - 1}>
          Step forward ▶
        </button>
        <button type="button" aria-pressed={following} onClick={() => setChosen(following ? (step?.n ?? null) : null)}>
          {following ? 'Following live' : 'Follow live'}
        </button>
      </div>
      {step ? (
        <>
          <p className="inspector-step" data-testid="inspector-step">
            Step {step.n} {following ? '(live)' : `of ${steps.at(-1)!.n}`}: <strong data-testid="inspector-event">{step.event}</strong>
          </p>
          <ul className="inspector-regions" data-testid="inspector-state">
            {step.regions.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>Nothing recorded yet.</p>
      )}
      <div className="inspector-lists">
        <RefList
          label="Merge actors"
          heading="Merge actors"
          items={step?.mergeActors.map((a) => ({ ref: a.id, detail: a.state })) ?? []}
          empty="None live (records nobody edits are decided by done-on-start actors inside a merge batch)."
        />
        <RefList label="Outbox" heading={`Outbox (${step?.pendingCount ?? 0})`} items={step?.outbox.slice(0, 20).map((ref) => ({ ref })) ?? []} empty="Empty." />
        <RefList
          label="Quarantine"
          heading={`Quarantine (${step?.quarantined.length ?? 0})`}
          items={step?.quarantined.map((q) => ({ ref: q.ref, detail: q.reason })) ?? []}
          empty="Empty."
        />
      </div>
      {failure ? (
        <p className="error" role="alert">
          {failure}
        </p>
      ) : null}
      <div className="inspector-diagram" ref={diagram} data-testid="inspector-diagram" role="group" aria-label="The sync statechart, active states highlighted" />
      <ol className="inspector-timeline" aria-label="Recorded steps">
        {timeline.map((s) => (
          <li key={s.n} className={s === step ? 'current' : undefined}>
            <button type="button" onClick={() => setChosen(s.n)} aria-current={s === step ? 'step' : undefined}>
              {s.n}. {s.event}
            </button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
