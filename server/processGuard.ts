/**
 * The last line of defence of a long-running server: an error that escaped every handler
 * is logged and the process keeps serving, instead of exiting and taking every other
 * user's sockets with it. Tests run without it, so such an error fails them loudly.
 */
import type { ServerLogger } from './logger.js';

export function installProcessGuard(logger: ServerLogger): void {
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception (kept running)'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection (kept running)'));
}
