/**
 * unstorage's localStorage driver with a batch read. Without `getItems` unstorage reads
 * each key through its own promise; loading 10k records that way is most of a cold
 * start. localStorage is synchronous, so one loop reads them all.
 */
import { defineDriver } from 'unstorage';
import localStorageDriver, { type LocalStorageOptions } from 'unstorage/drivers/localstorage';

export const batchedLocalStorageDriver = defineDriver((options: LocalStorageOptions) => {
  const driver = localStorageDriver(options);
  return {
    ...driver,
    name: 'localstorage-batched',
    getItems: (items: Array<{ key: string }>) => items.map(({ key }) => ({ key, value: driver.getItem(key, {}) as string | null })),
  };
});
