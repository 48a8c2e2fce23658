/**
 * Commit without acknowledgement, for every Sage Pro write operation: a worker process (a real
 * child, the real connector over the real SQLite3 ODBC driver, the real durable store) commits each
 * write in Sage Pro and is SIGKILLed before it records any outcome; a second worker gets the jobs
 * again when the leases expire and re-runs them. Each write must then be in Sage Pro once:
 * sales_orders.create (external_ref), customers.upsert (customer number), receivables.post_invoice
 * (invoice number), receivables.post_payment (payment_ref, recorded in ARCASH / ARDIST),
 * receivables.post_credit_memo (the memos under its REFNO, summed), sales_orders.cancel and
 * sales_orders.reduce (naturally repeatable: a voided order, quantities already at their value).
 * On every sandbox install profile, with its siteConfig (minimal: no ARCASH, so the payment's
 * reference is its ARDIST rows; vfp-modules: module databases ATTACHed in the child too).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox, PROFILE_NAMES, sandboxProfile, type SageProSandbox } from '../../sandbox/sagepro/database.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { spawnScript } from '../../store/test-support/spawn.js';
import { SageProConnector } from './connector.js';
import { optionsFromSite, type SiteKeys } from './site.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CHILD = '../../connectors/sagepro/test-support/write-child.ts';

describe.each(PROFILE_NAMES)('Sage Pro writes on the %s install: a worker killed after the ERP commit and before the outcome is recorded', (profile) => {
  let dir = '';
  let dsn = '';
  let sb: SageProSandbox;
  let raw: odbc.Connection;
  const web = sandboxProfile(profile).locations.web;
  let names: SageProConnector; // only its table resolution is used (never connects)
  const t = (logical: string) => names.tables.resolve(logical).sql;
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => Array.from(await (params.length ? raw.query<Obj>(sql, params) : raw.query<Obj>(sql)));
  const one = async (sql: string, params: (string | number)[] = []) => Number(Object.values((await q(sql, params))[0]!)[0]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-write-crash-'));
    sb = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db'), profile });
    dsn = sb.dsn;
    fs.writeFileSync(path.join(dir, 'dsn'), dsn, { mode: 0o600 });
    names = new SageProConnector({ dsn, ...optionsFromSite(sb.siteConfig as SiteKeys) });
    raw = await odbc.connect(dsn);
    for (const [name, file] of Object.entries(sb.attach)) await raw.query(`ATTACH DATABASE ? AS ${name}`, [file]);
  });
  afterAll(async () => {
    await names?.close();
    await raw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every write is in Sage Pro once after the re-run (a payment is not applied twice)', async () => {
    // The invoice the payment pays: 31.00, posted before.
    const site = sb.siteConfig as SiteKeys;
    const setup = new SageProConnector({ dsn, ...optionsFromSite(site) });
    await setup.postInvoice({ number: '7100', customer: 'ACME01', invoice_date: '2026-03-01', lines: [{ description: 'Order XC-1234', quantity: 1, price: 31 }] });
    // The invoice a refund credits (40.00), and two open orders a refund before invoicing voids or reduces.
    await setup.postInvoice({ number: '7300', customer: 'GLOBX1', invoice_date: '2026-03-01', lines: [{ item: 'WIDGET-200', quantity: 1, price: 40 }] });
    await setup.createSalesOrder({ customer: 'UMBR01', order_date: '2026-03-01', external_ref: 'XC-CRASH-V', number: '77001', lines: [{ item: 'WIDGET-200', quantity: 3, price: 30 }] });
    await setup.createSalesOrder({ customer: 'STRK01', order_date: '2026-03-01', external_ref: 'XC-CRASH-R', number: '77002', lines: [{ item: 'WIDGET-200', quantity: 4, price: 10 }] });
    await setup.close();

    const alloc0 = await one(`SELECT LSOALOC FROM ${t('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, ['WIDGET-100'.padEnd(15), web]);
    const onorder0 = await one(`SELECT ONORDER FROM ${t('ARCUST')} WHERE CUSTNO = 'ACME01'`);
    const hool0 = await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'HOOL01'`);
    const acme0 = await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'ACME01'`); // after the 31.00 invoice
    const globx0 = await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'GLOBX1'`); // after the 40.00 invoice
    const w200 = () => one(`SELECT LSOALOC FROM ${t('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, ['WIDGET-200'.padEnd(15), web]);
    const w2000 = await w200(); // 3 + 4 allocated by the two open orders

    const storeFile = path.join(dir, 'flowd.db');
    const store = SqliteStore.open(storeFile);
    const writes: [string, Obj][] = [
      ['sales_orders.create', { order: { customer: 'ACME01', order_date: '2026-03-01', external_ref: 'XC-CRASH-1', lines: [{ item: 'WIDGET-100', quantity: 2, price: 20 }, { item: 'MOUSE-WL', quantity: 1, price: 25 }] } }],
      ['customers.upsert', { customer: { number: 'W900', name: 'Crash Test', email: 'crash@example.com' } }],
      ['receivables.post_invoice', { invoice: { number: '7200', customer: 'HOOL01', invoice_date: '2026-03-01', tax: 1, lines: [{ item: 'WIDGET-100', quantity: 1, price: 19.99 }] } }],
      ['receivables.post_payment', { payment: { number: '7100', customer: 'ACME01', invoice_date: '2026-03-01', lines: [], payment_amount: 31, payment_date: '2026-03-02', payment_ref: 'XC1234', distributions: [{ account: '1010-00', amount: 31 }] } }],
      ['receivables.post_credit_memo', { memo: { number: 'XR7300-1', invoice_number: '7300', reference: 'XC-7300', refunded_total: 12.5, memo_date: '2026-03-03' } }],
      ['sales_orders.cancel', { number: '77001' }],
      ['sales_orders.reduce', { change: { number: '77002', expected_total: 10, lines: [{ item: 'WIDGET-200', quantity: 1 }] } }],
    ];
    for (const [i, [operation, args]] of writes.entries()) {
      await store.enqueue({ flow: 'SageProWrite', source: 'xcart', eventType: 'write', entityId: `w${i}`, updatedAt: 't', payload: { operation, args } });
    }
    await store.close();

    const args = (mode: string) => [storeFile, path.join(dir, 'dsn'), mode, String(writes.length), JSON.stringify(site)];
    const crash = spawnScript(CHILD, args('crash'));
    await crash.waitFor((_l, i) => crash.lines.filter((l) => l.startsWith('COMMITTED ')).length === writes.length && i >= 0);
    crash.proc.kill('SIGKILL');
    expect((await crash.exited).signal).toBe('SIGKILL');

    const check = SqliteStore.open(storeFile);
    const ids = writes.map((_w, i) => i + 1);
    const states = (await Promise.all(ids.map((id) => check.getJob(id)))).map((j) => j?.state);
    await check.close();
    expect(states).toEqual(ids.map(() => 'running')); // committed in Sage Pro, never acknowledged

    const finish = spawnScript(CHILD, args('finish'));
    await finish.waitFor((l) => l.startsWith('DONE '));
    expect((await finish.exited).code).toBe(0);

    const after = SqliteStore.open(storeFile);
    const jobs = await Promise.all(ids.map((id) => after.getJob(id)));
    await after.close();
    expect(jobs.map((j) => j?.state)).toEqual(ids.map(() => 'done'));
    const runs = jobs.reduce((t, j) => t + (j?.attempts ?? 0), 0);

    const sono = String((await q(`SELECT SONO FROM ${t('SOMAST')} WHERE EXTREF = ?`, ['XC-CRASH-1'.padEnd(30)]))[0]?.SONO ?? '');
    const f = {
      runs,
      sales_orders_per_ref: await one(`SELECT COUNT(*) FROM ${t('SOMAST')} WHERE EXTREF = ?`, ['XC-CRASH-1'.padEnd(30)]),
      order_lines: await one(`SELECT COUNT(*) FROM ${t('SOTRAN')} WHERE SONO = ?`, [sono]),
      allocated: (await one(`SELECT LSOALOC FROM ${t('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, ['WIDGET-100'.padEnd(15), web])) - alloc0,
      on_order: (await one(`SELECT ONORDER FROM ${t('ARCUST')} WHERE CUSTNO = 'ACME01'`)) - onorder0,
      customers_per_number: await one(`SELECT COUNT(*) FROM ${t('ARCUST')} WHERE CUSTNO = 'W900  '`),
      invoices_per_number: await one(`SELECT COUNT(*) FROM ${t('ARMAST')} WHERE INVNO = ?`, ['7200'.padStart(10)]),
      invoice_dist_rows: await one(`SELECT COUNT(*) FROM ${t('ARDIST')} WHERE TRANNO = ?`, ['7200'.padStart(10)]),
      invoice_customer_balance: Math.round(((await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'HOOL01'`)) - hool0) * 100) / 100,
      // The cash receipts where the install keeps them (ARCASH), else the payment's own AR rows.
      payments_applied: profile === 'minimal'
        ? (await one(`SELECT COUNT(*) FROM ${t('ARDIST')} WHERE TRANNO = ? AND ARSESS = ? AND AMOUNT > 0`, ['7100'.padStart(10), 'XC1234'.padEnd(10)]))
        : await one(`SELECT COUNT(*) FROM ${t('ARCASH')} WHERE INVNO = ? AND REFNO = ?`, ['7100'.padStart(10), 'XC1234'.padEnd(20)]),
      payment_dist_rows: await one(`SELECT COUNT(*) FROM ${t('ARDIST')} WHERE TRANNO = ? AND ARSESS = ?`, ['7100'.padStart(10), 'XC1234'.padEnd(10)]),
      invoice_paid: await one(`SELECT PAIDAMT FROM ${t('ARMAST')} WHERE INVNO = ?`, ['7100'.padStart(10)]),
      invoice_balance: await one(`SELECT BALANCE FROM ${t('ARMAST')} WHERE INVNO = ?`, ['7100'.padStart(10)]),
      payer_balance: Math.round(((await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'ACME01'`)) - acme0) * 100) / 100,
      credit_memos: await one(`SELECT COUNT(*) FROM ${t('ARMAST')} WHERE REFNO = ? AND ARTYPE = 'C'`, ['XC-7300'.padEnd(20)]),
      credited: await one(`SELECT SUM(INVAMT) FROM ${t('ARMAST')} WHERE REFNO = ? AND ARTYPE = 'C'`, ['XC-7300'.padEnd(20)]),
      memo_dist_rows: await one(`SELECT COUNT(*) FROM ${t('ARDIST')} WHERE TRANNO = ?`, ['XR7300-1'.padStart(10)]),
      credited_customer_balance: Math.round(((await one(`SELECT BALANCE FROM ${t('ARCUST')} WHERE CUSTNO = 'GLOBX1'`)) - globx0) * 100) / 100,
      voided: String((await q(`SELECT SOSTAT FROM ${t('SOMAST')} WHERE SONO = ?`, ['77001'.padStart(10)]))[0]?.SOSTAT),
      // The void releases 3, the reduce 3 of 4: each once.
      released: w2000 - (await w200()),
      reduced_amount: await one(`SELECT ORDAMT FROM ${t('SOMAST')} WHERE SONO = ?`, ['77002'.padStart(10)]),
    };
    console.log(`sagepro-write-crash-${profile}: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    expect(f).toEqual({
      runs: 14, sales_orders_per_ref: 1, order_lines: 2, allocated: 2, on_order: 65, customers_per_number: 1,
      invoices_per_number: 1, invoice_dist_rows: 3, invoice_customer_balance: 20.99,
      payments_applied: 1, payment_dist_rows: 2, invoice_paid: 31, invoice_balance: 0, payer_balance: -31,
      credit_memos: 1, credited: -12.5, memo_dist_rows: 2, credited_customer_balance: -12.5, voided: 'V', released: 6, reduced_amount: 10,
    });
  }, 60_000);
});
