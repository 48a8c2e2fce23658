/**
 * The X-Cart module's signer and sender (xcart-module/Connect/Push/src/Core/, run by php-cli through
 * bin/connect-push.php) against flowd's real verification: verifyPush (runtime/http/push.ts) and a real
 * POST to flowd's push endpoint (runtime/http/server.ts on loopback). What the module signs, flowd
 * accepts; a tampered body, timestamp or signature, a stale timestamp or another secret, it refuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePushBody, verifyPush } from '../../runtime/http/push.js';
import { startHttpServer, type HttpServer, type PushedEvent } from '../../runtime/http/server.js';
import { Secret } from '../../runtime/config/secret.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { createMetrics } from '../../runtime/observability/metrics.js';
import { HAS_PHP, NO_PHP_MESSAGE, PUSH_CLI, php } from './php.js';

const SECRET = 'whsec-module-test-0123456789abcdef';
const TOLERANCE_MS = 300_000;
const env = { CONNECT_PUSH_SECRET: SECRET };

async function phpSign(body: string | Buffer, timestamp?: number): Promise<{ timestamp: string; signature: string }> {
  const r = await php([PUSH_CLI, 'sign', ...(timestamp === undefined ? [] : ['--timestamp', String(timestamp)])], { stdin: body, env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { timestamp: string; signature: string };
}

describe.skipIf(!HAS_PHP)(`the module's signer (php) and flowd's verification${HAS_PHP ? '' : ` (skipped: ${NO_PHP_MESSAGE})`}`, () => {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'order.created', id: 42, occurred_at: '2026-12-02T10:00:00Z', data: { order_id: 42, order_number: '100042', note: 'Müller – 🚚' } });

  it('a body signed by the module verifies, byte for byte (UTF-8 included)', async () => {
    const s = await phpSign(body, now);
    expect(s.timestamp).toBe(String(now));
    expect(s.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyPush({ secret: SECRET, timestamp: s.timestamp, signature: s.signature, body: Buffer.from(body), toleranceMs: TOLERANCE_MS, nowMs: now * 1000 })).toEqual({ ok: true });
  });

  it('a tampered body, timestamp or signature, or another secret, is refused', async () => {
    const s = await phpSign(body, now);
    const v = (over: Partial<Parameters<typeof verifyPush>[0]>) => verifyPush({ secret: SECRET, timestamp: s.timestamp, signature: s.signature, body, toleranceMs: TOLERANCE_MS, nowMs: now * 1000, ...over });
    expect(v({ body: body.replace('100042', '100043') })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ body: body + ' ' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ timestamp: String(now + 1) })).toEqual({ ok: false, reason: 'bad_signature' });
    const last = s.signature.slice(-1) === '0' ? '1' : '0';
    expect(v({ signature: s.signature.slice(0, -1) + last })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ secret: SECRET + 'x' })).toEqual({ ok: false, reason: 'bad_signature' });
    // Outside flowd's window (triggers.push.tolerance) either side: stale, whatever the MAC.
    expect(v({ nowMs: (now + 301) * 1000 })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('the module builds the event body flowd parses (type, integer id, occurred_at, data of ids)', async () => {
    // The body the module sends, as `send` prints nothing of it: sign what Event::body() makes and read it back.
    const script = `require '${path.join(path.dirname(PUSH_CLI), '../src/Core/Event.php')}'; echo Connect\\Push\\Core\\Event::order('order.updated', 7, '100007', 1764669600)->body();`;
    const r = await php(['-r', script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"type":"order.updated","id":7,"occurred_at":"2025-12-02T10:00:00Z","data":{"order_id":7,"order_number":"100007"}}');
    const parsed = parsePushBody(Buffer.from(r.stdout));
    expect(parsed).toMatchObject({ ok: true, event: { type: 'order.updated', id: '7', data: { order_id: 7, order_number: '100007' } } });
    const bad = await php(['-r', script.replace("'order.updated'", "'order.deleted'")]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain("unknown event type 'order.deleted'");
  });

  it('refuses to run without the secret in the environment, and never prints it', async () => {
    const r = await php([PUSH_CLI, 'sign'], { stdin: body });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set CONNECT_PUSH_SECRET');
    const ok = await php([PUSH_CLI, 'sign'], { stdin: body, env });
    expect(ok.stdout + ok.stderr).not.toContain(SECRET);
  });
});

describe.skipIf(!HAS_PHP)(`the module's sender POSTs to flowd's push endpoint${HAS_PHP ? '' : ` (skipped: ${NO_PHP_MESSAGE})`}`, () => {
  let server: HttpServer;
  let tmp: string;
  const accepted: PushedEvent[] = [];
  let url: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-xcart-module-'));
    server = await startHttpServer({
      port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd.log'), level: 'info' }),
      push: {
        secret: new Secret(SECRET, 'env', 'env XCART_PUSH_SECRET'), toleranceMs: TOLERANCE_MS,
        accept: async (e) => { accepted.push(e); return { jobIds: [accepted.length], duplicate: false }; },
        reject: async () => {},
      },
      health: async () => ({ ok: true, checks: {} }),
      ready: () => true,
    });
    url = `${server.url}/hooks/xcart`;
  });
  afterAll(async () => { await server?.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('order and customer events sent by the module are accepted (202) as the events flowd expects', async () => {
    const order = await php([PUSH_CLI, 'send', '--url', url, '--type', 'order.created', '--id', '42', '--number', '100042'], { env });
    expect({ code: order.code, stderr: order.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(order.stdout).status).toBe(202);
    const customer = await php([PUSH_CLI, 'send', '--url', url, '--type', 'customer.updated', '--id', '7', '--email', 'Wile.Coyote@example.com'], { env });
    expect(JSON.parse(customer.stdout).status).toBe(202);
    expect(accepted.map((e) => ({ type: e.type, id: e.id, data: e.data }))).toEqual([
      { type: 'order.created', id: '42', data: { order_id: 42, order_number: '100042' } },
      { type: 'customer.updated', id: '7', data: { profile_id: 7, email: 'Wile.Coyote@example.com' } },
    ]);
  });

  it('a body changed after signing, a stale timestamp or another secret gets 401 and is not accepted', async () => {
    const before = accepted.length;
    const body = JSON.stringify({ type: 'order.created', id: 43, occurred_at: '2026-12-02T10:00:00Z', data: { order_id: 43, order_number: '100043' } });
    const s = await phpSign(body);
    const post = (b: string, ts: string, sig: string) => fetch(url, { method: 'POST', body: b, headers: { 'content-type': 'application/json', 'x-connect-timestamp': ts, 'x-connect-signature': sig } });
    expect((await post(body, s.timestamp, s.signature)).status).toBe(202); // the untouched one
    expect((await post(body.replace('100043', '100044'), s.timestamp, s.signature)).status).toBe(401);
    expect((await post(body, String(Number(s.timestamp) - 1), s.signature)).status).toBe(401);
    const stale = await php([PUSH_CLI, 'send', '--url', url, '--type', 'order.created', '--id', '44', '--timestamp', String(Math.floor(Date.now() / 1000) - 3600)], { env });
    expect({ code: stale.code, status: JSON.parse(stale.stdout).status }).toEqual({ code: 1, status: 401 });
    expect(JSON.parse(stale.stdout).body).toContain('stale_timestamp');
    const other = await php([PUSH_CLI, 'send', '--url', url, '--type', 'order.created', '--id', '45'], { env: { CONNECT_PUSH_SECRET: 'not-the-secret' } });
    expect(JSON.parse(other.stdout).status).toBe(401);
    expect(accepted.length).toBe(before + 1);
    expect(accepted.at(-1)!.id).toBe('43');
  });

  it('says so when flowd cannot be reached (exit 1, the URL named)', async () => {
    const r = await php([PUSH_CLI, 'send', '--url', 'http://127.0.0.1:9/hooks/xcart', '--type', 'order.created', '--id', '46'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('flowd at http://127.0.0.1:9/hooks/xcart is not reachable');
  });
});
