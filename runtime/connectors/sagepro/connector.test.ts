/**
 * The Sage Pro connector against the real ODBC drivers: SQLite3 (always) and psqlODBC with a
 * PostgreSQL server this test run starts itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox, loadSandbox } from '../../sandbox/sagepro/database.js';
import { startPostgres, postgresAvailable, type StartedPostgres } from '../../../test/support/postgres.js';
import { SageProConnector } from './connector.js';
import { classifyOdbcError } from './odbc.js';

type Obj = Record<string, any>;

/** The sandbox's numbering table: SYSDATA(COMPID, NUMKEY, NEXTNO) holding the next number. */
const SYSDATA = (key: string) => ({ method: 'table' as const, table: 'SYSDATA', keyColumn: 'NUMKEY', key, numberColumn: 'NEXTNO', holds: 'next' as const, where: { COMPID: '01' } });
const NUMBERING = { sales_order: SYSDATA('SONO'), ar_session: SYSDATA('ARSESS') };

interface Backend { name: 'sqlite' | 'postgres'; setup(): Promise<string>; teardown(): Promise<void> }

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite',
    async setup() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-'));
      return (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
    },
    async teardown() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

function postgresBackend(): Backend {
  let pg: StartedPostgres | undefined;
  return {
    name: 'postgres',
    async setup() {
      pg = await startPostgres();
      const c = await odbc.connect(pg.dsn);
      try { await loadSandbox(c, 'postgres'); } finally { await c.close(); }
      return pg.dsn;
    },
    async teardown() { await pg?.stop(); },
  };
}

const backends: Backend[] = [sqliteBackend()];
if (postgresAvailable()) backends.push(postgresBackend());
else it.skip('PostgreSQL is not installed (scripts/setup.sh installs it)', () => undefined);

async function expectConnectorError(p: Promise<unknown>, cls: string, match?: { table?: string; column?: string; message?: RegExp }): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    const ce = e as ConnectorError;
    expect(ce.errorClass).toBe(cls);
    if (match?.table) expect(ce.table).toBe(match.table);
    if (match?.column) expect(ce.column).toBe(match.column);
    if (match?.message) expect(ce.message).toMatch(match.message);
    return ce;
  }
  throw new Error('expected a ConnectorError');
}

