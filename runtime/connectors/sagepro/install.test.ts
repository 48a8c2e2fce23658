/**
 * The connector on installs that differ from the sandbox (reference 0b), through the real SQLite3
 * ODBC driver, with tables this test creates itself in plain SQL:
 * - a "minimal" install: none of the unconfirmed columns (ARDIST.CUSTNO/DESCRIP/ADD*, ARTRAN.LINENO,
 *   ARMAST.DTEPAID, SOTRAN.LINENO/SHIPDATE), LOCTID C(3), no SYSDATA, no ARCASH, and a numbering
 *   table of its own shape NEXTNUM(KEYNAME, LASTUSED) holding the LAST number used;
 * - a VFP-like install with one database per module (ATTACHed), company-suffixed table names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { SageProConnector, type SageProConnectorOptions } from './connector.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** VFP notation → SQLite column type (the test's own DDL, not the sandbox's). */
const sqlType = (t: string): string => {
  const m = /^([CN])\((\d+)(?:,(\d+))?\)$/.exec(t);
  if (m) return m[1] === 'C' ? `CHAR(${m[2]})` : `NUMERIC(${m[2]},${m[3] ?? 0})`;
  return ({ D: 'DATE', M: 'TEXT', Y: 'NUMERIC(15,4)', L: 'BOOLEAN' } as Record<string, string>)[t]!;
};
const cols = (spec: string): [string, string][] => spec.trim().split(/\s+/).map((c) => c.split(':') as [string, string]);

const SOMAST = 'SONO:C(10) CUSTNO:C(6) SODATE:D ORDATE:D SHIPVIA:C(12) PONUM:C(20) ORDAMT:N(12,2) SHPAMT:N(12,2) TAX:N(12,2) SOSTAT:C(1) SOTYPE:C(1) LOCTID:C(3) DEFLOC:C(3) EXTREF:C(30) ADDUSER:C(4) ADDDATE:D ADDTIME:C(8)';
const SOTRAN = 'SONO:C(10) CUSTNO:C(6) ITEM:C(15) DESCRIP:C(50) LOCTID:C(3) QTYORD:N(12,2) QTYSHP:N(12,2) PRICE:N(14,4) DISC:N(7,3) EXTPRICE:N(14,2) TAXABLE:C(1) SOSTAT:C(1) ORDATE:D ADDUSER:C(4) ADDDATE:D';
const SOADDR = 'SONO:C(10) CUSTNO:C(6) COMPANY:C(35) ADDRESS1:C(35) CITY:C(20) STATE:C(10) ZIP:C(10) COUNTRY:C(15)';
const MINIMAL: Record<string, string> = {
  ARCUST: 'CUSTNO:C(6) COMPANY:C(35) EMAIL:M BALANCE:Y ONORDER:Y LPYMT:Y LASTPAY:D LSALE:Y LDATE:D PTDSLS:Y YTDSLS:Y ENTERED:D ARACCT:C(24) ADDUSER:C(4) ADDDATE:D ADDTIME:C(8)',
  SOMAST, SOTRAN, SOADDR, SOYMST: SOMAST, SOYTRN: `${SOTRAN} SHIPDATE:D`, SOYADR: SOADDR,
  ICITEM: 'ITEM:C(15) ITMDESC:C(50) PRICE:N(14,4)',
  ICILOC: 'ITEM:C(15) LOCTID:C(3) LONHAND:N(12,2) LSOALOC:N(12,2) LWOALOC:N(12,2)',
  ARMAST: 'INVNO:C(10) CUSTNO:C(6) INVDTE:D ARTYPE:C(1) ARSTAT:C(1) ORNUM:C(10) PONUM:C(20) TAX:N(12,2) INVAMT:N(14,2) PAIDAMT:N(14,2) BALANCE:N(14,2) ADDUSER:C(4) ADDDATE:D ADDTIME:C(8)',
  ARTRAN: 'INVNO:C(10) CUSTNO:C(6) ITEM:C(15) DESCRIP:C(50) QTYORD:N(12,2) QTYSHP:N(12,2) PRICE:N(14,4) EXTPRICE:N(14,2) ARTYPE:C(1) ARSTAT:C(1) INVDTE:D PONUM:C(20) ADDUSER:C(4) ADDDATE:D',
  ARDIST: 'GLACNT:C(24) TRANNO:C(10) TRANDTE:D ARSESS:C(10) GLBATCH:C(10) AMOUNT:N(14,2)',
  GLACNT: 'GLACNT:C(24) GLDESC:C(35)',
  NEXTNUM: 'KEYNAME:C(8) LASTUSED:N(10,0)',
};

