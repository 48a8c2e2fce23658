/**
 * The declared rules of sales_orders.create through the real SQLite3 ODBC driver into the Sage Pro
 * sandbox: an order discount spread as SOTRAN.DISC with the rounding remainder on its own line, tax
 * computed the Sage Pro way (TAXSAMT x TAXRATE) and checked within a tolerance, and the unknown-item
 * policies (dead_letter, catch_all, create_item: a minimal ICITEM + ICILOC row).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';

const NUMBERING = { sales_order: { method: 'table' as const, table: 'SYSDATA', keyColumn: 'NUMKEY', key: 'SONO', numberColumn: 'NEXTNO', holds: 'next' as const, where: { COMPID: '01' } } };

type Row = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

describe('sales order rules: discount spread, Sage Pro tax, unknown items (SQLite3 ODBC sandbox)', () => {
  let dir = '';
  let dsn = '';
  let conn: SageProConnector;
  const q = async (sql: string, params: (string | number)[] = []): Promise<Row[]> => {
    const c = await odbc.connect(dsn);
    try { return Array.from(await c.query<Row>(sql, params)); } finally { await c.close(); }
  };
  const sotran = async (sono: unknown) => (await q('SELECT ITEM, DISC, EXTPRICE, STKCODE, TAXABLE FROM SOTRAN WHERE TRIM(SONO) = ? ORDER BY LINENO', [String(sono)]))
    .map((l) => ({ item: String(l.ITEM).trim(), disc: Number(l.DISC), ext: Number(l.EXTPRICE), stk: String(l.STKCODE), tax: String(l.TAXABLE) }));
  const invalid = async (p: Promise<unknown>): Promise<ConnectorError> => {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect((e as ConnectorError).errorClass).toBe('invalid');
    return e as ConnectorError;
  };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-rules-'));
    dsn = (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
    conn = new SageProConnector({ dsn, numbering: NUMBERING, now: () => new Date('2026-03-01T12:00:00Z') });
  });
  afterAll(async () => { await conn.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('spreads an order discount as one DISC % over the item lines; the rounding remainder is a line of its own, and ORDAMT is the store total', async () => {
    // Seven lines of 0.99 and a 1.00 coupon: 14.43 % gives 0.85 a line, 5.95 in all; the store says 5.93.
    const lines = Array.from({ length: 7 }, () => ({ item: 'WIDGET-100', quantity: 1, price: 0.99 }));
    const so = await conn.createSalesOrder({
      external_ref: 'XC-RULE-1', customer: 'ACME01', order_date: '2026-03-01', tax: 0, expected_total: 5.93, lines,
      line_discount: { amount: -1, item: 'DISCOUNT', description: 'Order discount (rounding)' },
    }) as Obj;
    const rows = await sotran(so.number);
    expect(rows.slice(0, 7).map((r) => [r.item, r.disc, r.ext])).toEqual(Array.from({ length: 7 }, () => ['WIDGET-100', 14.43, 0.85]));
    expect(rows.slice(7)).toEqual([{ item: 'DISCOUNT', disc: 0, ext: -0.02, stk: 'N', tax: 'N' }]);
    expect(so.order_amount).toBe(5.93);
    const remainder = rows[7]!.ext;
    console.log(`discount spread: lines=7 disc_pct=14.430 remainder=${remainder.toFixed(2)} ordamt=${Number(so.order_amount).toFixed(2)} store_total=5.93`);
  });

  it('a spread that cannot be a discount is refused naming the field', async () => {
    const e = await invalid(conn.createSalesOrder({ external_ref: 'XC-RULE-2', customer: 'ACME01', order_date: '2026-03-01', lines: [{ item: 'WIDGET-100', quantity: 1, price: 10 }], line_discount: { amount: -11, item: 'DISCOUNT' } }));
    expect(e.message).toContain('line_discount.amount must be a discount from 0 to -10.00');
    expect(await q("SELECT SONO FROM SOMAST WHERE EXTREF = 'XC-RULE-2'")).toEqual([]);
  });

  it('tax by Sage Pro: TAXSAMT (taxable lines, a taxable discount line included) x TAXRATE; within the tolerance booked, beyond it refused with the difference', async () => {
    const base = { customer: 'ACME01', order_date: '2026-03-01', tax_rate: 8, lines: [{ item: 'WIDGET-100', quantity: 2, price: 19.99 }],
      charges: [{ item: 'FREIGHT', description: 'Shipping cost', amount: 9.95, taxable: 'N' }, { item: 'DISCOUNT', description: 'Coupon', amount: -5, taxable: 'Y' }] };
    // The store taxed 34.98 at 8 %: 2.80; Sage Pro computes the same.
    const so = await conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-3', expected_tax: 2.8, tax_tolerance: 0.02, expected_total: 47.73 }) as Obj;
    const [h] = await q('SELECT TAX, TAXRATE, TAXSAMT, ORDAMT FROM SOMAST WHERE TRIM(SONO) = ?', [String(so.number)]);
    expect([Number(h!.TAX), Number(h!.TAXRATE), Number(h!.TAXSAMT), Number(h!.ORDAMT)]).toEqual([2.8, 8, 34.98, 44.93]);
    // A store that taxed 2.85 (e.g. rounding per line, or shipping taxed): 0.05 over a 0.02 tolerance.
    const e = await invalid(conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-4', expected_tax: 2.85, tax_tolerance: 0.02, expected_total: 47.78 }));
    expect(e.message).toContain("Sage Pro's tax 2.80 (TAXSAMT 34.98 x TAXRATE 8 %) differs from the store's tax 2.85 by -0.05, over the tolerance 0.02: tax_difference -0.05");
    expect(await q("SELECT SONO FROM SOMAST WHERE EXTREF = 'XC-RULE-4'")).toEqual([]);
    console.log('sage tax: tax=2.80 tax_difference=0.00 refused_over_tolerance=1 refused_difference=-0.05');
  });

  it('unknown items: dead_letter refuses, catch_all books the line on the catch-all item and names the SKU, create_item makes a minimal item once', async () => {
    // The site's catch-all item, stored as Sage Pro stores keys (ITEM C(15), LOCTID C(6), space-padded).
    await q('INSERT INTO ICITEM (ITEM, ITMDESC, PRICE, ITMCLSS) VALUES (?, ?, 0, ?)', ['MISC'.padEnd(15), 'Miscellaneous web item', '    ']);
    await q('INSERT INTO ICILOC (ITEM, LOCTID, LONHAND, LSOALOC, LWOALOC) VALUES (?, ?, 0, 0, 0)', ['MISC'.padEnd(15), 'MAIN'.padEnd(6)]);
    const lines = [{ item: 'WIDGET-100', quantity: 1, price: 19.99 }, { item: 'POSTER-LTD', description: 'Limited edition poster', quantity: 2, price: 24, item_class: 'GIFT' }];
    const base = { customer: 'ACME01', order_date: '2026-03-01', tax: 0, expected_total: 67.99, lines };

    const e = await invalid(conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-5' }));
    expect(e.message).toContain("line 2: unknown item 'POSTER-LTD'");

    const caught = await conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-6', unknown_items: 'catch_all', catch_all_item: 'MISC', notes: 'X-Cart order 6' }) as Obj;
    expect((await sotran(caught.number)).map((r) => [r.item, r.ext])).toEqual([['WIDGET-100', 19.99], ['MISC', 48]]);
    const [n] = await q('SELECT NOTES FROM SOMAST WHERE TRIM(SONO) = ?', [String(caught.number)]);
    expect(String(n!.NOTES)).toBe('X-Cart order 6; CATCH-ALL: POSTER-LTD booked on MISC');
    expect(await q("SELECT ITEM FROM ICITEM WHERE ITEM = 'POSTER-LTD'")).toEqual([]);
    // The result names the SKUs booked on the catch-all item (the flow warns with them), and a repeat gives the same.
    expect(caught.catch_all_skus).toEqual(['POSTER-LTD']);
    const caughtAgain = await conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-6', unknown_items: 'catch_all', catch_all_item: 'MISC', notes: 'X-Cart order 6' }) as Obj;
    expect([caughtAgain.number, caughtAgain.catch_all_skus]).toEqual([caught.number, ['POSTER-LTD']]);
    const noCatchAll = await invalid(conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-7', unknown_items: 'catch_all', catch_all_item: 'NOSUCH' }));
    expect(noCatchAll.message).toContain("the catch-all item 'NOSUCH' is not in ICITEM either");

    const made = await conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-8', unknown_items: 'create_item' }) as Obj;
    const items = await q("SELECT ITEM, ITMDESC, PRICE, ITMCLSS FROM ICITEM WHERE RTRIM(ITEM) = 'POSTER-LTD'");
    expect(items.map((r) => [String(r.ITEM).trim(), String(r.ITMDESC).trim(), Number(r.PRICE), String(r.ITMCLSS).trim()])).toEqual([['POSTER-LTD', 'Limited edition poster', 24, 'GIFT']]);
    const loc = await q("SELECT LOCTID, LONHAND, LSOALOC FROM ICILOC WHERE RTRIM(ITEM) = 'POSTER-LTD'");
    expect(loc.map((r) => [String(r.LOCTID).trim(), Number(r.LONHAND), Number(r.LSOALOC)])).toEqual([['MAIN', 0, 2]]);
    expect((await sotran(made.number)).map((r) => r.item)).toEqual(['WIDGET-100', 'POSTER-LTD']);
    expect(made.catch_all_skus).toBeUndefined();
    // A repeat returns the first order and makes nothing again.
    const again = await conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-8', unknown_items: 'create_item' }) as Obj;
    expect(again.number).toBe(made.number);
    expect((await q("SELECT COUNT(*) AS N FROM ICITEM WHERE RTRIM(ITEM) = 'POSTER-LTD'"))[0]!.N).toBe(1);
    const bad = await invalid(conn.createSalesOrder({ ...base, external_ref: 'XC-RULE-9', unknown_items: 'guess' }));
    expect(bad.message).toContain("order.unknown_items must be one of dead_letter, create_item, catch_all, not 'guess'");
    console.log(`unknown items: dead_letter_refused=1 catch_all_lines=1 catch_all_skus=${caught.catch_all_skus.join(',')} catch_all_skus_on_repeat=${caughtAgain.catch_all_skus.join(',')} items_created=1 items_created_on_repeat=0`);
  });
});