describe.each(backends)('SageProConnector on $name', (backend) => {
  let dsn = '';
  // Results are checked by value; `any` keeps the assertions short.
  let conn: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let raw: odbc.Connection;
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => {
    const r = params.length ? await raw.query<Obj>(sql, params) : await raw.query<Obj>(sql);
    return Array.from(r).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toUpperCase(), typeof v === 'bigint' ? Number(v) : v])));
  };

  beforeAll(async () => {
    dsn = await backend.setup();
    conn = new SageProConnector({ dsn, numbering: NUMBERING, now: () => new Date('2026-03-01T12:00:00Z') });
    raw = await odbc.connect(dsn);
  });
  afterAll(async () => {
    await raw?.close();
    await conn?.close();
    await backend.teardown();
  });

  const order = (ref: string, extra: Obj = {}): Obj => ({
    customer: 'PIED01', order_date: '2026-03-01', external_ref: ref, ship_via: 'UPSG',
    lines: [
      { item: 'WIDGET-200', quantity: 2, price: 30 },
      { item: 'SSD-1TB', quantity: 1, location: 'EAST' },
    ],
    ship_to: { name: 'Pied Piper', address1: '5230 Newell Road', city: 'Palo Alto', state: 'CA', zip: '94303', country: 'USA' },
    ...extra,
  });

  it('reads seed data: order from the history tables, levels with available-to-sell', async () => {
    const o = await conn.getSalesOrder('901');
    expect(o?.customer).toBe('ACME01');
    expect(o?.status).toBe('C');
    expect((o?.lines as Obj[]).map((l) => l.item)).toEqual(['WIDGET-100', 'CABLE-USB-C']);
    expect(o?.due_date).toBe('2026-01-10');
    const lvl = await conn.inventoryLevel('GADGET-300', 'MAIN');
    // seed: 35 on hand, 2 allocated to open order 1001, 3 to work orders
    expect(lvl).toMatchObject({ item: 'GADGET-300', location: 'MAIN', on_hand: 35, allocated_sales: 2, allocated_work: 3, available: 30 });
    expect(await conn.inventoryLevel('GADGET-300', 'WEST')).toBeNull();
    const east = await conn.inventoryLevels('EAST');
    expect(east).toHaveLength(16);
    expect(east.every((l: Obj) => l.location === 'EAST')).toBe(true);
    expect((await conn.inventoryLevels(null)).length).toBe(32);
    const accts = await conn.glAccounts();
    expect(accts.map((a: Obj) => a.account)).toContain('1010-00');
    expect(accts.find((a: Obj) => a.account === '1020-00')?.description).toBe('PayPal clearing');
  });

  it('creates an order: padded keys, every column non-null, allocation and ONORDER raised', async () => {
    const before = await conn.inventoryLevel('WIDGET-200', 'MAIN');
    const beforeEast = await conn.inventoryLevel('SSD-1TB', 'EAST');
    const custBefore = await conn.getCustomer('PIED01');
    const created = await conn.createSalesOrder(order('XC-20001'));
    expect(created.number).toBe('1004'); // SYSDATA next number
    expect(created.order_amount).toBe(60 + 79.9);
    expect(created.status).toBe('');
    expect(created.lines).toHaveLength(2);
    expect(created.lines[1]).toMatchObject({ item: 'SSD-1TB', location: 'EAST', quantity: 1, price: 79.9, extended_price: 79.9, line_number: 2 });
    expect(created.ship_to).toMatchObject({ name: 'Pied Piper', city: 'Palo Alto' });
    expect(created.due_date).toBeNull(); // empty date read back as no date

    const mst = await q('SELECT * FROM somast WHERE EXTREF = ?', ['XC-20001'.padEnd(30)]);
    expect(mst).toHaveLength(1);
    expect(mst[0]!.SONO).toBe('      1004');
    expect(String(mst[0]!.ORDATE)).toBe('1899-12-30');
    for (const table of ['somast', 'sotran', 'soaddr']) {
      const rows = await q(`SELECT * FROM ${table} WHERE SONO = ?`, ['      1004']);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) for (const [col, v] of Object.entries(r)) expect(v, `${table}.${col}`).not.toBeNull();
    }
    const lines = await q('SELECT ITEM, LOCTID FROM sotran WHERE SONO = ? ORDER BY LINENO', ['      1004']);
    expect(lines[0]!.ITEM).toBe('WIDGET-200     ');
    expect(String(lines[0]!.ITEM)).toHaveLength(15);

    const after = await conn.inventoryLevel('WIDGET-200', 'MAIN');
    expect(after!.allocated_sales).toBe(before!.allocated_sales + 2);
    expect(after!.available).toBe(before!.available - 2);
    expect((await conn.inventoryLevel('SSD-1TB', 'EAST'))!.allocated_sales).toBe(beforeEast!.allocated_sales + 1);
    expect((await conn.getCustomer('PIED01'))!.on_order).toBeCloseTo(custBefore!.on_order + 139.9, 2);
  });

  it('is idempotent on external_ref: a repeated create returns the same order and counts allocation once', async () => {
    const lvl0 = (await conn.inventoryLevel('WIDGET-100', 'MAIN'))!;
    const cust0 = (await conn.getCustomer('HOOL01'))!;
    const o = order('XC-20002', { customer: 'HOOL01', lines: [{ item: 'WIDGET-100', quantity: 3 }] });
    const a = await conn.call('sales_orders.create', { order: o }) as Obj;
    const b = await conn.call('sales_orders.create', { order: o }) as Obj;
    expect(b.number).toBe(a.number);
    const rows = await q('SELECT SONO FROM somast WHERE EXTREF = ?', ['XC-20002'.padEnd(30)]);
    expect(rows).toHaveLength(1);
    expect((await q('SELECT * FROM sotran WHERE SONO = ?', [String(a.number).padStart(10)]))).toHaveLength(1);
    const lvl1 = (await conn.inventoryLevel('WIDGET-100', 'MAIN'))!;
    expect(lvl1.allocated_sales).toBe(lvl0.allocated_sales + 3);
    expect((await conn.getCustomer('HOOL01'))!.on_order).toBeCloseTo(cust0.on_order + 3 * 19.99, 2);
    expect((await conn.findSalesOrderByRef('XC-20002'))?.number).toBe(a.number);
    // Same reference, another customer: a conflict, not a second order.
    await expectConnectorError(conn.createSalesOrder({ ...o, customer: 'ACME01' }), 'conflict');
  });

  it('concurrent creates with one external_ref make one order', async () => {
    const o = order('XC-20003', { customer: 'WAYN01', lines: [{ item: 'MOUSE-WL', quantity: 1 }] });
    const results = await Promise.allSettled([conn.createSalesOrder(o), conn.createSalesOrder(o), conn.createSalesOrder(o)]);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as ConnectorError).errorClass).toBe('transient');
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(await q('SELECT SONO FROM somast WHERE EXTREF = ?', ['XC-20003'.padEnd(30)])).toHaveLength(1);
  });

  it('rejects an unknown item as invalid naming it, and writes nothing', async () => {
    const lvl0 = (await conn.inventoryLevel('WIDGET-200', 'MAIN'))!;
    const cust0 = (await conn.getCustomer('UMBR01'))!;
    const e = await expectConnectorError(conn.createSalesOrder(order('XC-20004', {
      customer: 'UMBR01', lines: [{ item: 'WIDGET-200', quantity: 1 }, { item: 'NO-SUCH-SKU', quantity: 1 }],
    })), 'invalid', { table: 'ICITEM', column: 'ITEM', message: /NO-SUCH-SKU/ });
    expect(e.operation).toBe('sales_orders.create');
    expect(await q('SELECT SONO FROM somast WHERE EXTREF = ?', ['XC-20004'.padEnd(30)])).toHaveLength(0);
    expect((await conn.inventoryLevel('WIDGET-200', 'MAIN'))!.allocated_sales).toBe(lvl0.allocated_sales);
    expect((await conn.getCustomer('UMBR01'))!.on_order).toBe(cust0.on_order);
    await expectConnectorError(conn.createSalesOrder(order('XC-20005', { customer: 'NOPE' })), 'invalid', { table: 'ARCUST' });
  });

  it('rejects values wider than their column, naming table and column', async () => {
    await expectConnectorError(conn.createSalesOrder(order('XC-20006', { lines: [{ item: 'WIDGET-100', quantity: 1, description: 'x'.repeat(51) }] })),
      'invalid', { table: 'SOTRAN', column: 'DESCRIP' });
    await expectConnectorError(conn.createSalesOrder(order('XC-20007', { po_number: 'P'.repeat(21) })), 'invalid', { table: 'SOMAST', column: 'PONUM' });
    await expectConnectorError(conn.upsertCustomer({ number: 'LONG01', name: 'N'.repeat(36) }), 'invalid', { table: 'ARCUST', column: 'COMPANY' });
    await expectConnectorError(conn.upsertCustomer({ number: 'TOOLONG', name: 'x' }), 'invalid', { table: 'ARCUST', column: 'CUSTNO' });
    expect(await conn.getCustomer('LONG01')).toBeNull();
  });

  it('stores a name with a quote and an SQL fragment verbatim', async () => {
    const name = "O'Brien'); DROP TABLE arcust;--";
    const c = await conn.upsertCustomer({ number: 'OBRI02', name, email: 'Sean@OBrien.example', tax_exempt: true, credit_limit: 1500 });
    expect(c.name).toBe(name);
    expect(c.tax_exempt).toBe(true);
    expect(c.entered).toBe('2026-03-01');
    expect((await conn.getCustomer('OBRI02'))!.name).toBe(name);
    expect((await q('SELECT COUNT(*) AS N FROM arcust'))[0]!.N).toBeGreaterThan(10);
    const rows = await q('SELECT * FROM arcust WHERE CUSTNO = ?', ['OBRI02']);
    for (const [col, v] of Object.entries(rows[0]!)) expect(v, `ARCUST.${col}`).not.toBeNull();
    // update only what is given
    const u = await conn.upsertCustomer({ number: 'OBRI02', name, phone: '555-0100' });
    expect(u).toMatchObject({ phone: '555-0100', credit_limit: 1500, email: 'Sean@OBrien.example' });
    expect((await conn.findCustomerByEmail('sean@obrien.EXAMPLE'))?.number).toBe('OBRI02');
    expect(await conn.findCustomerByEmail('nobody@example.com')).toBeNull();
  });

  it('matches e-mail case-insensitively for all of Unicode, whatever the database folds', async () => {
    await conn.upsertCustomer({ number: 'ELOD01', name: 'Élodie Zola', email: 'ÉLODIE@ZOLA.FR' });
    await conn.upsertCustomer({ number: 'STRA01', name: 'Straße GmbH', email: 'info@straße.de' });
    expect((await conn.findCustomerByEmail('élodie@zola.fr'))?.number).toBe('ELOD01');
    expect((await conn.findCustomerByEmail('Élodie@Zola.FR'))?.number).toBe('ELOD01');
    expect((await conn.findCustomerByEmail('INFO@STRASSE.DE'))?.number).toBe('STRA01');
    expect(await conn.findCustomerByEmail('elodie@zola.fr')).toBeNull();
    expect(await conn.findCustomerByEmail('_lodie@zola.fr')).toBeNull();
  });

  it('reads status, shipment and invoice from live and history tables', async () => {
    const hist = await conn.salesOrderStatus('902') as Obj;
    expect(hist).toMatchObject({ number: '902', status: 'C', in_history: true, fully_shipped: true, tracking: '794644790132', ship_via: 'FEDP', invoice_number: '5001', invoice_balance: 0 });
    const live = await conn.call('sales_orders.status', { number: '1000' }) as Obj;
    expect(live).toMatchObject({ status: 'C', in_history: false, fully_shipped: true, invoice_number: '5002' });
    expect(live.ship_date).toBe('2026-02-03');
    const partial = await conn.salesOrderStatus('1003') as Obj;
    expect(partial).toMatchObject({ status: '', fully_shipped: false, quantity_ordered: 3, quantity_shipped: 1, invoice_number: null });
    expect(await conn.salesOrderStatus('99999')).toBeNull();
  });

  it('posts an invoice idempotently and a payment once per payment_ref, with GL rows', async () => {
    const bal0 = (await conn.getCustomer('ACME01'))!.balance as number;
    const inv = { number: '7001', customer: 'ACME01', invoice_date: '2026-03-01', order_number: '1001', tax: 8,
      lines: [{ item: 'WIDGET-100', quantity: 5, price: 19.99 }, { description: 'Freight', quantity: 1, price: 12 }] };
    const a = await conn.postInvoice(inv);
    expect(a).toMatchObject({ number: '7001', amount: 99.95 + 12 + 8, balance: 119.95, paid_amount: 0, order_number: '1001' });
    expect((a.distributions as Obj[]).reduce((t, d) => t + d.amount, 0)).toBeCloseTo(0, 5);
    expect((a.distributions as Obj[]).map((d) => d.account).sort()).toEqual(['1200-00', '2200-00', '4000-00']);
    const b = await conn.postInvoice(inv);
    expect(b.distributions).toHaveLength(3);
    expect((await q('SELECT * FROM armast WHERE INVNO = ?', ['7001'.padStart(10)]))).toHaveLength(1);
    expect((await conn.getCustomer('ACME01'))!.balance).toBeCloseTo(bal0 + 119.95, 2);
    await expectConnectorError(conn.postInvoice({ ...inv, lines: [{ item: 'WIDGET-100', quantity: 1, price: 1 }] }), 'conflict');
    expect((await conn.salesOrderStatus('1001'))!.invoice_number).toBe('7001');

    const pay = { number: '7001', customer: 'ACME01', invoice_date: '2026-03-01', lines: [], payment_amount: 50, payment_date: '2026-03-02', payment_ref: 'ch_1', distributions: [{ account: '1010-00', amount: 50 }] };
    const p1 = await conn.call('receivables.post_payment', { payment: pay }) as Obj;
    expect(p1).toMatchObject({ paid_amount: 50, balance: 69.95, paid_date: '2026-03-02' });
    // The same payment again (a re-run): a no-op returning the invoice as the first run left it.
    const again = await conn.postPayment(pay);
    expect(again).toMatchObject({ paid_amount: 50, balance: 69.95 });
    const p2 = await conn.postPayment({ ...pay, payment_ref: 'ch_2' });
    expect(p2).toMatchObject({ paid_amount: 100, balance: 19.95 });
    const stripe = (p2.distributions as Obj[]).filter((d) => d.account === '1010-00');
    expect(stripe).toHaveLength(2);
    await expectConnectorError(conn.postPayment({ ...pay, payment_ref: undefined }), 'invalid', { message: /payment_ref/ });
    await expectConnectorError(conn.postPayment({ ...pay, number: '999999' }), 'not_found');
    await expectConnectorError(conn.postPayment({ ...pay, payment_ref: 'ch_3', distributions: [{ account: '9999-99', amount: 5 }] }), 'invalid', { table: 'GLACNT' });
  });

  it('finds exactly the changed, added and deleted rows over a few thousand rows', async () => {
    // 3000 extra item levels at a location of their own.
    await raw.beginTransaction();
    for (let i = 0; i < 3000; i++) {
      await raw.query('INSERT INTO iciloc (ITEM, LOCTID, LONHAND, LSOALOC, LWOALOC, LONORDR, LONWKOR, ORDERPT, ORDQTY, MAXLEVEL, LSALE, LRECV, PTDSLQT, PTDSLVL, YTDSLQT, YTDSLVL) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, ?, ?, 0, 0, 0, 0)',
        [`BULK-${String(i).padStart(5, '0')}`.padEnd(15), 'BULK  ', i % 97, '1899-12-30', '1899-12-30']);
    }
    await raw.commit();
    const hashes = new Map<string, string>();
    const previous = { get: (k: string) => hashes.get(k), keys: () => hashes.keys() };
    const apply = (changes: { key: string; hash: string | null }[]) => {
      for (const c of changes) if (c.hash) hashes.set(c.key, c.hash); else hashes.delete(c.key);
    };
    const collect = async () => {
      const out: { key: string; change: string; hash: string | null; row: Obj | null }[] = [];
      for await (const c of conn.changedRows('InventoryLevel', previous, { fetchSize: 500 })) out.push(c);
      return out;
    };
    const first = await collect();
    expect(first.length).toBe(3000 + 32);
    expect(first.every((c) => c.change === 'added')).toBe(true);
    expect(first.find((c) => c.key === 'BULK-00005|BULK')?.row).toMatchObject({ item: 'BULK-00005', on_hand: 5, available: 5, last_sale: null });
    apply(first);

    expect(await collect()).toEqual([]);

    await raw.query('UPDATE iciloc SET LONHAND = LONHAND + 1 WHERE LOCTID = ? AND ITEM IN (?, ?, ?, ?, ?)',
      ['BULK  ', ...['00007', '00100', '01234', '02000', '02999'].map((n) => `BULK-${n}`.padEnd(15))]);
    await raw.query('UPDATE iciloc SET LWOALOC = 1 WHERE LOCTID = ? AND ITEM = ?', ['BULK  ', 'BULK-00042'.padEnd(15)]);
    await raw.query('DELETE FROM iciloc WHERE LOCTID = ? AND ITEM IN (?, ?, ?)', ['BULK  ', ...['00001', '01500', '02998'].map((n) => `BULK-${n}`.padEnd(15))]);
    await raw.query('INSERT INTO iciloc (ITEM, LOCTID, LONHAND, LSOALOC, LWOALOC, LONORDR, LONWKOR, ORDERPT, ORDQTY, MAXLEVEL, LSALE, LRECV, PTDSLQT, PTDSLVL, YTDSLQT, YTDSLVL) VALUES (?, ?, 1, 0, 0, 0, 0, 0, 0, 0, ?, ?, 0, 0, 0, 0)',
      ['BULK-NEW'.padEnd(15), 'BULK  ', '1899-12-30', '1899-12-30']);

    const second = await collect();
    const by = (kind: string) => second.filter((c) => c.change === kind).map((c) => c.key).sort();
    expect(by('changed')).toEqual(['BULK-00007|BULK', 'BULK-00042|BULK', 'BULK-00100|BULK', 'BULK-01234|BULK', 'BULK-02000|BULK', 'BULK-02999|BULK']);
    expect(by('deleted')).toEqual(['BULK-00001|BULK', 'BULK-01500|BULK', 'BULK-02998|BULK']);
    expect(by('added')).toEqual(['BULK-NEW|BULK']);
    expect(second.find((c) => c.key === 'BULK-00042|BULK')?.row?.available).toBe(41);
    apply(second);
    expect(await collect()).toEqual([]);
    // A bare function is enough when deletions do not matter.
    let n = 0;
    for await (const c of conn.changedRows('GLAccount', () => undefined)) { n++; expect(c.change).toBe('added'); }
    expect(n).toBe(10);
  });
});

