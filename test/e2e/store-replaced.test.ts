/**
 * Issue 9, "acknowledged events vanish when the store file is replaced": with flowd.db deleted or
 * replaced by another file while flowd runs, flowd must stop acknowledging (503 with Retry-After),
 * alert (log line with `alert: true`), and say so on /healthz and /readyz. After a restart on a good
 * file, the sender's retries are accepted and processed once each.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import { signPush } from '../../runtime/http/push.js';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';

async function push(env: E2E, body: string): Promise<{ status: number; retryAfter: string | null }> {
  const ts = String(Math.floor(Date.now() / 1000));
  const r = await fetch(`${env.flowdUrl}/hooks/xcart`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-connect-timestamp': ts, 'x-connect-signature': signPush(env.pushSecret, ts, body) } });
  await r.arrayBuffer();
  return { status: r.status, retryAfter: r.headers.get('retry-after') };
}
const orderBody = (o: XOrder) => JSON.stringify({ type: 'order.created', id: o.id, occurred_at: new Date().toISOString(), data: { order_number: o.order_number } });
const health = async (env: E2E) => {
  const h = await fetch(`${env.flowdUrl}/healthz`);
  const r = await fetch(`${env.flowdUrl}/readyz`);
  return { healthz: h.status, health: (await h.json()) as { checks: Record<string, boolean>; problems?: Record<string, string> }, readyz: r.status, ready: (await r.json()) as { ready: boolean; problem?: string } };
};

describe('e2e: the store file deleted or replaced while flowd runs', () => {
  let env: E2E;
  // The alert URL: a real HTTP receiver on loopback.
  const alerts: { message: string; system?: string; problem?: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => { b += c; });
    req.on('end', () => { alerts.push(JSON.parse(b) as { message: string }); res.end(); });
  });
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), xcartPollEvery: '1h' });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    fs.appendFileSync(env.configFile, `alerts: { url: "http://127.0.0.1:${(receiver.address() as { port: number }).port}/alerts" }\n`);
  }, 120_000);
  afterAll(async () => { await env?.close(); receiver.close(); });

  for (const fault of ['deleted', 'replaced'] as const) {
    it(`${fault}: ten pushes get 503 with Retry-After, health and readiness say why, an alert; after a restart all ten are processed once`, async () => {
      await env.startFlowd();
      const before = await health(env);
      expect(before.readyz).toBe(200);
      // Orders placed while flowd is fine go in (the sandbox pushes them).
      const first = await env.placeOrder({ email: 'bill@initech.example', items: [{ sku: 'KEYB-MECH', amount: 1 }] });
      await waitFor(`sales order XC-${first.id}`, async () => (await env.countSalesOrders(`XC-${first.id}`)) > 0, 45_000);

      for (const f of ['flowd.db', 'flowd.db-wal', 'flowd.db-shm']) fs.rmSync(path.join(env.dir, f), { force: true });
      if (fault === 'replaced') { const other = SqliteStore.open(path.join(env.dir, 'flowd.db')); await other.close(); }

      const ten: XOrder[] = [];
      for (let i = 0; i < 10; i++) ten.push(await env.placeOrder({ email: 'bill@initech.example', items: [{ sku: 'MOUSE-WL', amount: 1 + i }] }));
      const results = [];
      for (const o of ten) results.push(await push(env, orderBody(o)));
      // Readiness (a real write probe) and health (the store file's identity, checked each second) may see
      // the fault a moment apart: wait until both say it.
      const during = await waitFor('health to report the store', async () => { const h = await health(env); return h.readyz === 503 && h.healthz === 503 ? h : undefined; }, 5000);
      await waitFor('the alert in the log', () => fs.readFileSync(path.join(env.dir, 'flowd.log'), 'utf8').includes('"alert":true'), 5000);
      const log = fs.readFileSync(path.join(env.dir, 'flowd.log'), 'utf8');
      const alertLine = log.split('\n').find((l) => l.includes('"alert":true') && l.includes('store unusable'));

      figures(`e2e-store-${fault}`, { pushes: results.length, acknowledged_202: results.filter((r) => r.status === 202).length, refused_503: results.filter((r) => r.status === 503).length, healthz: during.healthz, readyz: during.readyz });
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect(results.every((r) => /^[1-9][0-9]*$/.test(r.retryAfter ?? ''))).toBe(true);
      expect(during.healthz).toBe(503);
      expect(during.health.checks.store).toBe(false);
      expect(during.health.problems?.store).toContain(fault === 'deleted' ? 'was deleted while open' : 'was replaced by another file');
      expect(during.ready.problem).toContain(fault === 'deleted' ? 'was deleted while open' : 'was replaced by another file');
      expect(alertLine).toBeDefined();
      await waitFor('the alert at the alert URL', () => alerts.some((a) => a.system === 'store' && a.message.includes(fault === 'deleted' ? 'was deleted while open' : 'was replaced')), 5000);

      // Restart on the file now at the path; the sender retries the ten; each is processed once.
      await env.stopFlowd();
      await env.startFlowd();
      expect((await health(env)).readyz).toBe(200);
      const retried = [];
      for (const o of ten) retried.push(await push(env, orderBody(o)));
      expect(retried.map((r) => r.status)).toEqual(Array(10).fill(202));
      await waitFor('the ten sales orders', async () => (await env.tally(ten)).lost === 0, 60_000);
      const t = await env.tally(ten);
      figures(`e2e-store-${fault}-after-restart`, { retried: retried.length, accepted_202: retried.filter((r) => r.status === 202).length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost });
      expect(t).toMatchObject({ salesOrders: 10, duplicates: 0, lost: 0 });
      await env.stopFlowd();
    }, 120_000);
  }
});
