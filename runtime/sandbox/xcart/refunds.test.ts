/**
 * Refunds in the X-Cart sandbox over real HTTP, as X-Cart 5.5.0.29 records them (refunds.ts):
 * backend refund transactions, the payment status Order::setPaymentStatusByTransaction gives,
 * the order edit before a partial refund, returned goods.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startXcartSandbox, type XcartSandbox } from './server.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let dir: string;
let sb: XcartSandbox;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-refund-'));
  sb = await startXcartSandbox({ port: 0, stateDir: dir });
});
afterEach(async () => { await sb.close(); fs.rmSync(dir, { recursive: true, force: true }); });

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: J }> {
  const r = await fetch(sb.url + p, { method, headers: { 'x-auth-token': sb.writeToken, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) as J : {} };
}
const place = async () => {
  const o = (await call('POST', '/sandbox/orders', { email: 'r@example.com', items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'MOUSE-WL', amount: 1 }] })).body;
  await call('PUT', `/api/orders/${o.id}/payment_status`, { code: 'P' });
  return (await call('GET', `/api/orders/${o.id}`)).body;
};
const refunds = async (id: number) => ((await call('GET', `/api/orders/${id}/payment_transactions`)).body as J[])[0]!.backend_transactions as J[];

describe('X-Cart sandbox refunds', () => {
  it('a partial refund without an order edit is refundPart S and payment status PP; the rest is refund and R', async () => {
    const o = await place();
    const a = await call('POST', `/sandbox/orders/${o.id}/refund`, { amount: 10 });
    expect(a.status).toBe(200);
    expect(a.body.payment_status.code).toBe('PP');
    expect(a.body.update_date >= o.update_date).toBe(true);
    expect((await refunds(o.id)).map((b) => [b.type, b.status, b.value])).toEqual([['refundPart', 'S', 10]]);
    const b = await call('POST', `/sandbox/orders/${o.id}/refund`, { returned: true });
    expect(b.body.payment_status.code).toBe('R');
    expect(b.body.shipping_status.code).toBe('R');
    expect((await refunds(o.id)).map((x) => x.value)).toEqual([10, Math.round((o.total - 10) * 10_000) / 10_000]);
  });

  it('an order edited down and refunded the difference stays paid (P): only its transactions show the refund', async () => {
    const o = await place();
    const mouse = o.items.find((i: J) => i.sku === 'MOUSE-WL');
    const edited = await call('POST', `/sandbox/orders/${o.id}/refund`, { items: [{ sku: 'MOUSE-WL', amount: 0 }] });
    expect(edited.status).toBe(200);
    expect(edited.body.items.map((i: J) => i.sku)).toEqual(['WIDGET-100']);
    expect(edited.body.total).toBeCloseTo(o.total - mouse.price * 1.08, 2);
    expect(edited.body.payment_status.code).toBe('P');
    expect((await refunds(o.id)).map((b) => [b.type, b.value])).toEqual([['refundPart', Math.round((o.total - edited.body.total) * 10_000) / 10_000]]);
  });

  it('refuses more than is left to refund, an unknown order and a failed refund changes no status', async () => {
    const o = await place();
    expect((await call('POST', `/sandbox/orders/${o.id}/refund`, { amount: o.total + 1 })).status).toBe(400);
    expect((await call('POST', '/sandbox/orders/99999/refund', {})).status).toBe(404);
    const unpaid = (await call('POST', '/sandbox/orders', { email: 'r@example.com', items: [{ sku: 'WIDGET-100', amount: 1 }] })).body;
    expect((await call('POST', `/sandbox/orders/${unpaid.id}/refund`, {})).body.detail).toMatch(/no captured payment/);
    const f = await call('POST', `/sandbox/orders/${o.id}/refund`, { failed: true });
    expect(f.body.payment_status.code).toBe(o.payment_status.code);
    expect((await refunds(o.id)).map((b) => b.status)).toEqual(['F']);
  });
});
