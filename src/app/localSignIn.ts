/**
 * Sign-in against the local server in the browser, the way Basic's SDK does it:
 * redirect to `/auth/authorize`, come back with `code` and `state`, trade the code at
 * `/auth/token`, keep the refresh token, refresh when asked.
 */
import type { TokenResponse, UserInfo } from 'basic-sync';

const SESSION_KEY = 'basic-sync:session';
const STATE_KEY = 'basic-sync:auth-state';

export interface LocalSession {
  refresh: string;
  user: UserInfo;
}

export function createLocalSignIn(serverUrl: string, projectId: string) {
  let accessToken: string | undefined;

  const load = (): LocalSession | null => {
    try {
      return JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as LocalSession | null;
    } catch {
      return null;
    }
  };

  async function exchange(code: string): Promise<TokenResponse> {
    const res = await fetch(`${serverUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    const body = (await res.json()) as TokenResponse & { error?: string };
    if (!res.ok || body.error) throw new Error(body.error ?? `sign-in failed (${res.status})`);
    return body;
  }

  return {
    session: load,

    /** Goes to the server's sign-in page; it comes back to this page with a code. */
    signIn() {
      const state = crypto.randomUUID();
      sessionStorage.setItem(STATE_KEY, state);
      // Come back to this very page (keeping e.g. `?inspect`).
      const back = new URL(location.href);
      back.searchParams.delete('code');
      back.searchParams.delete('state');
      const redirect = back.toString();
      const params = new URLSearchParams({ client_id: projectId, redirect_uri: redirect, response_type: 'code', scope: 'openid', state });
      location.assign(`${serverUrl}/auth/authorize?${params}`);
    },

    /** On return from the sign-in page: trade the code, keep the session, clean the URL. */
    async completeSignIn(): Promise<LocalSession | null> {
      const url = new URL(location.href);
      const code = url.searchParams.get('code');
      if (!code) return load();
      const state = url.searchParams.get('state');
      const expected = sessionStorage.getItem(STATE_KEY);
      sessionStorage.removeItem(STATE_KEY);
      url.searchParams.delete('code');
      url.searchParams.delete('state');
      history.replaceState(null, '', url);
      if (!state || state !== expected) throw new Error('sign-in answer did not match this page (state mismatch)');
      const tokens = await exchange(code);
      accessToken = tokens.access_token;
      const info = await fetch(`${serverUrl}/auth/userInfo`, { headers: { authorization: `Bearer ${accessToken}` } });
      const user = (await info.json()) as UserInfo;
      const session = { refresh: tokens.refresh, user };
      localStorage.setItem(SESSION_KEY, JSON.stringify(session));
      return session;
    },

    /** `getToken` for the sync service: the current token, or a refreshed one (the refresh token rotates). */
    async getToken(options?: { forceRefresh?: boolean }): Promise<string> {
      if (accessToken && !options?.forceRefresh) return accessToken;
      const session = load();
      if (!session) throw new Error('signed out');
      const tokens = await exchange(session.refresh);
      // Another tab may have rotated it meanwhile; the server hands both the same successor.
      localStorage.setItem(SESSION_KEY, JSON.stringify({ ...session, refresh: tokens.refresh }));
      accessToken = tokens.access_token;
      return accessToken;
    },

    /** Calls `listener` when another tab of this browser signs out. */
    onSignedOutElsewhere(listener: () => void): void {
      window.addEventListener('storage', (event) => {
        if (event.key === SESSION_KEY && event.newValue === null) listener();
      });
    },

    /** Forgets the session here and revokes its refresh token at the server. */
    async signOut(): Promise<void> {
      const session = load();
      accessToken = undefined;
      localStorage.removeItem(SESSION_KEY);
      if (!session) return;
      await fetch(`${serverUrl}/auth/signout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh: session.refresh }),
      }).catch(() => undefined); // offline: the token still expires on its own
    },
  };
}
