/**
 * Seeded random histories against the real server: several clients with skewed
 * clocks create, rename, move, delete, edit components, hold records while editing
 * and reload, concurrently. Afterwards every store and the server must hold, for
 * every record, exactly the join (last-modified-wins merge) of every version ever
 * written. A failure names its seed; rerun one with SEED=<n>, many with `npm run test:seeds`.
 */
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { describe, it } from 'vitest';
import { serverRecords, startClient } from '../helpers/clients.js';
import { History } from '../helpers/history.js';
import { prng, seedsFromEnv } from '../helpers/random.js';
import { testServer } from '../helpers/server.js';

const SKEWS = [-4 * 60_000, 0, 3 * 60_000];

describe('random concurrent histories converge to the join of everything written', () => {
  it.each(seedsFromEnv([1, 2, 3]))('seed %i', async (seed) => {
    const random = prng(seed);
    const server = await testServer();
    const storages = SKEWS.map(() => createStorage({ driver: memoryDriver() }));
    const history = new History(random, (i) => startClient(server, 'alice', { storage: storages[i], now: () => Date.now() + SKEWS[i]!, random: prng(seed * 1000 + i) }));
    for (let i = 0; i < SKEWS.length; i++) await history.openClient(i);
    try {
      for (let step = 0; step < 60; step++) {
        await history.userStep(step);
        if (random() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      }
      await history.settle(20_000);
      await history.expectConverged(() => serverRecords(server, 'alice'));
    } catch (error) {
      throw new Error(`seed ${seed} failed (rerun with SEED=${seed}): ${(error as Error).message}`);
    }
  }, 60_000);
});
