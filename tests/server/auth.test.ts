import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/index.js';
import { openDatabase } from '../../server/store.js';
import { signInWithoutBrowser } from '../../src/remote/localAuth.js';
import { call, testServer } from '../helpers/server.js';

const PROJECT = 'basic-sync-demo';
const SECRET = 'test-secret-test-secret-test-secret';
const APP = 'http://localhost:5173/';

/** The sign-in page as a browser gets it: its HTML, the CSRF token in its form, and the cookie. */
async function openSignInPage(server: RunningServer) {
  const res = await fetch(`${server.url}/auth/authorize?client_id=${PROJECT}&redirect_uri=${encodeURIComponent(APP)}&response_type=code&scope=openid&state=s1`);
  expect(res.status).toBe(200);
  const html = await res.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { html, csrf, cookie };
}

/** Posts the sign-in form as the page would (its hidden fields and cookie). */
function postForm(server: RunningServer, page: { csrf: string; cookie: string }, fields: Record<string, string>) {
  return fetch(`${server.url}/auth/authorize`, {
    method: 'POST',
    headers: { cookie: page.cookie },
    body: new URLSearchParams({ client_id: PROJECT, redirect_uri: APP, state: 's1', csrf: page.csrf, ...fields }),
    redirect: 'manual',
  });
}

