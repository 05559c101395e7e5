/**
 * The parts of the app that show the sync status. Each reads the status itself: it changes
 * with every write (the count of pending changes), and only these re-render for it, not the
 * app with its tree of projects.
 */
import { SyncStatusIndicator, useSyncStatus } from 'basic-sync/react';
import type { AppSync } from './appSync.js';
import { LostWriteNotices, type LostWriteNoticesProps } from './LostWriteNotices.js';
import { WithTree } from './projectHooks.js';
import { SignOutDialog, type SignOutDialogProps } from './SignOutDialog.js';
import type { ProjectStore } from './stores.js';

type Service = AppSync['service'];

export function StatusIndicator({ service }: { service: Service }) {
  const status = useSyncStatus(service);
  return <SyncStatusIndicator status={status} oldestPendingAt={service.status().oldestPendingAt} onRetryNow={() => service.retryNow()} />;
}

/** The notices, and only while there are some, the tree they name places with. */
export function LostWrites({ service, store, ...props }: { service: Service; store: ProjectStore } & Omit<LostWriteNoticesProps, 'lostWrites' | 'tree'>) {
  const { lostWrites } = useSyncStatus(service);
  if (lostWrites.length === 0) return null;
  return <WithTree store={store}>{(tree) => <LostWriteNotices lostWrites={lostWrites} tree={tree} {...props} />}</WithTree>;
}

export function SignOut({ service, ...props }: { service: Service } & Omit<SignOutDialogProps, 'pendingCount' | 'offline'>) {
  const { pendingCount, state } = useSyncStatus(service);
  return <SignOutDialog pendingCount={pendingCount} offline={state === 'offline-retry'} {...props} />;
}
