import type { BasicSchema } from './src/protocol/schema.js';

/**
 * The app's BasicDB schema. `lastModified` is a hybrid-logical-clock timestamp
 * (see `src/merge/`) that decides "last modified wins"; every component inside
 * `components` carries its own `lastModified` so components merge one by one.
 * `modifiedBy` is the writing client's id: it breaks ties between equal timestamps.
 * `deleted` marks a tombstone, so a stale client cannot bring a deleted project back.
 * Root projects have no `parentId` (the field is omitted).
 */
export const schema = {
  project_id: 'basic-sync-demo',
  version: 1,
  tables: {
    projects: {
      type: 'collection',
      fields: {
        name: { type: 'string', indexed: true },
        parentId: { type: 'string', indexed: true },
        type: { type: 'string' },
        lastModified: { type: 'number', indexed: true },
        modifiedBy: { type: 'string' },
        components: { type: 'json' },
        deleted: { type: 'boolean' },
      },
    },
  },
} satisfies BasicSchema;

export default schema;
