/**
 * The connection to BasicDB as an actor, over any transport (`src/remote/transport.ts`):
 * it connects from the checkpoint with a token, reconnects once with a fresh token when
 * the server refuses one (the token manager's policy), turns the transport's frames into
 * inbound frames for the machine, and owns the open connection: the machine's push and
 * token-renewal requests arrive here as events and are answered with events.
 */
import { fromCallback } from 'xstate';
import type { ConnectionRequest, InboundFrame, SyncEvent } from '../machines/syncContract.js';
import type { TransportConnection, TransportFrame } from '../remote/transport.js';
import type { SyncDeps } from './actors.js';
import type { PushPath } from './pushPath.js';

export function createConnectionActor(deps: SyncDeps, pushPath: PushPath) {
  const { local, tokens, transport } = deps;

  return fromCallback<ConnectionRequest>(({ sendBack, receive }) => {
    let connection: TransportConnection | null = null;
    let open = false;
    let stopped = false;
    // Nothing reaches the machine from a connection it has already let go of.
    const send = (event: SyncEvent) => {
      if (!stopped) sendBack(event);
    };

    const connect = async () => {
      const token = await tokens.token();
      if (stopped) return;
      const { checkpoint, clientIdentity } = local.getMeta();
      let catchingUp = true;
      const toInbound = (frame: TransportFrame): InboundFrame => {
        const completesCatchUp = catchingUp && !frame.partial;
        const serverWasReset = typeof checkpoint === 'number' && typeof frame.revision === 'number' && frame.revision < checkpoint;
        const inbound: InboundFrame = {
          changes: frame.changes,
          revision: frame.revision,
          checkpoint: !frame.partial,
          completesCatchUp,
          fullSnapshot: catchingUp && (checkpoint === null || serverWasReset || frame.snapshot),
          afterEditing: false,
          deletesForgotten: catchingUp && frame.snapshot && checkpoint !== null && !serverWasReset,
        };
        if (completesCatchUp) catchingUp = false;
        return inbound;
      };
      const current: TransportConnection = transport.connect(
        { token, clientIdentity, checkpoint },
        {
          opened: (identity) => {
            open = true;
            tokens.accepted(token);
            if (identity !== null && identity !== clientIdentity) local.updateMeta({ clientIdentity: identity }).catch(() => {});
            // Only a connection that holds the token (the socket) has one to renew.
            send({ type: 'CONNECTION.OPEN', tokenExpiresAt: current.renewToken ? tokens.expiresAt(token) : null });
          },
          changes: (frame) => send({ type: 'REMOTE.CHANGES', frame: toInbound(frame) }),
          closed: (reason, tokenRefused) => {
            open = false;
            if (stopped) return;
            // A refused token: the token manager's policy, as for REST (one retry with a fresh token).
            if (tokenRefused && tokens.refused(token)) {
              connect().catch((error: Error) => send({ type: 'CONNECTION.DOWN', reason: error.message }));
              return;
            }
            send({ type: 'CONNECTION.DOWN', reason });
          },
        },
      );
      connection = current;
    };

    const push = async () => {
      if (!open || !connection) throw new Error(`the ${transport.name} connection is not open`);
      return pushPath.push(connection);
    };

    const renewToken = async () => {
      const renew = connection?.renewToken;
      if (!open || !connection || !renew) throw new Error('no open connection holds a token');
      const token = await tokens.token({ forceRefresh: true });
      await renew.call(connection, token);
      return { tokenExpiresAt: tokens.expiresAt(token) };
    };

    receive((request) => {
      if (request.type === 'PUSH.REQUESTED') {
        push().then(
          (output) => send({ type: 'PUSH.DONE', output }),
          (error: unknown) => send({ type: 'PUSH.FAILED', error }),
        );
      } else {
        renewToken().then(
          (output) => send({ type: 'TOKEN.RENEWED', output }),
          (error: Error) => send({ type: 'TOKEN.RENEW_FAILED', reason: error.message }),
        );
      }
    });

    connect().catch((error: Error) => send({ type: 'CONNECTION.DOWN', reason: `connecting failed: ${error.message}` }));
    return () => {
      stopped = true;
      open = false;
      connection?.close();
    };
  });
}
