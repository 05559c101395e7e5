import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { eventWords, hasOwnWords } from '../../src/app/inspector/eventWords.js';
import { mermaidOfRegions } from '../../src/app/inspector/statechartDiagram.js';
import { activeIds, regionsOf, SnapshotRecorder } from '../../src/app/inspector/snapshotRecorder.js';
import { syncMachine } from '../../src/machines/syncMachine.js';

describe('eventWords', () => {
  const sources = new Map([['0.sync.sync.booting', 'loadLocal'], ['connection', 'remoteConnection']]);
  it.each([
    ['xstate.init', 'started'],
    ['PUSH.DONE', 'push acknowledged'],
    ['LOCAL.CHANGED', 'local change'],
    ['xstate.after.debounce.sync.sync.connected.debouncing', 'debounce ended'],
    ['xstate.after.retryDelay.sync.sync.offline-retry', 'retry delay ended'],
    ['xstate.after.somethingNew.sync.x', 'somethingNew delay ended'],
    ['xstate.done.actor.0.sync.sync.booting', 'local records loaded'],
    ['xstate.error.actor.0.sync.sync.booting', 'local records could not be loaded'],
    ['xstate.error.actor.connection', 'connection failed'],
    ['xstate.done.actor.unknown-id', 'unknown-id finished'],
    ['SOME_NEW.EVENT_TYPE', 'some new event type'],
  ])('%s -> %s', (type, words) => expect(eventWords(type, (id) => sources.get(id))).toBe(words));

  it('names every event the sync machine handles in words of its own (none falls back to the type)', () => {
    const types = new Set<string>();
    const visit = (node: typeof syncMachine.root) => {
      for (const type of node.ownEvents) types.add(type);
      for (const child of Object.values(node.states)) visit(child);
    };
    visit(syncMachine.root);
    const unnamed = [...types].filter((t) => !t.startsWith('xstate.') && !hasOwnWords(t));
    expect(unnamed).toEqual([]);
  });
});

describe('activeIds and regionsOf', () => {
  const value = { sync: { connected: 'idle' }, inbound: 'waiting' };
  it('lists every active node, parents first, with the machine id in front', () =>
    expect(activeIds('sync', value)).toEqual(['sync.sync', 'sync.sync.connected', 'sync.sync.connected.idle', 'sync.inbound', 'sync.inbound.waiting']));
  it('says each region as a path', () => expect(regionsOf(value)).toEqual(['sync: connected › idle', 'inbound: waiting']));
  it('takes a plain string value', () => expect(regionsOf('held')).toEqual(['held']));
});

describe('SnapshotRecorder', () => {
  const lamp = setup({ types: { events: {} as { type: 'SWITCH' } } }).createMachine({
    id: 'lamp',
    type: 'parallel',
    states: { light: { initial: 'off', states: { off: { on: { SWITCH: 'on' } }, on: { on: { SWITCH: 'off' } } } }, power: {} },
  });

  it('records each snapshot of the root actor: the event in words, active states, regions', () => {
    const recorder = new SnapshotRecorder(lamp);
    const actor = createActor(lamp, { inspect: recorder.inspect }).start();
    actor.send({ type: 'SWITCH' });
    expect(recorder.steps.map((s) => [s.n, s.event, s.regions])).toEqual([
      [1, 'started', ['light: off', 'power: ']],
      [2, 'switch', ['light: on', 'power: ']],
    ]);
    expect(recorder.steps[1]!.active).toEqual(['lamp.light', 'lamp.light.on', 'lamp.power']);
    actor.stop();
  });

  it('keeps only the newest steps past its limit', () => {
    const recorder = new SnapshotRecorder(lamp, 2);
    const actor = createActor(lamp, { inspect: recorder.inspect }).start();
    for (let i = 0; i < 4; i++) actor.send({ type: 'SWITCH' });
    expect(recorder.steps.map((s) => s.n)).toEqual([4, 5]);
    actor.stop();
  });
});

describe('mermaidOfRegions', () => {
  it('draws each parallel region of the sync machine as its own diagram, with every state of it', () => {
    const regions = mermaidOfRegions(syncMachine);
    expect(regions.map((r) => r.region)).toEqual(Object.keys(syncMachine.root.states));
    const sync = regions.find((r) => r.region === 'sync')!.text;
    for (const state of ['booting', 'authenticating', 'reconciling', 'idle', 'debouncing', 'pushing', 'offline-retry']) expect(sync).toContain(`state "${state}"`);
    expect(sync).not.toMatch(/^\s*--$/m); // one region: no parallel separators
  });
});
