import type { ApiError, SessionInfo } from './types.js';

/** The API's answer to a request it refused: the status and the server's message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly denied: boolean,
  ) {
    super(message);
  }
}

let csrf: string | null = null;
/** Called when a request finds the session gone (401): the page shows the login again. */
let onLoggedOut: () => void = () => {};

export function setLoggedOutHandler(f: () => void): void {
  onLoggedOut = f;
}

async function answer<T>(res: Response, loggedIn = true): Promise<T> {
  const body = (await res.json()) as T | ApiError;
  if (!res.ok) {
    const e = body as ApiError;
    if (res.status === 401 && loggedIn) onLoggedOut();
    throw new ApiFailure(res.status, e.error, e.denied === true);
  }
  return body as T;
}

export async function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return answer<T>(await fetch(`/api/${path}${qs === '' ? '' : `?${qs}`}`, { credentials: 'same-origin', cache: 'no-store' }));
}

/** A state-changing request: JSON, with the session's CSRF token. A refused login is no lost session. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (csrf !== null) headers['x-sluice-csrf'] = csrf;
  return answer<T>(await fetch(`/api/${path}`, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) }), path !== 'login');
}

export async function session(): Promise<SessionInfo> {
  const s = await get<SessionInfo>('session');
  csrf = s.csrf;
  return s;
}

export async function login(username: string, password: string): Promise<SessionInfo> {
  const s = await post<SessionInfo>('login', { username, password });
  csrf = s.csrf;
  return s;
}

export async function logout(): Promise<void> {
  await post('logout', {});
  csrf = null;
}