async function createTables(c: odbc.Connection, tables: Record<string, string>, name: (t: string) => string = (t) => t.toLowerCase()): Promise<void> {
  for (const [t, spec] of Object.entries(tables)) {
    await c.query(`CREATE TABLE ${name(t)} (${cols(spec).map(([n, ty]) => `${n} ${sqlType(ty)}`).join(', ')})`);
  }
}

async function seed(c: odbc.Connection, name: (t: string) => string = (t) => t.toLowerCase()): Promise<void> {
  const ins = (t: string, row: Obj) => c.query(`INSERT INTO ${name(t)} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`, Object.values(row));
  await ins('ARCUST', { CUSTNO: 'EMIL01', COMPANY: 'Émile Zola', EMAIL: 'émile@zola.fr', BALANCE: 0, ONORDER: 0, ARACCT: '1200-00'.padEnd(24) });
  await ins('ARCUST', { CUSTNO: 'ELOD01', COMPANY: 'Élodie', EMAIL: 'ÉLODIE@EXAMPLE.FR', BALANCE: 0, ONORDER: 0 });
  await ins('ARCUST', { CUSTNO: 'STRA01', COMPANY: 'Straße GmbH', EMAIL: 'info@straße.de', BALANCE: 0, ONORDER: 0 });
  await ins('ICITEM', { ITEM: 'WIDGET-100'.padEnd(15), ITMDESC: 'Widget'.padEnd(50), PRICE: 10 });
  await ins('ICILOC', { ITEM: 'WIDGET-100'.padEnd(15), LOCTID: 'WH1', LONHAND: 50, LSOALOC: 0, LWOALOC: 0 });
  for (const [a, d] of [['1200-00', 'Receivables'], ['4000-00', 'Sales'], ['2200-00', 'Tax'], ['1000-00', 'Cash'], ['1010-00', 'Stripe clearing']]) await ins('GLACNT', { GLACNT: a!.padEnd(24), GLDESC: d });
}

