// The dashboard's only way to reach the server: the same public REST API the CLI uses.
// The JWT lives in sessionStorage (gone when the tab closes, not shared with other tabs).

const TOKEN_KEY = 'gururmm.token';
const USER_KEY = 'gururmm.user';

/** An API failure carrying the server's {"error","message"} (status 0: the server was not reached). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get user() {
    try {
      return JSON.parse(sessionStorage.getItem(USER_KEY));
    } catch {
      return null;
    }
  },
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  saveUser(user) {
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** Fired on window when the server rejects the token; the app shows the login page with the message. */
export const UNAUTHORIZED_EVENT = 'gururmm:unauthorized';

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `The server cannot be reached (${e.message}).`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const code = data && typeof data.error === 'string' ? data.error : `http_${response.status}`;
    const message = data && typeof data.message === 'string' ? data.message : `The server answered HTTP ${response.status}.`;
    throw new ApiError(response.status, code, message);
  }
  return data;
}

/**
 * The password step. Resolves to the user when that is the whole login, or, with MFA, to
 * `{ mfa: { token, enrollmentRequired } }`: no session yet, `verifyMfa` completes it.
 */
export async function login(email, password) {
  const body = await send('POST', '/api/auth/login', { email, password });
  if (body.mfa_required) return { mfa: { token: body.mfa_token, enrollmentRequired: body.mfa_enrollment_required } };
  session.save(body.token, body.user);
  return body.user;
}

/** The second step: a TOTP code (or a recovery code) for the login's mfa token. Resolves to the full login answer. */
export async function verifyMfa(mfaToken, code) {
  const isCode = /^[0-9]{6}$/.test(code);
  const body = await send('POST', '/api/auth/mfa/verify', isCode ? { mfa_token: mfaToken, code } : { mfa_token: mfaToken, recovery_code: code });
  session.save(body.token, body.user);
  return body;
}

/** TOTP set-up during a login the MFA policy requires it for: secret, otpauth URI, QR code. */
export const loginEnroll = (mfaToken) => send('POST', '/api/auth/mfa/login-enroll', { mfa_token: mfaToken });

/**
 * Ends the session on the server (so a copied token stops working too), then forgets it here.
 * Forgetting happens even when the server cannot be reached.
 */
export async function logout() {
  const token = session.token;
  session.clear();
  if (!token) return;
  try {
    await send('POST', '/api/auth/logout', undefined, token);
  } catch {
    // Already ended, or the server is away: the token is forgotten here either way.
  }
}

/** Calls an authenticated route; a 401 ends the session and sends the user back to the login page. */
export async function api(method, path, body) {
  try {
    return await send(method, path, body, session.token);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.clear();
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, {
        detail: `Your session has ended (${e.message}) Sign in again.`,
      }));
    }
    throw e;
  }
}

/** Path segment encoding for ids and file names taken from API data. */
export const seg = (value) => encodeURIComponent(String(value));
