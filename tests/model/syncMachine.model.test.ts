/**
 * Model-based tests of the sync machine, generated from its definition with
 * `xstate/graph`: transition coverage paths (a shortest path to a state plus one more
 * step, for every declared transition), each replayed on a running actor whose
 * invoked actors are controllable stubs (`.provide()`): a done/error step resolves or
 * fails the stub, every other step is sent. After every step the running actor must
 * be where the model says. Adding a state or transition adds paths by itself; a
 * transition no path reaches fails the coverage test.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock, createActor, fromCallback, fromPromise, type AnyActorLogic, type EventObject } from 'xstate';
import { recordMergeMachine } from '../../src/machines/recordMerge.js';
import { syncMachine as realSyncMachine } from '../../src/machines/syncMachine.js';
import { declaredStates } from './coverage.js';
import { generateTransitionCover, syncMachine } from './paths.js';
import { MODEL_INPUT, serializeState } from './syncModel.js';

const { paths, declared, covered, statesSeen, stateCount } = generateTransitionCover();

/** A running sync actor whose invoked actors finish or fail when the test says. */
function controllableActor() {
  const gates = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>();
  const gate = fromPromise(({ self }) => new Promise((resolve, reject) => gates.set(self.id, { resolve, reject })));
  const machine = realSyncMachine.provide({
    actors: {
      loadLocal: gate,
      authenticate: gate,
      prepareRemote: gate,
      applyDecisions: gate,
      mergeBatch: gate as unknown as AnyActorLogic,
      // The connection's answers (PUSH.DONE, TOKEN.RENEWED, ...) come from the path's steps.
      remoteConnection: fromCallback(() => {}),
      // Roles come from the path's ROLE.* steps, not from an election.
      electOwner: fromCallback(() => {}),
      // Reporting is the merge actor's own business (tests/model/recordMerge...): here the model sends MERGE.DECIDED.
      recordMerge: recordMergeMachine.provide({ actions: { reportDecision: () => {} } }),
    } as never,
  });
  const actor = createActor(machine, { input: MODEL_INPUT, clock: new SimulatedClock() });
  return { actor, gates };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('sync machine, model-based', () => {
  it('covers every state and every declared transition', () => {
    const missing = declared.map((d) => d.key).filter((k) => !covered.has(k));
    const states = declaredStates(syncMachine);
    const unvisited = states.filter((s) => !statesSeen.has(s));
    console.log(
      `sync machine coverage: ${declared.length - missing.length}/${declared.length} transitions, ` +
        `${states.length - unvisited.length}/${states.length} states, ${paths.length} paths over ${stateCount} model states`,
    );
    expect(missing).toEqual([]);
    expect(unvisited).toEqual([]);
  });

  it.each(paths.map((p, i) => [i, p.steps.map((s) => s.event.type.replace(/^xstate\.(done|error)\.actor\.0\.sync\./, '$1:')).join(' → '), p] as const))(
    'path %i: %s',
    async (_i, _label, path) => {
      const { actor, gates } = controllableActor();
      const errors: unknown[] = [];
      actor.subscribe({ error: (e) => errors.push(e) });
      actor.start();
      for (const step of path.steps) {
        const event = step.event as EventObject & { actorId?: string; output?: unknown; error?: unknown };
        if (event.type === 'xstate.init') {
          // started above
        } else if (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.')) {
          const g = gates.get(event.actorId!);
          expect(g, `no running actor ${event.actorId} for ${event.type}`).toBeDefined();
          if (event.type.startsWith('xstate.done')) g!.resolve(event.output);
          else g!.reject(event.error);
        } else {
          actor.send(event as never);
        }
        await settle();
        expect(serializeState(actor.getSnapshot())).toBe(serializeState(step.state));
      }
      expect(errors).toEqual([]);
      actor.stop();
    },
  );
});
