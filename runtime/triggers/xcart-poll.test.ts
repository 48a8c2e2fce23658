/**
 * The X-Cart poller against the real sandbox (HTTP on loopback) and a real store file: an order the
 * store cannot serialise (HTTP 500 for it and every page that holds it) is stepped past and
 * dead-lettered once with its id and the reason, and every other order is still delivered; a 200
 * that is not JSON fails the poll as transient and loses nothing.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { XcartConnector } from '../connectors/xcart/connector.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { FlowModule } from '../contract.js';
import { UNREADABLE_ORDER_FLOW, XCART_WATERMARK, XcartPoller } from './xcart-poll.js';
import { ConnectorError } from '../connectors/errors.js';

let dir: string;
let sandbox: XcartSandbox;
let store: SqliteStore;
let xcart: XcartConnector;

const flow: LoadedFlow = {
  name: 'OrderToSalesOrder', version: 'test',
  module: { meta: { trigger: { kind: 'event', system: 'xcart', event: 'order.created' } } } as unknown as FlowModule,
};

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-poll-'));
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

const poller = () => new XcartPoller({ source: xcart, sink: store, flows: new Map([[flow.name, flow]]), everyMs: 60_000, start: '1970-01-01T00:00:00Z' });

describe('XcartPoller on real 5.5.0.29 answers', () => {
  it('steps past an order whose product was deleted: dead-letters that order id once, delivers the others', async () => {
    sandbox.faults.deletedProductOrders = [5];
    const p = poller();
    expect(await p.pollOnce()).toBe(11); // the 12 seeded orders but order 5
    const dl = await store.listDeadLetters({ flow: UNREADABLE_ORDER_FLOW });
    expect(dl).toHaveLength(1);
    expect(dl[0]!.entityId).toBe('5');
    expect(dl[0]!.reason).toMatch(/HTTP 500 for order 5 .*product was deleted/);
    const jobs = await store.status();
    expect(jobs.queueDepth).toBe(11);

    // The next polls neither stall on the page nor dead-letter the order again.
    expect(await p.pollOnce()).toBe(0);
    expect(await poller().pollOnce()).toBe(0);
    expect(await store.listDeadLetters({ flow: UNREADABLE_ORDER_FLOW })).toHaveLength(1);
  });

  it('a 200 HTML page or truncated JSON fails the poll as transient; the watermark stays and nothing is dead-lettered', async () => {
    const p = poller();
    for (const f of ['htmlPage', 'truncatedJson'] as const) {
      sandbox.faults[f] = true;
      const err = await p.pollOnce().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).errorClass).toBe('transient');
      sandbox.faults[f] = false;
    }
    expect(await store.getWatermark(XCART_WATERMARK)).toBeUndefined();
    expect(await store.listDeadLetters()).toHaveLength(0);
    expect(await p.pollOnce()).toBe(12); // once the store answers again, everything arrives
  });
});

describe('XcartPoller schedule', () => {
  it('starts a poll every interval, counted from the start of the previous one (not from its end)', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers({ now: 0 });
    try {
      const starts: number[] = [];
      const source = {
        async pollChangedOrders(wm: { since: string; seen: string[] }) {
          starts.push(Date.now());
          await new Promise((r) => setTimeout(r, 300)); // a poll that takes 300 ms
          return { orders: [], watermark: wm };
        },
      };
      const sink = { async getWatermark() { return undefined; }, async enqueueBatch() { return []; }, async deadLetterEvent() { return { duplicate: true }; } };
      const p = new XcartPoller({ source, sink: sink as never, flows: new Map([[flow.name, flow]]), everyMs: 1000 });
      p.start();
      await vi.advanceTimersByTimeAsync(3400); // the 4th poll has ended, the 5th is due at 4000
      await p.stop();
      expect(starts).toEqual([0, 1000, 2000, 3000]);
    } finally { vi.useRealTimers(); }
  });
});

describe('XcartPoller and the cutover (connections.xcart.cutover)', () => {
  const cutPoller = (cutover: ConstructorParameters<typeof XcartPoller>[0]['cutover']) =>
    new XcartPoller({ source: xcart, sink: store, flows: new Map([[flow.name, flow]]), everyMs: 60_000, start: '1970-01-01T00:00:00Z', ...(cutover ? { cutover } : {}) });

  it('makes no events for orders before the cutover, also when they change later; the watermark moves past them', async () => {
    const held: number[] = [];
    const p = new XcartPoller({ source: xcart, sink: store, flows: new Map([[flow.name, flow]]), everyMs: 60_000, start: '1970-01-01T00:00:00Z',
      cutover: { beforeNumber: 100008 }, onBeforeCutover: (n) => held.push(n) });
    expect(await p.pollOnce()).toBe(5); // 100008 … 100012 of the 12 seeded orders
    expect(p.beforeCutover).toBe(7);
    expect(held).toEqual([7]);
    expect((await store.status()).queueDepth).toBe(5);
    // An old order paid after the switch: its update_date moves, its number and placed date do not.
    const r = await fetch(`${sandbox.url}/api/orders/4/payment_status`, { method: 'PUT', headers: { 'X-Auth-Token': sandbox.writeToken, 'content-type': 'application/json' }, body: JSON.stringify({ code: 'P' }) });
    expect(r.status).toBe(200);
    expect(await p.pollOnce()).toBe(0);
    expect(p.beforeCutover).toBe(8);
    expect((await store.status()).queueDepth).toBe(5);
    expect(JSON.parse((await store.getWatermark(XCART_WATERMARK))!).since).not.toBe('1970-01-01T00:00:00Z');
  });

  it('holds back by the placed date (create_date, X-Cart\'s Order::$date), and without a cutover every order makes events', async () => {
    const all = (await xcart.listChangedSince('1970-01-01T00:00:00Z')).sort((a, b) => Date.parse(String(a.create_date).replace('+0000', 'Z')) - Date.parse(String(b.create_date).replace('+0000', 'Z')));
    const bound = Date.parse(String(all[4]!.create_date).replace('+0000', 'Z'));
    const p = cutPoller({ beforeMs: bound, beforeDate: new Date(bound).toISOString() });
    expect(await p.pollOnce()).toBe(8);
    expect(p.beforeCutover).toBe(4);
    await store.close();
    store = SqliteStore.open(path.join(dir, 'flowd2.db'));
    expect(await cutPoller(undefined).pollOnce()).toBe(12);
  });
});
