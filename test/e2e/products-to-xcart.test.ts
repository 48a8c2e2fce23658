/**
 * E2E: products (issue 13). ItemToXCartProduct against both sandboxes: Sage Pro item (ICITEM)
 * description and price changes reach the X-Cart product with that SKU, an item the store does not
 * sell is skipped with the reason, a new item of a web product line (lookups/web-items.yaml: WEB)
 * becomes a disabled X-Cart product with stock 0 (create_disabled: true in this site's lookups),
 * whose stock then follows Sage Pro's next stock change (InventoryToXCart), and a change of other columns (a sale's
 * on-hand) writes nothing. Every SKU stays one product (duplicates 0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { insertSandboxRow } from '../../runtime/sandbox/sagepro/database.js';
import { SEED_ITEMS } from '../../runtime/sandbox/sagepro/seed.js';
import { E2E, figures, REPO, sleep, waitFor } from './harness.js';

/** The shipped flows, built from a copy of mappings/ whose site lookups create disabled products. */
function buildSiteFlows(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-products-'));
  const src = path.join(root, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), src, { recursive: true, filter: (p) => !p.includes(`${path.sep}tests`) });
  fs.writeFileSync(path.join(src, 'lookups', 'item-to-xcart-product.yaml'), 'entries:\n  create_disabled: true\n  update_name: true\n  update_price: true\n');
  const program = createProgram([src]);
  if (program.hasErrors) throw new Error(program.diagnostics.map((d) => d.message).join('; '));
  const build = buildProgram(program);
  if (build.typeErrors.length) throw new Error(build.typeErrors.join('\n'));
  const out = path.join(root, 'flows');
  writeBuild(build, out);
  return out;
}

type Product = { id: number; sku: string; name: string; price: number; enabled: boolean; amount: number };

