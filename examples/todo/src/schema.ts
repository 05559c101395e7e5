/**
 * The todo example's BasicDB schema: lists and todos. Every synced table declares the
 * version fields basic-sync writes. Each person's note on a todo is an entry of `notes`
 * with its own version, so two people noting the same todo both keep their note.
 */
import type { BasicSchema, MergeRules } from 'basic-sync';

const versioned = { lastModified: { type: 'number' }, modifiedBy: { type: 'string' }, deleted: { type: 'boolean' }, generation: { type: 'number' } } as const;

export const schema = {
  project_id: 'todo-example',
  version: 1,
  tables: {
    lists: { type: 'collection', fields: { title: { type: 'string' }, ...versioned } },
    todos: { type: 'collection', fields: { listId: { type: 'string', indexed: true }, text: { type: 'string' }, done: { type: 'boolean' }, notes: { type: 'json' }, ...versioned } },
  },
} as const satisfies BasicSchema;

export const mergeRules = { todos: { perEntryFields: ['notes'] } } satisfies MergeRules;
