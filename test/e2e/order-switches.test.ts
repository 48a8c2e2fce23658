/**
 * E2E: OrderToSalesOrder's switches on both sandboxes (real HTTP, real ODBC, real store file), with
 * the site settings a site would write in its copy of mappings/lookups/ (order-settings.yaml,
 * order-locations.yaml, tax-rates.yaml, category-item-class.yaml). Two sites, one flowd each:
 *
 * - site B ("switches on"): store id B with order prefix B-, locations by ship-to country (CA from EAST),
 *   unknown items to the catch-all item MISC (named in NOTES and in a run-log warning), tax computed by Sage Pro within 0.02, coupons spread as
 *   line discount %, PTERMS by payment state, only US and CA orders exported;
 * - site C: unknown items become minimal Sage Pro items, their item class from the X-Cart category tree.
 *
 * Only OrderToSalesOrder is deployed (the other shipped flows read `XC-<id>` references and know no store
 * id yet). The default unknown-item policy (dead_letter) is dlq-replay.test.ts's. One figures line per switch.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { insertSandboxRow } from '../../runtime/sandbox/sagepro/database.js';
import { placeOrder, type PlaceOrderInput } from '../../runtime/sandbox/xcart/orders.js';
import { E2E, figures, REPO, waitFor, type XOrder } from './harness.js';

/** A site's build: OrderToSalesOrder alone, compiled from a copy of mappings/ whose lookups carry `site` (entries merged). */
function siteBuild(name: string, site: Record<string, Record<string, unknown>>): string {
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `e2e-switches-${name}-`));
  const src = path.join(root, 'mappings');
  const mappings = path.join(REPO, 'mappings');
  fs.cpSync(mappings, src, { recursive: true, filter: (p) => !p.startsWith(path.join(mappings, 'tests')) && (!p.endsWith('.flow') || p.endsWith('order-to-sales-order.flow')) });
  for (const [file, entries] of Object.entries(site)) {
    const f = path.join(src, 'lookups', file);
    const shipped = YAML.parse(fs.readFileSync(f, 'utf8')) as { entries?: Record<string, unknown> };
    fs.writeFileSync(f, YAML.stringify({ entries: { ...(shipped.entries ?? {}), ...entries } }));
  }
  const program = createProgram([src]);
  if (program.hasErrors) throw new Error(`flows do not check: ${program.diagnostics.map((d) => d.message).join('; ')}`);
  const build = buildProgram(program);
  if (build.typeErrors.length) throw new Error(build.typeErrors.join('\n'));
  const out = path.join(root, 'flows');
  writeBuild(build, out);
  return out;
}

type Row = Record<string, unknown>;

/**
 * Places an order as checkout leaves it, paid or awaiting payment (POST /sandbox/orders always makes
 * an order awaiting payment, Q): straight into the sandbox's data, found by flowd's X-Cart poll.
 */
function checkout(env: E2E, input: PlaceOrderInput): XOrder {
  const o = placeOrder(env.xc.state.data, input, Date.now()) as unknown as XOrder;
  env.xc.state.save();
  return o;
}
const trim = (v: unknown) => String(v ?? '').trim();

