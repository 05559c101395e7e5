/**
 * The same generated paths, driven against the real service: a real server behind a
 * fault proxy, real storage, and XState's SimulatedClock for `after` delays. Each step
 * becomes what causes it in the world: a local write, an edit starting or ending, a
 * remote write by another writer, dropped sockets, a delay elapsing; an actor's error
 * step becomes a network fault while that actor runs, its done step the network healed.
 * Outputs come from the real actors, so the path is a script of causes, not a promise of
 * states. After each path the faults heal and the invariant must hold: the client's store
 * equals the server's and nothing is left pending.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock, type EventObject } from 'xstate';
import schema from '../../basic.config.js';
import { call, testServer } from '../helpers/server.js';
import { eventually, recordsOf, serverRecords, startClient } from '../helpers/clients.js';
import { FaultProxy } from '../fault/faultProxy.js';
import { generateTransitionCover, type Path } from './paths.js';

const { paths } = generateTransitionCover();
const UNREALIZABLE = /STORAGE\.FAILED|error\.actor\.[^.]+\.sync\.sync\.booting|error\.actor\.[^.]+\.sync\.inbound/;
const runnable = paths.filter((p) => !p.steps.some((s) => UNREALIZABLE.test(s.event.type)));
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

const label = (p: Path) => p.steps.map((s) => s.event.type.replace(/^xstate\.(done|error)\.actor\.0\.sync\./, '$1:').replace(/^xstate\.after\.(\w+)\..*/, 'after $1')).join(' → ');

describe('generated paths against the real service', () => {
  it('covers most generated paths (the rest need a storage or load failure)', () => {
    expect(runnable.length).toBeGreaterThan(paths.length * 0.7);
  });

  it.each(runnable.map((p, i) => [i, label(p), p] as const))('path %i: %s', async (_i, _label, path) => {
    const server = await testServer();
    const proxy = await FaultProxy.start(server.port);
    proxies.push(proxy);
    const clock = new SimulatedClock();
    const a = await startClient(proxy, 'alice', { clock, remoteTimeoutMs: 1000, random: () => 0.5 });
    const { access_token } = await server.issueTokens('alice');
    const editing = new Map<string, string>();
    let remoteWrites = 0;
    const steps = path.steps.slice(1); // xstate.init: the client started above
    const settle = () => new Promise((r) => setTimeout(r, 60));

    for (let i = 0; i < steps.length; i++) {
      const event = steps[i]!.event as EventObject & Record<string, unknown>;
      const next = steps[i + 1]?.event.type ?? '';
      // An actor's error step: the network fails while it runs; its done step: it works.
      if (next.startsWith('xstate.error.actor.')) {
        proxy.fault = 'down';
        proxy.dropAll();
      } else if (next.startsWith('xstate.done.actor.')) proxy.heal();

      const type = event.type;
      if (type === 'LOCAL.CHANGED') await a.store.addProject({ name: `local ${i}` });
      else if (type === 'EDITING.BEGAN') {
        const target = a.store.listProjects()[0] ?? (await a.store.addProject({ name: 'edited' }));
        editing.set(String(event.id), target.id);
        a.service.beginEditing(target.id);
      } else if (type === 'EDITING.ENDED') {
        const id = editing.get(String(event.id));
        if (id) a.service.endEditing(id);
        editing.delete(String(event.id));
      } else if (type === 'SOCKET.DOWN') proxy.dropAll();
      else if (type === 'REMOTE.CHANGES') {
        remoteWrites += 1;
        const id = `remote-${i}`;
        const value = { id, name: `remote ${i}`, type: 'project', components: {}, lastModified: Date.now(), modifiedBy: 'other-writer' };
        await call(server, access_token, 'PUT', `/account/${schema.project_id}/db/projects/${id}`, { value });
      } else if (type === 'FLUSH') a.service.flush();
      else if (type === 'RETRY.NOW') a.service.retryNow();
      else if (type === 'NETWORK.ONLINE') a.service.actor.send({ type: 'NETWORK.ONLINE' });
      else if (type === 'NOTICE.DISMISS') a.service.status().updatedElsewhere.forEach((id) => a.service.dismissNotice(id));
      else if (type.startsWith('xstate.after.')) {
        const c = a.service.actor.getSnapshot().context;
        const delay = type.includes('.debounce.') ? c.debounceMs : type.includes('.maxWait.') ? c.maxWaitMs : c.retryDelayMs;
        clock.increment(delay);
      }
      // done/error/released steps happen by themselves; give them a moment.
      await settle();
    }

    // Heal everything and let time pass until the client settles; then the invariant holds.
    for (const id of editing.values()) a.service.endEditing(id);
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
