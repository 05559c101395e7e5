/**
 * The same generated paths, driven against the real service: a real server behind a
 * fault proxy, real storage, and XState's SimulatedClock for `after` delays. Each step
 * becomes what causes it in the world: a local write, an edit starting or ending, a
 * remote write by another writer, dropped sockets, a delay elapsing; an actor's error
 * step becomes a fault while that actor runs (the network for remote work, the storage
 * for loading and applying), its done step the fault healed.
 * Outputs come from the real actors, so the path is a script of causes, not a promise of
 * states. After each path the faults heal and the invariant must hold: the client's store
 * equals the server's and nothing is left pending.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock, type EventObject, type InspectionEvent } from 'xstate';
import schema from '../../basic.config.js';
import { eventually, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { flakyStorage } from '../helpers/flakyStorage.js';
import { call, testServer } from '../helpers/server.js';
import { FaultProxy } from '../fault/faultProxy.js';
import { generateTransitionCover, type Path } from './paths.js';
import { tokenRenewalDelay } from '../../src/machines/syncMachine.js';
import { syncStateOf } from '../../src/sync/status.js';

const dedupe = (xs: string[]) => xs.filter((x, i) => x !== xs[i - 1]);
/** Whether `part` appears in `whole` in order (other entries in between). */
function isSubsequence(part: string[], whole: string[]): boolean {
  let at = 0;
  for (const x of whole) if (x === part[at]) at++;
  return at === part.length;
}
const label = (p: Path) => p.steps.map((s) => s.event.type.replace(/^xstate\.(done|error)\.actor\.0\.sync\./, '$1:').replace(/^xstate\.after\.(\w+)\..*/, 'after $1')).join(' → ');
const { paths } = generateTransitionCover();

/** Why the real service cannot take a path, or null when it can. */
function unproducible(path: Path): string | null {
  for (let i = 1; i < path.steps.length; i++) {
    const type = path.steps[i]!.event.type;
    if (/^xstate\.done\.actor\.[^.]+\.sync\.sync\.booting$/.test(type) && !path.steps[i - 1]!.state.matches({ role: 'owner' })) {
      return 'loading ends before the election speaks: without other tabs the election makes this tab the owner at once';
    }
    if (/^xstate\.error\.actor\.[^.]+\.sync\.inbound\.preparing$/.test(type)) return 'preparing a frame does no I/O: it fails only through a bug';
    if (type === 'ROLE.FOLLOWER' || type === 'OWNER.STATUS') return 'another tab exists only in a browser (tests/browser/tabs.test.ts)';
  }
  return null;
}
/**
 * Why the states of a path are checked only at its end, or null when they are checked
 * step by step: the model's stub may finish an actor with an output the driver gives no
 * cause for (its states then differ from the real ones, not as a fault of either).
 */
function statesUnchecked(path: Path): string | null {
  for (const step of path.steps) {
    const output = (step.event as { output?: { pendingCount?: number } }).output;
    if (/^xstate\.done\.actor\.[^.]+\.sync\.inbound\.applying$/.test(step.event.type) && (output?.pendingCount ?? 0) > 0) {
      return 'the model applies a remote frame that leaves a local write to push; the driver writes remote records the client does not hold';
    }
  }
  return null;
}

const reasons = paths.map((p) => ({ path: p, reason: unproducible(p) }));
const runnable = reasons.filter((r) => r.reason === null).map((r) => r.path);
const excluded = reasons.filter((r) => r.reason !== null).map((r) => `${label(r.path)}: ${r.reason}`);

/** Actor failures the storage causes; the network causes the others. */
const STORAGE_FAULT = /^xstate\.error\.actor\.[^.]+\.sync\.(sync\.booting|inbound\.applying)$/;
const LOAD_FAULT = /^xstate\.error\.actor\.[^.]+\.sync\.sync\.booting$/;
const APPLY_FAULT = /^xstate\.error\.actor\.[^.]+\.sync\.inbound\.applying$/;
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});


