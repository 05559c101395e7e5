/**
 * The always-visible sync status: what the statechart is doing, in words (not colour
 * alone), announced politely to screen readers.
 */
import { useEffect, useState } from 'react';
import type { SyncStatus } from '../sync/status.js';

export interface SyncStatusIndicatorProps {
  status: SyncStatus;
  /** When the oldest unacknowledged change was made (`service.status().oldestPendingAt`). */
  oldestPendingAt?: number | null;
  onRetryNow?: () => void;
  now?: () => number;
}

/** Past this, the age of the oldest waiting change is shown. */
const SHOW_AGE_AFTER_MS = 5000;

/** "12 s", "3 min", "2 h". */
function age(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

export interface Presentation {
  tone: 'ok' | 'busy' | 'wait' | 'offline' | 'error';
  label: string;
  detail?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function describeStatus(status: SyncStatus, now: number, oldestPendingAt: number | null = null): Presentation {
  const waited = oldestPendingAt !== null && now - oldestPendingAt > SHOW_AGE_AFTER_MS ? `, the oldest for ${age(now - oldestPendingAt)}` : '';
  const pending = status.pendingCount > 0 ? `${plural(status.pendingCount, 'change')} waiting${waited}` : undefined;
  switch (status.state) {
    case 'booting':
      return { tone: 'busy', label: 'Loading local data' };
    case 'authenticating':
      return { tone: 'busy', label: 'Connecting', detail: pending };
    case 'following':
      return { tone: 'busy', label: 'Connecting', detail: pending ?? 'through another tab' };
    case 'reconciling':
      return { tone: 'busy', label: 'Catching up', detail: pending };
    case 'debouncing':
      return { tone: 'wait', label: 'Saving soon', detail: pending };
    case 'pushing':
      return { tone: 'busy', label: 'Syncing', detail: pending };
    case 'offline-retry': {
      const seconds = status.nextRetryAt ? Math.max(0, Math.ceil((status.nextRetryAt - now) / 1000)) : null;
      const retry = seconds === null ? '' : seconds === 0 ? 'retrying now' : `retry in ${seconds}s`;
      return { tone: 'offline', label: 'Offline', detail: [pending ?? 'changes are kept locally', retry].filter(Boolean).join(' · ') };
    }
    case 'halted':
      return { tone: 'error', label: 'Sync stopped', detail: status.lastError ?? undefined };
    case 'idle':
    default:
      if (status.quarantined.length > 0) {
        const n = status.quarantined.length;
        return { tone: 'error', label: 'Not everything synced', detail: `${plural(n, 'item')} could not be synced: ${status.quarantined[0]!.reason}` };
      }
      return { tone: 'ok', label: 'Synced', detail: pending };
  }
}

export function SyncStatusIndicator({ status, oldestPendingAt = null, onRetryNow, now = Date.now }: SyncStatusIndicatorProps) {
  // Tick once a second while a retry countdown or the age of waiting changes is shown.
  const [, setTick] = useState(0);
  const ticking = status.state === 'offline-retry' || status.pendingCount > 0;
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [ticking]);

  const view = describeStatus(status, now(), oldestPendingAt);
  return (
    <div className={`sync-indicator sync-${view.tone}`} data-state={status.state} data-role={status.role} data-testid="sync-indicator">
      <span className="sync-dot" aria-hidden="true" />
      <span role="status" aria-live="polite" aria-atomic="true">
        <strong className="sync-label">{view.label}</strong>
        {view.detail ? <span className="sync-detail"> — {view.detail}</span> : null}
        {status.editingPaused ? <span className="sync-editing"> · Paused while you edit</span> : null}
      </span>
      {/* Only the tab that syncs can retry (a follower's retry would do nothing). */}
      {status.role === 'owner' && (status.state === 'offline-retry' || status.state === 'halted') ? (
        <button type="button" className="sync-retry" onClick={onRetryNow}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
