/**
 * BasicDB's REST API over the record store, both path families:
 *   /account/{project_id}/db/{table}[/{id}]                 (later SDK; account from the token)
 *   /project/{project_id}/db/{account_id}/{table}[/{id}]    (0.5.0; account must be the token's)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { CREATE, DELETE, UPDATE, type Change } from '../src/protocol/socket.js';
import type { AuthUser } from './auth.js';
import { readObject, sendError, sendJson } from './http.js';
import type { ApplyResult, RecordStore } from './store.js';
import { TooMany, type RateLimiter } from './rateLimit.js';
import { BadRequest, assertRecordId, assertTable } from '../src/protocol/validate.js';
import type { BasicSchema } from '../src/protocol/schema.js';

export interface DbRoute {
  family: 'account' | 'project';
  table: string;
  id?: string;
}

export interface RestContext {
  store: RecordStore;
  schema: BasicSchema;
  maxBodyBytes: number;
  /** Writes per user, shared with the socket. */
  writesPerUser: RateLimiter;
  /** Called after every committed write so sockets of the account hear of it. */
  onCommitted(account: string, result: ApplyResult, source: string | null): void;
}

export async function handleDb(ctx: RestContext, req: IncomingMessage, res: ServerResponse, user: AuthUser, route: DbRoute, url: URL) {
  const { store, schema } = ctx;
  assertTable(schema, route.table);
  const table = route.table;
  if (route.id !== undefined) assertRecordId(route.id);
  const account = user.id;

  const write = (changes: Change[]) => {
    if (!ctx.writesPerUser.take(account)) throw new TooMany('too many writes; slow down');
    const result = store.applyChanges(account, changes, null);
    ctx.onCommitted(account, result, null);
    return result;
  };

  switch (req.method) {
    case 'GET': {
      const id = route.id ?? url.searchParams.get('id') ?? undefined;
      if (id === undefined) return sendJson(res, 200, { data: store.list(account, table) });
      assertRecordId(id);
      const record = store.get(account, table, id);
      if (route.id !== undefined) return record ? sendJson(res, 200, { data: record }) : sendError(res, 404, `${table}/${id} not found`);
      return sendJson(res, 200, { data: record ? [record] : [] });
    }
    case 'POST': {
      if (route.id !== undefined) throw new BadRequest('POST goes to the table; use PUT to write a given id', 405);
      const value = valueOf(await readObject(req, ctx.maxBodyBytes));
      const id = value.id ?? uuidv7();
      assertRecordId(id);
      const obj = { ...value, id };
      write([{ type: CREATE, table, key: id, obj }]);
      return sendJson(res, 200, { data: store.get(account, table, id) });
    }
    case 'PUT': {
      const id = requireId(route);
      const value = valueOf(await readObject(req, ctx.maxBodyBytes));
      if (value.id !== undefined && value.id !== id) throw new BadRequest(`body id "${String(value.id)}" differs from path id "${id}"`);
      write([{ type: CREATE, table, key: id, obj: { ...value, id } }]);
      return sendJson(res, 200, { data: store.get(account, table, id) });
    }
    case 'PATCH': {
      const body = await readObject(req, ctx.maxBodyBytes);
      const id = route.id ?? (route.family === 'project' ? body.id : undefined);
      assertRecordId(id);
      const value = valueOf(body);
      if (!store.get(account, table, id)) return sendError(res, 404, `${table}/${id} not found`);
      const fields = schema.tables[table]!.fields;
      const { id: _ignored, ...mods } = value;
      for (const name of Object.keys(mods)) {
        if (!Object.hasOwn(fields, name)) throw new BadRequest(`unknown field "${name}" in table ${table}`);
      }
      // A top-level `null` removes the field (e.g. moving a project to the root).
      write([{ type: UPDATE, table, key: id, mods }]);
      return sendJson(res, 200, { data: store.get(account, table, id) });
    }
    case 'DELETE': {
      const id = requireId(route);
      if (!store.get(account, table, id)) return sendError(res, 404, `${table}/${id} not found`);
      write([{ type: DELETE, table, key: id }]);
      return sendJson(res, 200, { data: { id } });
    }
    default:
      throw new BadRequest(`method ${req.method} not allowed`, 405);
  }
}

function requireId(route: DbRoute): string {
  if (route.id === undefined) throw new BadRequest('this method needs a record id in the path', 405);
  return route.id;
}

function valueOf(body: Record<string, unknown>): Record<string, unknown> & { id?: string } {
  const value = body.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('body must be { "value": { ...record } }');
  return value as Record<string, unknown> & { id?: string };
}
