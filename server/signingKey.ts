/**
 * The JWT signing key, kept apart from the data: from `BASIC_JWT_SECRET` / the `secret`
 * option, or a key file (`jwt.key`, mode 0600) beside the database, created on first
 * start. A backup or copy of the data file does not carry it. Older data files kept the
 * key inside; it is moved out once.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

export function signingKey(db: Database.Database, dataDir: string, secret?: string): Uint8Array {
  if (secret) return new TextEncoder().encode(secret);
  if (dataDir === ':memory:') return randomBytes(32);
  const file = join(dataDir, 'jwt.key');
  const legacy = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'jwt_secret'").get();
  if (!existsSync(file)) {
    writeFileSync(file, legacy?.value ?? randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  if (legacy) db.prepare("DELETE FROM meta WHERE key = 'jwt_secret'").run();
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
