/**
 * WAL checkpoints off the event loop. SQLite normally checkpoints inside whichever
 * commit fills the WAL past 1,000 pages: that commit then copies pages into the database
 * file and fsyncs it, a stall every second or so under load that every ack waiting on
 * the group commit feels. Here a worker thread with its own connection checkpoints
 * (PASSIVE: never blocking writers) every second, and the server's own connection only
 * checkpoints as a safety net far past that.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
`;

export function startCheckpointer(db: Database.Database, everyMs = 1000): { stop(): Promise<void> } | null {
  if (db.memory) return null;
  db.pragma('wal_autocheckpoint = 20000'); // ~80 MB: only if the worker falls behind
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file: db.name, driver, everyMs } });
  worker.unref();
  return {
    async stop() {
      await worker.terminate();
    },
  };
}
