import { describe, expect, it } from 'vitest';
import { describeStatus } from '../../src/react/SyncStatusIndicator.js';
import type { SyncStatus } from '../../src/sync/status.js';

const base: SyncStatus = {
  state: 'idle',
  role: 'owner',
  editingPaused: false,
  pendingCount: 0,
  lastSyncedAt: 1,
  nextRetryAt: null,
  lastError: null,
  quarantined: [],
  lostWrites: [],
};
const NOW = 1_000_000;

describe('what the sync status indicator says', () => {
  it.each([
    ['synced', {}, 'ok', 'Synced', undefined],
    ['booting', { state: 'booting' }, 'busy', 'Loading local data', undefined],
    ['authenticating with changes', { state: 'authenticating', pendingCount: 2 }, 'busy', 'Connecting', '2 changes waiting'],
    ['reconciling', { state: 'reconciling' }, 'busy', 'Catching up', undefined],
    ['debouncing', { state: 'debouncing', pendingCount: 1 }, 'wait', 'Saving soon', '1 change waiting'],
    ['pushing', { state: 'pushing', pendingCount: 3 }, 'busy', 'Syncing', '3 changes waiting'],
    ['offline with a retry time', { state: 'offline-retry', pendingCount: 1, nextRetryAt: NOW + 4200 }, 'offline', 'Offline', '1 change waiting · retry in 5s'],
    ['offline, retry due', { state: 'offline-retry', nextRetryAt: NOW - 10 }, 'offline', 'Offline', 'changes are kept locally · retrying now'],
    ['halted', { state: 'halted', lastError: "the server's schema is version 2" }, 'error', 'Sync stopped', "the server's schema is version 2"],
    ['synced with refused records', { quarantined: [{ table: 'projects', id: 'p', reason: 'too big' }] }, 'error', 'Not everything synced', '1 item could not be synced: too big'],
  ] as const)('%s', (_name, patch, tone, label, detail) => {
    expect(describeStatus({ ...base, ...patch } as SyncStatus, NOW)).toEqual({ tone, label, detail });
  });

  it.each([
    ['a change made 3 s ago: no age yet', 3_000, '1 change waiting'],
    ['12 s ago', 12_000, '1 change waiting, the oldest for 12 s'],
    ['4 minutes ago', 4 * 60_000 + 5_000, '1 change waiting, the oldest for 4 min'],
    ['2 hours ago', 2 * 3_600_000 + 1, '1 change waiting, the oldest for 2 h'],
  ])('the age of the oldest waiting change: %s', (_name, ago, detail) => {
    expect(describeStatus({ ...base, state: 'offline-retry', pendingCount: 1 } as SyncStatus, NOW, NOW - ago).detail).toBe(detail);
  });
});
