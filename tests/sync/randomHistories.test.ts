/**
 * Seeded random histories against the real server: several clients with skewed
 * clocks create, rename, move, delete, edit components, hold records while editing
 * and reload, concurrently. Afterwards every store and the server must hold, for
 * every record, exactly the join (last-modified-wins merge) of every version ever
 * written. Print the seed on failure; rerun one with SEED=<n>.
 */
import { createStorage, type Storage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/merge/canonical.js';
import { mergeRecords } from '../../src/merge/lastModifiedWins.js';
import type { SyncRecord } from '../../src/merge/record.js';
import { eventually, recordsOf, serverRecords, startClient, type TestClient } from '../helpers/clients.js';
import { testServer } from '../helpers/server.js';

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `SEED=7` reruns one; `SEEDS=1-200` runs many (npm run test:seeds). */
function seedsFromEnv(): number[] {
  if (process.env.SEED) return [Number(process.env.SEED)];
  const range = /^(\d+)-(\d+)$/.exec(process.env.SEEDS ?? '');
  if (!range) return [1, 2, 3];
  const [from, to] = [Number(range[1]), Number(range[2])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const SEEDS = seedsFromEnv();

describe('random concurrent histories converge to the join of everything written', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    const random = prng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const server = await testServer();
    const written = new Map<string, SyncRecord[]>();
    const skews = [-4 * 60_000, 0, 3 * 60_000];
    const storages: Storage[] = skews.map(() => createStorage({ driver: memoryDriver() }));
    const open = async (i: number): Promise<TestClient> => {
      const client = await startClient(server, 'alice', { storage: storages[i], now: () => Date.now() + skews[i]!, random });
      const write = client.service.write.bind(client.service);
      client.service.write = async (table, record) => {
        await write(table, record);
        written.set(record.id, [...(written.get(record.id) ?? []), record]);
      };
      return client;
    };
    const clients = await Promise.all(skews.map((_, i) => open(i)));
    const editing = new Map<number, string>();

    try {
      for (let step = 0; step < 60; step++) {
        const i = Math.floor(random() * clients.length);
        const c = clients[i]!;
        const live = c.store.listProjects();
        const target = live.length ? pick(live) : undefined;
        const roll = random();
        if (roll < 0.25 || !target) await c.store.addProject({ name: `p${step}`, parentId: live.length && random() < 0.3 ? pick(live).id : undefined });
        else if (roll < 0.45) await c.store.renameProject(target.id, `${target.name}/${step}`);
        else if (roll < 0.6) await c.store.updateComponentData(target.id, 'emojis', { kind: 'emojis', emojis: [`e${step}`] });
        else if (roll < 0.68) await c.store.moveProject(target.id, undefined);
        else if (roll < 0.75) await c.store.deleteProject(target.id);
        else if (roll < 0.85) {
          const held = editing.get(i);
          if (held) {
            c.service.endEditing(held);
            editing.delete(i);
          } else {
            c.service.beginEditing(target.id);
            editing.set(i, target.id);
          }
        } else if (roll < 0.92) {
          // Reload: stop mid-whatever and start again from the same storage.
          c.service.stop();
          editing.delete(i);
          clients[i] = await open(i);
        }
        if (random() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      }
      for (const [i, id] of editing) clients[i]!.service.endEditing(id);
      await Promise.all(clients.map((c) => c.service.whenSynced(20_000)));

      const expected = [...written.entries()]
        .map(([, versions]) => versions.reduce(mergeRecords))
        .sort((a, b) => a.id.localeCompare(b.id));
      await eventually(async () => {
        const onServer = await serverRecords(server, 'alice');
        expect(canonicalJson(onServer)).toBe(canonicalJson(expected));
        for (const c of clients) expect(canonicalJson(recordsOf(c))).toBe(canonicalJson(expected));
      }, 15_000);
    } catch (error) {
      throw new Error(`seed ${seed} failed (rerun with SEED=${seed}): ${(error as Error).message}`);
    }
  }, 60_000);
});
