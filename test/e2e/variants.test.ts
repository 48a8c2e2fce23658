/**
 * E2E: product variants (issue 13, "Products"). The shipped ItemToXCartProduct and InventoryToXCart
 * against both sandboxes: Sage Pro items whose SKUs are the X-Cart variants of HEADSET-PRO (the
 * ProductVariants module: HEADSET-PRO-BLK uses the product's price, HEADSET-PRO-WHT has its own)
 * give those variants their own price and stock (the variant resource, found by SKU through the
 * connector's variant index), the product's name stays as it is (a variant has no name of its own),
 * a product SKU still updates the product, and no SKU becomes a second product or variant
 * (duplicates 0). Prints `variants_updated=N products_updated=N duplicates=0 ...`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ITEMS } from '../../runtime/sandbox/sagepro/seed.js';
import { E2E, buildFlows, figures, sleep, waitFor } from './harness.js';

type Product = { id: number; sku: string; name: string; price: number; amount: number };
type Variant = { id: number; sku: string | null; price: number; default_price: boolean; amount: number; default_amount: boolean };
const VARIANT_SKUS = ['HEADSET-PRO-BLK', 'HEADSET-PRO-WHT'];

describe('e2e: Sage Pro items to X-Cart product variants', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), logLevel: 'warn' });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  const runs = (flow: string) => env.storeQuery<{ item: string; outcome: string; reason: string | null }>(
    'SELECT j.entity_id AS item, r.outcome AS outcome, j.reason AS reason FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.flow = ? ORDER BY r.id', flow);
  const idle = () => env.openJobs('ItemToXCartProduct') === 0 && env.openJobs('InventoryToXCart') === 0;
  const settle = async () => {
    for (let i = 0; i < 2; i++) { await waitFor('no open item or stock jobs', idle, 30_000); await sleep(1100); }
    await waitFor('no open item or stock jobs', idle, 30_000);
  };
  const products = async () => {
    const out: Product[] = [];
    for (let page = 1; ; page++) {
      const list = await env.xcartApi<Product[]>('GET', `/api/products?page=${page}&itemsPerPage=100`);
      out.push(...list);
      if (list.length < 100) return out;
    }
  };
  const headset = async () => (await products()).find((p) => p.sku === 'HEADSET-PRO')!;
  const variants = async () => env.xcartApi<Variant[]>('GET', `/api/products/${(await headset()).id}/variants`);
  const variant = async (sku: string) => (await variants()).find((v) => v.sku === sku);

  it('variant items give the variants their own price and stock; the product keeps its name; nothing is duplicated', async () => {
    await waitFor('the first item poll', () => runs('ItemToXCartProduct').length >= SEED_ITEMS.length, 60_000);
    await settle();
    const productName = (await headset()).name;
    const before = await variants();
    expect(before.find((v) => v.sku === 'HEADSET-PRO-BLK')).toMatchObject({ default_price: true });
    const firstItemRuns = runs('ItemToXCartProduct').length;
    const firstStockRuns = runs('InventoryToXCart').length;

    // New in Sage Pro: one item per variant (stocked at the web warehouse), and a product's new price.
    await env.addItem('HEADSET-PRO-BLK', 'Headset Pro, black', 149, 25);
    await env.addItem('HEADSET-PRO-WHT', 'Headset Pro, white', 164, 8);
    await env.sql(`UPDATE ${env.table('ICITEM')} SET PRICE = ? WHERE TRIM(ITEM) = ?`, [21.5, 'WIDGET-100']);

    await waitFor('the white variant at 164 with stock 8', async () => { const v = await variant('HEADSET-PRO-WHT'); return v?.price === 164 && v.amount === 8; }, 45_000);
    await waitFor('the black variant priced and stocked on its own', async () => { const v = await variant('HEADSET-PRO-BLK'); return v?.default_price === false && v.amount === 25; }, 45_000);
    await waitFor('WIDGET-100 at 21.50', async () => (await products()).find((p) => p.sku === 'WIDGET-100')?.price === 21.5, 45_000);
    await settle();

    // A second price change of a variant item.
    await env.sql(`UPDATE ${env.table('ICITEM')} SET PRICE = ? WHERE TRIM(ITEM) = ?`, [166, 'HEADSET-PRO-WHT']);
    await waitFor('the white variant at 166', async () => (await variant('HEADSET-PRO-WHT'))?.price === 166, 45_000);
    await settle();

    expect(await variant('HEADSET-PRO-BLK')).toMatchObject({ price: 149, default_price: false, amount: 25, default_amount: false });
    expect(await variant('HEADSET-PRO-WHT')).toMatchObject({ price: 166, default_price: false, amount: 8, default_amount: false });
    expect((await headset()).name).toBe(productName); // the variants' descriptions are not the product's name

    const itemRuns = runs('ItemToXCartProduct').slice(firstItemRuns);
    const stockRuns = runs('InventoryToXCart').slice(firstStockRuns);
    const isVariant = (r: { item: string }) => VARIANT_SKUS.some((s) => r.item.includes(s));
    const variantsUpdated = itemRuns.filter((r) => isVariant(r) && r.outcome === 'done').length;
    const productsUpdated = itemRuns.filter((r) => !isVariant(r) && r.outcome === 'done').length;
    const variantStock = stockRuns.filter((r) => isVariant(r) && r.outcome === 'done').length;
    expect(variantsUpdated).toBe(3); // BLK, WHT, WHT again
    expect(productsUpdated).toBe(1); // WIDGET-100
    expect(variantStock).toBe(2);
    expect(itemRuns.concat(stockRuns).filter((r) => isVariant(r) && /not sold in the store/.test(r.reason ?? ''))).toEqual([]);

    // Every SKU once across products and variants: no variant SKU became a product.
    const all = await products();
    const skus = [...all.map((p) => p.sku), ...(await variants()).map((v) => v.sku ?? '')];
    const counts = skus.reduce((m, s) => m.set(s.toLowerCase(), (m.get(s.toLowerCase()) ?? 0) + 1), new Map<string, number>());
    const duplicates = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    expect(duplicates).toBe(0);
    expect(all.filter((p) => VARIANT_SKUS.includes(p.sku))).toEqual([]);
    expect(await env.deadLetters('ItemToXCartProduct')).toEqual([]);
    expect(await env.deadLetters('InventoryToXCart')).toEqual([]);
    figures('e2e-variants', { variants_updated: variantsUpdated, products_updated: productsUpdated, duplicates, variant_stock_set: variantStock });
  }, 180_000);
});
