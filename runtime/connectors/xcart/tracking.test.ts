/**
 * Tracking numbers and the staff note through the Connect module (tracking.ts), over real HTTP against
 * the X-Cart sandbox with and without the module (runtime/sandbox/xcart/connect-module.ts): where
 * tracking.target sends a number for each connections.xcart.tracking / module setting, the writes
 * and their idempotency, the warning when a number is skipped, and the errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startXcartSandbox, type XcartSandbox } from '../../sandbox/xcart/server.js';
import { ConnectorError } from '../errors.js';
import { XcartConnector, type XcartConnectorConfig } from './connector.js';
import { MODULE_PROBE_TTL_MS } from './tracking.js';

let dir: string;
let sb: XcartSandbox;
const connectors: XcartConnector[] = [];
let warnings: { obj: Record<string, unknown>; msg: string }[];
const logger = { debug() {}, warn(obj: object, msg?: string) { warnings.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }); } };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-tracking-'));
  warnings = [];
  sb = await startXcartSandbox({ port: 0, stateDir: dir });
});
afterEach(async () => {
  await Promise.all(connectors.splice(0).map((c) => c.close()));
  await sb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function connect(cfg: Partial<XcartConnectorConfig> = {}): XcartConnector {
  const c = new XcartConnector({ baseUrl: sb.url, token: sb.writeToken, ratePerSecond: 1000, backoffMs: 10, retries: 0, logger, ...cfg });
  connectors.push(c);
  return c;
}
async function placeOrder(): Promise<number> {
  const r = await fetch(`${sb.url}/sandbox/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'roadrunner@example.com', items: [{ sku: 'WIDGET-100', amount: 1 }] }) });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: number }).id;
}
async function order(id: number): Promise<{ tracking_numbers: { value: string }[]; admin_notes: string; update_date: string }> {
  return (await fetch(`${sb.url}/api/orders/${id}`, { headers: { 'x-auth-token': sb.readToken } })).json() as never;
}
async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ConnectorError); return e as ConnectorError; }
  throw new Error('expected a rejection');
}
const probes = () => sb.requests.get('GET /api/connect/module') ?? 0;

describe('tracking numbers through the Connect module', () => {
  it('a store with the module (auto): numbers go to the order once each, partial shipments adding theirs', async () => {
    sb.connectModule.installed = true;
    const id = await placeOrder();
    const c = connect();
    expect(await c.call('tracking.target', { order_id: id, number: '1Z999AA10123456784' })).toBe('module');
    const t = await c.call('orders.set_tracking', { order_id: id, number: ' 1Z999AA10123456784 ' });
    expect(t).toMatchObject({ id: expect.any(Number), value: '1Z999AA10123456784' });
    await c.call('orders.set_tracking', { order_id: id, number: '1Z999AA10123456784' }); // the same shipment polled again
    await c.call('orders.set_tracking', { order_id: id, number: '1Z999AA10123456785' }); // a second, partial shipment
    expect((await order(id)).tracking_numbers.map((x) => x.value)).toEqual(['1Z999AA10123456784', '1Z999AA10123456785']);
    expect(await c.call('tracking.target', { order_id: id, number: 'X' })).toBe('module');
    expect(probes()).toBe(1); // detection is remembered
    expect(warnings).toEqual([]);
  });

  it('a store without the module (auto): the number is skipped with a warning naming the order and the number', async () => {
    const id = await placeOrder();
    const c = connect();
    expect(await c.call('tracking.target', { order_id: id, number: '1Z999AA10123456784' })).toBe('skip');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(`tracking number 1Z999AA10123456784 of X-Cart order ${id} is not written to X-Cart: the store has no Connect module`);
    expect(warnings[0]!.msg).toContain('install xcart-module/');
    expect(warnings[0]!.obj).toMatchObject({ order_id: id, tracking: '1Z999AA10123456784' });
    // Called anyway, the write says what is missing (invalid: dead-lettered, not retried).
    const e = await rejection(c.call('orders.set_tracking', { order_id: id, number: '1Z999AA10123456784' }));
    expect([e.errorClass, e.message]).toEqual(['invalid', expect.stringContaining('the store has no Connect module')]);
    expect((await order(id)).tracking_numbers).toEqual([]);
  });

  it('a blank number needs no request; module false and tracking skip never probe', async () => {
    const id = await placeOrder();
    expect(await connect().call('tracking.target', { order_id: id, number: '  ' })).toBe('none');
    sb.connectModule.installed = true;
    expect(await connect({ module: false }).call('tracking.target', { order_id: id, number: 'T1' })).toBe('skip');
    expect(await connect({ tracking: 'skip' }).call('tracking.target', { order_id: id, number: 'T2' })).toBe('skip');
    expect(probes()).toBe(0);
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringContaining('connections.xcart.module is false'),
      expect.stringContaining('connections.xcart.tracking is skip'),
    ]);
  });

  it('auto remembers a probe (for MODULE_PROBE_TTL_MS), and a write that meets the module re-probes at once', async () => {
    expect(MODULE_PROBE_TTL_MS).toBe(600_000);
    const id = await placeOrder();
    const c = new XcartConnector({ baseUrl: sb.url, token: sb.writeToken, ratePerSecond: 1000, retries: 0, logger });
    connectors.push(c);
    expect(await c.hasConnectModule()).toBe(false);
    sb.connectModule.installed = true;
    expect(await c.hasConnectModule()).toBe(false); // remembered
    // A write that meets the module (the flow was told "module" by a connector that had probed) works.
    await c.call('orders.set_tracking', { order_id: id, number: 'LATE-1' });
    expect((await order(id)).tracking_numbers.map((x) => x.value)).toEqual(['LATE-1']);
  });

  it('staff_note: one line per number in admin_notes (which the API itself cannot write)', async () => {
    sb.connectModule.installed = true;
    const id = await placeOrder();
    const c = connect({ tracking: 'staff_note' });
    expect(await c.call('tracking.target', { order_id: id, number: '794698765432' })).toBe('staff_note');
    await c.call('orders.add_staff_note', { order_id: id, line: 'Tracking number 794698765432 (FEDEX), Sage Pro sales order 1011' });
    await c.call('orders.add_staff_note', { order_id: id, line: 'Tracking number 794698765432 (FEDEX), Sage Pro sales order 1011' });
    await c.call('orders.add_staff_note', { order_id: id, line: 'Tracking number 794698765433 (FEDEX), Sage Pro sales order 1011' });
    expect((await order(id)).admin_notes).toBe('Tracking number 794698765432 (FEDEX), Sage Pro sales order 1011\nTracking number 794698765433 (FEDEX), Sage Pro sales order 1011');
    // Without the module the real API has no write for it: the path is 404 (catch-all route).
    sb.connectModule.installed = false;
    const r = await fetch(`${sb.url}/api/connect/orders/${id}/staff_note`, { method: 'PUT', headers: { 'x-auth-token': sb.writeToken, 'content-type': 'application/json' }, body: '{"append":"x"}' });
    expect(r.status).toBe(404);
    const put = await fetch(`${sb.url}/api/orders/${id}`, { method: 'PUT', headers: { 'x-auth-token': sb.writeToken, 'content-type': 'application/json' }, body: '{"admin_notes":"x"}' });
    expect(put.status).toBe(404);
  });

  it('a missing order is not_found; a blank or over-long number is invalid before any request', async () => {
    sb.connectModule.installed = true;
    const c = connect();
    const missing = await rejection(c.call('orders.set_tracking', { order_id: 99999, number: 'T' }));
    expect([missing.errorClass, missing.message]).toEqual(['not_found', expect.stringContaining('Order with ID 99999 not found')]);
    const id = await placeOrder();
    const before = sb.requests.get(`POST /api/connect/orders/${id}/tracking_numbers`) ?? 0;
    expect((await rejection(c.call('orders.set_tracking', { order_id: id, number: ' ' }))).errorClass).toBe('invalid');
    expect((await rejection(c.call('orders.set_tracking', { order_id: id, number: 'x'.repeat(256) }))).message).toContain('at most 255');
    expect(sb.requests.get(`POST /api/connect/orders/${id}/tracking_numbers`) ?? 0).toBe(before);
  });

  it('tracking needs the read/write token (403 with the read token: permission)', async () => {
    sb.connectModule.installed = true;
    const id = await placeOrder();
    const c = new XcartConnector({ baseUrl: sb.url, token: sb.readToken, ratePerSecond: 1000, retries: 0 });
    connectors.push(c);
    expect(await c.call('tracking.target', { order_id: id, number: 'T' })).toBe('module');
    expect((await rejection(c.call('orders.set_tracking', { order_id: id, number: 'T' }))).errorClass).toBe('permission');
  });
});