describe('SageProConnector on a minimal install (tables of its own shape)', () => {
  let dir = '';
  let dsn = '';
  let raw: odbc.Connection;
  const open: SageProConnector[] = [];
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => Array.from(await (params.length ? raw.query<Obj>(sql, params) : raw.query<Obj>(sql)));
  const connector = (o: Partial<SageProConnectorOptions> = {}) => {
    const c = new SageProConnector({ dsn, defaultLocation: 'WH1', now: () => new Date('2026-03-01T12:00:00Z'), ...o });
    open.push(c);
    return c;
  };
  const NEXTNUM = (key: string) => ({ method: 'table' as const, table: 'NEXTNUM', keyColumn: 'KEYNAME', key, numberColumn: 'LASTUSED', holds: 'last' as const });
  const order = (ref: string, extra: Obj = {}): Obj => ({ customer: 'EMIL01', order_date: '2026-03-01', external_ref: ref, lines: [{ item: 'WIDGET-100', quantity: 2 }], ...extra });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-minimal-'));
    dsn = `Driver=SQLite3;Database=${path.join(dir, 'pro.db')};Timeout=5000`;
    raw = await odbc.connect(dsn);
    await createTables(raw, MINIMAL);
    await seed(raw);
    await raw.query("INSERT INTO nextnum (KEYNAME, LASTUSED) VALUES ('SONO    ', 5000), ('ARSESS  ', 700)");
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await raw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('numbers an order from the site\'s table (holds the last number), writing only the columns the install has', async () => {
    const c = connector({ numbering: { sales_order: NEXTNUM('SONO') } });
    const o = await c.createSalesOrder(order('XC-1')) as Obj;
    expect(o.number).toBe('5001');
    expect((await q("SELECT LASTUSED FROM nextnum WHERE KEYNAME = 'SONO    '"))[0]!.LASTUSED).toBe(5001);
    expect(o.lines).toHaveLength(1);
    expect(o.lines[0]).toMatchObject({ item: 'WIDGET-100', location: 'WH1', quantity: 2 });
    const tran = await q('SELECT * FROM sotran WHERE SONO = ?', ['5001'.padStart(10)]);
    expect(tran).toHaveLength(1);
    expect(Object.keys(tran[0]!)).not.toContain('LINENO');
    expect((await q("SELECT LSOALOC FROM iciloc WHERE LOCTID = 'WH1'"))[0]!.LSOALOC).toBe(2);
    // Status reads without SOTRAN.LINENO / SHIPDATE.
    expect(await c.salesOrderStatus('5001')).toMatchObject({ number: '5001', quantity_ordered: 2, quantity_shipped: 0, ship_date: null, lines: [{ line_number: 1, item: 'WIDGET-100' }] });
    // A repeat is the same order and takes no number.
    expect((await c.createSalesOrder(order('XC-1'))).number).toBe('5001');
    expect((await q("SELECT LASTUSED FROM nextnum WHERE KEYNAME = 'SONO    '"))[0]!.LASTUSED).toBe(5001);
  });

  it('never touches the numbering table when the order carries its number, even with no numbering set', async () => {
    const c = connector();
    const o = await c.createSalesOrder(order('XC-2', { number: '8000' }));
    expect(o.number).toBe('8000');
    expect((await q("SELECT LASTUSED FROM nextnum WHERE KEYNAME = 'SONO    '"))[0]!.LASTUSED).toBe(5001);
  });

  it('rejects an order without a number when numbering is not set, naming the key to set, and writes nothing', async () => {
    const c = connector();
    const e = await c.createSalesOrder(order('XC-3')).catch((x: unknown) => x) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.errorClass).toBe('invalid');
    expect(e.message).toMatch(/sagepro\.numbering\.sales_order/);
    const f = await connector({ numbering: { sales_order: { method: 'flow' } } }).createSalesOrder(order('XC-3')).catch((x: unknown) => x) as ConnectorError;
    expect(f.errorClass).toBe('invalid');
    expect(f.message).toMatch(/method flow.*number/);
    expect(await q("SELECT SONO FROM somast WHERE EXTREF = ?", ['XC-3'.padEnd(30)])).toHaveLength(0);
  });

  it('max_plus_one takes the highest number in use (live and history) + 1', async () => {
    await raw.query("INSERT INTO soymst (SONO, CUSTNO, EXTREF) VALUES (?, 'EMIL01', ?)", ['9000'.padStart(10), 'OLD'.padEnd(30)]);
    const o = await connector({ numbering: { sales_order: { method: 'max_plus_one' } } }).createSalesOrder(order('XC-4'));
    expect(o.number).toBe('9001');
  });

  it('a field the flow maps but the install lacks is invalid before the first write, naming field, table and column', async () => {
    const c = connector({ numbering: { sales_order: NEXTNUM('SONO') } });
    const before = await q('SELECT COUNT(*) AS N FROM somast');
    const e = await c.createSalesOrder(order('XC-5', { lines: [{ item: 'WIDGET-100', quantity: 1, request_date: '2026-03-05' }] })).catch((x: unknown) => x) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ errorClass: 'invalid', table: 'SOTRAN', column: 'RQDATE', field: 'lines/0/request_date' });
    expect(e.message).toMatch(/SalesOrder\.Line\.request_date.*SOTRAN\.RQDATE/);
    expect(await q('SELECT COUNT(*) AS N FROM somast')).toEqual(before);
    expect((await q("SELECT LASTUSED FROM nextnum WHERE KEYNAME = 'SONO    '"))[0]!.LASTUSED).toBe(5001);
  });

  it('reports a default location that cannot fit LOCTID at start, naming the key', async () => {
    const c = connector({ defaultLocation: 'MAIN', numbering: { sales_order: NEXTNUM('SONO') } });
    const e = await c.verifyConfiguration().catch((x: unknown) => x) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.errorClass).toBe('invalid');
    expect(e.message).toMatch(/sagepro\.default_location: default location 'MAIN' does not fit SOMAST\.LOCTID \(C\(3\)\)/);
    const bad = await connector({ numbering: { sales_order: { ...NEXTNUM('SONO'), numberColumn: 'NEXTNO' } } }).verifyConfiguration().catch((x: unknown) => x) as ConnectorError;
    expect(bad.message).toMatch(/sagepro\.numbering\.sales_order\.number_column: NEXTNUM has no column NEXTNO/);
    const fine = await connector({ numbering: { sales_order: NEXTNUM('SONO'), ar_session: NEXTNUM('ARSESS') } }).verifyConfiguration();
    expect(fine.filter((p) => p.severity === 'error')).toEqual([]);
    expect(fine.map((p) => p.message)).toContain('optional table ARCASH not found: payments are recorded in ARMAST and ARDIST only');
  });

  it('posts an invoice and a payment without ARDIST.CUSTNO/DESCRIP, ARTRAN.LINENO, ARMAST.DTEPAID; the payment once', async () => {
    const c = connector({ numbering: { ar_session: NEXTNUM('ARSESS') } });
    const inv = await c.postInvoice({ number: '600', customer: 'EMIL01', invoice_date: '2026-03-01', lines: [{ item: 'WIDGET-100', quantity: 3, price: 10 }, { description: 'Freight', quantity: 1, price: 1 }] });
    expect(inv).toMatchObject({ number: '600', amount: 31, balance: 31 });
    expect(inv.lines).toHaveLength(2);
    expect(new Set((await q('SELECT ARSESS FROM ardist WHERE TRANNO = ?', ['600'.padStart(10)])).map((r) => String(r.ARSESS).trim()))).toEqual(new Set(['701']));
    const pay = { number: '600', customer: 'EMIL01', invoice_date: '2026-03-01', lines: [], payment_amount: 31, payment_date: '2026-03-02', payment_ref: 'XC77', distributions: [{ account: '1010-00', amount: 31 }] };
    expect(await c.postPayment(pay)).toMatchObject({ paid_amount: 31, balance: 0 });
    expect(await c.postPayment(pay)).toMatchObject({ paid_amount: 31, balance: 0 });
    expect(await q("SELECT AMOUNT FROM ardist WHERE ARSESS = ?", ['XC77'.padEnd(10)])).toHaveLength(2);
    expect((await q("SELECT BALANCE FROM arcust WHERE CUSTNO = 'EMIL01'"))[0]!.BALANCE).toBe(0);
    // A distribution description the flow gives has no ARDIST.DESCRIP here: invalid, nothing written.
    const d = await c.postPayment({ ...pay, payment_ref: 'XC78', distributions: [{ account: '1010-00', amount: 1, description: 'Stripe' }] }).catch((x: unknown) => x);
    expect(d).toMatchObject({ errorClass: 'invalid', table: 'ARDIST', column: 'DESCRIP', field: 'distributions/0/description' });
    expect(await q("SELECT AMOUNT FROM ardist WHERE ARSESS = ?", ['XC78'.padEnd(10)])).toHaveLength(0);
  });

  it('finds a customer by e-mail case-insensitively for all of Unicode (SQLite LOWER is ASCII-only)', async () => {
    const c = connector();
    expect((await c.findCustomerByEmail('ÉMILE@ZOLA.FR'))?.number).toBe('EMIL01');
    expect((await c.findCustomerByEmail(' Émile@Zola.fr '))?.number).toBe('EMIL01');
    expect((await c.findCustomerByEmail('élodie@example.fr'))?.number).toBe('ELOD01');
    expect((await c.findCustomerByEmail('INFO@STRASSE.DE'))?.number).toBe('STRA01');
    expect(await c.findCustomerByEmail('emile@zola.fr')).toBeNull();
    expect(await c.findCustomerByEmail('%@zola.fr')).toBeNull();
  });
});

