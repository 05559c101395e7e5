/**
 * `npm run example`: the todo example (examples/todo) against a local server with its
 * schema. The example imports basic-sync as built, so `npm run example` builds it first.
 * Flags: --port (server, 8788), --app-port (5174), --data-dir (.basic-sync-data/todo-example).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { startServer } from '../server/index.js';
import { schema } from '../examples/todo/src/schema.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'app-port': { type: 'string' }, 'data-dir': { type: 'string' } } });
const server = await startServer({ port: Number(values.port ?? 8788), dataDir: values['data-dir'] ?? '.basic-sync-data/todo-example', schema });
process.env.VITE_BASIC_SERVER_URL = server.url;
const vite = await createServer({
  configFile: fileURLToPath(new URL('../examples/todo/vite.config.ts', import.meta.url)),
  server: { port: Number(values['app-port'] ?? 5174), host: '127.0.0.1' },
});
await vite.listen();
for (const url of vite.resolvedUrls?.local ?? []) server.allowOrigin(url);
console.log(`Local BasicDB server (todo schema): ${server.url}\nTodo example: ${vite.resolvedUrls?.local[0]}`);
