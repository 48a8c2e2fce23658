/**
 * HTTP client for the X-Cart 5.5+ admin API: keep-alive undici Pool, `X-Auth-Token` header,
 * client-side token bucket, page/itemsPerPage pagination and the error classification of
 * runtime/connectors/errors.ts. The token never appears in logs or error messages.
 */
import { Pool } from 'undici';
import { ConnectorError, type ErrorClass } from '../errors.js';

export interface XcartClientConfig {
  /** Store URL, e.g. https://shop.example.com (a path prefix such as /xcart is kept). */
  baseUrl: string;
  /** X-Auth-Token: the read-only token for reads, the read/write token when writes are needed. */
  token: string;
  /** Sustained request rate (client-side token bucket). Default 10. */
  ratePerSecond?: number;
  /** Bucket size (requests allowed at once). Default = ratePerSecond. */
  burst?: number;
  /** Time allowed for response headers and for the body, each, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Retries of transient failures (429 always; 5xx/connection errors for GET and PUT only). Default 3. */
  retries?: number;
  /** A Retry-After longer than this is not waited for: the error goes up with retryAfterMs. Default 60 000. */
  maxRetryAfterMs?: number;
  /** First backoff step for 5xx/connection retries, doubled each time. Default 200 ms. */
  backoffMs?: number;
  /** Keep-alive connections in the pool. Default 4. */
  connections?: number;
  /** Optional logger (pino-compatible). Receives no token. */
  logger?: { debug(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Catalog operation name, for error messages. */
  operation?: string;
  /** Retries of transient failures for this request (default: the client's `retries`). */
  retries?: number;
}

/** Token bucket: `take()` resolves when a token is available; waiters are served in order. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly ratePerSecond: number, private readonly burst: number) {
    if (!(ratePerSecond > 0)) throw new Error('ratePerSecond must be > 0');
    this.tokens = burst;
  }
  take(): Promise<void> {
    const next = this.queue.then(() => this.waitOne());
    this.queue = next;
    return next;
  }
  private async waitOne(): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) { this.tokens -= 1; return; }
      await sleep(((1 - this.tokens) / this.ratePerSecond) * 1000);
    }
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export class XcartClient {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly bucket: TokenBucket;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly backoffMs: number;

  constructor(private readonly cfg: XcartClientConfig) {
    const url = new URL(cfg.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = cfg.timeoutMs ?? 30_000;
    this.retries = cfg.retries ?? 3;
    this.maxRetryAfterMs = cfg.maxRetryAfterMs ?? 60_000;
    this.backoffMs = cfg.backoffMs ?? 200;
    const rate = cfg.ratePerSecond ?? 10;
    this.bucket = new TokenBucket(rate, cfg.burst ?? Math.max(1, rate));
    this.pool = new Pool(url.origin, {
      connections: cfg.connections ?? 4,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
    });
  }

  get<T = unknown>(path: string, query?: Query, operation?: string, retries?: number): Promise<T> {
    return this.request<T>('GET', path, { query, operation, ...(retries !== undefined ? { retries } : {}) });
  }
  put<T = unknown>(path: string, body: unknown, operation?: string): Promise<T> {
    return this.request<T>('PUT', path, { body, operation });
  }
  post<T = unknown>(path: string, body: unknown, operation?: string): Promise<T> {
    return this.request<T>('POST', path, { body, operation });
  }

  /** Sends one request, retrying transient failures per the config; throws ConnectorError. */
  async request<T = unknown>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const retrySafe = method === 'GET' || method === 'PUT' || method === 'DELETE';
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts);
      } catch (e) {
        if (!(e instanceof ConnectorError) || e.errorClass !== 'transient' || attempt >= (opts.retries ?? this.retries)) throw e;
        let waitMs: number;
        if (e.status === 429) {
          // The request was not processed: safe to repeat for every method.
          waitMs = e.retryAfterMs ?? this.backoffMs * 2 ** attempt;
          if (waitMs > this.maxRetryAfterMs) throw e;
        } else {
          if (!retrySafe) throw e;
          waitMs = this.backoffMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        }
        this.cfg.logger?.warn({ system: 'xcart', method, path, status: e.status, attempt: attempt + 1, waitMs: Math.round(waitMs) }, 'X-Cart request failed, retrying');
        await sleep(waitMs);
      }
    }
  }

  /**
   * Time spent waiting for the rate limit (`ratePerSecond`) and requests sent, since the start. A
   * caller's measure of a request includes the wait: at 50 requests/s, four workers and the other
   * flows' calls queue here (bench/e2e.bench.ts (x): a GET is ~0.5 ms on loopback, ~15 ms at 50/s).
   */
  readonly stats = { requests: 0, rateLimitWaitMs: 0 };

  private async once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const queued = performance.now();
    await this.bucket.take();
    const waitedMs = performance.now() - queued;
    this.stats.requests++;
    this.stats.rateLimitWaitMs += waitedMs;
    const what = opts.operation ? `X-Cart ${opts.operation}` : `X-Cart ${method} ${path}`;
    const fullPath = this.prefix + path + queryString(opts.query);
    const started = performance.now();
    let res;
    try {
      res = await this.pool.request({
        method: method as 'GET',
        path: fullPath,
        headers: {
          accept: 'application/json',
          'x-auth-token': this.cfg.token,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        // undici's own timers are coarse (about a second); the signal makes short timeouts exact.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.networkError(what, opts.operation, err);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.networkError(what, opts.operation, err);
    }
    this.cfg.logger?.debug({ system: 'xcart', method, path, status: res.statusCode, ms: Math.round(performance.now() - started), rateLimitWaitMs: Math.round(waitedMs) }, 'X-Cart request');
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      if (text.length === 0) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        // A 200 that is not JSON is not the store's answer: a maintenance page, a proxy or CDN error
        // page (text/html), or a body cut short. Nothing about the data is known, so it is transient
        // (retried with backoff, then alerted), never "invalid data". A well-formed JSON body of the
        // wrong shape is still invalid (the schema check names the field).
        const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim() || 'no content type';
        const looksHtml = /^\s*</.test(text) || type === 'text/html';
        throw new ConnectorError(
          `${what}: HTTP ${status} with a body that is not JSON (${type}, ${text.length} bytes: ${looksHtml ? 'an HTML page, e.g. maintenance or a proxy' : 'truncated or garbled JSON'})`,
          { errorClass: 'transient', system: 'xcart', operation: opts.operation, status, cause: err });
      }
    }
    const serverMessage = this.redact(extractMessage(text));
    let errorClass: ErrorClass;
    let retryAfterMs: number | undefined;
    if (status === 429) { errorClass = 'transient'; retryAfterMs = parseRetryAfter(res.headers['retry-after']); }
    else if (status >= 500 || status === 408) errorClass = 'transient';
    else if (status === 401 || status === 403) errorClass = 'permission';
    else if (status === 404) errorClass = 'not_found';
    // Status GET/PUT of a missing order: 400 "Order with ID n not found" (classes/XLite/API/Endpoint/
    // OrderPaymentStatus/DataProvider/ItemDataProvider.php:40 and the shipping twin).
    else if (status === 400 && /^Order with ID \d+ not found$/i.test(serverMessage.trim())) errorClass = 'not_found';
    // A duplicate login or coupon code: 400 'Field "login" must be unique'
    // (classes/XLite/API/InputRule/SubRule/CheckUniqueField.php:55).
    else if (status === 409 || (status === 400 && /must be unique|already exists/i.test(serverMessage))) errorClass = 'conflict';
    else errorClass = 'invalid';
    const hint = status === 403 && method !== 'GET' ? ' (a write needs the read/write token)' : '';
    throw new ConnectorError(
      `${what}: HTTP ${status}${serverMessage ? ': ' + serverMessage : ''}${hint}`,
      { errorClass, system: 'xcart', operation: opts.operation, status, retryAfterMs });
  }

  /**
   * Every item of a collection: pages of `itemsPerPage` (max 100) until a short or empty page.
   * `stop(page)` may end early (e.g. once a page reaches past a watermark).
   */
  async *pages<T>(path: string, query: Query = {}, opts: { itemsPerPage?: number; operation?: string; maxPages?: number } = {}): AsyncGenerator<T[]> {
    const per = Math.min(100, Math.max(1, opts.itemsPerPage ?? 100));
    const maxPages = opts.maxPages ?? 100_000;
    for (let page = 1; page <= maxPages; page++) {
      const items = await this.get<unknown>(path, { ...query, page, itemsPerPage: per }, opts.operation);
      if (!Array.isArray(items)) {
        throw new ConnectorError(`X-Cart ${opts.operation ?? 'GET ' + path}: expected a JSON array, found ${items === null ? 'null' : typeof items}`,
          { errorClass: 'invalid', system: 'xcart', operation: opts.operation });
      }
      yield items as T[];
      if (items.length < per) return;
    }
  }

  async getAll<T>(path: string, query: Query = {}, opts: { itemsPerPage?: number; operation?: string } = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages<T>(path, query, opts)) all.push(...page);
    return all;
  }

  /** Closes the keep-alive connections; safe to call more than once. */
  async close(): Promise<void> {
    if (this.pool.closed || this.pool.destroyed) return;
    await this.pool.close();
  }

  private redact(s: string): string {
    return this.cfg.token ? s.split(this.cfg.token).join('***') : s;
  }

  private networkError(what: string, operation: string | undefined, err: unknown): ConnectorError {
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    const name = (err as Error).name;
    const transient = (code !== undefined && TRANSIENT_CODES.has(code)) || name === 'AbortError' || name === 'TimeoutError' || code === undefined;
    const timedOut = name === 'TimeoutError' || /TIMEOUT/.test(code ?? '');
    const reason = code ?? name ?? 'network error';
    const text = timedOut ? `timeout after ${this.timeoutMs} ms` : transient ? 'connection failed' : 'request failed';
    return new ConnectorError(`${what}: ${text} (${reason})`, {
      errorClass: transient ? 'transient' : 'invalid', system: 'xcart', operation, cause: err,
    });
  }
}

function queryString(q?: Query): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function extractMessage(text: string): string {
  if (!text) return '';
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    const m = b.detail ?? b['hydra:description'] ?? b.message ?? b.title;
    return typeof m === 'string' ? m.slice(0, 500) : '';
  } catch {
    return text.slice(0, 200).replace(/\s+/g, ' ').trim();
  }
}

/** Retry-After: delay in seconds or an HTTP date. */
export function parseRetryAfter(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
