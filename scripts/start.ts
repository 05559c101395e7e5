/**
 * `npm start`: the local BasicDB server and the app, ready to open. The app is built and
 * served as it ships (with the service worker that lets it start offline); `npm run dev`
 * (`--dev`) serves it from source with hot reload instead.
 * Flags: --port (server, 8787), --app-port (5173), --data-dir (.basic-sync-data),
 * --host (127.0.0.1), --dev. With VITE_BASIC_PROJECT_ID set the app talks to the hosted
 * BasicDB instead, and no local server is started.
 */
import { parseArgs } from 'node:util';
import { build, createServer, preview } from 'vite';
import { startServer, type RunningServer } from '../server/index.js';
import { installProcessGuard } from '../server/processGuard.js';
import { createServerLogger } from '../server/logger.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'app-port': { type: 'string' },
    'data-dir': { type: 'string' },
    host: { type: 'string' },
    dev: { type: 'boolean' },
  },
});
const host = values.host ?? process.env.HOST ?? '127.0.0.1';

let localServer: RunningServer | undefined;
if (!process.env.VITE_BASIC_PROJECT_ID) {
  // Warnings and errors only, as JSON lines: the terminal stays readable while you work.
  const logger = createServerLogger(process.env.LOG_LEVEL ?? 'warn');
  installProcessGuard(logger);
  const server = (localServer = await startServer({
    port: Number(values.port ?? process.env.PORT ?? 8787),
    host,
    dataDir: values['data-dir'] ?? process.env.BASIC_DATA_DIR ?? '.basic-sync-data',
    logger,
  }));
  process.env.VITE_BASIC_SERVER_URL ??= server.url;
  console.log(`Local BasicDB server: ${server.url}`);
}

const appPort = Number(values['app-port'] ?? 5173);
let vite;
if (values.dev) {
  vite = await createServer({ server: { port: appPort, host, strictPort: false } });
  await vite.listen();
} else {
  await build({ logLevel: 'warn' });
  vite = await preview({ preview: { port: appPort, host, strictPort: false } });
}
const url = vite.resolvedUrls?.local[0] ?? `http://${host}:${appPort}/`;
// The app may sign in through the server (redirects) and read its answers (CORS).
for (const appUrl of [...(vite.resolvedUrls?.local ?? []), url]) localServer?.allowOrigin(appUrl);
console.log(`App: ${url}   (add ?inspect for the sync machine panel, ?inspect=stately for the Stately inspector)`);
