/**
 * The browserless sign-in for scripts and tests: post the sign-in form the way
 * the page does, take the `code` from the redirect, trade it at `/auth/token`.
 */
import type { TokenResponse } from '../protocol/rest.js';

export async function signInWithoutBrowser(serverUrl: string, userName: string, projectId?: string): Promise<TokenResponse> {
  const clientId = projectId ?? ((await (await fetch(serverUrl)).json()) as { project_id: string }).project_id;
  const redirectUri = 'http://localhost/callback';
  const state = crypto.randomUUID();
  const form = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, state, user: userName });
  const redirect = await fetch(`${serverUrl}/auth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const location = redirect.headers.get('location');
  if (redirect.status !== 302 || !location) throw new Error(`sign-in failed: ${redirect.status} ${await redirect.text()}`);
  const back = new URL(location);
  if (back.searchParams.get('state') !== state) throw new Error('sign-in redirect carried a different state');
  const res = await fetch(`${serverUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: back.searchParams.get('code') }),
  });
  if (!res.ok) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenResponse;
}

/**
 * A `getToken` for the local server without a browser (tests, scripts, Node):
 * signs the named user in once, then refreshes with the refresh token.
 */
export function localServerTokenSource(serverUrl: string, userName: string, projectId?: string) {
  let refresh: string | undefined;
  return async function getToken(): Promise<string> {
    if (refresh) {
      const res = await fetch(`${serverUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: refresh }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return ((await res.json()) as TokenResponse).access_token;
    }
    const tokens = await signInWithoutBrowser(serverUrl, userName, projectId);
    refresh = tokens.refresh;
    return tokens.access_token;
  };
}
