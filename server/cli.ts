/**
 * `npm run server [-- --port 8787 --data-dir .basic-sync-data --token-ttl 3600
 *   --allow-origin http://127.0.0.1:5173 --demo-sign-in --log-level info]`
 * Flags win over env (PORT, HOST, BASIC_DATA_DIR, BASIC_TOKEN_TTL, BASIC_ALLOWED_ORIGINS
 * comma-separated, LOG_LEVEL); only env: BASIC_JWT_SECRET, BASIC_METRICS_TOKEN,
 * BASIC_DELETE_RETENTION_DAYS.
 */
import { parseArgs } from 'node:util';
import { startServer } from './index.js';
import { installProcessGuard } from './processGuard.js';
import { createServerLogger } from './logger.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'token-ttl': { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'demo-sign-in': { type: 'boolean' },
    'log-level': { type: 'string' },
  },
});
const origins = values['allow-origin'] ?? process.env.BASIC_ALLOWED_ORIGINS?.split(',').filter(Boolean);

const port = Number(values.port ?? process.env.PORT ?? 8787);
const tokenTtlSeconds = Number(values['token-ttl'] ?? process.env.BASIC_TOKEN_TTL ?? 3600);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${values.port ?? process.env.PORT}`);
if (!Number.isFinite(tokenTtlSeconds) || tokenTtlSeconds <= 0) throw new Error('token TTL must be a positive number of seconds');

const logger = createServerLogger(values['log-level'] ?? process.env.LOG_LEVEL ?? 'info');
const retention = process.env.BASIC_DELETE_RETENTION_DAYS;
const deleteRetentionDays = retention === undefined ? undefined : Number(retention);
if (deleteRetentionDays !== undefined && !(deleteRetentionDays >= 0)) throw new Error('BASIC_DELETE_RETENTION_DAYS must be a number of days, 0 or more');

installProcessGuard(logger);
const server = await startServer({
  port,
  host: values.host ?? process.env.HOST ?? '127.0.0.1',
  dataDir: values['data-dir'] ?? process.env.BASIC_DATA_DIR ?? '.basic-sync-data',
  tokenTtlSeconds,
  secret: process.env.BASIC_JWT_SECRET || undefined,
  allowedOrigins: origins,
  demoSignIn: values['demo-sign-in'],
  logger,
  metricsToken: process.env.BASIC_METRICS_TOKEN || undefined,
  deleteRetentionDays,
});
logger.info({ url: server.url, socket: server.wsUrl, project: server.projectId }, 'listening');

console.log(`BasicDB-compatible server for project "${server.projectId}" at ${server.url} (socket ${server.wsUrl})`);
console.log(`Get a token without a browser: npm run token -- --url ${server.url} --user <name> --password <password> [--sign-up]`);
if (values['demo-sign-in']) console.log('DEMO MODE: anyone can sign in by name alone, without a password (loopback only).');

const shutdown = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
