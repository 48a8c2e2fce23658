/**
 * `xcart.order.paid` (issue 13): the X-Cart order poll makes it once per order when it first sees
 * payment status P, also for an order that was awaiting payment (Q) or authorised (A) when first seen;
 * a push of `order.paid` is accepted and dedupes with the poll's. Real sandbox on loopback, real
 * store file.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { XcartConnector } from '../connectors/xcart/connector.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { openDatabase } from '../store/sqlite-driver.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { FlowModule } from '../contract.js';
import { parsePushBody } from '../http/push.js';
import { XcartPoller } from './xcart-poll.js';
import { XcartPushTrigger } from './xcart-push.js';

let dir: string;
let sandbox: XcartSandbox;
let store: SqliteStore;
let xcart: XcartConnector;

const paidFlow: LoadedFlow = {
  name: 'OrderPaidToReceivables', version: 'test',
  module: { meta: { trigger: { kind: 'event', system: 'xcart', event: 'order.paid' } } } as unknown as FlowModule,
};
const flows = new Map([[paidFlow.name, paidFlow]]);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-paid-'));
  sandbox = await startXcartSandbox({ port: 0, stateDir: path.join(dir, 'xcart') });
  store = SqliteStore.open(path.join(dir, 'flowd.db'));
  xcart = new XcartConnector({ baseUrl: sandbox.url, token: sandbox.readToken, ratePerSecond: 1000, retries: 0 });
});
afterEach(async () => {
  await xcart.close();
  await store.close();
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Order = { id: number; payment_status: { code: string } | null };
/** The order ids of the queued order.paid jobs (read-only SQL on the store file). */
const paidJobs = (): string[] => {
  const d = openDatabase(path.join(dir, 'flowd.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try { return d.prepare<{ entity_id: string }>("SELECT entity_id FROM jobs WHERE event_type = 'order.paid' ORDER BY entity_id + 0").all().map((r) => r.entity_id); } finally { d.close(); }
};

describe('xcart.order.paid', () => {
  it('once per order when its payment status becomes P: paid orders at once, Q and A orders when they are paid; a push of it dedupes with the poll', async () => {
    const orders = sandbox.state.data.orders as unknown as Order[];
    const byCode = (c: string) => orders.filter((o) => o.payment_status?.code === c).map((o) => String(o.id)).sort((a, b) => Number(a) - Number(b));
    const poller = new XcartPoller({ source: xcart, sink: store, flows, everyMs: 60_000, start: '1970-01-01T00:00:00Z' });
    await poller.pollOnce();
    // The seeded orders paid in full make the event; awaiting payment (Q), authorised (A) and partly paid (PP) do not.
    expect(paidJobs()).toEqual(byCode('P'));
    const awaiting = byCode('Q')[0]!;
    const authorised = byCode('A')[0]!;

    // The check arrives, the authorisation is captured: the store marks both paid.
    for (const id of [awaiting, authorised]) {
      const r = await fetch(`${sandbox.url}/api/orders/${id}/payment_status`, { method: 'PUT', headers: { 'X-Auth-Token': sandbox.writeToken, 'content-type': 'application/json' }, body: JSON.stringify({ code: 'P' }) });
      expect(r.status).toBe(200);
    }
    await poller.pollOnce();
    expect(paidJobs()).toEqual([...byCode('P')].sort((a, b) => Number(a) - Number(b)));
    expect(paidJobs()).toContain(awaiting);
    expect(paidJobs()).toContain(authorised);
    const before = paidJobs().length;

    // Later changes of a paid order (shipping) make no second event.
    await fetch(`${sandbox.url}/api/orders/${awaiting}/shipping_status`, { method: 'PUT', headers: { 'X-Auth-Token': sandbox.writeToken, 'content-type': 'application/json' }, body: JSON.stringify({ code: 'S' }) });
    await poller.pollOnce();
    expect(paidJobs()).toHaveLength(before);

    // The push path accepts order.paid, and it is the same job as the poll's.
    const parsed = parsePushBody(Buffer.from(JSON.stringify({ type: 'order.paid', id: Number(awaiting), occurred_at: new Date().toISOString(), data: { order_number: null } })));
    expect(parsed.ok).toBe(true);
    const push = new XcartPushTrigger({ sink: store, flows });
    const r = await push.accept((parsed as { event: Parameters<XcartPushTrigger['accept']>[0] }).event);
    expect(r.duplicate).toBe(true);
    expect(paidJobs()).toHaveLength(before);
  });
});
