/**
 * Structured logs (pino: one JSON object per line, with a level). The server logs what
 * an operator acts on: failures of its own (with stacks), slow readers dropped,
 * compaction; a client's bad input is answered, and logged only at `debug`, never with
 * a stack trace.
 */
import { pino, type Logger } from 'pino';

export type ServerLogger = Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A logger writing JSON lines to stdout at `level` (default `info`). */
export function createServerLogger(level: string = 'info'): ServerLogger {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}; got "${level}"`);
  return pino({ level, base: { service: 'basic-sync-server' } });
}

/** Logs nothing: the default for servers started in process (tests, benchmarks). */
export const silentLogger: ServerLogger = pino({ level: 'silent' });
