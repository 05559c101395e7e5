/** A schema that is not the demo's: lists and todos, each person's notes on a todo merged per entry. */
import type { MergeRules } from '../../src/merge/record.js';
import type { BasicSchema } from '../../src/protocol/schema.js';

const versioned = { lastModified: { type: 'number' }, modifiedBy: { type: 'string' }, deleted: { type: 'boolean' }, generation: { type: 'number' } } as const;

export const todoSchema = {
  project_id: 'todo-example',
  version: 1,
  tables: {
    lists: { type: 'collection', fields: { title: { type: 'string' }, ...versioned } },
    todos: { type: 'collection', fields: { listId: { type: 'string' }, text: { type: 'string' }, done: { type: 'boolean' }, notes: { type: 'json' }, ...versioned } },
  },
} as const satisfies BasicSchema;

export const todoRules = { todos: { perEntryFields: ['notes'] } } satisfies MergeRules;