describe('e2e: order switches, site B (store id, location, catch-all, Sage Pro tax, line discount, terms, export filter)', () => {
  let env: E2E;
  beforeAll(async () => {
    const flows = siteBuild('b', {
      'order-settings.yaml': {
        store_id: 'B', order_prefix: 'B-', unknown_items: 'catch_all', catch_all_item: 'MISC', tax: 'sage_computes', tax_tolerance: '0.02',
        discounts: 'line_percent', terms_paid: 'Prepaid', terms_awaiting_payment: 'Net 30', export_countries: 'US,CA',
      },
      'order-locations.yaml': { 'country:CA': 'EAST' },
      'tax-rates.yaml': { US: 8, CA: 8 },
    });
    env = await E2E.start({ flowsDir: flows });
    // The site's catch-all item, stocked at both warehouses.
    await env.addItem('MISC', 'Miscellaneous web item', 0, 0);
    await insertSandboxRow(env.db, 'ICILOC', { ITEM: 'MISC', LOCTID: 'EAST', LONHAND: 0, LSOALOC: 0, LWOALOC: 0, ORDERPT: 0, ORDQTY: 0, MAXLEVEL: 0, LRECV: '2026-03-01' }, env.layout);
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('each switch, end to end', async () => {
    const svc = env.svc!;
    // Store A (another flowd, same Sage Pro company) already exported its order with the id this store's next order gets.
    const nextId = Number((env.xc.state.data.seq as Record<string, number>).order); // the id the next order gets (state.ts nextId)
    const storeA = await svc.sagepro.createSalesOrder({ external_ref: `XC-${nextId}`, customer: 'ACME01', order_date: '2026-03-01', tax: 0, lines: [{ item: 'WIDGET-100', quantity: 1, price: 19.99 }] }) as Row;

    const paid = checkout(env, { email: 'orders@acme.example', payment_status: 'P', coupon: 'SAVE10',
      items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'CABLE-USB-C', amount: 3 }] });
    expect(paid.id).toBe(nextId);
    const canada = checkout(env, { email: 'first.time.buyer@example.org', payment_status: 'Q',
      items: [{ sku: 'WIDGET-100', amount: 1 }, { sku: 'POSTER-LTD', amount: 2 }],
      shipping_address: { firstname: 'Wei', lastname: 'Li', street: '88 Queen St W', city: 'Toronto', state_name: 'Ontario', zipcode: 'M5H 2N2', country_code: 'CA' } });
    const germany = checkout(env, { email: 'olga.berg@example.com', payment_status: 'P', items: [{ sku: 'MOUSE-WL', amount: 1 }],
      shipping_address: { firstname: 'Olga', lastname: 'Berg', street: 'Hauptstrasse 5', city: 'Berlin', zipcode: '10115', country_code: 'DE' } });
    const placed: XOrder[] = [paid, canada, germany];

    const ref = (o: XOrder) => `XC-B-${o.id}`;
    const so = async (o: XOrder) => waitFor(`sales order ${ref(o)}`, async () => (await svc.sagepro.findSalesOrderByRef(ref(o))) as Row | null, 45_000);
    const soPaid = await so(paid);
    const soCanada = await so(canada);
    await waitFor('the German order run', async () => (await env.runs('OrderToSalesOrder')).some((r) => r.outcome === 'skipped'), 30_000);
    const runs = await env.runs('OrderToSalesOrder');
    const byRef = await env.salesOrdersByRef();
    const duplicates = placed.reduce((t, o) => t + Math.max(0, (byRef.get(ref(o)) ?? 0) - 1), 0);
    const salesOrders = placed.reduce((t, o) => t + (byRef.get(ref(o)) ?? 0), 0);
    expect(duplicates).toBe(0);
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]);
    const head = async (s: Row) => (await env.sql<Row>(`SELECT PONUM, LOCTID, DEFLOC, PTERMS, TAX, TAXRATE, TAXSAMT, ORDAMT, NOTES FROM ${env.table('SOMAST')} WHERE TRIM(SONO) = ?`, [trim(s.number)]))[0]!;
    const lines = async (s: Row) => (await env.sql<Row>(`SELECT ITEM, LOCTID, DISC, EXTPRICE, STKCODE FROM ${env.table('SOTRAN')} WHERE TRIM(SONO) = ? ORDER BY LINENO`, [trim(s.number)]))
      .map((l) => ({ item: trim(l.ITEM), loc: trim(l.LOCTID), disc: Number(l.DISC), ext: Number(l.EXTPRICE), stk: trim(l.STKCODE) }));
    const hPaid = await head(soPaid);
    const hCanada = await head(soCanada);
    const lPaid = await lines(soPaid);
    const lCanada = await lines(soCanada);

    // Store id and prefix: store B's order is its own sales order next to store A's XC-<same id>.
    expect(trim(storeA.external_ref)).toBe(`XC-${paid.id}`);
    expect(await env.countSalesOrders(`XC-${paid.id}`)).toBe(1);
    expect(trim(hPaid.PONUM)).toBe(`B-${paid.order_number}`);
    figures('e2e-switch store', { events: 3, sales_orders: salesOrders, duplicates, external_ref: ref(paid), po_number: trim(hPaid.PONUM), store_a_order_kept: 1 });

    // Export filter: the German order is skipped (countries US,CA), nothing of it in Sage Pro.
    expect(byRef.get(ref(germany)) ?? 0).toBe(0);
    const skipped = runs.filter((r) => r.outcome === 'skipped').length;
    expect(skipped).toBe(1);
    figures('e2e-switch export-filter', { events: 3, sales_orders: salesOrders, duplicates, skipped_by_country: skipped });

    // Location: the Canadian order ships from EAST, header and every line; the US order from the default MAIN.
    expect([trim(hCanada.DEFLOC), trim(hCanada.LOCTID), ...lCanada.map((l) => l.loc)]).toEqual(['EAST', 'EAST', 'EAST', 'EAST', 'EAST']);
    expect(lPaid.filter((l) => l.stk === 'Y').map((l) => l.loc)).toEqual(['MAIN', 'MAIN']);
    figures('e2e-switch location', { events: 2, sales_orders: 2, duplicates, location_ca: 'EAST', location_us: trim(hPaid.DEFLOC) });

    // Unknown item: POSTER-LTD (not in Sage Pro) booked on MISC, named in the notes; no ICITEM row made.
    const catchAll = lCanada.filter((l) => l.item === 'MISC');
    expect(catchAll.map((l) => l.ext)).toEqual([48]);
    expect(trim(hCanada.NOTES)).toContain('CATCH-ALL: POSTER-LTD booked on MISC');
    expect(await env.sql(`SELECT ITEM FROM ${env.table('ICITEM')} WHERE RTRIM(ITEM) = 'POSTER-LTD'`)).toEqual([]);
    // The run log carries a warning naming the SKU (the flow's `warn ... when` after the write), on that order's run only.
    const done = await waitFor('both exported runs recorded', async () => { const d = (await env.runs('OrderToSalesOrder')).filter((r) => r.outcome === 'done'); return d.length === 2 && d; }, 30_000);
    const warned = done.filter((r) => (r.error ?? '').includes('catch-all'));
    expect(warned.map((r) => r.error)).toEqual([`X-Cart order ${canada.order_number}: lines booked on the catch-all item MISC because Sage Pro has no item for SKU POSTER-LTD`]);
    figures('e2e-switch unknown-items-catch-all', { events: 1, sales_orders: 1, duplicates, catch_all_lines: catchAll.length, run_log_warnings: warned.length });

    // Tax by Sage Pro: TAXSAMT x 8 % equals the store's tax (within 0.02); the total reconciles to the cent.
    const storeTax = (o: XOrder) => Number(((o.surcharges as Row[]).find((s) => s.type === 'tax')!).value);
    const diffs = [[hPaid, paid], [hCanada, canada]].map(([h, o]) => Math.round((Number((h as Row).TAX) - storeTax(o as XOrder)) * 100) / 100);
    expect(diffs).toEqual([0, 0]);
    expect([Number(hPaid.TAXRATE), Number(hCanada.TAXRATE)]).toEqual([8, 8]);
    for (const [h, o] of [[hPaid, paid], [hCanada, canada]] as [Row, XOrder][]) expect(Math.round((Number(h.ORDAMT) + Number(h.TAX)) * 100) / 100).toBe(Number(o.total));
    figures('e2e-switch tax-sage-computes', { events: 2, sales_orders: 2, duplicates, tax_difference: Math.max(...diffs.map(Math.abs)).toFixed(2), taxsamt: Number(hPaid.TAXSAMT).toFixed(2) });

    // Coupon SAVE10 spread as one DISC % over the item lines; no DISCOUNT line unless a remainder is left.
    const items = lPaid.filter((l) => l.stk === 'Y');
    const pct = items[0]!.disc;
    expect(pct).toBeGreaterThan(9.99);
    expect(items.every((l) => l.disc === pct)).toBe(true);
    const remainder = lPaid.filter((l) => l.item === 'DISCOUNT').reduce((t, l) => t + l.ext, 0);
    expect(Math.round((Number(hPaid.ORDAMT) + Number(hPaid.TAX)) * 100) / 100).toBe(Number(paid.total));
    figures('e2e-switch discount-line-percent', { events: 1, sales_orders: 1, duplicates, disc_pct: pct.toFixed(3), remainder: remainder.toFixed(2), total: Number(paid.total).toFixed(2) });

    // Document by payment state: both are sales orders; PTERMS says prepaid (P) or the terms (Q).
    expect([trim(hPaid.PTERMS), trim(hCanada.PTERMS)]).toEqual(['Prepaid', 'Net 30']);
    figures('e2e-switch payment-state', { events: 2, sales_orders: 2, duplicates, terms_paid: trim(hPaid.PTERMS), terms_awaiting_payment: trim(hCanada.PTERMS) });
  }, 120_000);
});

