/**
 * The X-Cart sandbox over real HTTP: API shapes and rules, persistence, sandbox-only endpoints, push.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startXcartSandbox, type XcartSandbox, type XcartSandboxOptions } from './server.js';
import { loadXcartSchemas } from '../../connectors/xcart/schemas.js';

let dir: string;
const open: XcartSandbox[] = [];

beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-sbx-')); });
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<XcartSandboxOptions> = {}): Promise<XcartSandbox> {
  const s = await startXcartSandbox({ port: 0, stateDir: dir, ...opts });
  open.push(s);
  return s;
}
async function api(s: XcartSandbox, method: string, p: string, body?: unknown, token: string | null = s.writeToken) {
  const res = await fetch(s.url + p, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: token === null ? {} : { 'x-auth-token': token },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const SAGE_SKUS = ['WIDGET-100', 'WIDGET-200', 'GADGET-300', 'GADGET-310', 'CABLE-USB-C', 'CABLE-HDMI', 'MOUSE-WL', 'KEYB-MECH',
  'MONITOR-27', 'DOCK-USB4', 'SSD-1TB', 'RAM-32GB', 'HEADSET-PRO', 'WEBCAM-4K', 'CHARGER-65W', 'STAND-ALU'];

describe('X-Cart sandbox', () => {
  it('binds 127.0.0.1, generates tokens and serves a seeded store whose answers match the schemas', async () => {
    const s = await start();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.readToken).not.toBe(s.writeToken);
    const schemas = loadXcartSchemas();

    const products = await api(s, 'GET', '/api/products?itemsPerPage=100', undefined, s.readToken);
    expect(products.status).toBe(200);
    const skus = (products.body as { sku: string }[]).map((p) => p.sku);
    expect(skus).toEqual(expect.arrayContaining([...SAGE_SKUS, 'GIFT-CARD-50', 'POSTER-LTD']));
    for (const p of products.body) schemas.validate('Product', p);

    const orders = (await api(s, 'GET', '/api/orders?itemsPerPage=100')).body as Record<string, unknown>[];
    // /api/orders never lists carts (Repo/Order.php adds NOT INSTANCE OF Cart); the cart is under /api/carts.
    expect(orders.filter((o) => o.order_number !== null)).toHaveLength(12);
    expect(orders.filter((o) => o.order_number === null)).toHaveLength(0);
    expect((await api(s, 'GET', '/api/carts')).body).toHaveLength(1);
    for (const o of orders) schemas.validate('Order', o);
    const multi = orders.filter((o) => (o.items as unknown[]).length >= 2);
    expect(multi.length).toBeGreaterThanOrEqual(8);
    const types = new Set(orders.flatMap((o) => (o.surcharges as { type: string }[]).map((x) => x.type)));
    expect([...types]).toEqual(expect.arrayContaining(['shipping', 'tax', 'discount']));
    expect(orders.some((o) => (o.used_coupons as unknown[]).length > 0)).toBe(true);

    for (const [p, entity] of [['/api/profiles', 'Profile'], ['/api/categories', 'Category'], ['/api/coupons', 'Coupon'],
      ['/api/orders/1/payment_transactions', 'PaymentTransaction'], ['/api/orders/1/history', 'OrderHistory']] as const) {
      const r = await api(s, 'GET', p);
      expect(r.status, p).toBe(200);
      expect(r.body.length, p).toBeGreaterThan(0);
      for (const x of r.body) schemas.validate(entity, x);
    }
    // Surcharges with include: true (VAT inside the item prices) are not added to the total.
    const total = (o: Record<string, unknown>) =>
      Math.round(((o.sub_total as number) + (o.surcharges as { value: number; include: boolean }[]).reduce((a, x) => a + (x.include ? 0 : x.value), 0)) * 100) / 100;
    for (const o of orders) expect(o.total, `order ${String(o.id)}`).toBe(total(o));
    expect(orders.filter((o) => (o.surcharges as { type: string; include: boolean }[]).some((x) => x.type === 'tax' && x.include)).length).toBeGreaterThanOrEqual(2);
  });

  it('pages with page/itemsPerPage: default 30, at most 100, bare arrays', async () => {
    const s = await start();
    for (let i = 0; i < 120; i++) {
      const r = await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify({ email: `p${i}@example.org`, items: [{ sku: 'MOUSE-WL', amount: 1 }] }) });
      expect(r.status).toBe(201);
    }
    expect((await api(s, 'GET', '/api/orders')).body).toHaveLength(30);
    expect((await api(s, 'GET', '/api/orders?itemsPerPage=500')).body).toHaveLength(100);
    const last = await api(s, 'GET', '/api/orders?itemsPerPage=100&page=2');
    expect(last.body).toHaveLength(132 - 100); // 12 seeded orders + 120; the seeded cart is not listed
    expect((await api(s, 'GET', '/api/orders?page=0')).status).toBe(400);
    const sorted = (await api(s, 'GET', '/api/orders?order[date]=desc&itemsPerPage=3')).body as { id: number }[];
    expect(sorted[0]!.id).toBe(133);
  });

  it('answers 401/403/404/400 like the real API', async () => {
    const s = await start();
    const missing = await api(s, 'GET', '/api/orders', undefined, null);
    expect(missing.status).toBe(401);
    expect(typeof missing.body.message).toBe('string');
    expect((await api(s, 'GET', '/api/orders', undefined, 'wrong')).status).toBe(401);
    expect((await api(s, 'PUT', '/api/products/1', { amount: 3 }, s.readToken)).status).toBe(403);
    expect((await api(s, 'GET', '/api/orders/999')).status).toBe(404);
    expect((await api(s, 'GET', '/api/products/abc')).status).toBe(404);
    expect((await api(s, 'GET', '/api/profiles/999')).status).toBe(404);
    const bad = await api(s, 'PUT', '/api/orders/1/payment_status', { code: 'XX' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe("Status code 'XX' is invalid");
    expect((await api(s, 'PUT', '/api/products/1', { amount: 'many' })).status).toBe(400);
    expect((await api(s, 'GET', '/api/orders/by_number/100003')).body.id).toBe(3);
  });

  it('PUT /api/products/{id} is a partial update', async () => {
    const s = await start();
    const before = (await api(s, 'GET', '/api/products/2')).body;
    const after = (await api(s, 'PUT', '/api/products/2', { amount: 5 })).body;
    expect(after).toMatchObject({ ...before, amount: 5, update_date: expect.any(String), arrival_date: expect.any(String) });
  });

  it('keeps its state across a restart, written atomically', async () => {
    const s1 = await start({ readToken: 'r', writeToken: 'w' });
    expect((await api(s1, 'PUT', '/api/orders/4/shipping_status', { code: 'S' })).status).toBe(200);
    const placed = await fetch(`${s1.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify({ email: 'keep@example.org', items: [{ sku: 'SSD-1TB', amount: 1 }] }) });
    const order = (await placed.json()) as { id: number; order_number: string };
    await s1.close();
    open.splice(open.indexOf(s1), 1);
    expect(fs.readdirSync(dir)).toEqual(['xcart-state.json']); // no temp files left behind

    const s2 = await start({ readToken: 'r', writeToken: 'w' });
    expect((await api(s2, 'GET', '/api/orders/4/shipping_status')).body.code).toBe('S');
    expect((await api(s2, 'GET', `/api/orders/${order.id}`)).body.order_number).toBe(order.order_number);

    // POST /sandbox/reset reseeds
    expect((await fetch(`${s2.url}/sandbox/reset`, { method: 'POST' })).status).toBe(200);
    expect((await api(s2, 'GET', '/api/orders/4/shipping_status')).body.code).toBe('N');
    expect((await api(s2, 'GET', `/api/orders/${order.id}`)).status).toBe(404);
  });

  it('POST /sandbox/orders: answers the order as GET shows it, accepts unknown SKUs, rejects malformed bodies', async () => {
    const s = await start();
    const stockBefore = (await api(s, 'GET', '/api/products/2')).body.amount as number;
    const res = await fetch(`${s.url}/sandbox/orders`, {
      method: 'POST',
      body: JSON.stringify({
        email: 'jane.doe@example.com', coupon: 'SAVE10', payment_method: 'PaypalCommercePlatform',
        items: [{ sku: 'WIDGET-200', amount: 2 }, { sku: 'MOUSE-WL', amount: 1, price: 12.5, name: 'Mystery item' }],
        shipping_address: { firstname: 'Jane', lastname: 'Doe', street: '9 Side St', city: 'Boston', zipcode: '02101', country_code: 'US' },
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect((await api(s, 'GET', `/api/orders/${String(created.id)}`)).body).toEqual(created);
    expect(created.customer_id).toBe(2); // the registered profile of jane.doe
    expect(created.items).toEqual([
      expect.objectContaining({ sku: 'WIDGET-200', amount: 2, price: 34.5 }),
      expect.objectContaining({ sku: 'MOUSE-WL', amount: 1, price: 12.5, name: 'Mystery item', product_id: 7 }),
    ]);
    expect(created.used_coupons).toEqual([expect.objectContaining({ code: 'SAVE10', value: 8.15 })]);
    expect(created.shipping_address).toMatchObject({ street: '9 Side St', city: 'Boston' });
    const tx = (await api(s, 'GET', `/api/orders/${String(created.id)}/payment_transactions`)).body;
    // status is the method's name, not a status code (OrderPaymentTransaction OutputTransformer.php:41).
    expect(tx[0]).toMatchObject({ name: 'PaypalCommercePlatform', local_name: 'PayPal', status: 'PaypalCommercePlatform', type: 'sale', backend_transactions: [] });
    // Stock went down.
    expect((await api(s, 'GET', '/api/products/2')).body.amount).toBe(stockBefore - 2);

    // An unknown SKU is accepted, but its item has no product (like a deleted product): the API
    // cannot serialise that order and answers 500 for it.
    const unknown = await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify({ email: 'x@example.org', items: [{ sku: 'NOT-IN-SAGE', amount: 1, price: 12.5 }] }) });
    expect(unknown.status).toBe(201);
    const u = (await unknown.json()) as { id: number; items: { product_id: number | null }[] };
    expect(u.items[0]!.product_id).toBeNull();
    expect((await api(s, 'GET', `/api/orders/${u.id}`)).status).toBe(500);

    for (const [body, msg] of [
      [{ items: [{ sku: 'A', amount: 1 }] }, 'email'],
      [{ email: 'x@example.org', items: [] }, 'items'],
      [{ email: 'x@example.org', items: [{ sku: 'A', amount: 0 }] }, 'items[0].amount'],
      [{ email: 'x@example.org', items: [{ amount: 1 }] }, 'items[0].sku'],
      [{ email: 'x@example.org', items: [{ sku: 'A', amount: 1 }], coupon: 'NOPE' }, 'coupon'],
    ] as const) {
      const r = await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify(body) });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { detail: string }).detail).toContain(msg);
    }
    expect((await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: '{not json' })).status).toBe(400);
  });

  it('fault switches over HTTP: 503 share, 429 every n-th request with Retry-After, latency', async () => {
    const s = await start();
    const set = (b: unknown) => fetch(`${s.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify(b) });
    expect((await set({ errorRate: 2 })).status).toBe(400);
    expect((await set({ errorRate: 1 })).status).toBe(200);
    expect((await api(s, 'GET', '/api/orders/1')).status).toBe(503);
    await set({ errorRate: 0, rateLimit: { every: 3, retryAfterSeconds: 2 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await api(s, 'GET', '/api/orders/1');
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
    expect(retryAfter).toBe('2');
    await set({ rateLimit: null, latencyMs: 120 });
    const t = Date.now();
    await api(s, 'GET', '/api/orders/1');
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    expect(s.faults.latencyMs).toBe(120); // the programmatic view is the same object
  });

  it('pushes signed order.created / order.updated / customer.updated events when configured', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() }); res.writeHead(204).end(); });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const secret = 'push-secret';
      const s = await start({ push: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/xcart`, secret } });
      const placed = await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify({ email: 'ev@example.org', items: [{ sku: 'MOUSE-WL', amount: 1 }] }) });
      const order = (await placed.json()) as { id: number };
      await api(s, 'PUT', `/api/orders/${order.id}/payment_status`, { code: 'P' });
      await api(s, 'PUT', `/api/orders/${order.id}/payment_status`, { code: 'P' }); // no change, no event
      await api(s, 'POST', '/api/profiles', { login: 'ev@example.org' });
      await s.flushPushes();

      expect(received.map((r) => JSON.parse(r.body).type)).toEqual(['order.created', 'order.updated', 'customer.updated']);
      for (const r of received) {
        const ts = String(r.headers['x-connect-timestamp']);
        expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
        const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex');
        expect(r.headers['x-connect-signature']).toBe(expected);
        const ev = JSON.parse(r.body);
        expect(Object.keys(ev).sort()).toEqual(['data', 'id', 'occurred_at', 'type']);
        expect(ev.id).toBe(ev.data.id);
      }
      expect(JSON.parse(received[1]!.body).data.payment_status.code).toBe('P');
      expect(s.pushes.map((p) => p.status)).toEqual([204, 204, 204]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('5.5.0 (the default) ignores lastRenewDate[...] filters; 5.5.1 honours them', async () => {
    const s = await start();
    expect(s.version).toBe('5.5.0');
    const all = (await api(s, 'GET', '/api/orders?itemsPerPage=100')).body.length;
    expect((await api(s, 'GET', '/api/orders?itemsPerPage=100&lastRenewDate[after]=2999-01-01T00:00:00Z')).body).toHaveLength(all);
    const s2 = await startXcartSandbox({ port: 0, stateDir: path.join(dir, 'b'), xcartVersion: '5.5.1' });
    open.push(s2);
    expect((await api(s2, 'GET', '/api/orders?lastRenewDate[after]=2999-01-01T00:00:00Z')).body).toEqual([]);
    await expect(startXcartSandbox({ port: 0, stateDir: path.join(dir, 'c'), xcartVersion: '5.6.0' as '5.5.0' })).rejects.toThrow(/5\.5\.0, 5\.5\.1/);
  });
});
