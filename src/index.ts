/** basic-sync: keep a local unstorage store in sync with BasicDB. */
export * from './protocol/index.js';
