/**
 * `npm run token -- --url http://127.0.0.1:8787 --user alice --password '…' [--sign-up]`
 * Signs a user in against a running server without a browser (the password grant, with
 * the same checks and limits as the sign-in page) and prints the token answer as JSON.
 * The password may come from BASIC_PASSWORD instead, to keep it out of the shell history.
 */
import { parseArgs } from 'node:util';
import { signInWithoutBrowser } from '../src/remote/localAuth.js';

const { values } = parseArgs({
  options: { url: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, 'sign-up': { type: 'boolean' } },
});
const url = values.url ?? process.env.BASIC_SERVER_URL ?? 'http://127.0.0.1:8787';
const password = values.password ?? process.env.BASIC_PASSWORD;
if (!values.user || !password) {
  console.error('usage: npm run token -- --user <name> --password <password> [--sign-up] [--url <server>]  (or BASIC_PASSWORD=…)');
  process.exit(2);
}
console.log(JSON.stringify(await signInWithoutBrowser(url, { user: values.user, password, signUp: values['sign-up'] }), null, 2));
