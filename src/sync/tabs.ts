/**
 * The sync role among a browser profile's tabs, as the machine's `electOwner` actor: the
 * election (`src/tabs/ownerElection.ts`) reports ROLE.OWNER / ROLE.FOLLOWER, and the
 * owner's heartbeats carry its sync status to the followers (OWNER.STATUS).
 */
import { fromCallback, type EventObject } from 'xstate';
import type { OwnerStatus } from '../machines/syncContract.js';
import { runOwnerElection, type ChannelLike, type LockManagerLike, type OwnerElection } from '../tabs/ownerElection.js';

export interface TabsOptions {
  /** One sync owner per group: the app and the signed-in user (e.g. `${projectId}:${userId}`). */
  group: string;
  locks: LockManagerLike;
  channel: ChannelLike & { close?(): void };
  heartbeatMs?: number;
  takeoverAfterMs?: number;
}

/** The browser's Web Locks and BroadcastChannel for `group`, or null where there are none. */
export function browserTabs(group: string | undefined): TabsOptions | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!group || !locks || typeof BroadcastChannel === 'undefined') return null;
  return { group, locks, channel: new BroadcastChannel(`basic-sync:${group}`) };
}

/**
 * The election actor. `ownerStatus` reads this tab's status when it owns; `connect` hands
 * the service a way to announce a change at once (between heartbeats).
 */
export function electionActor(tabs: TabsOptions, ownerStatus: () => OwnerStatus, connect: (election: OwnerElection | null) => void) {
  return fromCallback<EventObject>(({ sendBack }) => {
    const election = runOwnerElection(
      { name: `basic-sync:${tabs.group}`, locks: tabs.locks, channel: tabs.channel, heartbeatMs: tabs.heartbeatMs, takeoverAfterMs: tabs.takeoverAfterMs, status: ownerStatus },
      (role) => sendBack({ type: role === 'owner' ? 'ROLE.OWNER' : 'ROLE.FOLLOWER' }),
      (status) => {
        if (isOwnerStatus(status)) sendBack({ type: 'OWNER.STATUS', status });
      },
    );
    connect(election);
    return () => {
      connect(null);
      election.leave();
      tabs.channel.close?.(); // a stopped service does not start again
    };
  });
}

function isOwnerStatus(value: unknown): value is OwnerStatus {
  const v = value as Partial<OwnerStatus> | null;
  return !!v && typeof v.state === 'string';
}
