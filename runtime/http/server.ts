/**
 * flowd's HTTP endpoint (node:http):
 *
 *   POST /hooks/xcart   signed push from X-Cart (only when `push` is configured; 404 otherwise)
 *   GET  /metrics       Prometheus text
 *   GET  /healthz       200 / 503 with `{ ok, checks }`
 *   GET  /readyz        200 once `ready()`, else 503
 *   /api/..., /console  the operations console (runtime/console/), when `console` is given
 *
 * POST /hooks/xcart, step by step:
 *   1. body over `maxBodyBytes` (1 MiB)                    → 413, nothing else happens
 *   2. missing headers, bad signature, stale timestamp    → 401, logged without the body, no `reject`
 *      (an unauthenticated body is not ours to keep)
 *   3. signed but malformed (bad JSON, unknown type, ...) → `reject(...)` then 400 naming the problems
 *      (the engine dead-letters it, so a bug on the sender's side loses nothing)
 *   4. well-formed                                         → `accept(event)`, then 202
 *      `{ accepted: true, jobs, duplicate }` once the store has committed it
 *   `accept` or `reject` throwing                          → 503: nothing was kept, the sender retries
 *   more than `maxConcurrentPushes` in progress            → 503 once the body is in, body dropped unbuffered (back-pressure)
 *   Every 503 carries `Retry-After` (seconds).
 *
 * Every response carries `X-Request-Id` (the caller's, if sane, else a new one); log lines of
 * the request carry it as `correlationId`.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { Metrics, PushRejectReason } from '../observability/metrics.js';
import { parsePushBody, verifyPush, type PushKey, type PushedEvent } from './push.js';

export { signPush, verifyPush, parsePushBody, PUSH_EVENT_TYPES, type PushedEvent, type PushEventType, type PushKey, type PushVerdict, type VerifyPushInput, type ParsedPush } from './push.js';

/** A signed push that could not be used, as handed to `PushHandler.reject`. */
export interface RejectedPush {
  /** The body as received (UTF-8, invalid bytes replaced). */
  readonly body: string;
  /** Request headers, lowercased, without credentials (authorization, cookie). */
  readonly headers: Record<string, string>;
  /** What is wrong, e.g. `unknown event type 'order.deleted' (...)`. */
  readonly reason: string;
  /** The status the sender gets (400). */
  readonly status: number;
}

export interface PushHandler {
  /** HMAC key shared with the sender (`triggers.push.secret`). */
  readonly secret: PushKey;
  /** Replay window for X-Connect-Timestamp (`triggers.push.tolerance`). */
  readonly toleranceMs: number;
  /**
   * Commits the event durably (dedupe, enqueue) and resolves with the jobs created; `duplicate`
   * when the store already had it. Throwing makes the response 503 so the sender retries.
   */
  accept(event: PushedEvent): Promise<{ jobIds: number[]; duplicate: boolean }>;
  /** Keeps a signed but malformed push (dead letter). Throwing makes the response 503. */
  reject(raw: RejectedPush): Promise<void>;
}

export interface HealthReport { ok: boolean; checks: Record<string, boolean>; problems?: Record<string, string> }

/** What GET /readyz reports: ready or not, and why not. */
export type Readiness = boolean | { readonly ready: boolean; readonly problem?: string };

export interface HttpServerOptions {
  /** TCP port; 0 picks a free one (see the returned `url`). */
  port: number;
  host: string;
  /** Enables POST /hooks/xcart. */
  push?: PushHandler;
  metrics: Metrics;
  logger: Logger;
  /** Liveness detail for GET /healthz; 200 when `ok`, else 503. A throw counts as not ok. */
  health: () => Promise<HealthReport>;
  /** GET /readyz: 200 when ready (store accepts writes, flows loaded), else 503 with the problem. */
  ready: () => Readiness;
  /** Push body limit. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Pushes handled at once (from the first byte of the body to the response); past it a push gets
   * 503 with Retry-After at once, so memory stays bounded: at most this × maxBodyBytes of bodies.
   * Default 64 (`http.max_concurrent_pushes`).
   */
  maxConcurrentPushes?: number;
  /** Clock for the replay window, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** The operations console (runtime/console/api.ts): handles `/api/...` and `/console...`. */
  console?: {
    handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean>;
    close(): void;
  };
}

