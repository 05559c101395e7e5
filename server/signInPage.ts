/** The sign-in page behind `GET /auth/authorize`: sign in or create an account. No user list. */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface SignInPageParams {
  clientId: string;
  redirectUri: string;
  state: string;
  /** The double-submit token; the same value is in a cookie. */
  csrf: string;
  /** What went wrong with the last attempt, shown above the form. */
  error?: string;
  userName?: string;
  /** Name-only sign-in (demo mode, loopback only). */
  demo?: boolean;
}

export function signInPage(params: SignInPageParams): string {
  const hidden = Object.entries({ client_id: params.clientId, redirect_uri: params.redirectUri, state: params.state, csrf: params.csrf })
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('');
  const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  const error = params.error ? `<p class="error" role="alert">${escapeHtml(sentence(params.error))}</p>` : '';
  const demo = params.demo
    ? `<p class="demo">Demo mode: <button type="submit" name="action" value="demo" formnovalidate>Sign in by name only</button></p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · basic-sync</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
:root{font:15px/1.45 system-ui,sans-serif;color:#1d232a;background:#f6f7f9}
main{max-width:24rem;margin:4rem auto;padding:1.2rem 1.4rem;background:#fff;border:1px solid #dde2e8;border-radius:10px}
h1{font-size:1.2rem;margin:0 0 .4rem}p{margin:.4rem 0}label{display:flex;flex-direction:column;gap:.2rem;margin:.7rem 0;font-size:.85rem;color:#4a5562}
input{font:inherit;font-size:1rem;padding:.4rem .5rem;border:1px solid #c5ccd6;border-radius:6px;color:#1d232a}
button{font:inherit;padding:.35rem .8rem;border:1px solid #c5ccd6;border-radius:6px;background:#fff;cursor:pointer}
button[value=signin]{background:#1b4f9c;border-color:#1b4f9c;color:#fff}.actions{display:flex;gap:.5rem;margin-top:1rem}
.error{color:#9b1c1c;background:#fdecec;padding:.4rem .6rem;border-radius:6px}.demo{font-size:.85rem;color:#5b6572}
</style></head><body><main>
<h1>basic-sync</h1>
<p>Sign in to sync your projects (project <code>${escapeHtml(params.clientId)}</code>).</p>
${error}
<form method="post" action="/auth/authorize">${hidden}
<label>User name <input name="user" autocomplete="username" required maxlength="64" value="${escapeHtml(params.userName ?? '')}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" minlength="8" maxlength="1024"></label>
<div class="actions"><button type="submit" name="action" value="signin">Sign in</button>
<button type="submit" name="action" value="signup">Create account</button></div>
${demo}
</form></main></body></html>`;
}

/** The app's mark, for the sign-in page's tab. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1b4f9c"/><path d="M9 17l5 5 9-11" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
