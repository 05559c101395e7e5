/**
 * The side effects of the sync machine, as actors: they read and write the local
 * store, talk to BasicDB, and report back with events or outputs. The machine
 * (`src/machines/syncMachine.ts`) decides when each runs. Loading and authenticating
 * are here; the connection (`connectionActor.ts`, over any transport), the push path
 * (`pushPath.ts`) and the inbound path (`inboundPath.ts`) have files of their own.
 */
import { fromPromise } from 'xstate';
import type { LocalStore } from '../local/localStore.js';
import type { HybridClock } from '../merge/hlc.js';
import { stampsOf } from '../merge/record.js';
import type { LoadOutput } from '../machines/syncContract.js';
import type { BasicSchema } from '../protocol/schema.js';
import { PermanentRemoteError, TransientRemoteError, type RestClient } from '../remote/restClient.js';
import type { TokenManager } from '../remote/tokenManager.js';
import type { SyncTransport } from '../remote/transport.js';
import { createConnectionActor } from './connectionActor.js';
import { createInboundPath } from './inboundPath.js';
import { createPushPath } from './pushPath.js';

export interface SyncDeps {
  local: LocalStore;
  clock: HybridClock;
  tokens: TokenManager;
  rest: RestClient;
  schema: BasicSchema;
  /** How the service reaches BasicDB (the socket by default). */
  transport: SyncTransport;
  newClientId: () => string;
}

export function createSyncActors(deps: SyncDeps) {
  const { local, clock, tokens, rest, schema } = deps;
  const tables = Object.keys(schema.tables);
  const pushPath = createPushPath(deps);
  const { sendable } = pushPath;
  const remoteConnection = createConnectionActor(deps, pushPath);
  const { prepareRemote, applyDecisions } = createInboundPath(deps, () => sendable().length);

  const loadLocal = fromPromise<LoadOutput>(async () => {
    await local.load(deps.newClientId);
    // The clock is never behind anything this client wrote or saw before a reload.
    clock.observe(local.getMeta().clockLatest);
    // Components carry their own stamps, often later than the record's: count them too.
    const stamps: number[] = [];
    for (const table of tables) {
      const rule = local.ruleOf(table);
      for (const r of local.list(table)) stamps.push(...stampsOf(r, rule));
    }
    clock.observeAll(stamps);
    return { pendingCount: sendable().length, lastSyncedAt: local.getMeta().lastSyncedAt, lostWrites: local.lostWriteList() };
  });

  const authenticate = fromPromise<void>(async () => {
    try {
      await tokens.token();
    } catch (error) {
      throw new TransientRemoteError(`getting a token failed: ${(error as Error).message}`);
    }
    const published = await rest.fetchSchema();
    // As Basic's SDK does: refuse to sync against a different schema version.
    if (published.version !== schema.version) {
      throw new PermanentRemoteError(`the server's schema is version ${published.version}, this app's is ${schema.version}`, 409);
    }
  });

  return {
    actors: { loadLocal, authenticate, remoteConnection, prepareRemote, applyDecisions },
    /** Pending changes a push would send (the count the status shows). */
    pendingCount: () => sendable().length,
  };
}
