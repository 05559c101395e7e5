/**
 * The server's SQLite storage: per-account records and the per-account revision
 * log that REST writes and socket writes share. Every write is one transaction,
 * committed (WAL, synchronous=FULL) before the caller acknowledges it.
 *
 * The revision log is the records table itself: each record keeps the revision and the
 * writer of its latest change (a catch-up sends a record's current state anyway), so the
 * log is as long as the account has records, not writes, and a write touches one row. A
 * hard delete leaves the row without data (a tombstone) for a retention horizon
 * (`compact`); a client whose checkpoint is older gets the whole state instead, marked
 * `snapshot`, since the deletes it missed are no longer known.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CREATE, DELETE, UPDATE, type Change } from '../src/protocol/socket.js';
import type { BasicSchema, RecordValue } from '../src/protocol/schema.js';
import * as schemaChecks from '@basictech/schema';
import { BadRequest, assertSafeJson, assertRecordId, assertTable, useSchemaChecks, validateFullRecord } from '../src/protocol/validate.js';

// The server checks records from its first request: its schema checks load with it.
useSchemaChecks(schemaChecks);

export interface ApplyResult {
  /** The account's revision after the batch. */
  revision: number;
  /** Net effect of the batch, as full-record creates and deletes. */
  changes: Change[];
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auth_codes (code TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (account TEXT PRIMARY KEY, rev INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  account TEXT NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL,
  data TEXT, -- NULL: deleted (a tombstone until compaction)
  rev INTEGER NOT NULL, -- the account's revision of the latest change
  source TEXT, -- the client identity that wrote it (NULL: REST)
  deleted_at INTEGER, -- ms, for tombstones
  PRIMARY KEY (account, tbl, id));
`;

/** Opens (or creates) the database; `dataDir` ':memory:' keeps it in memory. */
export function openDatabase(dataDir: string): Database.Database {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'basicdb.sqlite');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA_SQL);
  migrate(db);
  return db;
}

/**
 * Schema changes of existing data files, by `user_version`:
 * 1. accounts get passwords; refresh tokens rotate, expire and are revoked by family
 *    (older, unrotatable refresh tokens are dropped: their users sign in again).
 */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < 1) {
    db.transaction(() => {
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all().map((c) => c.name);
      if (!columns.includes('password')) db.exec('ALTER TABLE users ADD COLUMN password TEXT');
      db.exec(`DROP TABLE IF EXISTS refresh_tokens;
        CREATE TABLE refresh_tokens (
          token TEXT PRIMARY KEY, user_id TEXT NOT NULL, family TEXT NOT NULL, expires INTEGER NOT NULL,
          replaced_by TEXT, replaced_at INTEGER, revoked INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family);`);
      db.pragma('user_version = 1');
    })();
  }
  if (version < 2) {
    db.transaction(() => {
      // Files before version 2 kept every write in a `changes` log: fold it into the records.
      const hasLog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").get() !== undefined;
      if (hasLog) {
        db.exec(`CREATE TABLE records_v2 (
            account TEXT NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT, rev INTEGER NOT NULL,
            source TEXT, deleted_at INTEGER, PRIMARY KEY (account, tbl, id));
          INSERT INTO records_v2 (account, tbl, id, data, rev, source)
            SELECT r.account, r.tbl, r.id, r.data, r.rev, (SELECT c.source FROM changes AS c WHERE c.account = r.account AND c.rev = r.rev)
            FROM records AS r;
          INSERT INTO records_v2 (account, tbl, id, data, rev, source, deleted_at)
            SELECT c.account, c.tbl, c.key, NULL, MAX(c.rev), c.source, ${Date.now()} FROM changes AS c
            WHERE c.type = ${DELETE} AND NOT EXISTS (SELECT 1 FROM records AS r WHERE r.account = c.account AND r.tbl = c.tbl AND r.id = c.key)
            GROUP BY c.account, c.tbl, c.key;
          DROP TABLE records;
          ALTER TABLE records_v2 RENAME TO records;
          DROP TABLE changes;`);
      }
      db.exec('CREATE INDEX IF NOT EXISTS records_rev ON records (account, rev)');
      if (!db.prepare<[], { name: string }>('PRAGMA table_info(accounts)').all().some((c) => c.name === 'horizon')) {
        db.exec('ALTER TABLE accounts ADD COLUMN horizon INTEGER NOT NULL DEFAULT 0');
      }
      db.pragma('user_version = 2');
    })();
  }
}

/** What `compact` did. */
export interface CompactionResult {
  /** Deletes older than the horizon that were forgotten. */
  forgottenDeletes: number;
  /** Accounts whose horizon moved (their clients further behind get a snapshot). */
  accounts: number;
}

/** Sets `a.b.c` inside `target`; `null` removes the property (Dexie key-path mods). */
export function applyKeyPathMods(record: Record<string, unknown>, mods: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(record);
  for (const [keyPath, value] of Object.entries(mods)) {
    const parts = keyPath.split('.');
    if (parts.some((p) => p === '' )) throw new BadRequest(`invalid key path "${keyPath}"`);
    assertSafeJson(Object.fromEntries(parts.map((p) => [p, 0])), `mods["${keyPath}"]`);
    if (parts[0] === 'id') throw new BadRequest('a record id cannot be modified');
    let node: Record<string, unknown> = next;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      if (child === null || typeof child !== 'object') node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const leaf = parts[parts.length - 1]!;
    if (value === null) delete node[leaf];
    else node[leaf] = value;
  }
  return next;
}

export class RecordStore {
  private readonly stmt;

  constructor(
    readonly db: Database.Database,
    private readonly schema: BasicSchema,
  ) {
    this.stmt = {
      getRev: db.prepare<[string], { rev: number }>('SELECT rev FROM accounts WHERE account = ?'),
      setRev: db.prepare('INSERT INTO accounts (account, rev) VALUES (?, ?) ON CONFLICT(account) DO UPDATE SET rev = excluded.rev'),
      get: db.prepare<[string, string, string], { data: string }>(
        'SELECT data FROM records WHERE account = ? AND tbl = ? AND id = ? AND data IS NOT NULL',
      ),
      list: db.prepare<[string, string], { data: string }>('SELECT data FROM records WHERE account = ? AND tbl = ? AND data IS NOT NULL ORDER BY id'),
      put: db.prepare(
        'INSERT INTO records (account, tbl, id, data, rev, source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account, tbl, id) DO UPDATE SET data = excluded.data, rev = excluded.rev, source = excluded.source, deleted_at = NULL',
      ),
      remove: db.prepare('UPDATE records SET data = NULL, rev = ?, source = ?, deleted_at = ? WHERE account = ? AND tbl = ? AND id = ?'),
      since: db.prepare<[string, number], { rev: number; table: string; key: string; source: string | null }>(
        'SELECT rev, tbl AS "table", id AS key, source FROM records WHERE account = ? AND rev > ? ORDER BY rev',
      ),
      after: db.prepare<[string, string, string, number], { id: string; data: string }>(
        'SELECT id, data FROM records WHERE account = ? AND tbl = ? AND id > ? AND data IS NOT NULL ORDER BY id LIMIT ?',
      ),
      getHorizon: db.prepare<[string], { horizon: number }>('SELECT horizon FROM accounts WHERE account = ?'),
      logSize: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM records'),
    };
  }

  currentRevision(account: string): number {
    return this.stmt.getRev.get(account)?.rev ?? 0;
  }

  /** Catch-ups from before this revision get the whole state (older deletes are forgotten). */
  horizon(account: string): number {
    return this.stmt.getHorizon.get(account)?.horizon ?? 0;
  }

  /** Entries in the revision log, all accounts: one per record, deleted ones within the horizon included. */
  revisionLogSize(): number {
    return this.stmt.logSize.get()!.n;
  }

  /**
   * Forgets hard deletes logged before `before` (ms): each account's horizon moves past
   * the latest one forgotten, so a client that has not seen it gets a full snapshot.
   */
  compact(before: number): CompactionResult {
    return this.db.transaction(() => {
      // A scan of the records (hourly); an index on deleted_at would cost every write.
      const moved = this.db
        .prepare<[number], { account: string; rev: number }>('SELECT account, MAX(rev) AS rev FROM records WHERE data IS NULL AND deleted_at < ? GROUP BY account')
        .all(before);
      for (const { account, rev } of moved) this.db.prepare('UPDATE accounts SET horizon = MAX(horizon, ?) WHERE account = ?').run(rev, account);
      const { changes } = this.db.prepare('DELETE FROM records WHERE data IS NULL AND deleted_at < ?').run(before);
      return { forgottenDeletes: changes, accounts: moved.length };
    })();
  }

  get(account: string, table: string, id: string): RecordValue | undefined {
    const row = this.stmt.get.get(account, table, id);
    return row ? (JSON.parse(row.data) as RecordValue) : undefined;
  }

  list(account: string, table: string): RecordValue[] {
    return this.stmt.list.all(account, table).map((row) => JSON.parse(row.data) as RecordValue);
  }

  /**
   * Applies a batch atomically: every change is checked against the schema and
   * either all land (one revision each) or none do. Creates are upserts; updates
   * to absent records are ignored, as Dexie's server does; deleting an absent
   * record is a no-op. `source` is the writer's client identity (null for REST).
   */
  applyChanges(account: string, changes: Change[], source: string | null): ApplyResult {
    return this.db.transaction(() => this.applyBatch(account, changes, source)).immediate();
  }

  /**
   * Several batches in one transaction (one fsync). Tried whole first (the usual case:
   * every batch is valid); if one fails, again with each batch in its own savepoint, so
   * a bad batch is rolled back alone and comes back as its error while the rest commit.
   */
  applyGroup(batches: Array<{ account: string; changes: Change[]; source: string | null }>): Array<ApplyResult | Error> {
    try {
      return this.db.transaction(() => batches.map((b) => this.applyBatch(b.account, b.changes, b.source))).immediate();
    } catch (error) {
      if (batches.length === 1) return [error instanceof Error ? error : new Error(String(error))];
    }
    return this.db
      .transaction(() =>
        batches.map((b) => {
          try {
            return this.applyChanges(b.account, b.changes, b.source);
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        }),
      )
      .immediate();
  }

  /** One batch, inside the caller's transaction: all changes land or the transaction fails. */
  private applyBatch(account: string, changes: Change[], source: string | null): ApplyResult {
    let revision = this.currentRevision(account);
    const net = new Map<string, Change>();
    for (const change of changes) {
      const applied = this.applyOne(account, change);
      if (!applied) continue;
      revision += 1;
      net.set(`${change.table}\u0000${change.key}`, applied);
      if (applied.type === CREATE) {
        this.stmt.put.run(account, change.table, change.key, JSON.stringify(applied.obj), revision, source);
      } else {
        this.stmt.remove.run(revision, source, Date.now(), account, change.table, change.key);
      }
    }
    this.stmt.setRev.run(account, revision);
    return { revision, changes: [...net.values()] };
  }

  /** Net changes after `revision` not written by `excludeSource`, as creates and deletes. */
  changesSince(account: string, revision: number, excludeSource: string | null, tables: Set<string>): Change[] {
    return this.touchedSince(account, revision, excludeSource, tables).map(({ table, key }) => this.changeOf(account, table, key));
  }

  /** The current state of one record as a change: a create of it, or its delete. */
  private changeOf(account: string, table: string, key: string): Change {
    const obj = this.get(account, table, key);
    return obj ? { type: CREATE, table, key, obj } : { type: DELETE, table, key };
  }

  /**
   * A catch-up read a page at a time, so a client far behind (or a first sync of a big
   * account) never holds the whole account in the server's memory: `next()` returns up to
   * `maxCount` changes and about `maxBytes` of JSON, or null when there is no more. Pages
   * read the current state; writes made while it runs come after it (see `changesSince`).
   */
  catchUp(
    account: string,
    since: number | null,
    excludeSource: string | null,
    tables: Set<string>,
  ): { next(maxCount: number, maxBytes: number): Change[] | null; snapshot: boolean } {
    // Behind the horizon, deletes this client missed are forgotten: it gets the whole state.
    const snapshot = since !== null && since < this.horizon(account);
    if (snapshot) since = null;
    if (since !== null) {
      const touched = this.touchedSince(account, since, excludeSource, tables);
      let at = 0;
      return {
        next: (maxCount, maxBytes) => {
          if (at >= touched.length) return null;
          const page: Change[] = [];
          for (let bytes = 0; at < touched.length && page.length < maxCount; at++) {
            const change = this.changeOf(account, touched[at]!.table, touched[at]!.key);
            const size = change.type === CREATE ? JSON.stringify(change.obj).length : 64;
            if (page.length > 0 && bytes + size > maxBytes) break;
            bytes += size;
            page.push(change);
          }
          return page;
        },
        snapshot,
      };
    }
    const order = [...tables];
    let table = 0;
    let lastId = '';
    return {
      next: (maxCount, maxBytes) => {
        const page: Change[] = [];
        let bytes = 0;
        while (table < order.length && page.length < maxCount && bytes < maxBytes) {
          const rows = this.stmt.after.all(account, order[table]!, lastId, Math.min(100, maxCount - page.length));
          if (rows.length === 0) {
            table += 1;
            lastId = '';
            continue;
          }
          for (const row of rows) {
            // A page holds at least one record; past the byte bound the rest waits for the next.
            if (page.length > 0 && bytes + row.data.length > maxBytes) return page;
            lastId = row.id;
            bytes += row.data.length;
            page.push({ type: CREATE, table: order[table]!, key: row.id, obj: JSON.parse(row.data) as RecordValue });
          }
        }
        return page.length > 0 ? page : null;
      },
      snapshot,
    };
  }

  /**
   * The records written after `revision`, in order of their last write, except those
   * whose last write is `excludeSource`'s own (it holds that state already).
   */
  private touchedSince(account: string, revision: number, excludeSource: string | null, tables: Set<string>): Array<{ table: string; key: string }> {
    const touched: Array<{ table: string; key: string }> = [];
    for (const change of this.stmt.since.iterate(account, revision)) {
      if (!tables.has(change.table)) continue;
      if (change.source !== null && change.source === excludeSource) continue;
      touched.push({ table: change.table, key: change.key });
    }
    return touched;
  }

  /** Validates one change and returns its net effect, or null when it changes nothing. */
  private applyOne(account: string, change: Change): Change | null {
    if (change === null || typeof change !== 'object') throw new BadRequest('a change must be an object');
    assertTable(this.schema, change.table);
    assertRecordId(change.key);
    switch (change.type) {
      case CREATE: {
        const obj = validateFullRecord(this.schema, change.table, change.obj);
        if (obj.id !== change.key) throw new BadRequest(`create for "${change.key}" carries obj.id "${obj.id}"`);
        return { type: CREATE, table: change.table, key: change.key, obj };
      }
      case UPDATE: {
        if (change.mods === null || typeof change.mods !== 'object' || Array.isArray(change.mods)) {
          throw new BadRequest('an update must carry mods as an object');
        }
        const existing = this.get(account, change.table, change.key);
        const next = applyKeyPathMods(existing ?? { id: change.key }, change.mods);
        const obj = validateFullRecord(this.schema, change.table, next);
        return existing ? { type: CREATE, table: change.table, key: change.key, obj } : null;
      }
      case DELETE:
        return this.get(account, change.table, change.key) ? { type: DELETE, table: change.table, key: change.key } : null;
      default:
        throw new BadRequest(`unknown change type ${JSON.stringify((change as { type: unknown }).type)}`);
    }
  }
}
