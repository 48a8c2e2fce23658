/**
 * The X-Cart connector against the sandbox's real-5.5.0.29 behaviour (xcart-api.md item 9), over real
 * HTTP: classed products, the 400 answers of missing orders and duplicates, HTML and truncated 200
 * answers, the category tree and its unpaged product list, and orders the store cannot serialise.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox, type XcartSandboxOptions } from '../../sandbox/xcart/server.js';
import { XcartConnector, type XcartConnectorConfig, xcartDate } from './connector.js';
import { ConnectorError } from '../errors.js';

let dir: string;
let sandbox: XcartSandbox | undefined;
const connectors: XcartConnector[] = [];

beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-real-conn-')); });
afterEach(async () => {
  await Promise.all(connectors.splice(0).map((c) => c.close()));
  await sandbox?.close();
  sandbox = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<XcartSandboxOptions> = {}): Promise<XcartSandbox> {
  sandbox = await startXcartSandbox({ port: 0, stateDir: dir, ...opts });
  return sandbox;
}
function connect(s: XcartSandbox, cfg: Partial<XcartConnectorConfig> = {}): XcartConnector {
  const c = new XcartConnector({ baseUrl: s.url, token: s.writeToken, ratePerSecond: 1000, backoffMs: 10, retries: 0, ...cfg });
  connectors.push(c);
  return c;
}
async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ConnectorError); return e as ConnectorError; }
  throw new Error('expected a rejection');
}

describe('XcartConnector against real 5.5.0.29 behaviour', () => {
  it('find_by_sku validates only the product it returns: classed products and one odd product elsewhere do not fail lookups', async () => {
    const s = await start();
    const c = connect(s);
    expect(await c.findProductBySku('MONITOR-27')).toMatchObject({ product_class: { id: 1, name: 'Displays' }, tax_class: { id: 1, name: 'Electronics' } });
    const odd = s.state.data.products.find((p) => p.sku === 'POSTER-LTD')!;
    odd.amount = 1.5;
    s.state.save();
    const fresh = connect(s);
    expect(await fresh.findProductBySku('SSD-1TB')).toMatchObject({ sku: 'SSD-1TB' });
    const err = await rejection(fresh.findProductBySku('POSTER-LTD'));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toContain('field /amount must be integer');
  });

  it('a missing order\'s status answers 400 "Order with ID n not found": not_found; a duplicate login is a conflict', async () => {
    const s = await start();
    const c = connect(s);
    const e = await rejection(c.setPaymentStatus(999, 'P'));
    expect([e.errorClass, e.status]).toEqual(['not_found', 400]);
    expect(e.message).toContain('Order with ID 999 not found');
    const dup = await rejection(c.createProfile({ login: 'jane.doe@example.com' }));
    expect([dup.errorClass, dup.status]).toEqual(['conflict', 400]);
    expect(dup.message).toContain('Field "login" must be unique');
  });

  it('200 with an HTML page or truncated JSON is transient; well-formed JSON of the wrong shape stays invalid', async () => {
    const s = await start();
    const c = connect(s);
    s.faults.htmlPage = true;
    const html = await rejection(c.getOrder(1));
    expect(html.errorClass).toBe('transient');
    expect(html.message).toMatch(/not JSON \(text\/html.*HTML page/);
    s.faults.htmlPage = false;
    s.faults.truncatedJson = true;
    const cut = await rejection(c.listChangedSince(new Date(0)));
    expect(cut.errorClass).toBe('transient');
    expect(cut.message).toContain('truncated or garbled JSON');
    s.faults.truncatedJson = false;
    (s.state.data.orders.find((o) => o.id === 2)!.items as Record<string, unknown>[])[0]!.amount = 'two';
    expect((await rejection(c.getOrder(2))).errorClass).toBe('invalid');
  });

  it('categories: the whole tree below the root; category products in one GET even past 100 products', async () => {
    const s = await start();
    const c = connect(s);
    const d = s.state.data;
    d.categories.push({ ...d.categories[1]!, id: 7, name: 'Mice', parent: 2, clean_url: 'mice' });
    d.categoryProducts['7'] = [7];
    for (let i = 0; i < 150; i++) {
      d.products.push({ ...d.products[0]!, id: 1000 + i, sku: `BULK-${i}`, clean_url: `bulk-${i}` });
      d.categoryProducts['4']!.push(1000 + i);
    }
    s.state.save();
    const cats = await c.listCategories();
    expect(cats.map((x) => x.name)).toEqual(expect.arrayContaining(['Peripherals', 'Mice']));
    expect(cats.map((x) => x.name)).not.toContain('Root category');
    const many = await c.getCategoryProducts(4);
    expect(many.length).toBe(d.categoryProducts['4']!.length);
    expect(new Set(many.map((p) => p.id)).size).toBe(many.length);
  }, 20_000);

  for (const version of ['5.5.0', '5.5.1'] as const) {
    it(`polling steps past an order the store cannot serialise and names its id (${version})`, async () => {
      const s = await start({ xcartVersion: version });
      const c = connect(s);
      s.faults.deletedProductOrders = [5];
      const { orders, unreadable } = await c.scanChanged(new Date(0));
      expect(c.changedFilterMode).toBe(version === '5.5.0' ? 'scan' : 'lastRenewDate');
      expect(orders.map((o) => o.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]);
      expect(unreadable).toHaveLength(1);
      expect(unreadable[0]!.orderId).toBe(5);
      expect(unreadable[0]!.reason).toMatch(/HTTP 500 for order 5/);

      // The rest of the poll works as usual, and the known unreadable order is probed first.
      let probes = 0;
      const orig = c.client.get.bind(c.client);
      c.client.get = ((...a: Parameters<typeof orig>) => { if (/^\/api\/orders\/\d+$/.test(a[0])) probes++; return orig(...a); }) as typeof orig;
      const wm = await c.pollChangedOrders({ since: xcartDate(0), seen: [] });
      expect(wm.orders).toHaveLength(11);
      expect(wm.unreadable.map((u) => u.orderId)).toEqual([5]);
      expect(probes).toBe(1);
      c.client.get = orig;
      // A store that answers 500 for everything is an outage, not broken orders.
      s.faults.deletedProductOrders = [];
      s.faults.errorRate = 0;
      const real500 = s.state.data.orders.map((o) => o.id as number);
      s.faults.deletedProductOrders = real500;
      const outage = await rejection(c.scanChanged(new Date(0)));
      expect([outage.errorClass, outage.status]).toEqual(['transient', 500]);
    }, 30_000);
  }
});
