import { createStorage } from 'unstorage';
import localStorageDriver from 'unstorage/drivers/localstorage';
import { describe, expect, it } from 'vitest';
import { batchedLocalStorageDriver } from '../../src/local/localStorageDriver.js';

/** The Web Storage API over a Map (what the drivers use of `localStorage`). */
function fakeLocalStorage(): Storage {
  const map = new Map<string, string>();
  const api = {
    get length() { return map.size; },
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, String(v)),
    removeItem: (k: string) => void map.delete(k),
    clear: () => map.clear(),
  };
  // Drivers list keys with Object.keys(storage), as on the real localStorage.
  return new Proxy(api, {
    ownKeys: () => [...map.keys()],
    getOwnPropertyDescriptor: (_t, k) => (typeof k === 'string' && map.has(k) ? { enumerable: true, configurable: true, value: map.get(k) } : undefined),
    has: (_t, k) => typeof k === 'string' && map.has(k),
  }) as unknown as Storage;
}

describe('batchedLocalStorageDriver', () => {
  it('reads a batch exactly as the plain localStorage driver reads key by key, under its base only', async () => {
    const local = fakeLocalStorage();
    local.setItem('other:sync:record:projects:x', '{"id":"x"}');
    const batched = createStorage({ driver: batchedLocalStorageDriver({ base: 'app:u1', storage: local }) });
    const plain = createStorage({ driver: localStorageDriver({ base: 'app:u1', storage: local }) });
    await batched.setItem('sync:record:projects:a', { id: 'a', name: 'A' });
    await batched.setItem('sync:record:projects:b', { id: 'b', name: 'B' });
    await batched.setItem('sync:meta', { checkpoint: 3 });
    expect(local.getItem('app:u1:sync:record:projects:a')).toBe('{"id":"a","name":"A"}');

    const keys = await batched.getKeys('sync');
    expect(keys.sort()).toEqual(['sync:meta', 'sync:record:projects:a', 'sync:record:projects:b']);
    const viaBatch = await batched.getItems([...keys, 'sync:record:projects:missing']);
    const oneByOne = await plain.getItems([...keys, 'sync:record:projects:missing']);
    expect(viaBatch).toEqual(oneByOne);
    expect(viaBatch.find((i) => i.key === 'sync:record:projects:b')?.value).toEqual({ id: 'b', name: 'B' });
    expect(viaBatch.find((i) => i.key === 'sync:record:projects:missing')?.value).toBeNull();
  });
});
