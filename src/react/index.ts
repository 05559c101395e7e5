/** basic-sync/react: hooks over the sync service and its collections, and the status indicator. */
export { useSyncStatus, useCollection, useRecord, useStoreValue, type Subscribable } from './hooks.js';
export { SyncStatusIndicator, describeStatus, type SyncStatusIndicatorProps, type Presentation } from './SyncStatusIndicator.js';
