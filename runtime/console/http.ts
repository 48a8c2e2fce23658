/** The console API's HTTP helpers: JSON bodies in and out, and its error shape `{ error: { code, message } }`. */
import type http from 'node:http';

export type ErrorCode = 'not_found' | 'unauthenticated' | 'forbidden' | 'csrf' | 'invalid' | 'rate_limited' | 'conflict' | 'unavailable';
const STATUS: Record<ErrorCode, number> = { not_found: 404, unauthenticated: 401, forbidden: 403, csrf: 403, invalid: 400, rate_limited: 429, conflict: 409, unavailable: 503 };

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.status = STATUS[code];
  }
}

export const MAX_JSON_BODY = 1024 * 1024;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: http.ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end();
}

export function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
}

/** The request's JSON body (an object), or an `invalid` ApiError saying what is wrong with it. */
export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_JSON_BODY) throw new ApiError('invalid', `body: larger than ${MAX_JSON_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  if (!/^application\/json\b/i.test(type)) throw new ApiError('invalid', `body: Content-Type must be application/json (got '${type || 'none'}')`);
  let v: unknown;
  try { v = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch (e) { throw new ApiError('invalid', `body: not JSON (${(e as Error).message})`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ApiError('invalid', 'body: must be a JSON object');
  return v as Record<string, unknown>;
}

export function str(body: Record<string, unknown>, name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw new ApiError('invalid', `${name}: required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError('invalid', `${name}: must be a string`);
  if (opts.max && v.length > opts.max) throw new ApiError('invalid', `${name}: at most ${opts.max} characters`);
  return v;
}

export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A query parameter as an ISO time (epoch ms), or an `invalid` error naming it. */
export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) throw new ApiError('invalid', `${name}: '${v}' is not an ISO-8601 time, e.g. 2026-12-01T00:00:00Z`);
  return ms;
}

export function intParam(q: URLSearchParams, name: string, dflt: number | undefined, min = 1, max = 1000): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ApiError('invalid', `${name}: '${v}' must be an integer from ${min} to ${max}`);
  return Number(v);
}
