/**
 * The HTTP endpoint over real loopback (undici): signed push, /metrics, /healthz, /readyz, and
 * the X-Cart sandbox pushing to it as the real sender does.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signPush, startHttpServer, verifyPush, type HttpServer, type HttpServerOptions, type PushedEvent, type RejectedPush } from './server.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { Secret } from '../config/secret.js';
import { startXcartSandbox } from '../sandbox/xcart/server.js';

const SECRET = new Secret('whsec-test-0123456789', 'env', 'env XCART_PUSH_SECRET');
const TOLERANCE_MS = 300_000;

let tmp: string;
let logFile: string;
let logger: Logger;
let metrics: Metrics;
let server: HttpServer;
let accepted: PushedEvent[];
let rejected: RejectedPush[];
let acceptImpl: (e: PushedEvent) => Promise<{ jobIds: number[]; duplicate: boolean }>;
let rejectImpl: (r: RejectedPush) => Promise<void>;
let health: Awaited<ReturnType<HttpServerOptions['health']>> | Error;
let ready: boolean;

async function start(extra: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  server = await startHttpServer({
    port: 0, host: '127.0.0.1', metrics, logger,
    push: {
      secret: SECRET, toleranceMs: TOLERANCE_MS,
      accept: (e) => { accepted.push(e); return acceptImpl(e); },
      reject: (r) => { rejected.push(r); return rejectImpl(r); },
    },
    health: async () => { if (health instanceof Error) throw health; return health; },
    ready: () => ready,
    ...extra,
  });
  return server;
}

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-http-'));
  logFile = path.join(tmp, 'flowd.log');
  logger = createLogger({ file: logFile, level: 'debug' });
  metrics = createMetrics({ processMetrics: false });
  accepted = [];
  rejected = [];
  let nextJob = 100;
  acceptImpl = async () => ({ jobIds: [nextJob++], duplicate: false });
  rejectImpl = async () => {};
  health = { ok: true, checks: { store: true, xcart: true, sagepro: true } };
  ready = true;
  await start();
});
afterEach(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const nowSec = () => Math.floor(Date.now() / 1000);
const EVENT = { type: 'order.created', id: 42, occurred_at: '2024-05-01T10:00:00+0000', data: { id: 42, order_number: '00042', total: 99.5 } };

async function post(body: string | Buffer, headers: Record<string, string> = {}, p = '/hooks/xcart') {
  const res = await request(server.url + p, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}
function signed(body: string, ts: number = nowSec(), secret: Secret | string = SECRET) {
  return { 'x-connect-timestamp': String(ts), 'x-connect-signature': signPush(secret, ts, body) };
}
async function get(p: string, method: 'GET' | 'HEAD' | 'DELETE' = 'GET') {
  const res = await request(server.url + p, { method });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}
const metricValue = async (series: string) => {
  const line = (await metrics.text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};
const logText = () => fs.readFileSync(logFile, 'utf8');

describe('POST /hooks/xcart', () => {
  it('accepts a correctly signed event: 202 with the jobs, accept called with the parsed event', async () => {
    const body = JSON.stringify(EVENT);
    const r = await post(body, { ...signed(body), 'x-request-id': 'req-abc' });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ accepted: true, jobs: [100], duplicate: false });
    expect(r.headers['x-request-id']).toBe('req-abc');
    expect(accepted).toEqual([{ type: 'order.created', id: '42', occurredAt: '2024-05-01T10:00:00+0000', data: EVENT.data, raw: body }]);
    expect(rejected).toEqual([]);
    expect(await metricValue('events_in_total{source="push",type="order.created"}')).toBe(1);
    expect(logText()).toContain('"correlationId":"req-abc"');
  });

  it('passes duplicate through from accept', async () => {
    acceptImpl = async () => ({ jobIds: [], duplicate: true });
    const body = JSON.stringify({ ...EVENT, type: 'customer.updated', id: '7' });
    const r = await post(body, signed(body));
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ accepted: true, jobs: [], duplicate: true });
    expect(accepted[0]!.id).toBe('7');
  });

  it('a tampered body is 401; nothing is accepted or rejected; the body is not logged', async () => {
    const body = JSON.stringify(EVENT);
    const tampered = body.replace('99.5', '0.01');
    const r = await post(tampered, signed(body));
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 'unauthorized', reason: 'bad_signature' });
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([]);
    expect(await metricValue('push_rejected_total{reason="bad_signature"}')).toBe(1);
    expect(logText()).toContain('"reason":"bad_signature"');
    expect(logText()).not.toContain('00042');
    expect(logText()).not.toContain(signed(body)['x-connect-signature'].slice(7));
  });

  it('a signature made with another secret is 401', async () => {
    const body = JSON.stringify(EVENT);
    expect((await post(body, signed(body, nowSec(), 'another-secret'))).status).toBe(401);
    expect(accepted).toEqual([]);
  });

  it('a stale or future timestamp is 401 even with a valid signature (replay window)', async () => {
    const body = JSON.stringify(EVENT);
    const old = nowSec() - TOLERANCE_MS / 1000 - 5;
    const r = await post(body, signed(body, old));
    expect(r.status).toBe(401);
    expect(r.json.reason).toBe('stale_timestamp');
    expect((await post(body, signed(body, nowSec() + TOLERANCE_MS / 1000 + 5))).status).toBe(401);
    // Inside the window it is fine.
    expect((await post(body, signed(body, nowSec() - TOLERANCE_MS / 1000 + 30))).status).toBe(202);
    expect(accepted).toHaveLength(1);
    expect(await metricValue('push_rejected_total{reason="stale_timestamp"}')).toBe(2);
  });

  it('missing headers are 401', async () => {
    const body = JSON.stringify(EVENT);
    const h = signed(body);
    const partial: Record<string, string>[] = [{}, { 'x-connect-signature': h['x-connect-signature'] }, { 'x-connect-timestamp': h['x-connect-timestamp'] }];
    for (const headers of partial) {
      const r = await post(body, headers);
      expect(r.status).toBe(401);
      expect(r.json.reason).toBe('missing_signature');
    }
    // Malformed header values are bad signatures, not crashes.
    for (const sig of ['sha256=zz', 'md5=' + 'a'.repeat(64), h['x-connect-signature'].slice(7)]) {
      expect((await post(body, { 'x-connect-timestamp': h['x-connect-timestamp'], 'x-connect-signature': sig })).status).toBe(401);
    }
    expect((await post(body, { 'x-connect-timestamp': 'yesterday', 'x-connect-signature': h['x-connect-signature'] })).status).toBe(401);
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it('malformed JSON with a valid signature is 400 and handed to reject', async () => {
    const body = '{"type": "order.created", "id": 42,';
    const r = await post(body, signed(body));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid event');
    expect(r.json.problems[0]).toMatch(/^body is not valid JSON/);
    expect(accepted).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.body).toBe(body);
    expect(rejected[0]!.status).toBe(400);
    expect(rejected[0]!.reason).toMatch(/^body is not valid JSON/);
    expect(rejected[0]!.headers['x-connect-timestamp']).toBeDefined();
    expect(await metricValue('push_rejected_total{reason="invalid_json"}')).toBe(1);
  });

  it('an unknown type or a missing id is 400 naming the problem, and rejected', async () => {
    const cases: [object, string][] = [
      [{ ...EVENT, type: 'order.deleted' }, "unknown event type 'order.deleted'"],
      [{ ...EVENT, id: undefined }, 'id is missing'],
      [{ ...EVENT, id: -3 }, 'id: -3 is not an X-Cart id'],
      [{ ...EVENT, id: '042' }, 'id: "042" is not an X-Cart id'],
      [{ ...EVENT, occurred_at: 'soon' }, 'occurred_at is missing or not a date'],
      [{ ...EVENT, data: [1] }, 'data must be an object'],
      [[EVENT], 'event must be a JSON object'],
    ];
    for (const [ev, problem] of cases) {
      const body = JSON.stringify(ev);
      const r = await post(body, signed(body));
      expect(r.status).toBe(400);
      expect(r.json.problems.join('; ')).toContain(problem);
    }
    expect(rejected.map((x) => x.reason)).toHaveLength(cases.length);
    expect(rejected[0]!.reason).toContain("unknown event type 'order.deleted'");
    expect(accepted).toEqual([]);
  });

  it('an oversized body is 413 without accept or reject', async () => {
    const big = JSON.stringify({ ...EVENT, data: { blob: 'x'.repeat(1024 * 1024) } });
    const r = await post(big, signed(big));
    expect(r.status).toBe(413);
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([]);
    expect(await metricValue('push_rejected_total{reason="too_large"}')).toBe(1);
  });

  it('an oversized body without Content-Length (chunked) is 413 too', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    async function* chunks() { for (let i = 0; i < 20; i++) yield chunk; }
    const res = await request(server.url + '/hooks/xcart', { method: 'POST', body: Readable.from(chunks()), headers: { 'x-connect-timestamp': String(nowSec()), 'x-connect-signature': 'sha256=' + '0'.repeat(64) } });
    // The server answers as soon as the limit is passed, and closes the connection.
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    await res.body.dump();
    expect(accepted).toEqual([]);
    expect(await metricValue('push_rejected_total{reason="too_large"}')).toBe(1);
    // The server still serves.
    expect((await get('/readyz')).status).toBe(200);
  });

  it('a body of exactly the limit is read (limit is inclusive)', async () => {
    await server.close();
    await start({ maxBodyBytes: 300 });
    const base = JSON.stringify({ ...EVENT, data: { pad: '' } });
    const body = JSON.stringify({ ...EVENT, data: { pad: 'p'.repeat(300 - base.length) } });
    expect(Buffer.byteLength(body)).toBe(300);
    expect((await post(body, signed(body))).status).toBe(202);
    const over = body.replace('"pad":"', '"pad":"p');
    expect((await post(over, signed(over))).status).toBe(413);
  });

  it('503 when accept throws (the sender retries), and when reject throws', async () => {
    acceptImpl = async () => { throw new Error('database is locked'); };
    const body = JSON.stringify(EVENT);
    const r = await post(body, signed(body));
    expect(r.status).toBe(503);
    expect(r.text).not.toContain('locked');
    rejectImpl = async () => { throw new Error('disk full'); };
    const bad = '{';
    expect((await post(bad, signed(bad))).status).toBe(503);
    expect(await metricValue('push_rejected_total{reason="unavailable"}')).toBe(2);
  });

  it('GET is 405 with Allow; the route is 404 when push is not configured', async () => {
    const r = await get('/hooks/xcart');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    await server.close();
    await start({ push: undefined });
    const body = JSON.stringify(EVENT);
    expect((await post(body, signed(body))).status).toBe(404);
  });
});

describe('GET /metrics, /healthz, /readyz', () => {
  it('/metrics serves the registry in Prometheus text', async () => {
    metrics.jobs.inc({ flow: 'OrderToSalesOrder', outcome: 'done' });
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(metrics.contentType);
    expect(r.text).toContain('jobs_total{flow="OrderToSalesOrder",outcome="done"} 1');
    expect(r.text).toContain('# TYPE queue_depth gauge');
  });

  it('/healthz is 200 with the checks when ok, 503 when not or when the check throws', async () => {
    let r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ ok: true, checks: { store: true, xcart: true, sagepro: true } });
    health = { ok: false, checks: { store: true, xcart: false, sagepro: true } };
    r = await get('/healthz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).checks.xcart).toBe(false);
    health = new Error('store closed');
    r = await get('/healthz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({ ok: false, checks: {} });
  });

  it('/readyz follows ready()', async () => {
    expect((await get('/readyz')).status).toBe(200);
    ready = false;
    const r = await get('/readyz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({ ready: false });
  });

  it('404 for unknown paths, 405 for wrong methods, HEAD allowed on GET routes', async () => {
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/')).status).toBe(404);
    const r = await get('/metrics', 'DELETE');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
    expect((await post('{}', {}, '/healthz')).status).toBe(405);
    const head = await get('/readyz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('query strings do not change the route', async () => {
    expect((await get('/readyz?verbose=1')).status).toBe(200);
  });
});

describe('server lifecycle', () => {
  it('reports the port it actually got, and fails to start on a port in use', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(server.url).port);
    await expect(startHttpServer({ port, host: '127.0.0.1', metrics, logger, health: async () => health as never, ready: () => true }))
      .rejects.toThrow(/EADDRINUSE/);
  });

  it('close() waits for a push in flight, then refuses connections', async () => {
    let release!: () => void;
    acceptImpl = () => new Promise((resolve) => { release = () => resolve({ jobIds: [1], duplicate: false }); });
    const body = JSON.stringify(EVENT);
    const pending = post(body, signed(body));
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = server.close();
    release();
    expect((await pending).status).toBe(202);
    await closed;
    const port = Number(new URL(server.url).port);
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(false); });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('signPush / verifyPush', () => {
  it('round-trips and fails on any change', () => {
    const body = Buffer.from(JSON.stringify(EVENT));
    const ts = 1_714_557_600;
    const sig = signPush(SECRET, ts, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signPush(SECRET.reveal(), String(ts), body.toString())).toBe(sig); // Secret or string, Buffer or string
    const base = { secret: SECRET, timestamp: String(ts), signature: sig, body, toleranceMs: 1000, nowMs: ts * 1000 };
    expect(verifyPush(base)).toEqual({ ok: true });
    expect(verifyPush({ ...base, signature: sig.toUpperCase().replace('SHA256', 'sha256') })).toEqual({ ok: true });
    expect(verifyPush({ ...base, timestamp: String(ts + 1), nowMs: (ts + 1) * 1000 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPush({ ...base, body: Buffer.concat([body, Buffer.from(' ')]) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPush({ ...base, nowMs: ts * 1000 + 1001 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyPush({ ...base, signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('with the X-Cart sandbox as the sender', () => {
  it('accepts the events the sandbox pushes', async () => {
    const stateDir = path.join(tmp, 'xcart');
    const xc = await startXcartSandbox({ port: 0, stateDir, push: { url: `${server.url}/hooks/xcart`, secret: SECRET.reveal() } });
    try {
      const placed = await request(`${xc.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify({ email: 'push@example.org', items: [{ sku: 'MOUSE-WL', amount: 1 }] }) });
      expect(placed.statusCode).toBe(201);
      const order = (await placed.body.json()) as { id: number };
      await xc.flushPushes();
      expect(xc.pushes).toEqual([{ type: 'order.created', id: order.id, status: 202 }]);
      expect(accepted).toHaveLength(1);
      expect(accepted[0]).toMatchObject({ type: 'order.created', id: String(order.id), data: { id: order.id } });
      expect(JSON.parse(accepted[0]!.raw).id).toBe(order.id);
    } finally {
      await xc.close();
    }
  });
});
