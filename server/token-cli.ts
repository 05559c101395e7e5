/**
 * `npm run token -- --url http://127.0.0.1:8787 --user alice`
 * Signs a named user in against a running server without a browser (the same
 * form post the sign-in page makes) and prints the token answer as JSON.
 */
import { parseArgs } from 'node:util';
import { signInWithoutBrowser } from '../src/remote/localAuth.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, user: { type: 'string' }, project: { type: 'string' } } });
const url = values.url ?? process.env.BASIC_SERVER_URL ?? 'http://127.0.0.1:8787';
const user = values.user ?? 'alice';
console.log(JSON.stringify(await signInWithoutBrowser(url, user, values.project), null, 2));
