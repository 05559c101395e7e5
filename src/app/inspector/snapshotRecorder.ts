/**
 * Records the sync machine's snapshots from XState's inspection stream (the service's
 * `inspect` option), so the inspector can step back and forward through them: each step
 * is the event in words, the active states, and what the step held (outbox, quarantine,
 * live merge actors). Made only with `?inspect`; bounded, oldest steps dropped first.
 */
import type { AnyStateMachine, InspectionEvent, StateValue } from 'xstate';
import { eventWords } from './eventWords.js';

export interface RecordedStep {
  /** 1, 2, ... for the whole session (older steps may have been dropped). */
  n: number;
  at: number;
  eventType: string;
  /** The event as a person would say it. */
  event: string;
  /** Ids of the active state nodes, parents included (`sync.sync.connected.idle`). */
  active: string[];
  /** Each region's active path: `sync: connected › idle`. */
  regions: string[];
  pendingCount: number;
  /** Records whose changes wait to be pushed (`table/id`). */
  outbox: string[];
  quarantined: Array<{ ref: string; reason: string }>;
  /** Live merge actors: held records (`held:projects/…`) and merge batches, with their state. */
  mergeActors: Array<{ id: string; state: string }>;
}

/** Ids of the active nodes of `value` under `prefix`, parents first. */
export function activeIds(prefix: string, value: StateValue): string[] {
  if (typeof value === 'string') return [`${prefix}.${value}`];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}.${key}`, ...(inner === undefined ? [] : activeIds(`${prefix}.${key}`, inner))]);
}

/** `{ sync: { connected: 'idle' }, inbound: 'waiting' }` -> `['sync: connected › idle', 'inbound: waiting']`. */
export function regionsOf(value: StateValue): string[] {
  const path = (v: StateValue): string[] => (typeof v === 'string' ? [v] : Object.entries(v).flatMap(([k, inner]) => [k, ...(inner === undefined ? [] : path(inner))]));
  if (typeof value === 'string') return [value];
  return Object.entries(value).map(([region, inner]) => `${region}: ${inner === undefined ? '' : path(inner).join(' › ')}`);
}

/** Invoke ids to their `src`, from the machine definition (unnamed invokes get generated ids). */
function invokeSources(machine: AnyStateMachine): Map<string, string> {
  const sources = new Map<string, string>();
  const visit = (node: AnyStateMachine['root']) => {
    for (const invoke of node.invoke) sources.set(invoke.id, typeof invoke.src === 'string' ? invoke.src : 'actor');
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return sources;
}

interface SyncSnapshotLike {
  value: StateValue;
  context: { pendingCount?: number; quarantined?: Array<{ table: string; id: string; reason: string }> };
  children: Record<string, { src?: unknown; getSnapshot(): { value?: StateValue; status?: string } } | undefined>;
}

const stateOf = (snapshot: { value?: StateValue; status?: string }) =>
  snapshot.value !== undefined ? (typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value)) : (snapshot.status ?? '?');

export class SnapshotRecorder {
  readonly steps: RecordedStep[] = [];
  private count = 0;
  private readonly listeners = new Set<() => void>();
  private readonly sources: Map<string, string>;
  private outbox: () => string[] = () => [];
  private last: SyncSnapshotLike | undefined;

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly limit = 500,
  ) {
    this.sources = invokeSources(machine);
  }

  /** Where the outbox is read from at each step (the service, once it exists). */
  readOutboxFrom(outbox: () => string[]): void {
    this.outbox = outbox;
  }

  inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const isRoot = event.actorRef.sessionId === event.rootId;
    // A held record's merge actor moving (held -> deciding) is a step of its own.
    const actorId = (event.actorRef as { id?: string }).id ?? '';
    if (!isRoot && !actorId.startsWith('held:')) return;
    if (isRoot) this.last = event.snapshot as unknown as SyncSnapshotLike;
    const snapshot = this.last;
    if (!snapshot) return;
    const type = event.event.type;
    const words = eventWords(type, (id) => this.sources.get(id));
    const context = snapshot.context;
    this.count += 1;
    this.steps.push({
      n: this.count,
      at: Date.now(),
      eventType: type,
      event: isRoot ? words : `${actorId}: ${words}`,
      active: activeIds(this.machine.id, snapshot.value),
      regions: regionsOf(snapshot.value),
      pendingCount: context.pendingCount ?? 0,
      outbox: this.outbox(),
      quarantined: (context.quarantined ?? []).map((q) => ({ ref: `${q.table}/${q.id}`, reason: q.reason })),
      mergeActors: Object.entries(snapshot.children).flatMap(([id, child]) => {
        if (!child) return [];
        const src = typeof child.src === 'string' ? child.src : '';
        if (!id.startsWith('held:') && src !== 'mergeBatch') return [];
        return [{ id: src === 'mergeBatch' ? `merge batch (${id})` : id, state: stateOf(child.getSnapshot()) }];
      }),
    });
    if (this.steps.length > this.limit) this.steps.splice(0, this.steps.length - this.limit);
    for (const listener of this.listeners) listener();
  };

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