describe('auth', () => {
  it('creates an account through the sign-in page and signs in with the code flow; the page lists no users', async () => {
    const server = await testServer();
    const page = await openSignInPage(server);
    expect(page.html).toContain('<form method="post" action="/auth/authorize">');
    expect(page.html).toContain('type="password"');
    await server.issueTokens('someone-else');
    expect((await openSignInPage(server)).html).not.toContain('someone-else');

    const redirect = await postForm(server, page, { action: 'signup', user: 'alice', password: 'correct horse' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(APP);
    expect(back.searchParams.get('state')).toBe('s1');

    const token = await call(server, null, 'POST', '/auth/token', { code: back.searchParams.get('code') });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = decodeJwt(token.body.access_token);
    expect(claims.aud).toBe(PROJECT);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect((await call(server, token.body.access_token, 'GET', '/auth/userInfo')).body).toMatchObject({ id: claims.sub, name: 'alice' });

    // The code is single use.
    const again = await call(server, null, 'POST', '/auth/token', { code: back.searchParams.get('code') });
    expect(again.status).toBe(401);
    expect(again.body.error).toMatch(/invalid code/);

    // Signing in again with the password reaches the same account; the wrong one does not.
    const signIn = await postForm(server, await openSignInPage(server), { action: 'signin', user: 'alice', password: 'correct horse' });
    expect(signIn.status).toBe(302);
    const wrong = await postForm(server, await openSignInPage(server), { action: 'signin', user: 'alice', password: 'wrong horse' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong user name or password.');
  });

  it('says the same for an unknown name as for a wrong password, refuses a taken name and a short password', async () => {
    const server = await testServer();
    await signInWithoutBrowser(server.url, { user: 'bob', password: 'bob password', signUp: true });
    const unknown = await call(server, null, 'POST', '/auth/token', { grant_type: 'password', username: 'nobody', password: 'whatever1' });
    const wrong = await call(server, null, 'POST', '/auth/token', { grant_type: 'password', username: 'bob', password: 'whatever1' });
    expect([unknown.status, unknown.body.error]).toEqual([401, 'wrong user name or password']);
    expect([wrong.status, wrong.body.error]).toEqual([401, 'wrong user name or password']);
    const taken = await call(server, null, 'POST', '/auth/signup', { username: 'bob', password: 'another password' });
    expect([taken.status, taken.body.error]).toEqual([409, 'that user name is taken']);
    const short = await call(server, null, 'POST', '/auth/signup', { username: 'carl', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/at least 8 characters/);
    // An account made without a password (in process) cannot be signed into with any password.
    await server.issueTokens('passwordless');
    expect((await call(server, null, 'POST', '/auth/token', { grant_type: 'password', username: 'passwordless', password: 'anything at all' })).status).toBe(401);
  });

  it('stores passwords only as scrypt hashes, and the signing key in its own file, not in the data file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-auth-'));
    try {
      const server = await testServer({ dataDir });
      const tokens = await signInWithoutBrowser(server.url, { user: 'dora', password: 'a long secret phrase', signUp: true });
      await server.close();
      const keyFile = join(dataDir, 'jwt.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const data = readFileSync(join(dataDir, 'basicdb.sqlite'));
      expect(data.includes(readFileSync(keyFile))).toBe(false);
      expect(data.includes('a long secret phrase')).toBe(false);
      expect(data.toString('latin1')).toMatch(/scrypt\$1024\$8\$1\$/);
      // A restart reads the same key: tokens issued before still work.
      const again = await testServer({ dataDir });
      expect((await call(again, tokens.access_token, 'GET', '/auth/userInfo')).body).toMatchObject({ name: 'dora' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('moves a signing key kept in an older data file out into the key file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-auth-'));
    try {
      const db = openDatabase(dataDir);
      db.prepare("INSERT INTO meta (key, value) VALUES ('jwt_secret', 'the-old-secret-kept-in-the-db')").run();
      db.close();
      const server = await testServer({ dataDir });
      const old = await sign((await server.issueTokens('eve')).user.id, PROJECT, 'the-old-secret-kept-in-the-db');
      expect((await call(server, old, 'GET', '/auth/userInfo')).body).toMatchObject({ name: 'eve' });
      await server.close();
      expect(readFileSync(join(dataDir, 'jwt.key'), 'utf8')).toBe('the-old-secret-kept-in-the-db');
      const reopened = openDatabase(dataDir);
      expect(reopened.prepare("SELECT value FROM meta WHERE key = 'jwt_secret'").get()).toBeUndefined();
      reopened.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rotates refresh tokens: each use yields the next; tabs refreshing at once share it; a later reuse revokes them all', async () => {
    const server = await testServer({ refreshGraceSeconds: 1 });
    const first = await signInWithoutBrowser(server.url, { user: 'fay', password: 'fay password', signUp: true });
    const second = await call(server, null, 'POST', '/auth/token', { code: first.refresh });
    expect(second.status).toBe(200);
    expect(second.body.refresh).not.toBe(first.refresh);
    // Another tab with the same old token, within the grace: the same successor.
    const otherTab = await call(server, null, 'POST', '/auth/token', { code: first.refresh });
    expect(otherTab.body.refresh).toBe(second.body.refresh);
    await new Promise((r) => setTimeout(r, 1200));
    // Reused after the grace: a stolen copy. The whole family stops working.
    expect((await call(server, null, 'POST', '/auth/token', { code: first.refresh })).status).toBe(401);
    expect((await call(server, null, 'POST', '/auth/token', { code: second.body.refresh })).status).toBe(401);
  });

  it('refresh tokens expire, and sign-out revokes them', async () => {
    const server = await testServer({ refreshTtlSeconds: 1 });
    const a = await signInWithoutBrowser(server.url, { user: 'gus', password: 'gus password', signUp: true });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(server, null, 'POST', '/auth/token', { code: a.refresh })).status).toBe(401);
    const b = await signInWithoutBrowser(server.url, { user: 'gus', password: 'gus password' });
    expect((await call(server, null, 'POST', '/auth/signout', { refresh: b.refresh })).status).toBe(200);
    expect((await call(server, null, 'POST', '/auth/token', { code: b.refresh })).status).toBe(401);
  });

  it('redirects only to allowed origins, requires state, and refuses a form posted without its CSRF token', async () => {
    const server = await testServer();
    const authorize = (redirect: string, state = 's') =>
      fetch(`${server.url}/auth/authorize?client_id=${PROJECT}&redirect_uri=${encodeURIComponent(redirect)}&state=${state}`);
    const evil = await authorize('https://evil.example/steal');
    expect(evil.status).toBe(400);
    expect(await evil.text()).toMatch(/not an allowed origin/);
    expect((await authorize(APP, '')).status).toBe(400);
    server.allowOrigin('https://app.example');
    expect((await authorize('https://app.example/back')).status).toBe(200);

    const page = await openSignInPage(server);
    const noCookie = await fetch(`${server.url}/auth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: PROJECT, redirect_uri: APP, state: 's1', csrf: page.csrf, action: 'signup', user: 'hal', password: 'hal password' }),
      redirect: 'manual',
    });
    expect(noCookie.status).toBe(403);
    const forgedField = await postForm(server, { ...page, csrf: 'forged' }, { action: 'signup', user: 'hal', password: 'hal password' });
    expect(forgedField.status).toBe(403);
  });

  it('answers CORS only for allowed origins (not another site, not "null")', async () => {
    const server = await testServer();
    const origin = async (value: string) => (await fetch(`${server.url}/project/${PROJECT}/schema`, { headers: { origin: value } })).headers.get('access-control-allow-origin');
    expect(await origin('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(await origin('https://evil.example')).toBeNull();
    expect(await origin('null')).toBeNull();
  });

  it('allows name-only demo sign-in only behind the flag and only on loopback', async () => {
    await expect(startServer({ demoSignIn: true, host: '0.0.0.0' })).rejects.toThrow(/demo sign-in .* is refused on 0.0.0.0/);
    const plain = await testServer();
    const refused = await postForm(plain, await openSignInPage(plain), { action: 'demo', user: 'ivy' });
    expect(refused.status).toBe(401);
    const demo = await testServer({ demoSignIn: true });
    const page = await openSignInPage(demo);
    expect(page.html).toContain('Sign in by name only');
    expect((await postForm(demo, page, { action: 'demo', user: 'ivy' })).status).toBe(302);
  });

  it('refuses access tokens past their exp', async () => {
    // exp has whole-second precision: a 1 s token issued late in a second lives ~0 s.
    const server = await testServer({ tokenTtlSeconds: 2 });
    const { access_token } = await server.issueTokens('carol');
    expect((await call(server, access_token, 'GET', `/account/${PROJECT}/db/projects`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    const expired = await call(server, access_token, 'GET', `/account/${PROJECT}/db/projects`);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatch(/expired/);
    const info = await call(server, access_token, 'GET', '/auth/userInfo');
    expect(info.body.error).toMatch(/expired/);
  });

  it.each([
    ['missing', async () => null],
    ['garbage', async () => 'not.a.jwt'],
    ['forged (other secret)', async (sub: string) => sign(sub, PROJECT, 'another-secret-another-secret-xx')],
    ['wrong audience', async (sub: string) => sign(sub, 'other-project', SECRET)],
    ['unknown subject', async () => sign('nobody', PROJECT, SECRET)],
    ['alg none', async (sub: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, aud: PROJECT, iss: 'basic-sync-local', exp: 9e9 })}.`],
  ])('answers 401 for a %s token and changes nothing', async (_name, makeToken) => {
    const server = await testServer({ secret: SECRET });
    const { access_token, user } = await server.issueTokens('dave');
    const bad = await makeToken(user.id);
    const write = await call(server, bad, 'PUT', `/account/${PROJECT}/db/projects/p1`, { value: { name: 'x' } });
    expect(write.status).toBe(401);
    expect(write.body.error).toBeTruthy();
    expect((await call(server, access_token, 'GET', `/account/${PROJECT}/db/projects`)).body.data).toEqual([]);
  });

  it('refuses a bad code, an unknown client_id and a non-http redirect', async () => {
    const server = await testServer();
    expect((await call(server, null, 'POST', '/auth/token', { code: 'nope' })).status).toBe(401);
    expect((await call(server, null, 'POST', '/auth/token', {})).status).toBe(401);
    const wrongClient = await fetch(`${server.url}/auth/authorize?client_id=other&redirect_uri=http://x/&state=s`);
    expect(wrongClient.status).toBe(400);
    const js = await fetch(`${server.url}/auth/authorize?client_id=${PROJECT}&redirect_uri=javascript:alert(1)&state=s`);
    expect(js.status).toBe(400);
  });
});

function sign(sub: string, aud: string, secret: string) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience(aud)
    .setIssuer('basic-sync-local')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

function b64(value: unknown) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
