/**
 * basic-sync/testing: tokens from the local BasicDB-compatible server without a browser
 * (tests, scripts, Node), and in-memory storage for a service under test. Start the
 * server itself from `basic-sync/server`.
 */
export { localServerTokenSource, signInWithoutBrowser, type LocalCredentials } from '../remote/localAuth.js';
import { createStorage, type Storage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';

/** An empty in-memory store for a sync service (each call a new one, like a new device). */
export function memoryStorage(): Storage {
  return createStorage({ driver: memoryDriver() });
}
