/**
 * variants.find_by_sku through the variant index (variant-index.ts), against the X-Cart sandbox over
 * real HTTP: the 5.5 API has no variant SKU filter, so the first look-up lists each product's
 * variants once (one GET per product); later look-ups and variant writes cost no listing; a product
 * added later is scanned on a miss; a variant's price and stock writes set default_price /
 * default_amount false and keep the index in step.
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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-variant-sku-'));
  sandbox = await startXcartSandbox({ port: 0, stateDir: dir, persist: 'on-close' });
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
const variantGets = () => [...sandbox.requests.entries()].filter(([k]) => /^GET \/api\/products\/\d+\/variants$/.test(k)).reduce((a, [, n]) => a + n, 0);
const total = () => [...sandbox.requests.values()].reduce((a, b) => a + b, 0);
async function waitForValue<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  throw new Error('timed out');
}
type V = { id: number; product_id: number; sku: string; price: number; default_price: boolean; amount: number; default_amount: boolean };

describe('the variant index of variants.find_by_sku', () => {
  it('lists each product\'s variants once, then finds variants by SKU (any case) with their product id', async () => {
    const c = connect();
    const headset = (await c.findProductBySku('HEADSET-PRO'))!;
    const products = sandbox.state.data.products.length;
    const wht = await c.call('variants.find_by_sku', { sku: 'headset-pro-wht' }) as V;
    expect(wht).toMatchObject({ sku: 'HEADSET-PRO-WHT', product_id: headset.id, price: 159, default_price: false, default_amount: false });
    expect(variantGets()).toBe(products); // one GET per product, once
    expect(await c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-BLK' })).toMatchObject({ product_id: headset.id, default_price: true });
    expect(await c.call('variants.find_by_sku', { sku: 'WIDGET-100' })).toBeNull(); // a product's SKU is not a variant's
    expect(await c.call('variants.find_by_sku', { sku: '' })).toBeNull();
    expect(variantGets()).toBe(products);
  });

  it('price and stock writes give the variant its own price and stock; the index follows the answers, no listing again', async () => {
    const c = connect();
    const blk = await c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-BLK' }) as V;
    const before = total();
    expect(await c.call('variants.update', { product_id: blk.product_id, variant_id: blk.id, price: 151.25 })).toMatchObject({ price: 151.25, default_price: false });
    expect(await c.call('variants.set_stock', { product_id: blk.product_id, variant_id: blk.id, amount: 9 })).toMatchObject({ amount: 9, default_amount: false, price: 151.25 });
    expect(total() - before).toBe(2); // two PUTs
    expect(await c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-BLK' })).toMatchObject({ price: 151.25, default_price: false, amount: 9 });
    expect(total() - before).toBe(2);
    const stored = Object.values(sandbox.state.data.variants).flat().find((v) => v.sku === 'HEADSET-PRO-BLK')!;
    expect(stored).toMatchObject({ price: 151.25, default_price: false, amount: 9, default_amount: false });
  });

  it('the first listing goes on in the background: a look-up that waited variantIndexWaitMs fails as transient, a later one finds the variant', async () => {
    sandbox.faults.latencyMs = 40; // 18 products: the variant listing takes about 0.7 s
    const c = connect({ variantIndexWaitMs: 100 });
    await expect(c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-WHT' })).rejects.toMatchObject({
      errorClass: 'transient', message: expect.stringMatching(/listing every product's variants .*: \d+ of 18 products so far/),
    });
    const v = await waitForValue(() => c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-WHT' }).catch(() => undefined));
    expect(v).toMatchObject({ sku: 'HEADSET-PRO-WHT' });
    expect(variantGets()).toBe(18); // one listing, not one per attempt
  });

  it('a variant of a product added later is found by scanning only the new products; a deleted variant is dropped', async () => {
    const c = connect({ skuMissRefreshMs: 0 });
    expect(await c.call('variants.find_by_sku', { sku: 'HEADSET-PRO-WHT' })).not.toBeNull();
    const products = sandbox.state.data.products;
    const last = products[products.length - 1]!;
    const added = { ...last, id: (last.id as number) + 1, sku: 'TSHIRT', name: 'T-shirt' };
    products.push(added);
    sandbox.state.data.variants[String(added.id)] = [{ ...Object.values(sandbox.state.data.variants)[0]![0]!, id: 901, sku: 'TSHIRT-M', default_variant: true }];
    const gets = variantGets();
    expect(await c.call('variants.find_by_sku', { sku: 'TSHIRT-M' })).toMatchObject({ id: 901, product_id: added.id });
    expect(variantGets() - gets).toBe(1); // the new product only

    sandbox.state.data.variants[String(added.id)] = [];
    await expect(c.call('variants.set_stock', { product_id: added.id, variant_id: 901, amount: 1 })).rejects.toMatchObject({ errorClass: 'not_found' });
    expect(await c.call('variants.find_by_sku', { sku: 'TSHIRT-M' })).toBeNull();
  });
});