describe('e2e: order switches, site C (unknown items become minimal Sage Pro items, item class by category tree)', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: siteBuild('c', { 'order-settings.yaml': { unknown_items: 'create_item' } }) });
    // A sub-category with no mapping: Posters (under Gifts, which category-item-class.yaml maps to GIFT) holds POSTER-LTD.
    const d = env.xc.state.data;
    const gifts = d.categories.find((c) => c.id === 6)!;
    const poster = d.products.find((p) => p.sku === 'POSTER-LTD')!;
    d.categories.push({ ...gifts, id: 7, name: 'Posters', parent: 6, clean_url: 'posters' });
    d.categoryProducts['7'] = [poster.id as number];
    d.categoryProducts['6'] = d.categoryProducts['6']!.filter((id) => id !== poster.id);
    env.xc.state.save();
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('create_item: one ICITEM (class from the nearest mapped ancestor) and ICILOC row, the order booked and allocated', async () => {
    const o = checkout(env, { email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'WIDGET-100', amount: 1 }, { sku: 'POSTER-LTD', amount: 2 }] });
    const s = await waitFor(`sales order XC-${o.id}`, async () => (await env.svc!.sagepro.findSalesOrderByRef(`XC-${o.id}`)) as Row | null, 45_000);
    const t = await env.tally([o]);
    expect(t).toMatchObject({ salesOrders: 1, duplicates: 0, lost: 0 });
    const item = await env.sql<Row>(`SELECT ITEM, ITMDESC, PRICE, ITMCLSS FROM ${env.table('ICITEM')} WHERE RTRIM(ITEM) = 'POSTER-LTD'`);
    expect(item.map((r) => [trim(r.ITMDESC), Number(r.PRICE), trim(r.ITMCLSS)])).toEqual([['Limited edition poster', 24, 'GIFT']]);
    const loc = await env.sql<Row>(`SELECT LOCTID, LSOALOC FROM ${env.table('ICILOC')} WHERE RTRIM(ITEM) = 'POSTER-LTD'`);
    expect(loc.map((r) => [trim(r.LOCTID), Number(r.LSOALOC)])).toEqual([[env.webLocation, 2]]);
    expect(((s.lines as Row[]) ?? []).map((l) => l.item)).toEqual(['WIDGET-100', 'POSTER-LTD']);
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]);
    figures('e2e-switch unknown-items-create-item', { events: 1, sales_orders: t.salesOrders, duplicates: t.duplicates, items_created: item.length, item_class: trim(item[0]!.ITMCLSS) });
  }, 120_000);
});
