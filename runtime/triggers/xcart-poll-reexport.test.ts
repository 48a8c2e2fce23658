/**
 * Re-export (issue 13): the X-Cart order poll records each order's export state (payment status,
 * shipping status, ship-to country) and delivers `order.created` again, once per new state, when a
 * later poll sees the order changed; the first sight only records it, and a change that leaves the
 * state alone (a note, a total) delivers nothing. Real sandbox on loopback, real store file.
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
import { XCART_EXPORT_STATE, XcartPoller } from './xcart-poll.js';

let dir: string;
let sandbox: XcartSandbox;
let store: SqliteStore;
let xcart: XcartConnector;

const flow: LoadedFlow = {
  name: 'OrderToSalesOrder', version: 'test',
  module: { meta: { trigger: { kind: 'event', system: 'xcart', event: 'order.created' } } } as unknown as FlowModule,
};

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-reexport-'));
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

/** order.created jobs of one order, by dedupe key (read-only SQL on the store file). */
const createdJobs = (id: number): string[] => {
  const d = openDatabase(path.join(dir, 'flowd.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try { return d.prepare<{ dedupe_key: string }>("SELECT dedupe_key FROM jobs WHERE event_type = 'order.created' AND entity_id = ? ORDER BY id").all(String(id)).map((r) => r.dedupe_key); } finally { d.close(); }
};
const put = (p: string, body: unknown) => fetch(`${sandbox.url}${p}`, { method: 'PUT', headers: { 'X-Auth-Token': sandbox.writeToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('XcartPoller re-export', () => {
  it('an order seen in another export state gets order.created again, once per state; the first sight only records it', async () => {
    const orders = sandbox.state.data.orders as unknown as { id: number; payment_status: { code: string } | null; shipping_status: { code: string } | null; shipping_address?: { country_code?: string } }[];
    const awaiting = orders.find((o) => o.payment_status?.code === 'Q')!;
    const country = awaiting.shipping_address?.country_code;
    const poller = new XcartPoller({ source: xcart, sink: store, flows: new Map([[flow.name, flow]]), everyMs: 60_000, start: '1970-01-01T00:00:00Z' });
    await poller.pollOnce();
    expect(createdJobs(awaiting.id)).toEqual([JSON.stringify(['xcart', 'order.created', String(awaiting.id)])]);
    expect(await store.getRowHash(XCART_EXPORT_STATE, String(awaiting.id))).toBe(`Q/${awaiting.shipping_status?.code}/${country}`);

    // Paid: another state, one more delivery under that state's key.
    expect((await put(`/api/orders/${awaiting.id}/payment_status`, { code: 'P' })).status).toBe(200);
    await poller.pollOnce();
    const paidState = `P/${awaiting.shipping_status?.code}/${country}`;
    expect(createdJobs(awaiting.id)).toEqual([
      JSON.stringify(['xcart', 'order.created', String(awaiting.id)]),
      JSON.stringify(['xcart', 'order.created', String(awaiting.id), 'again', paidState]),
    ]);
    // A poll that sees nothing new, and a restarted poller, deliver nothing more.
    await poller.pollOnce();
    await new XcartPoller({ source: xcart, sink: store, flows: new Map([[flow.name, flow]]), everyMs: 60_000, start: '1970-01-01T00:00:00Z' }).pollOnce();
    expect(createdJobs(awaiting.id)).toHaveLength(2);

    // Shipped: a third state, a third delivery; the other orders were never delivered again.
    expect((await put(`/api/orders/${awaiting.id}/shipping_status`, { code: 'S' })).status).toBe(200);
    await poller.pollOnce();
    expect(createdJobs(awaiting.id)).toHaveLength(3);
    for (const o of orders.filter((x) => x.id !== awaiting.id)) expect(createdJobs(o.id).length).toBeLessThanOrEqual(1);
  });
});
