import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { signInWithoutBrowser } from '../../src/remote/localAuth.js';
import { call, testServer } from '../helpers/server.js';

const PROJECT = 'basic-sync-demo';
const SECRET = 'test-secret-test-secret-test-secret';

describe('auth', () => {
  it('signs in through the authorize page and the code flow', async () => {
    const server = await testServer();
    const page = await fetch(`${server.url}/auth/authorize?client_id=${PROJECT}&redirect_uri=http://localhost:5173/&response_type=code&scope=openid&state=s1`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/auth/authorize">');

    const form = new URLSearchParams({ client_id: PROJECT, redirect_uri: 'http://localhost:5173/', state: 's1', new_user: 'alice' });
    const redirect = await fetch(`${server.url}/auth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://localhost:5173/');
    expect(back.searchParams.get('state')).toBe('s1');

    const token = await call(server, null, 'POST', '/auth/token', { code: back.searchParams.get('code') });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = decodeJwt(token.body.access_token);
    expect(claims.aud).toBe(PROJECT);
    expect(claims.exp! - claims.iat!).toBe(3600);

    const info = await call(server, token.body.access_token, 'GET', '/auth/userInfo');
    expect(info.body).toMatchObject({ id: claims.sub, name: 'alice' });

    // The code is single use.
    const again = await call(server, null, 'POST', '/auth/token', { code: back.searchParams.get('code') });
    expect(again.status).toBe(401);
    expect(again.body.error).toMatch(/invalid code/);

    // Refresh: the refresh token goes in the same `code` field and yields a new access token.
    const refreshed = await call(server, null, 'POST', '/auth/token', { code: token.body.refresh });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token).sub).toBe(claims.sub);
    expect(refreshed.body.access_token).not.toBe(token.body.access_token);
  });

  it('lists known users on the sign-in page and keeps one id per name', async () => {
    const server = await testServer();
    const first = await server.issueTokens('bob');
    const second = await signInWithoutBrowser(server.url, 'bob');
    expect(decodeJwt(second.access_token).sub).toBe(first.user.id);
    const page = await (await fetch(`${server.url}/auth/authorize?client_id=${PROJECT}&redirect_uri=http://x/&state=z`)).text();
    expect(page).toContain('value="bob"');
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
