// Single sign-on (docs/OPERATIONS.md, "Single sign-on (OIDC)"): what the login page offers, and the
// last step of an SSO login, which trades the callback's one-time handoff for a session.
import { ApiError, session } from './client.js';

async function call(method, path, body, credentials) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials,
    });
  } catch (e) {
    throw new ApiError(0, 'network', `The server cannot be reached (${e.message}).`);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data?.error ?? `http_${response.status}`, data?.message ?? `The server answered HTTP ${response.status}.`);
  }
  return data;
}

/** `{ local_login, sso, sso_label, sso_login_url }`; null when the server cannot say (the password form is shown). */
export async function authConfig() {
  try {
    return await call('GET', '/api/auth/config', undefined, 'omit');
  } catch {
    return null;
  }
}

/**
 * The handoff from `#sso=...`; the login's HttpOnly cookie must go along (same origin only), since
 * the handoff is bound to this browser. Resolves to the user, with the session saved.
 */
export async function ssoSession(handoff) {
  const body = await call('POST', '/api/auth/oidc/session', { handoff }, 'same-origin');
  session.save(body.token, body.user);
  return body.user;
}
