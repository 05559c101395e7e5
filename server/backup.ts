/**
 * An online backup of the server's database (SQLite's backup API through better-sqlite3):
 * consistent while the server keeps running and writing, written to a new file.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Copies `<dataDir>/basicdb.sqlite` to `destination`; returns the pages copied. */
export async function backupDatabase(dataDir: string, destination: string): Promise<{ pages: number }> {
  const file = join(dataDir, 'basicdb.sqlite');
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  if (existsSync(destination)) throw new Error(`${destination} exists already; pick a new file`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(destination);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}
