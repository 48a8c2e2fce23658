/**
 * Refund writes on every sandbox install profile, through the real connector over the real SQLite3
 * ODBC driver: receivables.post_credit_memo (ARMAST ARTYPE C, ARTRAN, ARDIST, ARCUST, restock),
 * sales_orders.cancel and sales_orders.reduce (allocation, ORDAMT, ONORDER), each repeatable, and the
 * money checks that name the difference.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox, PROFILE_NAMES, sandboxProfile, type SageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';
import { optionsFromSite, type SiteKeys } from './site.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(PROFILE_NAMES)('refund writes on the %s install', (profile) => {
  let dir = '';
  let sb: SageProSandbox;
  let raw: odbc.Connection;
  let sp: SageProConnector;
  const web = sandboxProfile(profile).locations.web;
  const t = (logical: string) => sp.tables.resolve(logical).sql;
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => Array.from(await (params.length ? raw.query<Obj>(sql, params) : raw.query<Obj>(sql)));
  const one = async (sql: string, params: (string | number)[] = []) => Number(Object.values((await q(sql, params))[0]!)[0]);
  const cents = (n: number) => Math.round(n * 100) / 100;
  const onHand = () => one(`SELECT LONHAND FROM ${t('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, ['WIDGET-200'.padEnd(15), web]);
  const allocated = (item: string) => one(`SELECT LSOALOC FROM ${t('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, [item.padEnd(15), web]);
  const balance = (cust: string) => one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = ?`, [cust.padEnd(6)]);
  const onOrder = (cust: string) => one(`SELECT ONORDER FROM ${t('ARCUST')} WHERE CUSTNO = ?`, [cust.padEnd(6)]);
  const memos = (ref: string) => q(`SELECT INVNO, ARTYPE, INVAMT, BALANCE, ORNUM FROM ${t('ARMAST')} WHERE REFNO = ? ORDER BY INVNO`, [ref.padEnd(20)]);
  const error = (p: Promise<unknown>) => p.then(() => { throw new Error('expected an error'); }, (e: Error & { errorClass?: string }) => ({ message: e.message, errorClass: e.errorClass }));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-credit-memo-'));
    sb = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db'), profile });
    sp = new SageProConnector({ dsn: sb.dsn, ...optionsFromSite(sb.siteConfig as SiteKeys) });
    raw = await odbc.connect(sb.dsn);
    for (const [name, file] of Object.entries(sb.attach)) await raw.query(`ATTACH DATABASE ? AS ${name}`, [file]);
  });
  afterAll(async () => {
    await sp?.close();
    await raw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a partial and then the full refund credit the invoice once each; a repeat and a mismatch write nothing', async () => {
    await sp.postInvoice({ number: '8100', customer: 'GLOBX1', invoice_date: '2026-03-01', order_number: '4100', tax: 3.2, lines: [{ item: 'WIDGET-100', quantity: 2, price: 20 }] });
    const bal0 = await balance('GLOBX1');
    const memo = (number: string, refunded: number, more: Obj = {}) => ({ memo: { number, invoice_number: '8100', reference: 'XC-900', refunded_total: refunded, memo_date: '2026-03-05', ...more } });
    const a = await sp.call('receivables.post_credit_memo', memo('XR900-1', 10)) as Obj;
    expect(a).toMatchObject({ number: 'XR900-1', memo_type: 'C', customer: 'GLOBX1', order_number: '4100', amount: -10, balance: -10 });
    expect(a.lines).toMatchObject([{ item: '', description: 'Refund XC-900', quantity: -1, price: 10 }]);
    // The same refund again (a second event, a re-run after a crash): nothing new.
    await sp.call('receivables.post_credit_memo', memo('XR900-1', 10));
    expect((await memos('XC-900')).length).toBe(1);
    // Lines that do not add up to what is left are refused with the difference.
    const bad = await error(sp.call('receivables.post_credit_memo', memo('XR900-2', 43.2, { tax: 3.2, lines: [{ item: 'WIDGET-100', quantity: 2, price: 20 }] })));
    expect(bad).toEqual({ errorClass: 'invalid', message: expect.stringContaining('lines, charges and tax come to 43.20 but 33.20 is left to credit') });
    expect(bad.message).toContain('difference -10.00');
    const over = await error(sp.call('receivables.post_credit_memo', memo('XR900-2', 50)));
    expect(over.message).toBe('refunded 50.00 is more than invoice 8100 (43.20): difference 6.80');
    // The rest of the refund.
    const b = await sp.call('receivables.post_credit_memo', memo('XR900-2', 43.2)) as Obj;
    expect(b.amount).toBe(-33.2);
    const rows = await memos('XC-900');
    expect(rows.map((r) => [String(r.INVNO).trim(), String(r.ARTYPE), Number(r.INVAMT), String(r.ORNUM).trim()])).toEqual([['XR900-1', 'C', -10, '4100'], ['XR900-2', 'C', -33.2, '4100']]);
    expect(cents((await balance('GLOBX1')) - bal0)).toBe(-43.2);
    // Each memo's GL distribution balances.
    for (const n of ['XR900-1', 'XR900-2']) expect(cents(await one(`SELECT SUM(AMOUNT) FROM ${t('ARDIST')} WHERE TRANNO = ?`, [n.padStart(10)]))).toBe(0);
    // Everything refunded is credited: a later event writes nothing.
    await sp.call('receivables.post_credit_memo', memo('XR900-3', 43.2));
    expect((await memos('XC-900')).length).toBe(2);
    expect((await error(sp.call('receivables.post_credit_memo', { memo: { ...memo('X', 1).memo, number: 'XR901-1', invoice_number: '9999' } }))).errorClass).toBe('not_found');
  });

  it("the order's invoice stays the invoice after a credit memo against it (same ORNUM, later date)", async () => {
    await sp.createSalesOrder({ customer: 'WAYN01', order_date: '2026-03-02', external_ref: 'XC-STATUS-1', number: '88003', lines: [{ item: 'WIDGET-100', quantity: 1, price: 20 }] });
    await sp.postInvoice({ number: '8300', customer: 'WAYN01', invoice_date: '2026-03-03', order_number: '88003', lines: [{ item: 'WIDGET-100', quantity: 1, price: 20 }] });
    await sp.call('receivables.post_credit_memo', { memo: { number: 'XR903-1', invoice_number: '8300', reference: 'XC-903', refunded_total: 5, memo_date: '2026-03-09' } });
    const st = await sp.call('sales_orders.status', { number: '88003' }) as Obj;
    expect({ invoice: st.invoice_number, balance: st.invoice_balance }).toEqual({ invoice: '8300', balance: 20 });
  });

  it('returned goods are credited line by line and go back on hand once (restock)', async () => {
    await sp.postInvoice({ number: '8200', customer: 'INIT01', invoice_date: '2026-03-01', lines: [{ item: 'WIDGET-200', quantity: 3, price: 34.5 }, { description: 'Shipping', quantity: 1, price: 9.95 }] });
    const hand0 = await onHand();
    const memo = { number: 'XR901-1', invoice_number: '8200', reference: 'XC-901', refunded_total: 113.45, memo_date: '2026-03-06', restock: true, location: web,
      lines: [{ item: 'WIDGET-200', description: 'Widget 200', quantity: 3, price: 34.5 }], charges: [{ description: 'Shipping', amount: 9.95 }] };
    await sp.call('receivables.post_credit_memo', { memo });
    await sp.call('receivables.post_credit_memo', { memo });
    expect((await onHand()) - hand0).toBe(3);
    const lines = await q(`SELECT ITEM, QTYSHP, EXTPRICE, ARTYPE FROM ${t('ARTRAN')} WHERE INVNO = ? ORDER BY ITEM DESC`, ['XR901-1'.padStart(10)]);
    expect(lines.map((l) => [String(l.ITEM).trim(), Number(l.QTYSHP), Number(l.EXTPRICE), l.ARTYPE])).toEqual([['WIDGET-200', -3, -103.5, 'C'], ['', -1, -9.95, 'C']]);
  });

  it('an order refunded before invoicing is voided once: allocation and open order total released', async () => {
    const a0 = await allocated('WIDGET-100'); const o0 = await onOrder('UMBR01');
    const so = await sp.createSalesOrder({ customer: 'UMBR01', order_date: '2026-03-02', external_ref: 'XC-CANCEL-1', number: '88001', lines: [{ item: 'WIDGET-100', quantity: 2, price: 20 }] });
    expect((await allocated('WIDGET-100')) - a0).toBe(2);
    const v = await sp.call('sales_orders.cancel', { number: String(so.number) }) as Obj;
    expect(v.status).toBe('V');
    await sp.call('sales_orders.cancel', { number: String(so.number) });
    expect({ allocated: (await allocated('WIDGET-100')) - a0, on_order: cents((await onOrder('UMBR01')) - o0) }).toEqual({ allocated: 0, on_order: 0 });
    expect((await error(sp.call('sales_orders.reduce', { change: { number: '88001', lines: [{ item: 'WIDGET-100', quantity: 1 }] } }))).errorClass).toBe('conflict');
    expect((await error(sp.call('sales_orders.cancel', { number: '88999' }))).errorClass).toBe('not_found');
  });

  it('a partial refund before invoicing reduces the lines to what the store kept, to the cent, once', async () => {
    const w0 = await allocated('WIDGET-100'); const m0 = await allocated('MOUSE-WL'); const o0 = await onOrder('STRK01');
    await sp.createSalesOrder({ customer: 'STRK01', order_date: '2026-03-02', external_ref: 'XC-REDUCE-1', number: '88002', tax: 4.4,
      lines: [{ item: 'WIDGET-100', quantity: 3, price: 10 }, { item: 'MOUSE-WL', quantity: 1, price: 25 }] });
    const change = { number: '88002', tax: 0.8, expected_total: 10.8, lines: [{ item: 'WIDGET-100', quantity: 1 }, { item: 'MOUSE-WL', quantity: 0 }] };
    const wrong = await error(sp.call('sales_orders.reduce', { change: { ...change, expected_total: 12 } }));
    expect(wrong).toEqual({ errorClass: 'invalid', message: 'sales order 88002 would come to 10.80 (ORDAMT 10.00 + TAX 0.80) but the store\'s total is 12: difference 1.20' });
    const raise = await error(sp.call('sales_orders.reduce', { change: { number: '88002', lines: [{ item: 'WIDGET-100', quantity: 4 }] } }));
    expect(raise.message).toContain('more than the 3 ordered');
    const r = await sp.call('sales_orders.reduce', { change }) as Obj;
    expect({ amount: r.order_amount, tax: r.tax, lines: (r.lines as Obj[]).map((l) => [l.item, l.quantity, l.extended_price]) })
      .toEqual({ amount: 10, tax: 0.8, lines: [['WIDGET-100', 1, 10], ['MOUSE-WL', 0, 0]] });
    await sp.call('sales_orders.reduce', { change });
    expect({ widget: (await allocated('WIDGET-100')) - w0, mouse: (await allocated('MOUSE-WL')) - m0, on_order: cents((await onOrder('STRK01')) - o0) })
      .toEqual({ widget: 1, mouse: 0, on_order: 10 });
  });
});
