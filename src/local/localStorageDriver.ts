/**
 * unstorage's localStorage driver with batch reads and writes. Without `getItems` and
 * `setItems` unstorage goes through a promise per key; loading 10k records that way is
 * most of a cold start, and applying a catch-up page most of a first sync. localStorage
 * is synchronous, so one loop reads or writes them all.
 */
import { defineDriver } from 'unstorage';
import localStorageDriver, { type LocalStorageOptions } from 'unstorage/drivers/localstorage';

export const batchedLocalStorageDriver = defineDriver((options: LocalStorageOptions) => {
  const driver = localStorageDriver(options);
  return {
    ...driver,
    name: 'localstorage-batched',
    getItems: (items: Array<{ key: string }>) => items.map(({ key }) => ({ key, value: driver.getItem(key, {}) as string | null })),
    setItems: (items: Array<{ key: string; value: string }>) => {
      for (const { key, value } of items) driver.setItem!(key, value, {});
    },
  };
});
