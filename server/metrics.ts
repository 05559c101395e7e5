/**
 * Prometheus metrics at `GET /metrics` (prom-client, one registry per server so that
 * several servers in one process do not mix): sockets, frames, writes, commit latency
 * and the revision log's size, plus Node's process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  sockets(): { sockets: number; identified: number };
  revisionLogSize(): number;
}

export type ServerMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'basic_sync_' });
  new Gauge({
    name: 'basic_sync_sockets',
    help: 'Open sync sockets, by whether they have identified',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { sockets: open, identified } = sources.sockets();
      this.set({ state: 'identified' }, identified);
      this.set({ state: 'unidentified' }, open - identified);
    },
  });
  const framesReceived = new Counter({
    name: 'basic_sync_socket_frames_received_total',
    help: 'Frames received on sync sockets, by type (unknown and malformed ones as "invalid")',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const framesRefused = new Counter({
    name: 'basic_sync_socket_frames_refused_total',
    help: 'Frames answered with an error frame, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const writes = new Counter({
    name: 'basic_sync_changes_written_total',
    help: 'Changes committed, by the way they came in',
    labelNames: ['via'] as const,
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: 'basic_sync_commit_seconds',
    help: 'Time to commit one group of socket batches (one transaction, one fsync)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const commitGroupSize = new Histogram({
    name: 'basic_sync_commit_group_batches',
    help: 'Socket batches that shared one transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  new Gauge({
    name: 'basic_sync_revision_log_entries',
    help: 'Entries in the revision log (the latest change per record, and deletes within the retention horizon)',
    registers: [registry],
    collect() {
      this.set(sources.revisionLogSize());
    },
  });
  return { registry, framesReceived, framesRefused, writes, commitSeconds, commitGroupSize };
}
