/** "A new version is ready": shown when a deployed update waits for this tab. */
import { useSyncExternalStore } from 'react';
import { appUpdate } from './appUpdate.js';

export function UpdatePrompt() {
  const ready = useSyncExternalStore(appUpdate.subscribe, appUpdate.ready);
  if (!ready) return null;
  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      A new version of the app is ready.{' '}
      <button type="button" onClick={() => void appUpdate.reload()}>
        Reload to update
      </button>
    </div>
  );
}
