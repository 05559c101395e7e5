/** BasicDB's `/ws` sync socket as a transport: the change stream, pushes acknowledged by `ack`, token renewal. */
import { openSyncSocket } from './syncSocket.js';
import type { TransportFactory } from './transport.js';

export function socketTransport(): TransportFactory {
  return ({ socketUrl, schema, WebSocket, timeoutMs }) => ({
    name: 'socket',
    connect({ token, clientIdentity, checkpoint }, handlers) {
      const socket = openSyncSocket(
        { url: socketUrl, token, clientIdentity, schema, syncedRevision: checkpoint, WebSocket, timeoutMs },
        {
          onOpen: (identity) => handlers.opened(identity),
          onChanges: (frame) =>
            handlers.changes({ changes: frame.changes, revision: frame.currentRevision, partial: frame.partial, snapshot: frame.snapshot === true }),
          onClose: (reason, code) => handlers.closed(reason, code === 4401),
        },
      );
      return {
        push: (changes, baseRevision) => socket.request(changes, baseRevision),
        renewToken: (fresh) => socket.updateToken(fresh),
        close: () => socket.close(),
      };
    },
  });
}
