/**
 * `validFields` answers as `@basictech/schema`'s `validateData` does (the SDK's own check),
 * for any schema and any record, having checked the schema once instead of per record.
 */
import { validateData } from '@basictech/schema';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { BasicSchema } from '../../src/protocol/schema.js';
import { loadSchemaChecks, validFields } from '../../src/protocol/validate.js';

const fieldName = fc.constantFrom('name', 'done', 'count', 'meta', 'constructor', 'x');
const fieldType = fc.constantFrom('string', 'number', 'boolean', 'json', 'date');
const schemaArb = fc.record({
  project_id: fc.constantFrom('p', ''),
  version: fc.oneof(fc.constant(1), fc.constant(-1), fc.constant(0)),
  tables: fc.dictionary(
    fc.constantFrom('todos', 'projects'),
    fc.record({ type: fc.constant('collection' as const), fields: fc.dictionary(fieldName, fc.record({ type: fieldType, required: fc.boolean() }, { requiredKeys: ['type'] })) }),
  ),
}) as fc.Arbitrary<BasicSchema>;
const valueArb = fc.oneof(fc.string(), fc.constant(''), fc.integer(), fc.constant(0), fc.boolean(), fc.object(), fc.constant(null), fc.array(fc.integer()));

/** Values of a field's own type, falsy ones included (validateData counts those as missing when required). */
const valueOfType = (type: string) =>
  ({ string: fc.constantFrom('', 'a'), number: fc.constantFrom(0, 1), boolean: fc.boolean(), json: fc.constantFrom({}, { a: 1 }) })[type] ?? valueArb;
/** A schema, one of its tables, and fields that mostly fit it. */
const fittingArb = schemaArb.chain((schema) => {
  const tables = Object.keys(schema.tables);
  if (tables.length === 0) return fc.constant({ schema, table: 'todos', data: {} as Record<string, unknown> });
  return fc.constantFrom(...tables).chain((table) => {
    const fields = Object.entries(schema.tables[table]!.fields);
    return fc
      .tuple(...fields.map(([name, field]) => fc.option(valueOfType(field.type).map((value) => [name, value] as const), { nil: undefined })))
      .map((entries) => ({ schema, table, data: Object.fromEntries(entries.filter((e) => e !== undefined)) as Record<string, unknown> }));
  });
});

describe('validFields', () => {
  beforeAll(() => loadSchemaChecks());

  it('gives validateData\'s answer for fields that mostly fit their schema (property)', () => {
    fc.assert(
      fc.property(fittingArb, fc.boolean(), ({ schema, table, data }, checkRequired) => {
        expect(validFields(schema, table, data, checkRequired)).toEqual(validateData(schema, table, data, checkRequired));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives validateData\'s answer and message for any schema, table and fields (property)', () => {
    fc.assert(
      fc.property(schemaArb, fc.constantFrom('todos', 'projects', 'other'), fc.dictionary(fieldName, valueArb), fc.boolean(), (schema, table, data, checkRequired) => {
        // Twice: the second answer comes from a schema already checked.
        for (let i = 0; i < 2; i++) expect(validFields(schema, table, data, checkRequired)).toEqual(validateData(schema, table, data, checkRequired));
      }),
      { numRuns: 2_000 },
    );
  });

  it('checks records only once @basictech/schema is loaded, and says so before', async () => {
    vi.resetModules();
    const fresh = await import('../../src/protocol/validate.js');
    const schema = { project_id: 'p', version: 1, tables: { todos: { type: 'collection', fields: { name: { type: 'string' } } } } } as BasicSchema;
    expect(() => fresh.validFields(schema, 'todos', { name: 'a' })).toThrow(/await loadSchemaChecks\(\) first/);
    await fresh.loadSchemaChecks();
    expect(fresh.validFields(schema, 'todos', { name: 'a' })).toEqual({ valid: true, errors: [] });
    expect(fresh.validFields(schema, 'todos', { name: 1 }).valid).toBe(false);
  });
});
