// The console's shared state and its one way to the admin API (Bearer key from sessionStorage).

const KEY_STORAGE = 'voice-console.admin-key';

export const $ = (id) => document.getElementById(id);

export const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? '',
  liveCalls: [],
  /** The call page's call: `{callSid, record, entries, seen, wasLive}`. */
  page: null,
  stream: null,
  /** False while the event stream is down: controls that need the admin API are disabled. */
  adminAvailable: false,
  /** `GET /console/info`: `{model, profiles}` once signed in. */
  info: null,
};

export function saveKey(key) {
  state.key = key;
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** 401: the key is missing or wrong. */
export class Unauthorized extends Error {}

/** 403 from the admin guard: the server has no ADMIN_API_KEY, so its admin API is off. */
export class AdminDisabled extends Error {}

export const ADMIN_DISABLED_MESSAGE =
  'The admin API is disabled on this server: set ADMIN_API_KEY in its environment and restart it.';

/** Any other refusal, with its HTTP status and the server's reason. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The server's reason from an error body (Nest: a string, or class-validator's list of them). */
export function reasonOf(body, status) {
  const message = body?.message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string' && message) return message;
  return `HTTP ${status}`;
}

/** Maps a non-OK response to the error the console shows for it. */
export async function responseError(res) {
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) return new Unauthorized(reasonOf(body, 401));
  if (res.status === 403) return new AdminDisabled(reasonOf(body, 403));
  return new ApiError(res.status, reasonOf(body, res.status));
}

export async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: {
      authorization: `Bearer ${state.key}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  if (!res.ok) throw await responseError(res);
  return res.json();
}

/** Set by console.js: back to the sign-in form with a message. */
export const session = { signOut: (_message) => {} };

/** Handles the errors that end the session; returns true when it did. */
export function endsSession(err) {
  if (err instanceof Unauthorized) {
    session.signOut('Your key is no longer accepted.');
    return true;
  }
  if (err instanceof AdminDisabled) {
    session.signOut(ADMIN_DISABLED_MESSAGE);
    return true;
  }
  return false;
}
