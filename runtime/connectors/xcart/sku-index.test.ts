/**
 * products.find_by_sku through the SKU index (sku-index.ts), against the X-Cart sandbox over real
 * HTTP with a catalogue of a few hundred products: built once by paging, then a stock change costs
 * one PUT (no GET of the product list), and a new product is found by reading the last pages only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startXcartSandbox, type XcartSandbox } from '../../sandbox/xcart/server.js';
import { XcartConnector, type XcartConnectorConfig } from './connector.js';

let dir: string;
let sandbox: XcartSandbox;
let conn: XcartConnector | undefined;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-sku-'));
  // 18 seeded products + 250 bulk ones: 3 pages of 100.
  sandbox = await startXcartSandbox({ port: 0, stateDir: dir, products: 250, persist: 'on-close' });
});
afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function connect(cfg: Partial<XcartConnectorConfig> = {}): XcartConnector {
  conn = new XcartConnector({ baseUrl: sandbox.url, token: sandbox.writeToken, ratePerSecond: 1000, backoffMs: 10, ...cfg });
  return conn;
}
const count = (route: string) => sandbox.requests.get(route) ?? 0;
const listGets = () => count('GET /api/products');

describe('the SKU index of products.find_by_sku', () => {
  it('pages the catalogue once; each later stock change is one PUT and no GET of the product list', async () => {
    const c = connect();
    const first = await c.call('products.find_by_sku', { sku: 'BENCH-0000007' }) as { id: number; amount: number };
    expect(first).toMatchObject({ sku: 'BENCH-0000007', amount: 7 });
    expect(listGets()).toBe(3); // pages 1..3 (268 products)
    await c.call('products.set_stock', { product_id: first.id, amount: 70 });

    const before = [...sandbox.requests.values()].reduce((a, b) => a + b, 0);
    for (const sku of ['BENCH-0000100', 'bench-0000249', 'SSD-1TB']) {
      const p = await c.call('products.find_by_sku', { sku }) as { id: number };
      await c.call('products.set_stock', { product_id: p.id, amount: 3 });
    }
    const after = [...sandbox.requests.values()].reduce((a, b) => a + b, 0);
    expect(listGets()).toBe(3);
    expect(after - before).toBe(3); // three PUTs, nothing else
    // The index follows what the PUTs answered.
    expect(await c.findProductBySku('BENCH-0000007')).toMatchObject({ amount: 70 });
    expect(sandbox.state.data.products.find((p) => p.sku === 'BENCH-0000100')!.amount).toBe(3);
  });

  it('finds a product added after the index was built by reading only the last pages', async () => {
    const c = connect({ skuMissRefreshMs: 0 });
    expect(await c.findProductBySku('BENCH-0000001')).not.toBeNull();
    expect(listGets()).toBe(3);
    // Added in the store's admin (the sandbox has no POST /api/products): the next id, at the end.
    const products = sandbox.state.data.products;
    const created = { ...products[products.length - 1]!, id: (products[products.length - 1]!.id as number) + 1, sku: 'NEW-ITEM-1', amount: 4 };
    products.push(created);
    const pagesBefore = listGets();
    expect(await c.findProductBySku('new-item-1')).toMatchObject({ id: created.id, sku: 'NEW-ITEM-1', amount: 4 });
    expect(listGets() - pagesBefore).toBe(1); // page 3 holds it: not the whole catalogue again

    // A SKU the store does not have costs a look at the last page, never a walk from page 1.
    const walked = listGets();
    expect(await c.findProductBySku('NOT-IN-STORE')).toBeNull();
    expect(listGets() - walked).toBe(1);
  });

  it('an unknown SKU refreshes at most once per skuMissRefreshMs; a product gone from the store is dropped', async () => {
    const c = connect({ skuMissRefreshMs: 60_000 });
    await c.findProductBySku('BENCH-0000001');
    const pages = listGets();
    for (let i = 0; i < 5; i++) expect(await c.findProductBySku('NOT-IN-STORE')).toBeNull();
    expect(listGets()).toBe(pages);

    const p = (await c.findProductBySku('BENCH-0000002'))!;
    sandbox.state.data.products = sandbox.state.data.products.filter((x) => x.id !== p.id);
    await expect(c.setProductStock(p.id, 1)).rejects.toMatchObject({ errorClass: 'not_found' });
    expect(await c.findProductBySku('BENCH-0000002')).toBeNull();
  });
});
