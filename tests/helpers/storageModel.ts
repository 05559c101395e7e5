/**
 * A model of what a storage holds, for the drivers' property tests: random writes (single,
 * batch, remove), applied to the storage and to a plain map, and the check that the
 * storage holds what the map holds.
 */
import fc from 'fast-check';
import type { Storage } from 'unstorage';
import { expect } from 'vitest';

export const keyArb = fc.integer({ min: 0, max: 30 }).map((i) => `sync:k${i}`);

export const writeArb = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }),
  fc.record({ kind: fc.constant('batch' as const), entries: fc.array(fc.tuple(keyArb, fc.integer()), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('remove' as const), key: keyArb }),
);
export type Write = typeof writeArb extends fc.Arbitrary<infer T> ? T : never;

/** Applies a write to a storage and, if it succeeds, to the model of what it should hold. */
export async function apply(storage: Storage, model: Map<string, number>, o: Write): Promise<void> {
  if (o.kind === 'set') {
    await storage.setItem(o.key, o.value);
    model.set(o.key, o.value);
  } else if (o.kind === 'batch') {
    await storage.setItems(o.entries.map(([key, value]) => ({ key, value })));
    for (const [key, value] of o.entries) model.set(key, value);
  } else {
    await storage.removeItem(o.key);
    model.delete(o.key);
  }
}

/** The storage lists, batch-reads and reads one by one exactly what the model holds. */
export async function expectHolds(storage: Storage, model: Map<string, number>): Promise<void> {
  expect((await storage.getKeys()).sort()).toEqual([...model.keys()].sort());
  const all = await storage.getItems([...model.keys(), 'sync:missing']);
  expect(Object.fromEntries(all.map(({ key, value }) => [key, value]))).toEqual({ ...Object.fromEntries(model), 'sync:missing': null });
  for (const [key, value] of model) expect(await storage.getItem(key)).toBe(value);
}

/** A step of a history: a write, clearing the store, or a reload (a new driver over the same data). */
export const stepArb = fc.oneof(writeArb, writeArb, fc.constant({ kind: 'clear' as const }), fc.constant({ kind: 'reload' as const }));
export type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Runs `steps` against the storage `open` gives (again at each reload) and the model, and
 * checks after every step that the storage holds what the model holds. `write` applies a
 * write (default `apply`; a test of a full store lets one fail and changes nothing).
 */
export async function runHistory(open: () => Storage, steps: Step[], write = apply): Promise<void> {
  let storage = open();
  const model = new Map<string, number>();
  for (const step of steps) {
    if (step.kind === 'clear') {
      await storage.clear();
      model.clear();
    } else if (step.kind === 'reload') {
      await storage.dispose();
      storage = open();
    } else {
      await write(storage, model, step);
    }
    await expectHolds(storage, model);
  }
  await storage.dispose();
}

/** A catch-up page of 2,500 records (stored as packs), then r7 written and r8 removed over it. */
export async function writePageThenEdits(storage: Storage): Promise<void> {
  await storage.setItems(Array.from({ length: 2_500 }, (_, i) => ({ key: `sync:record:projects:r${i}`, value: { id: `r${i}`, v: 1 } })));
  await storage.setItem('sync:record:projects:r7', { id: 'r7', v: 2 });
  await storage.removeItem('sync:record:projects:r8');
}

/** What `writePageThenEdits` leaves, as a fresh driver (a reload) reads it back. */
export async function expectPageThenEdits(reloaded: Storage): Promise<void> {
  const keys = await reloaded.getKeys('sync:record');
  expect(keys).toHaveLength(2_499);
  expect(keys).not.toContain('sync:record:projects:r8');
  expect(await reloaded.getItem('sync:record:projects:r7')).toEqual({ id: 'r7', v: 2 });
  expect(await reloaded.getItem('sync:record:projects:r2499')).toEqual({ id: 'r2499', v: 1 });
  expect(await reloaded.getItem('sync:record:projects:r8')).toBeNull();
  expect(await reloaded.hasItem('sync:record:projects:r8')).toBe(false);
}