export interface HttpServer {
  /** Base URL actually listened on, e.g. `http://127.0.0.1:8088`. */
  readonly url: string;
  /** Stops accepting, lets requests in flight finish (up to 5 s), then closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_PUSHES = 64;
/** Retry-After of a push refused because too many are in progress, and because flowd cannot keep it. */
export const RETRY_AFTER_BUSY_S = 1;
export const RETRY_AFTER_UNAVAILABLE_S = 30;
const CLOSE_GRACE_MS = 5_000;

type Route = { methods: readonly string[]; handle: (ctx: RequestContext) => Promise<void> };
interface RequestContext { req: http.IncomingMessage; res: http.ServerResponse; log: Logger }

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const { metrics, logger } = opts;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = opts.now ?? Date.now;
  const maxPushes = opts.maxConcurrentPushes ?? DEFAULT_MAX_CONCURRENT_PUSHES;
  let pushesInProgress = 0;

  const routes = new Map<string, Route>([
    ['/metrics', { methods: ['GET', 'HEAD'], handle: async ({ res }) => {
      send(res, 200, await metrics.text(), metrics.contentType);
    } }],
    ['/healthz', { methods: ['GET', 'HEAD'], handle: async ({ res, log }) => {
      let report: HealthReport;
      try {
        report = await opts.health();
      } catch (err) {
        log.error({ err }, 'health check failed');
        report = { ok: false, checks: {} };
      }
      sendJson(res, report.ok ? 200 : 503, report);
    } }],
    ['/readyz', { methods: ['GET', 'HEAD'], handle: async ({ res }) => {
      const r = opts.ready();
      const body = typeof r === 'boolean' ? { ready: r } : { ready: r.ready, ...(r.problem ? { problem: r.problem } : {}) };
      sendJson(res, body.ready ? 200 : 503, body);
    } }],
  ]);
  if (opts.push) {
    const push = opts.push;
    routes.set('/hooks/xcart', { methods: ['POST'], handle: async (ctx) => {
      if (pushesInProgress >= maxPushes) {
        // Back-pressure: refuse without buffering the body. The body is read and dropped as it
        // arrives, and the 503 goes out once it has: answering (and closing) while the sender still
        // writes would reset its connection (EPIPE), and it would never see the 503 and Retry-After.
        metrics.pushRejected.inc({ reason: 'busy' });
        const { req, res } = ctx;
        req.resume();
        if (!req.readableEnded) await new Promise<void>((resolve) => { req.once('end', resolve); req.once('close', resolve); });
        if (res.destroyed || res.headersSent) return;
        res.setHeader('retry-after', String(RETRY_AFTER_BUSY_S));
        return sendJson(res, 503, { error: `busy: ${maxPushes} pushes in progress, retry later` });
      }
      pushesInProgress++;
      try { await handlePush(ctx, push); } finally { pushesInProgress--; }
    } });
  }

