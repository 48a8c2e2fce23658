/**
 * The X-Cart sandbox behaves like the real X-Cart 5.5.0.29 source (xcart-api.md item 9), over real
 * HTTP: each case names the behaviour the real store has and that an integration must survive.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox } from './server.js';
import { loadXcartSchemas } from '../../connectors/xcart/schemas.js';

type J = Record<string, unknown>;
let dir: string;
let s: XcartSandbox;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-real-'));
  s = await startXcartSandbox({ port: 0, stateDir: dir });
});
afterEach(async () => {
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(s.url + p, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'x-auth-token': s.writeToken } });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: json as J & J[] };
}
const faults = (b: unknown) => fetch(`${s.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify(b) });

describe('X-Cart sandbox: real 5.5.0.29 behaviour', () => {
  it('payment transactions: status is the method name, real service names, captures are backend transactions', async () => {
    const schemas = loadXcartSchemas();
    const all: J[] = [];
    for (let id = 1; id <= 12; id++) {
      const tx = (await api('GET', `/api/orders/${id}/payment_transactions`)).body as J[];
      for (const t of tx) { schemas.validate('PaymentTransaction', t); all.push(t); }
    }
    for (const t of all) expect(t.status).toBe(t.name);
    const names = new Set(all.map((t) => t.name));
    for (const n of ['Stripe', 'PaypalCommercePlatform', 'AuthorizeNet SIM', 'ExpressCheckout']) expect(names).toContain(n);
    // A captured authorisation keeps type auth; its capture is a backend transaction with status S.
    const captured = all.filter((t) => t.type === 'auth' && (t.backend_transactions as J[]).some((b) => b.status === 'S' && String(b.type).startsWith('capture')));
    expect(captured.length).toBeGreaterThanOrEqual(2);
    expect(all.some((t) => t.type === 'auth' && (t.backend_transactions as J[]).length === 0)).toBe(true); // authorised only
  });

  it('product_class and tax_class are {id, name} objects or null; dates: products and profiles +HH:MM, orders +0000', async () => {
    const products = (await api('GET', '/api/products?itemsPerPage=100')).body as J[];
    const monitor = products.find((p) => p.sku === 'MONITOR-27')!;
    expect(monitor.product_class).toEqual({ id: 1, name: 'Displays' });
    expect(monitor.tax_class).toEqual({ id: 1, name: 'Electronics' });
    expect(products.find((p) => p.sku === 'WIDGET-100')!.product_class).toBeNull();
    for (const p of products) loadXcartSchemas().validate('Product', p);
    expect(monitor.update_date).toMatch(/\+00:00$/);
    expect(((await api('GET', '/api/profiles')).body as J[])[0]!.create_date).toMatch(/\+00:00$/);
    expect(((await api('GET', '/api/orders/1')).body).update_date).toMatch(/\+0000$/);
  });

  it('status GET/PUT of a missing order answers 400 "Order with ID n not found"; duplicates answer 400 "must be unique"', async () => {
    for (const [m, p] of [['GET', '/api/orders/999/payment_status'], ['PUT', '/api/orders/999/shipping_status']] as const) {
      const r = await api(m, p, m === 'PUT' ? { code: 'S' } : undefined);
      expect(r.status, p).toBe(400);
      expect(r.body.detail).toBe('Order with ID 999 not found');
    }
    const dup = await api('POST', '/api/profiles', { login: 'jane.doe@example.com' });
    expect(dup.status).toBe(400);
    expect(dup.body.detail).toBe('Field "login" must be unique');
    const coupon = await api('POST', '/api/coupons', { code: 'SAVE10', type: '%', value: 5 });
    expect(coupon.status).toBe(400);
    expect(coupon.body.detail).toBe('Field "code" must be unique');
  });

  it('guests carry an anonymous profile: customer_id is never null, and /api/profiles lists it', async () => {
    const orders = (await api('GET', '/api/orders?itemsPerPage=100')).body as J[];
    const guest = orders.find((o) => o.email === 'guest.buyer@example.net')!;
    expect(guest.customer_id).toEqual(expect.any(Number));
    const profiles = (await api('GET', '/api/profiles?login=guest.buyer')).body as J[];
    expect(profiles.map((p) => p.id)).toContain(guest.customer_id);
    for (const o of orders) expect(o.customer_id, `order ${String(o.id)}`).not.toBeNull();
  });

  it('categories: no parent lists the first level only (no root); category products ignore paging', async () => {
    const first = (await api('GET', '/api/categories')).body as J[];
    expect(first.map((c) => c.name)).not.toContain('Root category');
    expect(first.every((c) => c.parent === 1)).toBe(true);
    const paged = (await api('GET', '/api/categories/4/products?itemsPerPage=1&page=2')).body as J[];
    const all = (await api('GET', '/api/categories/4/products')).body as J[];
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(1);
  });

  it('carts are not orders: /api/orders never lists them and GET /api/orders/{cartId} is 404; a wrong method is 404', async () => {
    const cart = ((await api('GET', '/api/carts')).body as J[])[0]!;
    expect((await api('GET', `/api/orders/${String(cart.id)}`)).status).toBe(404);
    expect(((await api('GET', '/api/orders?itemsPerPage=100')).body as J[]).every((o) => o.order_number !== null)).toBe(true);
    expect((await api('DELETE', '/api/orders/1')).status).toBe(404);
    expect((await api('PATCH', '/api/products/1', { amount: 1 })).status).toBe(404);
  });

  it('VAT-inclusive orders: the tax surcharge has include: true and is inside the item prices', async () => {
    const orders = (await api('GET', '/api/orders?itemsPerPage=100')).body as J[];
    const vat = orders.filter((o) => (o.surcharges as J[]).some((x) => x.type === 'tax' && x.include === true));
    expect(vat.length).toBeGreaterThanOrEqual(2);
    for (const o of vat) {
      const shipping = (o.surcharges as J[]).filter((x) => x.type === 'shipping').reduce((a, x) => a + (x.value as number), 0);
      expect(o.total).toBeCloseTo((o.sub_total as number) + shipping, 2);
    }
  });

  it('fault: an order whose product was deleted answers 500 alone and in every page that holds it', async () => {
    expect((await faults({ deletedProductOrders: [5] })).status).toBe(200);
    expect((await api('GET', '/api/orders/5')).status).toBe(500);
    expect((await api('GET', '/api/orders?itemsPerPage=100')).status).toBe(500);
    expect((await api('GET', '/api/orders?itemsPerPage=1&page=1&order[date]=asc')).status).toBe(200);
    expect((await api('GET', '/api/orders/5/payment_status')).status).toBe(200); // the status does not serialise items
    expect((await faults({ deletedProductOrders: 'x' })).status).toBe(400);
    await fetch(`${s.url}/sandbox/reset`, { method: 'POST' });
    expect((await api('GET', '/api/orders/5')).status).toBe(200);
  });

  it('faults: 200 with an HTML page; 200 with truncated JSON; sandbox endpoints stay usable', async () => {
    await faults({ htmlPage: true });
    const html = await api('GET', '/api/orders');
    expect(html.status).toBe(200);
    expect(html.type).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    await faults({ htmlPage: false, truncatedJson: true });
    const cut = await api('GET', '/api/orders');
    expect(cut.status).toBe(200);
    expect(cut.type).toMatch(/^application\/json/);
    expect(() => JSON.parse(cut.text)).toThrow();
    expect((await faults({ truncatedJson: false })).status).toBe(200);
    expect(Array.isArray((await api('GET', '/api/orders')).body)).toBe(true);
  });
});
