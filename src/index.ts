/** basic-sync: keep a local unstorage store in sync with BasicDB. */
export * from './protocol/index.js';
export { createSyncService, type SyncService, type SyncServiceOptions } from './sync/syncService.js';
export type { SyncStatus, SyncState } from './sync/status.js';
export { statusOf } from './sync/status.js';
export { syncMachine } from './machines/syncMachine.js';
export { recordMergeMachine } from './machines/recordMerge.js';
export { HybridClock } from './merge/hlc.js';
export { mergeRecords, decideMerge, compareVersions } from './merge/lastModifiedWins.js';
export type { SyncRecord, Versioned } from './merge/record.js';
export { computeTree, subtreeOf, canMoveUnder, cycleBrokenAt, type Tree, type TreeLink } from './merge/tree.js';
export { lostParts, keptVersion, type LostWrite } from './merge/lostWrite.js';
export { LocalStorageError } from './local/localStore.js';
export { localServerTokenSource, signInWithoutBrowser } from './remote/localAuth.js';
