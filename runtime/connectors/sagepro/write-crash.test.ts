/**
 * Commit without acknowledgement, for every Sage Pro write operation: a worker process (a real
 * child, the real connector over the real SQLite3 ODBC driver, the real durable store) commits each
 * write in Sage Pro and is SIGKILLed before it records any outcome; a second worker gets the jobs
 * again when the leases expire and re-runs them. Each write must then be in Sage Pro once:
 * sales_orders.create (external_ref), customers.upsert (customer number), receivables.post_invoice
 * (invoice number), receivables.post_payment (payment_ref, recorded in ARCASH / ARDIST).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { spawnScript } from '../../store/test-support/spawn.js';
import { SageProConnector } from './connector.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SYSDATA = (key: string) => ({ method: 'table' as const, table: 'SYSDATA', keyColumn: 'NUMKEY', key, numberColumn: 'NEXTNO', holds: 'next' as const, where: { COMPID: '01' } });
const NUMBERING = { sales_order: SYSDATA('SONO'), ar_session: SYSDATA('ARSESS') };
const CHILD = '../../connectors/sagepro/test-support/write-child.ts';

describe('Sage Pro writes: a worker killed after the ERP commit and before the outcome is recorded', () => {
  let dir = '';
  let dsn = '';
  let raw: odbc.Connection;
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => Array.from(await (params.length ? raw.query<Obj>(sql, params) : raw.query<Obj>(sql)));
  const one = async (sql: string, params: (string | number)[] = []) => Number(Object.values((await q(sql, params))[0]!)[0]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-write-crash-'));
    dsn = (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
    fs.writeFileSync(path.join(dir, 'dsn'), dsn, { mode: 0o600 });
    raw = await odbc.connect(dsn);
    // The cash-receipts table (reference 0b), plain SQL, where the sandbox has none yet.
    const hasCash = (await raw.tables(null, null, 'arcash', null)).length > 0;
    if (!hasCash) {
      await raw.query('CREATE TABLE arcash (CUSTNO CHAR(6), INVNO CHAR(10), INVDTE DATE, REFNO CHAR(20), DTEPAID DATE, PONUM CHAR(20), DISAMT NUMERIC(14,2), PAIDAMT NUMERIC(14,2), ADDUSER CHAR(4), ADDDATE DATE, ADDTIME CHAR(8))');
    }
  });
  afterAll(async () => {
    await raw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every write is in Sage Pro once after the re-run (a payment is not applied twice)', async () => {
    // The invoice the payment pays: 31.00, posted before.
    const setup = new SageProConnector({ dsn, numbering: NUMBERING });
    await setup.postInvoice({ number: '7100', customer: 'ACME01', invoice_date: '2026-03-01', lines: [{ description: 'Order XC-1234', quantity: 1, price: 31 }] });
    await setup.close();

    const alloc0 = await one("SELECT LSOALOC FROM iciloc WHERE ITEM = ? AND LOCTID = 'MAIN  '", ['WIDGET-100'.padEnd(15)]);
    const onorder0 = await one("SELECT ONORDER FROM arcust WHERE CUSTNO = 'ACME01'");
    const hool0 = await one("SELECT BALANCE FROM arcust WHERE CUSTNO = 'HOOL01'");
    const acme0 = await one("SELECT BALANCE FROM arcust WHERE CUSTNO = 'ACME01'"); // after the 31.00 invoice

    const storeFile = path.join(dir, 'flowd.db');
    const store = SqliteStore.open(storeFile);
    const writes: [string, Obj][] = [
      ['sales_orders.create', { order: { customer: 'ACME01', order_date: '2026-03-01', external_ref: 'XC-CRASH-1', lines: [{ item: 'WIDGET-100', quantity: 2, price: 20 }, { item: 'MOUSE-WL', quantity: 1, price: 25 }] } }],
      ['customers.upsert', { customer: { number: 'W900', name: 'Crash Test', email: 'crash@example.com' } }],
      ['receivables.post_invoice', { invoice: { number: '7200', customer: 'HOOL01', invoice_date: '2026-03-01', tax: 1, lines: [{ item: 'WIDGET-100', quantity: 1, price: 19.99 }] } }],
      ['receivables.post_payment', { payment: { number: '7100', customer: 'ACME01', invoice_date: '2026-03-01', lines: [], payment_amount: 31, payment_date: '2026-03-02', payment_ref: 'XC1234', distributions: [{ account: '1010-00', amount: 31 }] } }],
    ];
    for (const [i, [operation, args]] of writes.entries()) {
      await store.enqueue({ flow: 'SageProWrite', source: 'xcart', eventType: 'write', entityId: `w${i}`, updatedAt: 't', payload: { operation, args } });
    }
    await store.close();

    const args = (mode: string) => [storeFile, path.join(dir, 'dsn'), mode, String(writes.length), JSON.stringify(NUMBERING)];
    const crash = spawnScript(CHILD, args('crash'));
    await crash.waitFor((_l, i) => crash.lines.filter((l) => l.startsWith('COMMITTED ')).length === writes.length && i >= 0);
    crash.proc.kill('SIGKILL');
    expect((await crash.exited).signal).toBe('SIGKILL');

    const check = SqliteStore.open(storeFile);
    const states = (await Promise.all([1, 2, 3, 4].map((id) => check.getJob(id)))).map((j) => j?.state);
    await check.close();
    expect(states).toEqual(['running', 'running', 'running', 'running']); // committed in Sage Pro, never acknowledged

    const finish = spawnScript(CHILD, args('finish'));
    await finish.waitFor((l) => l.startsWith('DONE '));
    expect((await finish.exited).code).toBe(0);

    const after = SqliteStore.open(storeFile);
    const jobs = await Promise.all([1, 2, 3, 4].map((id) => after.getJob(id)));
    await after.close();
    expect(jobs.map((j) => j?.state)).toEqual(['done', 'done', 'done', 'done']);
    const runs = jobs.reduce((t, j) => t + (j?.attempts ?? 0), 0);

    const sono = String((await q('SELECT SONO FROM somast WHERE EXTREF = ?', ['XC-CRASH-1'.padEnd(30)]))[0]?.SONO ?? '');
    const f = {
      runs,
      sales_orders_per_ref: await one('SELECT COUNT(*) FROM somast WHERE EXTREF = ?', ['XC-CRASH-1'.padEnd(30)]),
      order_lines: await one('SELECT COUNT(*) FROM sotran WHERE SONO = ?', [sono]),
      allocated: (await one("SELECT LSOALOC FROM iciloc WHERE ITEM = ? AND LOCTID = 'MAIN  '", ['WIDGET-100'.padEnd(15)])) - alloc0,
      on_order: (await one("SELECT ONORDER FROM arcust WHERE CUSTNO = 'ACME01'")) - onorder0,
      customers_per_number: await one("SELECT COUNT(*) FROM arcust WHERE CUSTNO = 'W900  '"),
      invoices_per_number: await one('SELECT COUNT(*) FROM armast WHERE INVNO = ?', ['7200'.padStart(10)]),
      invoice_dist_rows: await one('SELECT COUNT(*) FROM ardist WHERE TRANNO = ?', ['7200'.padStart(10)]),
      invoice_customer_balance: Math.round(((await one("SELECT BALANCE FROM arcust WHERE CUSTNO = 'HOOL01'")) - hool0) * 100) / 100,
      payments_applied: await one('SELECT COUNT(*) FROM arcash WHERE INVNO = ? AND REFNO = ?', ['7100'.padStart(10), 'XC1234'.padEnd(20)]),
      payment_dist_rows: await one('SELECT COUNT(*) FROM ardist WHERE TRANNO = ? AND ARSESS = ?', ['7100'.padStart(10), 'XC1234'.padEnd(10)]),
      invoice_paid: await one('SELECT PAIDAMT FROM armast WHERE INVNO = ?', ['7100'.padStart(10)]),
      invoice_balance: await one('SELECT BALANCE FROM armast WHERE INVNO = ?', ['7100'.padStart(10)]),
      payer_balance: Math.round(((await one("SELECT BALANCE FROM arcust WHERE CUSTNO = 'ACME01'")) - acme0) * 100) / 100,
    };
    console.log(`sagepro-write-crash: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    expect(f).toEqual({
      runs: 8, sales_orders_per_ref: 1, order_lines: 2, allocated: 2, on_order: 65, customers_per_number: 1,
      invoices_per_number: 1, invoice_dist_rows: 3, invoice_customer_balance: 20.99,
      payments_applied: 1, payment_dist_rows: 2, invoice_paid: 31, invoice_balance: 0, payer_balance: -31,
    });
  }, 60_000);
});
