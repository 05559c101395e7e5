/** A memory storage whose writes (quota errors) or reads (I/O errors) fail on demand. */
import { createStorage, defineDriver } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';

export interface StorageFaults {
  /** `setItem` throws a QuotaExceededError for keys `failOn` accepts. */
  failWrites: boolean;
  /** `getItem` and `getKeys` throw, as a broken or unavailable store does. */
  failReads: boolean;
  failOn: (key: string) => boolean;
}

export function flakyStorage() {
  const inner = memoryDriver();
  const control: StorageFaults = { failWrites: false, failReads: false, failOn: () => true };
  const readFailure = () => new Error('the storage backend is unavailable (injected read failure)');
  const driver = defineDriver(() => ({
    ...inner,
    name: 'flaky',
    getItem(key: string) {
      if (control.failReads) throw readFailure();
      return inner.getItem(key, {});
    },
    getKeys(base: string) {
      if (control.failReads) throw readFailure();
      return inner.getKeys(base, {});
    },
    setItem(key: string, value: string) {
      if (control.failWrites && control.failOn(key)) {
        const error = new Error("Failed to execute 'setItem' on 'Storage': Setting the value exceeded the quota.");
        error.name = 'QuotaExceededError';
        throw error;
      }
      return inner.setItem!(key, value, {});
    },
  }));
  return { storage: createStorage({ driver: driver() }), control };
}
