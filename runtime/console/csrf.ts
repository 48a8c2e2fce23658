/**
 * CSRF: every request that changes something (POST, PUT, PATCH, DELETE; login excepted, it has no
 * session yet) carries `X-CSRF-Token` equal to its session's token, compared in constant time. The
 * session cookie is SameSite=Strict as well; the header is what a cross-site form cannot send.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const CSRF_HEADER = 'x-csrf-token';
export const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfOk(req: http.IncomingMessage, expected: string): boolean {
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