describe('SageProConnector with external_ref in PONUM (site without the EXTREF column)', () => {
  it('keeps creates idempotent through the configured column', async () => {
    const b = sqliteBackend();
    const dsn = await b.setup();
    const c = new SageProConnector({ dsn, externalRefColumn: 'PONUM', numbering: NUMBERING });
    try {
      expect((await c.findSalesOrderByRef('PO XC-10001'))?.number).toBe('1001');
      const o = { customer: 'ACME01', order_date: '2026-03-01', external_ref: 'XC-30001', po_number: 'ignored', lines: [{ item: 'CABLE-HDMI', quantity: 2 }] };
      const a = await c.createSalesOrder(o);
      const again = await c.createSalesOrder(o);
      expect(again.number).toBe(a.number);
      expect(a.external_ref).toBe('XC-30001');
      expect(a.po_number).toBeUndefined();
      const raw = await odbc.connect(dsn);
      try {
        const rows = Array.from(await raw.query<Obj>('SELECT SONO, EXTREF FROM somast WHERE PONUM = ?', ['XC-30001'.padEnd(20)]));
        expect(rows).toHaveLength(1);
        expect(String(rows[0]!.EXTREF).trim()).toBe('');
      } finally { await raw.close(); }
    } finally {
      await c.close();
      await b.teardown();
    }
  });
});

