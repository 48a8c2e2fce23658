/**
 * Sales order money through the real SQLite3 ODBC driver into the Sage Pro sandbox: charges
 * (shipping, discounts) are non-stock SOTRAN lines in ORDAMT, and an order whose ORDAMT + TAX does
 * not reconcile with `expected_total` to the cent is refused with the difference, writing nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';

/** The sandbox's numbering table: SYSDATA(COMPID, NUMKEY, NEXTNO) holding the next number. */
const NUMBERING = { sales_order: { method: 'table' as const, table: 'SYSDATA', keyColumn: 'NUMKEY', key: 'SONO', numberColumn: 'NEXTNO', holds: 'next' as const, where: { COMPID: '01' } } };

type Row = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

describe('sales order totals reconcile to the cent (SQLite3 ODBC sandbox)', () => {
  let dir = '';
  let dsn = '';
  let conn: SageProConnector;
  const q = async (sql: string, params: (string | number)[]): Promise<Row[]> => {
    const c = await odbc.connect(dsn);
    try { return Array.from(await c.query<Row>(sql, params)); } finally { await c.close(); }
  };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-totals-'));
    dsn = (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
    conn = new SageProConnector({ dsn, numbering: NUMBERING, now: () => new Date('2026-03-01T12:00:00Z') });
  });
  afterAll(async () => { await conn.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  const order = (ref: string, extra: Record<string, unknown> = {}) => ({
    external_ref: ref, customer: 'ACME01', order_date: '2026-03-01', tax: 3.04,
    lines: [{ item: 'WIDGET-100', description: 'Widget 100', quantity: 2, price: 19.99 }],
    ...extra,
  });

  it('books shipping and a coupon as non-stock lines: ORDAMT + TAX = the store total 47.97; only the item is allocated', async () => {
    const lvl0 = (await conn.inventoryLevel('WIDGET-100', 'MAIN')) as Obj;
    const cust0 = (await conn.getCustomer('ACME01')) as Obj;
    const so = await conn.createSalesOrder(order('XC-TOT-1', {
      expected_total: 47.97,
      charges: [{ item: 'FREIGHT', description: 'Shipping cost', amount: 9.95 }, { item: 'DISCOUNT', description: 'Coupon discount', amount: -5 }],
    }));
    expect(so.order_amount).toBe(44.93);
    expect(so.tax).toBe(3.04);
    const lines = await q('SELECT LINENO, ITEM, QTYORD, PRICE, EXTPRICE, STKCODE FROM SOTRAN WHERE TRIM(SONO) = ? ORDER BY LINENO', [String(so.number)]);
    expect(lines.map((l) => [Number(l.LINENO), String(l.ITEM).trim(), Number(l.QTYORD), Number(l.EXTPRICE), String(l.STKCODE)])).toEqual([
      [1, 'WIDGET-100', 2, 39.98, 'Y'], [2, 'FREIGHT', 1, 9.95, 'N'], [3, 'DISCOUNT', 1, -5, 'N'],
    ]);
    expect(((await conn.inventoryLevel('WIDGET-100', 'MAIN')) as Obj).allocated_sales).toBe(lvl0.allocated_sales + 2);
    expect(((await conn.getCustomer('ACME01')) as Obj).on_order).toBe(Math.round((Number(cust0.on_order) + 44.93) * 100) / 100);
    // Read back as created: the item in lines, the non-stock lines as charges.
    const back = (await conn.getSalesOrder(String(so.number))) as Obj;
    expect(back.lines.map((l: Obj) => l.item)).toEqual(['WIDGET-100']);
    expect(back.charges).toEqual([{ item: 'FREIGHT', description: 'Shipping cost', amount: 9.95 }, { item: 'DISCOUNT', description: 'Coupon discount', amount: -5 }]);
    // Shipping the goods ships the order: charge lines are not goods to ship.
    const c = await odbc.connect(dsn);
    try { await c.query("UPDATE SOTRAN SET QTYSHP = QTYORD WHERE TRIM(SONO) = ? AND STKCODE = 'Y'", [String(so.number)]); } finally { await c.close(); }
    const st = (await conn.salesOrderStatus(String(so.number))) as Obj;
    expect(st.lines.map((l: Obj) => l.item)).toEqual(['WIDGET-100']);
    expect(st.fully_shipped).toBe(true);
  });

  it('refuses an order whose lines and tax come to 43.02 against the store total 47.97, naming the difference; nothing is written', async () => {
    const lvl0 = (await conn.inventoryLevel('WIDGET-100', 'MAIN')) as Obj;
    const e = await conn.createSalesOrder(order('XC-TOT-2', { expected_total: 47.97 })).then(() => undefined, (x: unknown) => x as ConnectorError);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e!.errorClass).toBe('invalid');
    expect(e!.message).toContain('order total 43.02 (ORDAMT 39.98 + TAX 3.04) does not reconcile with the expected total 47.97: difference 4.95');
    expect(await conn.findSalesOrderByRef('XC-TOT-2')).toBeNull();
    expect(((await conn.inventoryLevel('WIDGET-100', 'MAIN')) as Obj).allocated_sales).toBe(lvl0.allocated_sales);
  });

  it('a cent is a difference; per-line rounding is what Sage Pro books', async () => {
    // 3 x 0.335 = 1.005 is booked as EXTPRICE 1.01 (half away from zero)
    const lines = [{ item: 'WIDGET-100', quantity: 3, price: 0.335 }];
    await expect(conn.createSalesOrder(order('XC-TOT-3', { tax: 0, lines, expected_total: 1.0 }))).rejects.toThrow(/difference -0\.01/);
    const ok = await conn.createSalesOrder(order('XC-TOT-4', { tax: 0, lines, expected_total: 1.01 }));
    expect(ok.order_amount).toBe(1.01);
  });
});