describe('generated paths against the real service', () => {
  it('runs every generated path but those no real cause can produce', () => {
    // Each exclusion has its reason; a new one shows up here to be looked at.
    expect(excluded.filter((e) => !e.includes('only in a browser') && !e.includes('the election speaks'))).toHaveLength(1);
    expect(runnable.length + excluded.length).toBe(paths.length);
    // Most paths are held to the model state by state; the rest, with their reason, at the end.
    const endOnly = runnable.filter((p) => statesUnchecked(p) !== null);
    console.log(`real-service paths: ${runnable.length} run, ${runnable.length - endOnly.length} checked state by state, ${endOnly.length} at the end only`);
    expect(runnable.length - endOnly.length).toBeGreaterThanOrEqual(40);
  });

  it.each(runnable.map((p, i) => [i, label(p), p] as const))('path %i: %s', async (_i, _label, path) => {
    // A permanent failure to authenticate is a server that publishes another schema version.
    const schemaMismatch = path.steps.some((st) => (st.event as { error?: { transient?: boolean } }).error?.transient === false);
    const server = await testServer(schemaMismatch ? { schema: { ...schema, version: schema.version + 1 } } : {});
    const proxy = await FaultProxy.start(server.port);
    proxies.push(proxy);
    const clock = new SimulatedClock();
    const { storage, control } = flakyStorage();
    // A path that opens with the load failing starts on a store that cannot be read.
    control.failReads = LOAD_FAULT.test(path.steps[1]?.event.type ?? '');
    // What the real service showed, state by state from its start, to hold the model's states against.
    const shown: string[] = [];
    const inspect = (e: InspectionEvent) => {
      if (e.type !== '@xstate.snapshot' || e.actorRef.sessionId !== e.rootId) return;
      const state = syncStateOf(e.snapshot as Parameters<typeof syncStateOf>[0]);
      if (shown[shown.length - 1] !== state) shown.push(state);
    };
    const a = await startClient(proxy, 'alice', { storage, clock, remoteTimeoutMs: 1000, random: () => 0.5, startMayFail: control.failReads, inspect });
    const { access_token } = await server.issueTokens('alice');
    const editing = new Map<string, string>();
    let remoteWrites = 0;

    const steps = path.steps.slice(1); // xstate.init: the client started above
    const settle = () => new Promise((r) => setTimeout(r, 60));

    for (let i = 0; i < steps.length; i++) {
      const event = steps[i]!.event as EventObject & Record<string, unknown>;
      const next = steps[i + 1]?.event.type ?? '';
      // An actor's error step: the network fails while it runs; its done step: it works.
      // (Storage faults are set up where their cause happens, below; a permanent one is the server's schema.)
      const permanent = (steps[i + 1]?.event as { error?: { transient?: boolean } } | undefined)?.error?.transient === false;
      if (next.startsWith('xstate.error.actor.') && !STORAGE_FAULT.test(next) && !permanent) {
        proxy.fault = 'down';
        proxy.dropAll();
      } else if (next.startsWith('xstate.done.actor.') && proxy.fault !== 'none') proxy.heal(); // healing drops live connections too

      const type = event.type;
      if (type === 'LOCAL.CHANGED') {
        const added = await a.store.addProject({ name: `local ${i}` });
        // Local first: readable at once, and counted as waiting until the server has it.
        expect(a.store.getProject(added.id)?.name).toBe(`local ${i}`);
        expect(a.service.status().pendingCount).toBeGreaterThan(0);
      }
      else if (type === 'EDITING.BEGAN') {
        const target = a.store.listProjects()[0] ?? (await a.store.addProject({ name: 'edited' }));
        editing.set(String(event.id), target.id);
        a.service.beginEditing('projects', target.id);
      } else if (type === 'EDITING.ENDED') {
        const id = editing.get(String(event.id));
        if (id) a.service.endEditing('projects', id);
        editing.delete(String(event.id));
      } else if (type === 'CONNECTION.DOWN') proxy.dropAll();
      else if (type === 'STORAGE.FAILED') {
        control.failWrites = true;
        await expect(a.store.addProject({ name: `refused ${i}` })).rejects.toThrow(/quota exceeded/);
        control.failWrites = false;
      } else if (type === 'REMOTE.CHANGES') {
        // Applying this frame fails when a later step says so: the storage is full by then.
        const frameSteps = steps.slice(i + 1).findIndex((s) => s.event.type === 'REMOTE.CHANGES');
        const ofThisFrame = frameSteps < 0 ? steps.slice(i + 1) : steps.slice(i + 1, i + 1 + frameSteps);
        if (ofThisFrame.some((s) => APPLY_FAULT.test(s.event.type))) control.failWrites = true;
        remoteWrites += 1;
        const id = `remote-${i}`;
        const value = { id, name: `remote ${i}`, type: 'project', components: {}, lastModified: Date.now(), modifiedBy: 'other-writer' };
        await call(server, access_token, 'PUT', `/account/${schema.project_id}/db/projects/${id}`, { value });
      } else if (type === 'FLUSH') a.service.flush();
      else if (type === 'RETRY.NOW') a.service.retryNow();
      else if (type === 'NETWORK.ONLINE') a.service.actor.send({ type: 'NETWORK.ONLINE' });
      else if (type === 'NETWORK.OFFLINE') {
        // The network goes away and the browser says so (its `offline` event).
        proxy.fault = 'down';
        proxy.dropAll();
        a.service.actor.send({ type: 'NETWORK.OFFLINE' });
      }
      else if (type === 'NOTICE.DISMISS') for (const lost of a.service.status().lostWrites) await a.service.dismissNotice(lost);
      else if (type.startsWith('xstate.after.')) {
        const c = a.service.actor.getSnapshot().context;
        const delay = type.includes('.debounce.')
          ? c.debounceMs
          : type.includes('.maxWait.')
            ? c.maxWaitMs
            : type.includes('.tokenRenewal.')
              ? tokenRenewalDelay(c.tokenExpiresAt ?? 0, c.now())
              : c.retryDelayMs;
        clock.increment(delay);
      }
      // done/error/released steps happen by themselves; give them a moment.
      await settle();
      // A storage fault lasts until the failure it was set up for has happened.
      if (STORAGE_FAULT.test(type)) {
        control.failReads = false;
        control.failWrites = false;
      }
      // Every state the model went through so far, the real service showed, in order
      // (it may show more: its real actors do not wait for the model's next step).
      if (!statesUnchecked(path)) {
        const expected = dedupe(path.steps.slice(0, i + 2).map((st) => syncStateOf(st.state)));
        expect(isSubsequence(expected, shown), `model ${expected.join(' → ')}\nshown ${shown.join(' → ')}`).toBe(true);
      }
    }
    if (schemaMismatch) {
      // Halted for good: nothing is sent to a server of another schema, local data stays.
      expect(a.service.status().state).toBe('halted');
      expect(a.service.status().lastError).toBe(`the server's schema is version ${schema.version + 1}, this app's is ${schema.version}`);
      expect(await serverRecords(server, 'alice')).toEqual([]);
      return;
    }
    if (path.state.matches({ sync: 'halted' })) {
      expect(a.service.status().state).toBe('halted');
      expect(a.service.status().lastError).toMatch(/loading the local store failed: the storage backend is unavailable/);
    }

    // Heal everything and let time pass until the client settles; then the invariant holds.
    for (const id of editing.values()) a.service.endEditing('projects', id);
    proxy.heal();
    await eventually(async () => {
      a.service.retryNow();
      clock.increment(2000);
      await settle();
      expect(a.service.status().state).toBe('idle');
      expect(a.service.status().pendingCount).toBe(0);
      expect(recordsOf(a)).toEqual(await serverRecords(server, 'alice'));
    }, 15_000);
    expect((await serverRecords(server, 'alice')).filter((r) => r.modifiedBy === 'other-writer')).toHaveLength(remoteWrites);
  });
});
