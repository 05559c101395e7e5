/**
 * Sign-out, safe on a shared computer: it says when changes have not reached the server
 * yet (they stay here and sync at the next sign-in, unless removed), and offers to remove
 * this user's data from this browser.
 */
import { useEffect, useRef, useState } from 'react';

export interface SignOutDialogProps {
  /** Changes in this browser's outbox the server has not acknowledged. */
  pendingCount: number;
  offline: boolean;
  onCancel(): void;
  onSignOut(options: { removeLocalData: boolean }): void;
}

const changes = (n: number) => `${n} change${n === 1 ? '' : 's'}`;

export function SignOutDialog({ pendingCount, offline, onCancel, onSignOut }: SignOutDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [removeLocalData, setRemoveLocalData] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const losing = removeLocalData && pendingCount > 0;
  return (
    <dialog ref={dialog} className="signout-dialog" aria-labelledby="signout-title" onCancel={onCancel} data-testid="signout-dialog">
      <h2 id="signout-title">Sign out?</h2>
      {pendingCount > 0 ? (
        <p className="warning" data-testid="signout-pending">
          {changes(pendingCount)} {pendingCount === 1 ? 'has' : 'have'} not reached the server yet{offline ? ' (you are offline)' : ''}. If you keep
          your data in this browser, {pendingCount === 1 ? 'it syncs' : 'they sync'} the next time you sign in here.
        </p>
      ) : (
        <p>Everything you changed has reached the server.</p>
      )}
      <label className="check">
        <input type="checkbox" checked={removeLocalData} onChange={(e) => setRemoveLocalData(e.target.checked)} />
        Remove my projects from this browser (on a shared computer)
      </label>
      {losing ? (
        <p className="error" role="alert">
          The {changes(pendingCount)} that {pendingCount === 1 ? 'has' : 'have'} not synced will be lost.
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={losing ? 'danger' : undefined} onClick={() => onSignOut({ removeLocalData })}>
          {removeLocalData ? 'Remove data and sign out' : 'Sign out'}
        </button>
      </div>
    </dialog>
  );
}
