// The one place that talks to flowd: JSON in and out, the session's CSRF token on every change,
// the API's error body turned into an ApiError that pages show as it is.
import type { Session } from './types';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

let csrf = '';
/** Called on login and on every /api/me: the token every POST/PUT/PATCH/DELETE carries. */
export function setCsrf(token: string): void { csrf = token; }

let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(f: () => void): void { onUnauthenticated = f; }

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api${path}`, {
    method, headers, credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!r.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (r.status === 401 && path !== '/login' && path !== '/me') onUnauthenticated();
    const retry = r.headers.get('retry-after');
    const message = e?.message ?? (text.slice(0, 200) || r.statusText);
    throw new ApiError(r.status, e?.code ?? `http_${r.status}`, retry && r.status === 429 ? `${message} (try again in ${retry} s)` : message);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export async function login(username: string, password: string): Promise<Session> {
  const s = await post<Session>('/login', { username, password });
  setCsrf(s.csrf);
  return s;
}

/** Query string of the non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
