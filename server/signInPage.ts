/** The minimal sign-in page behind `GET /auth/authorize`. */
import type { AuthUser } from './auth.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function signInPage(params: { clientId: string; redirectUri: string; state: string }, users: AuthUser[]): string {
  const hidden = Object.entries({ client_id: params.clientId, redirect_uri: params.redirectUri, state: params.state })
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('');
  const known = users
    .map((u) => `<button type="submit" name="user" value="${escapeHtml(u.name)}" formnovalidate>${escapeHtml(u.name)}</button>`)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · basic-sync local BasicDB</title>
<style>body{font:16px system-ui;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem .6rem;margin:.2rem 0}</style>
</head><body>
<h1>Sign in</h1>
<p>Local BasicDB server for project <code>${escapeHtml(params.clientId)}</code>. Pick a user or type a new name.</p>
<form method="post" action="/auth/authorize">${hidden}
${known ? `<p>${known}</p>` : ''}
<label>User name <input name="new_user" autocomplete="username" required maxlength="64" autofocus></label>
<button type="submit">Sign in</button>
</form></body></html>`;
}
