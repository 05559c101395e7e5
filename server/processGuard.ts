/**
 * The last line of defence of a long-running server: an error that escaped every handler
 * is logged and the process keeps serving, instead of exiting and taking every other
 * user's sockets with it. Tests run without it, so such an error fails them loudly.
 */
export function installProcessGuard(log: (message: string) => void): void {
  process.on('uncaughtException', (error) => log(`uncaught exception (kept running): ${error instanceof Error ? error.stack : String(error)}`));
  process.on('unhandledRejection', (reason) => log(`unhandled rejection (kept running): ${reason instanceof Error ? reason.stack : String(reason)}`));
}
