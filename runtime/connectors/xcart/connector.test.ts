/**
 * The X-Cart connector against the sandbox over real HTTP on 127.0.0.1 (port 0).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox, type XcartSandboxOptions } from '../../sandbox/xcart/server.js';
import { XcartConnector, type XcartConnectorConfig, type OrderWatermark, xcartDate } from './connector.js';
import { ConnectorError, isTransient } from '../errors.js';

const T0 = Date.parse('2026-03-02T12:00:00Z');

let dir: string;
let clock: number;
let sandbox: XcartSandbox | undefined;
const connectors: XcartConnector[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-conn-'));
  clock = T0;
});
afterEach(async () => {
  await Promise.all(connectors.splice(0).map((c) => c.close()));
  await sandbox?.close();
  sandbox = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<XcartSandboxOptions> = {}): Promise<XcartSandbox> {
  sandbox = await startXcartSandbox({ port: 0, stateDir: dir, now: () => clock, ...opts });
  return sandbox;
}
function connect(s: XcartSandbox, cfg: Partial<XcartConnectorConfig> = {}): XcartConnector {
  const c = new XcartConnector({ baseUrl: s.url, token: s.writeToken, ratePerSecond: 1000, backoffMs: 10, ...cfg });
  connectors.push(c);
  return c;
}
async function placeOrder(s: XcartSandbox, body: object): Promise<{ id: number; order_number: string; update_date: string }> {
  const res = await fetch(`${s.url}/sandbox/orders`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: number; order_number: string; update_date: string };
}
async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ConnectorError); return e as ConnectorError; }
  throw new Error('expected a rejection');
}

describe('XcartConnector against the sandbox', () => {
  it('reads orders by id and by number; carts have no number and are ignored', async () => {
    const s = await start();
    const c = connect(s, { token: s.readToken });
    const o = await c.getOrder(1);
    expect(o.order_number).toBe('100001');
    expect(o.create_date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    expect((await c.call('orders.get_by_number', { order_number: '100002' }) as { id: number }).id).toBe(2);
    expect(await c.getOrderByNumber('999999')).toBeNull();
    expect((await rejection(c.getOrder(4242))).errorClass).toBe('not_found');

    const cart = s.state.data.orders.find((x) => x.order_number === null)!;
    expect(cart).toBeDefined();
    const changed = await c.listChangedSince(new Date(0));
    expect(changed.map((x) => x.id)).not.toContain(cart.id);
    expect(changed).toHaveLength(s.state.data.orders.length - 1);
    // oldest change first
    const dates = changed.map((x) => Date.parse(x.update_date.replace('+0000', 'Z')));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
  });

  it('pages through 250 orders placed via /sandbox/orders, 100 per page', async () => {
    const s = await start();
    const c = connect(s);
    clock = T0 + 86_400_000;
    for (let i = 0; i < 250; i++) {
      await placeOrder(s, { email: `bulk${i}@example.org`, items: [{ sku: 'WIDGET-100', amount: 1 }, { sku: 'CABLE-HDMI', amount: 2 }] });
    }
    let requests = 0;
    const seen: number[] = [];
    for await (const page of c.client.pages<{ id: number }>('/api/orders', { 'date[after]': xcartDate(T0 + 86_400_000) })) {
      requests++;
      seen.push(...page.map((o) => o.id));
    }
    expect(requests).toBe(3); // 100 + 100 + 50 (short page ends it)
    expect(new Set(seen).size).toBe(250);
    const changed = await c.listChangedSince(new Date(T0 + 86_400_000));
    expect(changed).toHaveLength(250);
  });

  it('watermark polling sees a changed order exactly once (lastRenewDate filter and desc scan)', async () => {
    for (const mode of ['lastRenewDate', 'scan'] as const) {
      await sandbox?.close();
      fs.rmSync(dir, { recursive: true, force: true });
      clock = T0;
      const s = await start({ lastRenewDateFilter: mode === 'lastRenewDate' });
      const c = connect(s);
      let wm: OrderWatermark = { since: xcartDate(0), seen: [] };
      const first = await c.pollChangedOrders(wm);
      expect(c.changedFilterMode).toBe(mode); // detected automatically
      expect(first.orders.length).toBe(12);
      wm = first.watermark;
      expect((await c.pollChangedOrders(wm)).orders).toEqual([]); // nothing new

      clock = T0 + 60_000;
      await c.setShippingStatus(3, 'S');
      const second = await c.pollChangedOrders(wm);
      expect(second.orders.map((o) => [o.id, o.shipping_status])).toEqual([[3, expect.objectContaining({ code: 'S' })]]);
      wm = second.watermark;
      expect(wm.since).toBe(xcartDate(T0 + 60_000));
      expect((await c.pollChangedOrders(wm)).orders).toEqual([]);

      // Two changes within the same second as the watermark: the new one is still delivered once.
      await c.setPaymentStatus(4, 'P');
      const third = await c.pollChangedOrders(wm);
      expect(third.orders.map((o) => o.id)).toEqual([4]);
      expect((await c.pollChangedOrders(third.watermark)).orders).toEqual([]);
      await c.close();
    }
  });

  it('the client counts what its rate limit made requests wait (part of every caller-side measure)', async () => {
    const s = await start();
    const c = connect(s, { ratePerSecond: 20, burst: 1 });
    await Promise.all([1, 2, 3].map((id) => c.getOrder(id)));
    expect(c.client.stats.requests).toBe(3);
    // Sent at once, the 2nd waits for a token (1/20 s) and the 3rd for two: a lower bound, whatever the machine.
    expect(c.client.stats.rateLimitWaitMs).toBeGreaterThan(100);
  });

  it('a 5.5.0 scan that finds nothing new reads the newest 10 orders, not a page of 100', async () => {
    const s = await start({ lastRenewDateFilter: false });
    const c = connect(s, { changedFilter: 'scan' });
    const pages: unknown[] = [];
    const get = c.client.get.bind(c.client);
    c.client.get = ((p: string, q?: Record<string, unknown>, ...rest: unknown[]) => {
      if (p === '/api/orders') pages.push(q?.itemsPerPage);
      return (get as (...a: unknown[]) => Promise<unknown>)(p, q, ...rest);
    }) as typeof c.client.get;
    const first = await c.pollChangedOrders({ since: xcartDate(0), seen: [] });
    expect(first.orders.length).toBe(12); // more than 10 changed: pages of 100 from the start
    expect(pages).toEqual([10, 100]);
    pages.length = 0;
    expect((await c.pollChangedOrders(first.watermark)).orders).toEqual([]);
    expect(pages).toEqual([10]);
    clock = T0 + 60_000;
    await c.setShippingStatus(3, 'S');
    pages.length = 0;
    expect((await c.pollChangedOrders(first.watermark)).orders.map((o) => o.id)).toEqual([3]);
    expect(pages).toEqual([10]);
  });

  it('status updates are visible on the next read and in the history; same code is a no-op', async () => {
    const s = await start();
    const c = connect(s);
    const before = await c.getOrder(4);
    expect(before.payment_status).toMatchObject({ code: 'Q' });
    clock = T0 + 5_000;
    const after = await c.call('orders.set_payment_status', { order_id: 4, code: 'P' }) as typeof before;
    expect(after.payment_status).toMatchObject({ code: 'P', name: 'Paid' });
    expect(after.update_date).toBe(xcartDate(T0 + 5_000));
    expect((await c.getOrder(4)).payment_status).toMatchObject({ code: 'P' });
    const history = await c.client.get<{ code: string }[]>('/api/orders/4/history');
    expect(history.map((h) => h.code)).toContain('CHANGE_PAYMENT_STATUS_ORDER');

    clock = T0 + 10_000;
    await c.setPaymentStatus(4, 'P'); // repeating it is harmless
    expect((await c.getOrder(4)).update_date).toBe(xcartDate(T0 + 5_000));
    expect((await c.client.get<unknown[]>('/api/orders/4/history')).length).toBe(history.length);

    const tx = await c.getPaymentTransactions(4);
    // 5.5.0.29: status is the payment method's name (OrderPaymentTransaction OutputTransformer.php:41).
    expect(tx[0]).toMatchObject({ type: 'sale', name: 'ExpressCheckout', status: 'ExpressCheckout' });

    const err = await rejection(c.setShippingStatus(4, 'BOGUS'));
    expect(err.errorClass).toBe('invalid');
    expect(err.status).toBe(400);
    expect(err.message).toContain("Status code 'BOGUS' is wrong");
  });

  it('passes unknown (custom) status codes through as strings', async () => {
    const s = await start();
    const c = connect(s);
    const o = await c.setShippingStatus(2, 'PUP');
    expect(o.shipping_status).toMatchObject({ code: 'PUP', name: 'Ready for pickup' });
    const p = await c.setPaymentStatus(2, 'CB');
    expect((p.payment_status as { code: string }).code).toBe('CB');
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const s = await start();
    const c = connect(s);
    s.faults.rateLimit = { every: 1, retryAfterSeconds: 1 };
    const started = Date.now();
    setTimeout(() => { s.faults.rateLimit = null; }, 300);
    const o = await c.getOrder(1);
    expect(o.id).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // With no retries left the error carries the delay and is transient.
    const strict = connect(s, { retries: 0 });
    s.faults.rateLimit = { every: 1, retryAfterSeconds: 7 };
    const err = await rejection(strict.getOrder(1));
    expect(isTransient(err)).toBe(true);
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(7000);
  });

  it('classifies 5xx, dropped connections and refused connections as transient', async () => {
    const s = await start();
    const c = connect(s, { retries: 1 });
    s.faults.errorRate = 1;
    const e5 = await rejection(c.getOrder(1));
    expect(e5.errorClass).toBe('transient');
    expect(e5.status).toBe(503);

    s.faults.errorRate = 0;
    s.faults.dropRate = 1;
    const drop = await rejection(c.getOrder(1));
    expect(drop.errorClass).toBe('transient');
    expect(drop.status).toBeUndefined();

    // A transient failure that clears up is retried (GET is safe to repeat).
    s.faults.dropRate = 0;
    s.faults.rateLimit = null;
    s.faults.errorRate = 1;
    setTimeout(() => { s.faults.errorRate = 0; }, 5);
    const retrying = connect(s, { retries: 5, backoffMs: 20 });
    expect((await retrying.getOrder(1)).id).toBe(1);

    const url = s.url;
    await s.close();
    sandbox = undefined;
    const refused = connect({ url } as XcartSandbox, { token: 'x', retries: 0 });
    const er = await rejection(refused.getOrder(1));
    expect(er.errorClass).toBe('transient');
    expect(er.message).toContain('ECONNREFUSED');
  });

  it('classifies a timeout as transient', async () => {
    const s = await start();
    const c = connect(s, { timeoutMs: 100, retries: 0 });
    s.faults.latencyMs = 400;
    const err = await rejection(c.getOrder(1));
    expect(err.errorClass).toBe('transient');
    expect(err.message).toMatch(/timeout/i);
    s.faults.latencyMs = 0;
  });

  it('declining an order gives its stock back', async () => {
    const s = await start();
    const c = connect(s);
    const order = await c.getOrder(10); // WIDGET-100 x5, WIDGET-200 x5, SSD-1TB x1; payment Q
    const before = (await c.findProductBySku('WIDGET-100'))!.amount;
    const after = await c.setPaymentStatus(10, 'D');
    expect(order.stock_status).toBe('reduced');
    expect(after.stock_status).toBe('increased');
    expect((await c.client.get<{ amount: number }>('/api/products/1')).amount).toBe(before + 5);
  });

  it('token rules: 401 for a bad token, 403 for a write with the read token; the token never leaks', async () => {
    const s = await start({ readToken: 'read-secret-123', writeToken: 'write-secret-456' });
    const bad = connect(s, { token: 'not-the-token' });
    const e401 = await rejection(bad.getOrder(1));
    expect([e401.errorClass, e401.status]).toEqual(['permission', 401]);

    const reader = connect(s, { token: s.readToken });
    expect((await reader.getOrder(1)).id).toBe(1);
    const e403 = await rejection(reader.setPaymentStatus(1, 'P'));
    expect([e403.errorClass, e403.status]).toEqual(['permission', 403]);
    for (const e of [e401, e403]) {
      const text = JSON.stringify(e.toJSON()) + e.message + String(e.stack);
      expect(text).not.toContain('read-secret-123');
      expect(text).not.toContain('write-secret-456');
    }
  });

  it('reports a schema violation with the entity and the field path', async () => {
    const s = await start();
    const c = connect(s);
    const o = s.state.data.orders.find((x) => x.id === 2)!;
    (o.items as Record<string, unknown>[])[0]!.amount = '1';
    s.state.save();
    const err = await rejection(c.getOrder(2));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toBe('X-Cart Order 2: field /items/0/amount must be integer, found string');
    expect(err.field).toBe('/items/0/amount');
    expect(err.operation).toBe('orders.get');

    s.state.data.products[0]!.amount = 1.5;
    const perr = await rejection(c.listProducts());
    expect(perr.message).toMatch(/^X-Cart Product 1: field \/amount must be integer, found number$/);
  });

  it('products: SKU lookup through a cached index, stock updates, variants, categories', async () => {
    const s = await start();
    const c = connect(s, { skuCacheTtlMs: 60_000 });
    let gets = 0;
    const orig = c.client.get.bind(c.client);
    c.client.get = ((...a: Parameters<typeof orig>) => { gets++; return orig(...a); }) as typeof orig;

    const p = await c.findProductBySku('ssd-1tb');
    expect(p).toMatchObject({ sku: 'SSD-1TB' });
    const afterFirst = gets;
    expect(await c.findProductBySku('GIFT-CARD-50')).toMatchObject({ inventory_traceable: false });
    expect(await c.findProductBySku('NOPE')).toBeNull();
    expect(gets).toBe(afterFirst); // served from the index

    const updated = await c.call('products.set_stock', { product_id: p!.id, amount: 7 }) as { amount: number; name: string };
    expect(updated).toMatchObject({ amount: 7, name: p!.name }); // partial update keeps the other fields
    expect((await c.findProductBySku('SSD-1TB'))!.amount).toBe(7);

    const headset = (await c.findProductBySku('HEADSET-PRO'))!;
    const variants = await c.client.get<{ id: number; sku: string }[]>(`/api/products/${headset.id}/variants`);
    const v = await c.setVariantStock(headset.id, variants[0]!.id, 3);
    expect(v).toMatchObject({ amount: 3, default_amount: false });

    const cats = await c.listCategories();
    const cables = cats.find((x) => x.name === 'Cables & power')!;
    const inCables = await c.getCategoryProducts(cables.id as number);
    expect(inCables.map((x) => x.sku)).toEqual(expect.arrayContaining(['CABLE-USB-C', 'CABLE-HDMI', 'DOCK-USB4', 'CHARGER-65W']));
    expect((await rejection(c.getCategoryProducts(999))).errorClass).toBe('not_found');
  });

  it('profiles and coupons: find, create (conflict on repeat), update', async () => {
    const s = await start();
    const c = connect(s);
    expect(await c.findProfileByEmail('JANE.DOE@example.com')).toMatchObject({ login: 'jane.doe@example.com' });
    expect(await c.findProfileByEmail('doe@example.com')).toBeNull(); // partial matches are not the profile

    const created = await c.call('profiles.create', { profile: { login: 'new.customer@example.org', language: 'de' } }) as { id: number };
    expect(created).toMatchObject({ login: 'new.customer@example.org', language: 'de', status: 'E' });
    const dup = await rejection(c.createProfile({ login: 'new.customer@example.org' }));
    expect(dup.errorClass).toBe('conflict');
    const upd = await c.updateProfile(created.id, { id: 123, status: 'D', status_comment: 'fraud check' });
    expect(upd).toMatchObject({ id: created.id, status: 'D', login: 'new.customer@example.org' });
    expect((await rejection(c.updateProfile(created.id, { login: 'not-an-email' }))).errorClass).toBe('invalid');

    const coupons = await c.listCoupons();
    expect(coupons.map((x) => x.code)).toEqual(expect.arrayContaining(['SAVE10', 'WELCOME5', 'FREESHIP']));
    const coupon = await c.createCoupon({ code: 'ERP20', type: '%', value: 20 });
    expect(coupon).toMatchObject({ code: 'ERP20', value: 20, enabled: true });
    expect((await rejection(c.createCoupon({ code: 'ERP20', type: '%', value: 20 }))).errorClass).toBe('conflict');
  });

  it('dispatch rejects unknown operations and wrong arguments before any request', async () => {
    const s = await start();
    const c = connect(s);
    expect((await rejection(c.call('orders.delete', {}))).message).toContain("no operation 'orders.delete'");
    expect((await rejection(c.call('orders.get', { order_id: 'one' }))).field).toBe('order_id');
  });

  it('keeps the rate limit on the client side', async () => {
    const s = await start();
    const c = connect(s, { ratePerSecond: 20, burst: 1 });
    const started = Date.now();
    for (let i = 0; i < 6; i++) await c.getOrder(1);
    // 1 immediately, then 5 more at 50 ms intervals
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
  });
});
