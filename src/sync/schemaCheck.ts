/**
 * Checks the app's schema and merge rules when the service is created, so a mistake
 * fails at once with a clear message instead of a quarantined push later: every table
 * must declare the version fields the sync layer writes, and every rule must name
 * fields the schema has.
 */
import type { MergeRules } from '../merge/record.js';
import type { BasicSchema, FieldType } from '../protocol/schema.js';

/** The fields every synced table carries (see `Versioned`), with their types. */
const VERSION_FIELDS: ReadonlyArray<[string, FieldType]> = [
  ['lastModified', 'number'],
  ['modifiedBy', 'string'],
  ['deleted', 'boolean'],
  ['generation', 'number'],
];

export function checkSchemaForSync(schema: BasicSchema, rules: MergeRules): void {
  for (const [table, { fields }] of Object.entries(schema.tables)) {
    for (const [name, type] of VERSION_FIELDS) {
      const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
      if (field?.type !== type) throw new Error(`schema: table ${table} needs a field ${name} of type ${type} (every synced record carries it)`);
      if (field.required && name !== 'lastModified' && name !== 'modifiedBy') throw new Error(`schema: ${table}.${name} cannot be required (not every version has it)`);
    }
  }
  for (const [table, rule] of Object.entries(rules)) {
    const fields = Object.hasOwn(schema.tables, table) ? schema.tables[table]!.fields : undefined;
    if (!fields) throw new Error(`merge rules name table "${table}", which the schema does not have`);
    const field = (name: string) => (Object.hasOwn(fields, name) ? fields[name] : undefined);
    for (const name of rule.perEntryFields ?? []) {
      if (field(name)?.type !== 'json') throw new Error(`merge rules: ${table}.${name} merges per entry, so it must be a json field of the schema`);
    }
    for (const name of rule.versionFields ?? []) {
      if (!field(name)) throw new Error(`merge rules: ${table}.${name} is a version field the schema does not have`);
    }
  }
}