describe('SageProConnector on a VFP-like install with one database per module', () => {
  let dir = '';
  let c: SageProConnector;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-modules-'));
    const dsn = `Driver=SQLite3;Database=${path.join(dir, 'pro.db')};Timeout=5000`;
    const raw = await odbc.connect(dsn);
    const modules = { AR: 'ardata', GL: 'ardata', SO: 'sodata', IC: 'icdata' } as Record<string, string>;
    const attach: Record<string, string> = {};
    for (const m of ['ardata', 'sodata', 'icdata']) { attach[m] = path.join(dir, `${m}.db`); await raw.query(`ATTACH DATABASE ? AS ${m}`, [attach[m]!]); }
    const name = (t: string) => (t === 'NEXTNUM' ? 'nextnum' : `${modules[t.slice(0, 2)]}.${t.toLowerCase()}01`);
    await createTables(raw, MINIMAL, name);
    await seed(raw, name);
    await raw.query("INSERT INTO nextnum (KEYNAME, LASTUSED) VALUES ('SONO    ', 42)");
    await raw.close();
    c = new SageProConnector({
      dsn, company: '01', defaultLocation: 'WH1', attach,
      modules: { AR: 'ardata.{table}{company}', GL: 'ardata.{table}{company}', SO: 'sodata.{table}{company}', IC: 'icdata.{table}{company}' },
      tables: { ARCUST: 'ardata.arcust01' },
      numbering: { sales_order: { method: 'table', table: 'NEXTNUM', keyColumn: 'KEYNAME', key: 'SONO', numberColumn: 'LASTUSED', holds: 'last' } },
    });
  });
  afterAll(async () => { await c?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('resolves tables per module and per table, reads their catalog and writes there', async () => {
    expect(c.tables.resolve('SOMAST').sql).toBe('sodata.somast01');
    expect(c.tables.resolve('ARCUST')).toMatchObject({ sql: 'ardata.arcust01', from: 'tables' });
    expect(c.tables.resolve('NEXTNUM').sql).toBe('nextnum');
    expect((await c.shape('ICILOC')).columns.get('LOCTID')?.type).toEqual({ kind: 'C', width: 3 });
    expect((await c.getCustomer('EMIL01'))?.name).toBe('Émile Zola');
    const o = await c.createSalesOrder({ customer: 'EMIL01', order_date: '2026-03-01', external_ref: 'XC-M1', lines: [{ item: 'WIDGET-100', quantity: 1 }] });
    expect(o.number).toBe('43');
    expect((await c.inventoryLevel('WIDGET-100', 'WH1'))?.allocated_sales).toBe(1);
  });
});