describe('SageProConnector catalog', () => {
  it('implements exactly the catalog operations, with the catalog parameter names', () => {
    const c = new SageProConnector({ dsn: 'Driver=SQLite3;Database=/nonexistent/never-opened.db' });
    const catalog = c.catalog;
    expect(catalog.system).toBe('sagepro');
    expect(c.operationNames().sort()).toEqual(Object.keys(catalog.operations).sort());
    for (const [name, op] of Object.entries(catalog.operations)) {
      for (const p of op.params) {
        const base = p.type.replace(/[?]|\[\]$/g, '');
        const known = ['string', 'int', 'decimal', 'bool', 'date', 'datetime'].includes(base) || c.schemas.entities.has(base);
        expect(known, `${name}: param type ${p.type}`).toBe(true);
      }
      const ret = op.returns.replace(/[?]|\[\]$/g, '');
      expect(ret === 'void' || c.schemas.entities.has(ret), `${name}: returns ${op.returns}`).toBe(true);
      expect(['read', 'write']).toContain(op.kind);
    }
    expect(catalog.operations['receivables.post_payment']!.idempotent).toBe(true);
    expect(catalog.operations['sales_orders.create']!.idempotent).toBe(true);
  });

  it('rejects unknown operations and missing parameters without touching the database', async () => {
    const c = new SageProConnector({ dsn: 'Driver=SQLite3;Database=/nonexistent/never-opened.db' });
    await expectConnectorError(c.call('sales_orders.delete', {}), 'invalid');
    await expectConnectorError(c.call('sales_orders.get', {}), 'invalid', { message: /number/ });
  });

  it('classifies driver errors', () => {
    const err = (state: string, message: string) => Object.assign(new Error('[odbc] Error executing the sql statement'), { odbcErrors: [{ state, code: 1, message }] });
    expect(classifyOdbcError(err('HY000', '[SQLite]database is locked (5)')).errorClass).toBe('transient');
    expect(classifyOdbcError(err('40P01', 'ERROR: deadlock detected')).errorClass).toBe('transient');
    expect(classifyOdbcError(err('08S01', 'Communication link failure')).errorClass).toBe('transient');
    expect(classifyOdbcError(err('HYT00', 'Timeout expired')).errorClass).toBe('transient');
    expect(classifyOdbcError(err('22001', 'value too long for type character(10)')).errorClass).toBe('invalid');
    const u = classifyOdbcError(err('23000', 'UNIQUE constraint failed: somast.SONO (19)'));
    expect(u).toMatchObject({ errorClass: 'conflict', table: 'SOMAST', column: 'SONO' });
    expect(classifyOdbcError(err('28P01', 'password authentication failed')).errorClass).toBe('permission');
  });

  it('never puts the connection string in an error', async () => {
    const dsn = 'Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=1;Database=x;Uid=u;Pwd=VerySecret42';
    const c = new SageProConnector({ dsn });
    const e = await expectConnectorError(c.getCustomer('ACME01'), 'transient');
    expect(JSON.stringify(e.toJSON())).not.toMatch(/VerySecret42/);
    expect(e.message).not.toMatch(/VerySecret42/);
    await c.close();
  });
});