  async function handlePush({ req, res, log }: RequestContext, push: PushHandler): Promise<void> {
    const refuse = (status: number, reason: PushRejectReason, body: object, fields: object = {}) => {
      metrics.pushRejected.inc({ reason });
      if (status === 503) res.setHeader('retry-after', String(RETRY_AFTER_UNAVAILABLE_S));
      log.warn({ status, reason, remote: req.socket.remoteAddress, bytes: req.headers['content-length'], ...fields }, 'push refused');
      sendJson(res, status, body);
    };

    const body = await readBody(req, maxBody);
    if (body === 'too_large') {
      res.setHeader('connection', 'close');
      return refuse(413, 'too_large', { error: `body larger than ${maxBody} bytes` });
    }
    const verdict = verifyPush({
      secret: push.secret, toleranceMs: push.toleranceMs, nowMs: now(), body,
      timestamp: header(req, 'x-connect-timestamp'), signature: header(req, 'x-connect-signature'),
    });
    if (!verdict.ok) return refuse(401, verdict.reason, { error: 'unauthorized', reason: verdict.reason });

    const parsed = parsePushBody(body);
    if (!parsed.ok) {
      const reason = parsed.problems.join('; ');
      try {
        await push.reject({ body: body.toString('utf8'), headers: safeHeaders(req), reason, status: 400 });
      } catch (err) {
        log.error({ err }, 'could not keep a malformed push');
        return refuse(503, 'unavailable', { error: 'unavailable, retry later' });
      }
      return refuse(400, parsed.reason, { error: 'invalid event', problems: parsed.problems }, { problems: parsed.problems });
    }

    const { event } = parsed;
    metrics.eventsIn.inc({ source: 'push', type: event.type });
    let result: { jobIds: number[]; duplicate: boolean };
    try {
      result = await push.accept(event);
    } catch (err) {
      log.error({ err, type: event.type, id: event.id }, 'could not accept a push');
      return refuse(503, 'unavailable', { error: 'unavailable, retry later' });
    }
    log.info({ type: event.type, id: event.id, jobs: result.jobIds, duplicate: result.duplicate }, 'push accepted');
    sendJson(res, 202, { accepted: true, jobs: result.jobIds, duplicate: result.duplicate });
  }

  // Responses in progress: on close() they are told to close their connection when done, so
  // that close() does not wait for keep-alive connections to time out.
  const inFlight = new Set<http.ServerResponse>();
  let closing: Promise<void> | undefined;

  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (closing) res.setHeader('connection', 'close');
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ correlationId: requestId });
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.get(pathname);
    if (!route && opts.console && (pathname.startsWith('/api') || pathname.startsWith('/console'))) {
      opts.console.handle(req, res, pathname).then((handled) => { if (!handled) sendJson(res, 404, { error: 'not found' }); }).catch((err: unknown) => {
        log.error({ err, path: pathname }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }); else res.destroy();
      });
      return;
    }
    if (!route) return sendJson(res, 404, { error: 'not found' });
    if (!route.methods.includes(req.method ?? '')) {
      res.setHeader('allow', route.methods.join(', '));
      return sendJson(res, 405, { error: 'method not allowed' });
    }
    route.handle({ req, res, log }).catch((err: unknown) => {
      log.error({ err, path: pathname }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(listenError(err, opts.host, opts.port));
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => { server.off('error', fail); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  logger.info({ url, push: Boolean(opts.push) }, 'http server listening');

  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        opts.console?.close();
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => { clearTimeout(force); resolve(); });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * The request body, or `too_large` once it passes `limit` bytes (by Content-Length, or while
 * streaming). A too-large body is not read further; the response closes the connection.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve('too_large');
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** Why the server could not listen, in the config's words (`http.host`, `http.port`); the code stays in the message. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use (EADDRINUSE); stop the other process or set http.port`
    : err.code === 'EACCES' ? `not allowed to listen on port ${port} (EACCES); use a port above 1023 or set http.port`
    : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? `host '${host}' does not resolve (${err.code}); set http.host to an address of this machine`
    : err.code === 'EADDRNOTAVAIL' ? `'${host}' is not an address of this machine (EADDRNOTAVAIL); set http.host`
    : `${err.code ?? ''} ${err.message}`.trim();
  return Object.assign(new Error(`cannot listen on ${where}: ${why}`, { cause: err }), { code: err.code });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

function safeHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || CREDENTIAL_HEADERS.has(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function requestIdOf(req: http.IncomingMessage): string {
  const given = header(req, 'x-request-id');
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

function send(res: http.ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}
