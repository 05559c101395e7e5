/**
 * Checks for records crossing the wire, used by the server (REST and socket input)
 * and by the client (remote data before it touches the local store). The field check is
 * `@basictech/schema`'s `validateData` (what the SDK runs), whose first step, checking the
 * schema itself against a meta-schema, runs once per schema here, not once per record
 * (it was most of a first sync's checking: 10k records); `validFields` does the rest of
 * it, and a property test holds the two to the same answers. This adds what it misses: record ids, keys that would reach an object's prototype (its lookup
 * `fields[name]` finds `constructor` on Object.prototype), numbers JSON cannot carry
 * (Infinity), and `null` for `json`.
 *
 * `@basictech/schema` compiles its validator as its module loads (50-80 ms of a page's
 * start in Chromium here, before anything else could run), so it is not imported with
 * this file: the client loads it once its local data is readable, beside its first
 * network round trip (`loadSchemaChecks`); the server hands it over at start
 * (`useSchemaChecks`). Records are checked once it is there.
 */
import type * as SchemaChecks from '@basictech/schema';
import type { BasicSchema, RecordValue } from './schema.js';

let schemaChecks: typeof SchemaChecks | undefined;
let loading: Promise<void> | undefined;

/** Makes `@basictech/schema` (already imported) the one the record checks use. */
export function useSchemaChecks(checks: typeof SchemaChecks): void {
  schemaChecks = checks;
}

/** Loads `@basictech/schema` for the record checks (once); await it before checking a record. */
export function loadSchemaChecks(): Promise<void> {
  // A failed load (a chunk the network did not bring) is tried again by the next caller.
  loading ??= import('@basictech/schema').then(useSchemaChecks, (error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Input that breaks the protocol's rules. The server answers it with `status`
 * (REST) or an `error` frame (socket); the client quarantines it.
 */
export class BadRequest extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = 'BadRequest';
  }
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const MAX_DEPTH = 32;

export function assertTable(schema: BasicSchema, table: unknown): asserts table is string {
  if (typeof table !== 'string' || !Object.hasOwn(schema.tables, table)) {
    throw new BadRequest(`unknown table ${JSON.stringify(table)}`);
  }
}

export function assertRecordId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id) || PROTOTYPE_KEYS.has(id)) {
    throw new BadRequest(`invalid record id ${JSON.stringify(id)}: 1-128 of [A-Za-z0-9_.:-]`);
  }
}

/**
 * Rejects what JSON cannot carry back unchanged or what reaches an object's prototype:
 * `__proto__`, `constructor` and `prototype` keys, nesting past 32 levels, and numbers
 * that are not finite (`1e999` parses as Infinity and would be stored as `null`).
 */
export function assertSafeJson(value: unknown, path = 'value', depth = 0): void {
  if (depth > MAX_DEPTH) throw new BadRequest(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new BadRequest(`${path} is not a finite number`);
  if (value === null || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) throw new BadRequest(`forbidden key "${key}" in ${path}`);
    assertSafeJson((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
  }
}

/**
 * Checks a whole record (fields plus `id`) against its table and returns it as a
 * plain record. `partial` skips required-field checks (PATCH bodies).
 */
export function validateRecord(
  schema: BasicSchema,
  table: string,
  value: unknown,
  partial = false,
): Record<string, unknown> {
  assertTable(schema, table);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('record value must be a JSON object');
  }
  assertSafeJson(value);
  const { id, ...fields } = value as Record<string, unknown>;
  if (id !== undefined) assertRecordId(id);
  const declared = schema.tables[table]!.fields;
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(declared, name)) throw new BadRequest(`unknown field "${name}" in table ${table}`);
    if (field === null) throw new BadRequest(`field "${name}" is null; omit it instead`);
  }
  const result = validFields(schema, table, fields, !partial);
  if (!result.valid) {
    const reason = result.errors?.[0]?.message ?? result.message ?? 'invalid record';
    throw new BadRequest(`${table}: ${reason}`);
  }
  return value as Record<string, unknown>;
}

/** Like `validateRecord`, for a full record that must carry `id`. */
export function validateFullRecord(schema: BasicSchema, table: string, value: unknown): RecordValue {
  const record = validateRecord(schema, table, value);
  assertRecordId(record.id);
  return record as RecordValue;
}

type FieldCheck = { valid: boolean; errors?: Array<{ message?: string }>; message?: string };

/** Schemas `validateSchema` accepted: the same object is not checked again. */
const validSchemas = new WeakSet<BasicSchema>();

/**
 * `validateData(schema, table, data, checkRequired)`, with the schema checked once per
 * schema object (a schema is not changed once in use). Same answers, same messages.
 */
export function validFields(schema: BasicSchema, table: string, data: Record<string, unknown>, checkRequired = true): FieldCheck {
  if (!validSchemas.has(schema)) {
    if (!schemaChecks) throw new Error('records are checked once @basictech/schema is loaded: await loadSchemaChecks() first');
    if (!schemaChecks.validateSchema(schema).valid) return schemaChecks.validateData(schema, table, data, checkRequired);
    validSchemas.add(schema);
  }
  const tableSchema = schema.tables[table];
  if (!tableSchema) return { valid: false, errors: [{ message: `Table ${table} not found in schema` }], message: 'Table not found' };
  for (const [name, value] of Object.entries(data)) {
    const field = tableSchema.fields[name];
    if (!field) return { valid: false, errors: [{ message: `Field ${name} not found in schema` }], message: 'Invalid field' };
    const expected = { string: 'string', number: 'number', boolean: 'boolean', json: 'object' }[field.type as string];
    if (expected !== undefined && typeof value !== expected) {
      return { valid: false, errors: [{ message: `Field ${name} should be type ${field.type}, got ${typeof value}` }], message: 'invalid type' };
    }
  }
  if (checkRequired) {
    for (const [name, field] of Object.entries(tableSchema.fields)) {
      // `!data[name]`, as validateData has it: 0, '' and false count as missing too.
      if (field.required && !data[name]) {
        return { valid: false, errors: [{ message: `Field ${name} is required` }], message: 'Required field missing' };
      }
    }
  }
  return { valid: true, errors: [] };
}
