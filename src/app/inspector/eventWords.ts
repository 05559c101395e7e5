/**
 * Statechart events as a person would say them: `xstate.after.debounce.sync...` is
 * "debounce ended", `PUSH.DONE` is "push acknowledged", the done event of an invoked
 * `loadLocal` is "local records loaded". Unknown events fall back to their type in
 * lower-case words, so nothing is hidden.
 */

const EVENTS: Record<string, string> = {
  'xstate.init': 'started',
  'LOCAL.CHANGED': 'local change',
  FLUSH: 'push asked for now',
  'REMOTE.CHANGES': 'remote changes arrived',
  'REMOTE.ARRIVED': 'remote change arrived',
  'PUSH.REQUESTED': 'push sent',
  'PUSH.DONE': 'push acknowledged',
  'PUSH.FAILED': 'push failed',
  'CONNECTION.OPEN': 'connected',
  'CONNECTION.DOWN': 'connection lost',
  'NETWORK.OFFLINE': 'network went offline',
  'NETWORK.ONLINE': 'network is back',
  'RETRY.NOW': '"retry now" pressed',
  'EDITING.BEGAN': 'editing began',
  'EDITING.ENDED': 'editing ended',
  'MERGE.DECIDED': 'held record decided',
  'CATCH_UP.APPLIED': 'catch-up applied',
  'INBOUND.FAILED': 'remote changes could not be applied',
  'NOTICE.DISMISS': 'notice dismissed',
  'OWNER.STATUS': 'owner tab reported its status',
  'ROLE.OWNER': 'this tab became the sync owner',
  'ROLE.FOLLOWER': 'this tab follows the owner tab',
  'STORAGE.FAILED': 'local storage failed',
  'TOKEN.RENEW': 'token renewal asked',
  'TOKEN.RENEWED': 'token renewed',
  'TOKEN.RENEW_FAILED': 'token renewal failed',
};

const DELAYS: Record<string, string> = {
  debounce: 'debounce ended',
  maxWait: 'waited long enough to push',
  retryDelay: 'retry delay ended',
  tokenRenewal: 'token renewal due',
};

/** What an invoked actor finishing (or failing) means, by its `src`. */
const INVOKED: Record<string, { done: string; error: string }> = {
  loadLocal: { done: 'local records loaded', error: 'local records could not be loaded' },
  authenticate: { done: 'token received', error: 'sign-in failed' },
  prepareRemote: { done: 'remote changes checked', error: 'remote changes refused' },
  mergeBatch: { done: 'merge batch decided', error: 'merge batch failed' },
  applyDecisions: { done: 'merge decisions applied', error: 'merge decisions could not be applied' },
  remoteConnection: { done: 'connection closed', error: 'connection failed' },
  electOwner: { done: 'owner election ended', error: 'owner election failed' },
};

/** Whether `type` has words of its own here (not the lower-case fallback). */
export const hasOwnWords = (type: string) => Object.hasOwn(EVENTS, type);

const plainWords = (type: string) => type.toLowerCase().replace(/[._]+/g, ' ').trim();

/**
 * `type` in words. `srcOfInvoke` maps an invoke's id to its `src` (from the machine
 * definition), so a done event of an unnamed invoke still says which actor finished.
 */
export function eventWords(type: string, srcOfInvoke: (invokeId: string) => string | undefined = () => undefined): string {
  const known = EVENTS[type];
  if (known) return known;
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  if (after) return DELAYS[after[1]!] ?? `${after[1]} delay ended`;
  const invoked = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (invoked) {
    const [, outcome, id] = invoked as unknown as [string, 'done' | 'error', string];
    const src = srcOfInvoke(id) ?? id;
    return INVOKED[src]?.[outcome] ?? `${src} ${outcome === 'done' ? 'finished' : 'failed'}`;
  }
  return plainWords(type);
}
