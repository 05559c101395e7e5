/**
 * The BasicDB schema format (`basic.config.ts`), as the SDK's `@basictech/schema`
 * validates it. Shared by the client and the local server.
 */

/** A field's declared type. `json` values must be (non-null) objects. */
export type FieldType = 'string' | 'boolean' | 'number' | 'json';

/** One field of a table. Record ids are not declared as fields. */
export interface FieldSchema {
  type: FieldType;
  indexed?: boolean;
  required?: boolean;
}

/** One table ("collection") of a project's schema. */
export interface TableSchema {
  type?: 'collection';
  fields: Record<string, FieldSchema>;
}

/** A project's whole schema, as published at `GET /project/{id}/schema`. */
export interface BasicSchema {
  project_id: string;
  version: number;
  tables: Record<string, TableSchema>;
}

/** A stored record: the declared fields plus its client-chosen `id`. */
export type RecordValue = { id: string } & Record<string, unknown>;
