/**
 * basic-sync: keep a local unstorage store in sync with BasicDB. The core entry: the
 * sync service and its collections, the merge rules, and the statecharts. React
 * bindings are in `basic-sync/react`, the BasicDB-compatible server in
 * `basic-sync/server`, test and script helpers in `basic-sync/testing`.
 */
export * from './protocol/index.js';
export { createSyncService, type SyncService, type SyncServiceOptions } from './sync/syncService.js';
export { createCollection, type Collection, type CollectionHost, type Fields, type RecordOf, type RequiredKeys, type TableOf, type ValueOf, type ValuesOf, type VersionField } from './sync/collection.js';
export type { SyncStatus, SyncState } from './sync/status.js';
export { statusOf } from './sync/status.js';
export type { TabsOptions } from './sync/tabs.js';
export { syncMachine } from './machines/syncMachine.js';
export { recordMergeMachine } from './machines/recordMerge.js';
export { mergeBatch, recordDecision, decideBatch, type RecordDecisionSnapshot, type TableMergeInput } from './merge/decisionActors.js';
export { HybridClock } from './merge/hlc.js';
export { mergeRecords, decideMerge, compareVersions, toTombstone, isSameVersion, type MergeDecision, type MergeInput } from './merge/lastModifiedWins.js';
export { refKey, ruleOf, generationOf, type MergeRule, type MergeRules, type RecordRef, type SyncRecord, type Versioned, type VersionedMap } from './merge/record.js';
export { computeTree, subtreeOf, canMoveUnder, cycleBrokenAt, type Tree, type TreeLink } from './merge/tree.js';
export { lostParts, keptVersion, differingParts, type LostWrite } from './merge/lostWrite.js';
export { LocalStorageError, type LocalChange } from './local/localStore.js';
export { batchedLocalStorageDriver, type BatchedLocalStorageOptions, type StorageEventTarget, type WebStorage } from './local/localStorageDriver.js';
export { batchedIndexedDbDriver, type BatchedIndexedDbOptions } from './local/indexedDbDriver.js';
export type { GetToken } from './remote/tokenManager.js';
export type { WebSocketConstructor } from './remote/syncSocket.js';
export { socketTransport } from './remote/socketTransport.js';
export { restPollingTransport, type RestPollingOptions } from './remote/restPollingTransport.js';
export {
  RemoteRefusedError,
  type SyncTransport,
  type TransportConnection,
  type TransportContext,
  type TransportFactory,
  type TransportFrame,
  type TransportHandlers,
  type ConnectOptions,
} from './remote/transport.js';
// Types the public API refers to (the machines' contract, the merge actors, options).
export type * from './machines/syncContract.js';
export type { SyncContext } from './machines/syncMachine.js';
export type { RecordMergeContext, RecordMergeEvent, RecordMergeInput, MergeDecidedEvent } from './machines/recordMerge.js';
export type { DecidedRecord } from './merge/decisionActors.js';
export type { MergeDecisionKind } from './merge/lastModifiedWins.js';
export type { IgnoredLink } from './merge/tree.js';
export type { HybridClockOptions } from './merge/hlc.js';
export type { RestClient } from './remote/restClient.js';
export type { WebSocketLike } from './remote/syncSocket.js';
export type { ChannelLike, LockManagerLike } from './tabs/ownerElection.js';
