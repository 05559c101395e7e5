/**
 * The sync socket as an actor: it opens BasicDB's `/ws` socket, reconnects once with a
 * fresh token when the server refuses one (the token manager's policy), turns `changes`
 * frames into inbound frames for the machine, and renews the token on the open socket.
 * The open socket is published through `link` for the push path.
 */
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { InboundFrame, RenewOutput, SyncEvent } from '../machines/syncContract.js';
import { TransientRemoteError } from '../remote/restClient.js';
import { openSyncSocket, type SyncSocket } from '../remote/syncSocket.js';
import type { SyncDeps } from './actors.js';

/** The socket that is open now, shared with the push path (null while there is none). */
export interface SocketLink {
  current: SyncSocket | null;
}

export function createSocketActors(deps: SyncDeps, link: SocketLink) {
  const { local, tokens, schema } = deps;

  const syncSocket = fromCallback<EventObject>(({ sendBack }) => {
    const send = (event: SyncEvent) => sendBack(event);
    let socket: SyncSocket | null = null;
    let stopped = false;

    const connect = async () => {
      const token = await tokens.token();
      if (stopped) return;
      const { checkpoint, clientIdentity } = local.getMeta();
      let catchingUp = true;
      socket = openSyncSocket(
        { url: deps.wsUrl, token, clientIdentity, schema, syncedRevision: checkpoint, WebSocket: deps.WebSocket, timeoutMs: deps.timeoutMs },
        {
          onOpen: (identity) => {
            link.current = socket;
            tokens.accepted(token);
            if (identity !== clientIdentity) local.updateMeta({ clientIdentity: identity }).catch(() => {});
            send({ type: 'SOCKET.OPEN', tokenExpiresAt: tokens.expiresAt(token) });
          },
          onChanges: (frame) => {
            const completesCatchUp = catchingUp && !frame.partial;
            const serverWasReset =
              typeof checkpoint === 'number' && typeof frame.currentRevision === 'number' && frame.currentRevision < checkpoint;
            const inbound: InboundFrame = {
              changes: frame.changes,
              revision: frame.currentRevision,
              checkpoint: !frame.partial,
              completesCatchUp,
              fullSnapshot: catchingUp && (checkpoint === null || serverWasReset || frame.snapshot === true),
              afterEditing: false,
              deletesForgotten: catchingUp && frame.snapshot === true && checkpoint !== null && !serverWasReset,
            };
            if (completesCatchUp) catchingUp = false;
            send({ type: 'REMOTE.CHANGES', frame: inbound });
          },
          onClose: (reason, code) => {
            if (link.current === socket) link.current = null;
            if (stopped) return;
            // A refused token: the token manager's policy, as for REST (one retry with a fresh token).
            if (code === 4401 && tokens.refused(token)) {
              connect().catch((error: Error) => send({ type: 'SOCKET.DOWN', reason: error.message }));
              return;
            }
            send({ type: 'SOCKET.DOWN', reason });
          },
        },
      );
    };
    connect().catch((error: Error) => send({ type: 'SOCKET.DOWN', reason: `connecting failed: ${error.message}` }));
    return () => {
      stopped = true;
      if (link.current === socket) link.current = null;
      socket?.close();
    };
  });

  /** A fresh token handed to the server on the open socket (newer BasicDB keeps the socket open). */
  const renewSocketToken = fromPromise<RenewOutput>(async () => {
    const socket = link.current;
    if (!socket) throw new TransientRemoteError('the sync socket is not connected');
    const token = await tokens.token({ forceRefresh: true });
    await socket.updateToken(token);
    return { tokenExpiresAt: tokens.expiresAt(token) };
  });

  return { syncSocket, renewSocketToken };
}
