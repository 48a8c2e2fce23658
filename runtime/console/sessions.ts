/**
 * Console sessions: a random 32-byte token in the cookie `flowd_session` (HttpOnly; SameSite=Strict;
 * Path=/; Max-Age = console.session_ttl; Secure when flowd is reached over HTTPS), the store keeping
 * only its SHA-256, with the session's CSRF token and expiry. Sessions end at expiry, at logout, and
 * when the user is removed or their password changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { ConsoleSession, Store } from '../store/store.js';

export const SESSION_COOKIE = 'flowd_session';
export const DEFAULT_SESSION_TTL_MS = 8 * 3_600_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class Sessions {
  constructor(private readonly store: Store, private readonly ttlMs: number = DEFAULT_SESSION_TTL_MS, private readonly now: () => number = Date.now) {}

  /** A new session for `user`: the cookie's token (shown once) and the CSRF token. */
  async create(user: string): Promise<{ token: string; csrf: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    await this.store.console.createSession({ id: hashToken(token), user, csrf, expiresAt });
    void this.store.console.purgeSessions().catch(() => undefined);
    return { token, csrf, expiresAt };
  }

  /** The live session the request's cookie names, if any. */
  async of(req: http.IncomingMessage): Promise<ConsoleSession | undefined> {
    const token = cookie(req, SESSION_COOKIE);
    if (!token || token.length > 200) return undefined;
    return this.store.console.getSession(hashToken(token));
  }

  async end(req: http.IncomingMessage): Promise<void> {
    const token = cookie(req, SESSION_COOKIE);
    if (token) await this.store.console.deleteSession(hashToken(token));
  }

  /** The Set-Cookie value for a new session (or, with `token` null, one that clears the cookie). */
  cookie(token: string | null, secure: boolean): string {
    const flags = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
    return token === null ? `${SESSION_COOKIE}=; ${flags}; Max-Age=0` : `${SESSION_COOKIE}=${token}; ${flags}; Max-Age=${Math.floor(this.ttlMs / 1000)}`;
  }
}

export function cookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
