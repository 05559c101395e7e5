/**
 * Sign-in against the local server without a browser, for scripts, tests and Node: a
 * user name and password for tokens (`grant_type: password` at `/auth/token`), creating
 * the account first when asked to. The browser app uses the redirect flow instead.
 */
import type { TokenResponse } from '../protocol/rest.js';

export interface LocalCredentials {
  user: string;
  password: string;
  /** Create the account when there is none with this name. */
  signUp?: boolean;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: TokenResponse & { error?: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as TokenResponse & { error?: string } };
}

export async function signInWithoutBrowser(serverUrl: string, credentials: LocalCredentials): Promise<TokenResponse> {
  const { user, password, signUp } = credentials;
  let answer = await post(`${serverUrl}/auth/token`, { grant_type: 'password', username: user, password });
  if (answer.status === 401 && signUp) {
    answer = await post(`${serverUrl}/auth/signup`, { username: user, password });
    // Created meanwhile by another client signing up at once: sign in after all.
    if (answer.status === 409) answer = await post(`${serverUrl}/auth/token`, { grant_type: 'password', username: user, password });
  }
  if (answer.status !== 200) throw new Error(`sign-in failed: ${answer.status} ${answer.body.error ?? ''}`);
  return answer.body;
}

/**
 * A `getToken` for the local server without a browser: signs in once, then refreshes with
 * the refresh token (which rotates: each answer carries the next one).
 */
export function localServerTokenSource(serverUrl: string, credentials: LocalCredentials) {
  let refresh: string | undefined;
  return async function getToken(): Promise<string> {
    if (refresh) {
      const answer = await post(`${serverUrl}/auth/token`, { code: refresh });
      if (answer.status === 200) {
        refresh = answer.body.refresh;
        return answer.body.access_token;
      }
    }
    const tokens = await signInWithoutBrowser(serverUrl, credentials);
    refresh = tokens.refresh;
    return tokens.access_token;
  };
}