describe('e2e: Sage Pro items to X-Cart products (ItemToXCartProduct)', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildSiteFlows(), logLevel: 'warn' });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  const runs = () => env.storeQuery<{ item: string; outcome: string; reason: string | null }>(
    "SELECT j.entity_id AS item, r.outcome AS outcome, j.reason AS reason FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.flow = 'ItemToXCartProduct' ORDER BY r.id");
  const settle = async (rounds = 2) => {
    for (let i = 0; i < rounds; i++) {
      await waitFor('no open item jobs', () => env.openJobs('ItemToXCartProduct') === 0 && env.openJobs('InventoryToXCart') === 0, 30_000);
      await sleep(1100);
    }
    await waitFor('no open item jobs', () => env.openJobs('ItemToXCartProduct') === 0 && env.openJobs('InventoryToXCart') === 0, 30_000);
  };
  const products = async () => {
    const out: Product[] = [];
    for (let page = 1; ; page++) {
      const list = await env.xcartApi<Product[]>('GET', `/api/products?page=${page}&itemsPerPage=100`);
      out.push(...list);
      if (list.length < 100) return out;
    }
  };
  const bySku = async (sku: string) => (await products()).find((p) => p.sku === sku);

  it('description and price changes reach the product; not-in-store items are skipped; new web items are created disabled', async () => {
    // The first poll reads every ICITEM row: each product the store sells takes Sage Pro's name and price.
    await waitFor('the first item poll', () => runs().length >= SEED_ITEMS.length, 60_000);
    await settle();
    for (const it of SEED_ITEMS) expect(await bySku(it.item), it.item).toMatchObject({ name: it.desc, price: it.price });
    const first = runs().length;

    // Changes made in Sage Pro.
    await env.sql(`UPDATE ${env.table('ICITEM')} SET PRICE = ? WHERE TRIM(ITEM) = ?`, [21.5, 'WIDGET-100']);
    await env.sql(`UPDATE ${env.table('ICITEM')} SET ITMDESC = ? WHERE TRIM(ITEM) = ?`, ['Gadget 300, second edition', 'GADGET-300']);
    await env.sql(`UPDATE ${env.table('ICITEM')} SET IONHAND = IONHAND - 1, ILSALE = ? WHERE TRIM(ITEM) = ?`, ['2026-11-30', 'WIDGET-200']); // a sale: no name or price change
    await env.addItem('BOLT-M8', 'Bolt M8 x 40', 0.12, 5000); // product line HW: not for the web, not in the store
    await insertSandboxRow(env.db, 'ICITEM', { ITEM: 'LAMP-DESK-01', ITMDESC: 'Desk lamp, LED', ITMCLSS: 'LAMP', PLINID: 'WEB', PRICE: 35, IONHAND: 12, UMEASUR: 'EA', ADDUSER: 'TEST', ADDDATE: '2026-11-30', ADDTIME: '09:00:00' }, env.layout);
    await insertSandboxRow(env.db, 'ICILOC', { ITEM: 'LAMP-DESK-01', LOCTID: env.webLocation, LONHAND: 12, LSOALOC: 0, LWOALOC: 0, ORDERPT: 0, ORDQTY: 0, MAXLEVEL: 0, LRECV: '2026-11-30' }, env.layout);

    await waitFor('WIDGET-100 at 21.50', async () => (await bySku('WIDGET-100'))?.price === 21.5, 45_000);
    await waitFor('GADGET-300 renamed', async () => (await bySku('GADGET-300'))?.name === 'Gadget 300, second edition', 45_000);
    const lamp = await waitFor('the new web product', () => bySku('LAMP-DESK-01'), 45_000);
    await settle(3);

    // Created disabled with stock 0 (not X-Cart's default 1000). Its ICILOC row may have been polled
    // before the product existed (skipped: not in the store), so the stock follows Sage Pro from its
    // next ICILOC change (a receipt here), through InventoryToXCart.
    expect(lamp).toMatchObject({ name: 'Desk lamp, LED', price: 35, enabled: false, amount: 0 });
    await env.sql(`UPDATE ${env.table('ICILOC')} SET LONHAND = ? WHERE TRIM(ITEM) = ? AND TRIM(LOCTID) = ?`, [15, 'LAMP-DESK-01', env.webLocation]);
    await waitFor('the new product\'s stock from Sage Pro', async () => (await bySku('LAMP-DESK-01'))?.amount === 15, 45_000);
    expect(await bySku('LAMP-DESK-01')).toMatchObject({ enabled: false, amount: 15 });
    expect(await bySku('BOLT-M8')).toBeUndefined();
    expect(await bySku('WIDGET-200')).toMatchObject({ name: 'Widget 200, heavy duty', price: 34.5 });

    const later = runs().slice(first);
    const skippedNotInStore = later.filter((r) => r.outcome === 'skipped' && /not sold in the store/.test(r.reason ?? ''));
    const unchanged = later.filter((r) => r.outcome === 'skipped' && /already has/.test(r.reason ?? ''));
    const written = later.filter((r) => r.outcome === 'done');
    expect(skippedNotInStore.map((r) => r.item)).toEqual(['BOLT-M8']);
    expect(unchanged.map((r) => r.item)).toEqual(['WIDGET-200']);
    expect(written.map((r) => r.item).sort()).toEqual(['GADGET-300', 'LAMP-DESK-01', 'WIDGET-100']);
    const counts = (await products()).reduce((m, p) => m.set(p.sku, (m.get(p.sku) ?? 0) + 1), new Map<string, number>());
    const duplicates = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    expect(duplicates).toBe(0);
    expect(await env.deadLetters('ItemToXCartProduct')).toEqual([]);
    figures('e2e-products-to-xcart', {
      items_changed: runs().length, products_updated: runs().filter((r) => r.outcome === 'done').length - 1, products_created_disabled: 1,
      skipped_not_in_store: runs().filter((r) => r.outcome === 'skipped' && /not sold in the store/.test(r.reason ?? '')).length, unchanged_skipped: unchanged.length, duplicates,
    });
  }, 180_000);
});
