/**
 * A transport over BasicDB's REST API alone, for networks that block WebSockets: the
 * first pull is every table's records (the whole state), then each poll passes on only
 * records that changed since the one before; a push writes each record with `PUT`.
 * Slower and heavier than the socket (a poll reads every table), so the socket stays
 * the default. REST has no revisions, so this transport keeps no checkpoint, and a
 * record removed from the server outright (not a tombstone, which this library writes)
 * goes unnoticed until the next connection.
 */
import type { RecordValue } from '../protocol/schema.js';
import { CREATE, type Change } from '../protocol/socket.js';
import { PermanentRemoteError } from './restClient.js';
import { RemoteRefusedError, type TransportFactory } from './transport.js';

export interface RestPollingOptions {
  /** Time between polls. Default 3000 ms. */
  intervalMs?: number;
}

export function restPollingTransport(options: RestPollingOptions = {}): TransportFactory {
  const intervalMs = options.intervalMs ?? 3000;

  return ({ rest, schema }) => ({
    name: 'REST polling',
    connect({ clientIdentity }, handlers) {
      const tables = Object.keys(schema.tables);
      /** Each record as last passed on (JSON), by table and id: later polls pass on changes only. */
      const seen = new Map<string, string>();
      let closed = false;
      let timer: ReturnType<typeof setTimeout> | undefined;

      const close = (reason: string, tokenRefused: boolean) => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        handlers.closed(reason, tokenRefused);
      };

      const poll = async (first: boolean) => {
        const changes: Change[] = [];
        for (const table of tables) {
          for (const record of await rest.listRecords(table)) {
            const id = (record as { id?: unknown } | null)?.id;
            const key = `${table}\u0000${String(id)}`;
            const json = JSON.stringify(record);
            if (seen.get(key) === json) continue;
            seen.set(key, json);
            changes.push({ type: CREATE, table, key: id as string, obj: record as RecordValue });
          }
        }
        if (closed) return;
        if (first) handlers.opened(clientIdentity);
        if (first || changes.length > 0) handlers.changes({ changes, revision: null, partial: false, snapshot: first });
        timer = setTimeout(() => run(false), intervalMs);
      };

      const run = (first: boolean) => {
        poll(first).catch((error: Error) => {
          // A refused token after the REST client's own retry: the connection's token policy decides.
          const tokenRefused = error instanceof PermanentRemoteError && error.status === 401;
          close(`polling failed: ${error.message}`, tokenRefused);
        });
      };
      run(true);

      return {
        async push(batch) {
          if (closed) throw new Error('the REST polling connection is closed');
          for (const change of batch) {
            if (change.type !== CREATE) throw new RemoteRefusedError(`REST polling pushes whole records, not change type ${change.type}`);
            try {
              await rest.putRecord(change.table, change.key, change.obj);
            } catch (error) {
              if (error instanceof PermanentRemoteError && error.status !== 401) throw new RemoteRefusedError(error.message);
              throw error;
            }
          }
        },
        close: () => close('closed by client', false),
      };
    },
  });
}
