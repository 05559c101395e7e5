/**
 * Checks the app's merge rules against its schema when the service is created, so a
 * typo fails at once with a clear message instead of merging a field whole forever.
 */
import type { MergeRules } from '../merge/record.js';
import type { BasicSchema } from '../protocol/schema.js';

export function checkMergeRules(schema: BasicSchema, rules: MergeRules): void {
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
