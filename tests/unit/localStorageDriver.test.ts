import { createStorage } from 'unstorage';
import localStorageDriver from 'unstorage/drivers/localstorage';
import { describe, expect, it } from 'vitest';
import { batchedLocalStorageDriver } from '../../src/local/localStorageDriver.js';
import { fakeLocalStorage } from '../helpers/storages.js';

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
