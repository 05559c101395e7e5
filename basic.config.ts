import type { MergeRules } from './src/merge/record.js';
import type { BasicSchema } from './src/protocol/schema.js';

/**
 * The app's BasicDB schema. `lastModified` is a hybrid-logical-clock timestamp
 * (see `src/merge/`) that decides "last modified wins"; every component inside
 * `components` carries its own `lastModified` so components merge one by one.
 * `modifiedBy` is the writing client's id: it breaks ties between equal timestamps.
 * `deleted` marks a tombstone, so a stale client cannot bring a deleted project back;
 * `generation` counts the deletes a write has seen, so a restore made after a delete wins
 * over it (see `src/merge/lastModifiedWins.ts`).
 * Root projects have no `parentId` (the field is omitted). `movedAt` is the stamp of the
 * write that last set `parentId`; it orders parent links when concurrent moves would
 * make a cycle (see `src/merge/tree.ts`). `rank` orders a project among its siblings
 * once the user has placed it by hand (a fractional index; siblings without one follow,
 * by name).
 */
export const schema = {
  project_id: 'basic-sync-demo',
  version: 3,
  tables: {
    projects: {
      type: 'collection',
      fields: {
        name: { type: 'string', indexed: true },
        parentId: { type: 'string', indexed: true },
        movedAt: { type: 'number' },
        rank: { type: 'string' },
        type: { type: 'string' },
        lastModified: { type: 'number', indexed: true },
        modifiedBy: { type: 'string' },
        components: { type: 'json' },
        deleted: { type: 'boolean' },
        generation: { type: 'number' },
      },
    },
  },
} satisfies BasicSchema;

/**
 * How the app's records merge beyond "the newer version wins" (the sync service's
 * `merge` option): each entry of a project's `components` has its own version, and
 * `movedAt` is a stamp, not something the user typed.
 */
export const mergeRules = {
  projects: { perEntryFields: ['components'], versionFields: ['movedAt'] },
} satisfies MergeRules;

export default schema;
