/**
 * The seed of the Sage Pro sandbox: GL accounts, customers, items stocked in two warehouses, open
 * sales orders (allocated), a closed order still in the live tables, closed orders in history,
 * their invoices (ARMAST, ARTRAN, ARDIST), and the next numbers.
 *
 * Derived totals are set as Sage Pro's own programs keep them: ICILOC.LSOALOC holds the open
 * quantities of open orders, ARCUST.ONORDER the open order amounts, ARCUST.BALANCE the open invoices.
 */
import type { TableLayout } from './ddl.js';
import { SAGEPRO_PROFILES, type SandboxProfile } from './profiles.js';
import { insertRow, storedValue, type SqlRunner } from './rows.js';
import { columnType, sqlName } from './types.js';

export const SEED_ITEMS: { item: string; desc: string; price: number; cost: number; main: number; east: number }[] = [
  { item: 'WIDGET-100', desc: 'Widget 100, standard', price: 19.99, cost: 8.5, main: 120, east: 40 },
  { item: 'WIDGET-200', desc: 'Widget 200, heavy duty', price: 34.5, cost: 15.25, main: 60, east: 25 },
  { item: 'GADGET-300', desc: 'Gadget 300', price: 49, cost: 22, main: 35, east: 10 },
  { item: 'GADGET-310', desc: 'Gadget 310 with case', price: 59, cost: 27.4, main: 12, east: 0 },
  { item: 'CABLE-USB-C', desc: 'USB-C cable 1 m', price: 9.95, cost: 2.1, main: 500, east: 200 },
  { item: 'CABLE-HDMI', desc: 'HDMI 2.1 cable 2 m', price: 14.95, cost: 3.4, main: 300, east: 150 },
  { item: 'MOUSE-WL', desc: 'Wireless mouse', price: 24.99, cost: 9.8, main: 80, east: 30 },
  { item: 'KEYB-MECH', desc: 'Mechanical keyboard', price: 89, cost: 41, main: 25, east: 8 },
  { item: 'MONITOR-27', desc: '27 inch monitor QHD', price: 299, cost: 185, main: 14, east: 6 },
  { item: 'DOCK-USB4', desc: 'USB4 docking station', price: 189, cost: 101, main: 9, east: 3 },
  { item: 'SSD-1TB', desc: 'SSD 1 TB NVMe', price: 79.9, cost: 48, main: 70, east: 20 },
  { item: 'RAM-32GB', desc: 'RAM 32 GB DDR5 kit', price: 109, cost: 72, main: 40, east: 12 },
  { item: 'HEADSET-PRO', desc: 'Headset Pro, noise cancelling', price: 149, cost: 66, main: 18, east: 5 },
  { item: 'WEBCAM-4K', desc: 'Webcam 4K', price: 129, cost: 58, main: 22, east: 0 },
  { item: 'CHARGER-65W', desc: 'USB-C charger 65 W', price: 39.9, cost: 14.2, main: 110, east: 45 },
  { item: 'STAND-ALU', desc: 'Aluminium laptop stand', price: 44, cost: 17.6, main: 33, east: 11 },
];

export const SEED_CUSTOMERS: { custno: string; company: string; contact: string; email: string; city: string; state: string; zip: string }[] = [
  { custno: 'ACME01', company: 'Acme Corporation', contact: 'Wile Coyote', email: 'orders@acme.example', city: 'Phoenix', state: 'AZ', zip: '85001' },
  { custno: 'GLOBX1', company: 'Globex Inc.', contact: 'Hank Scorpio', email: 'purchasing@globex.example', city: 'Cypress Creek', state: 'OR', zip: '97001' },
  { custno: 'INIT01', company: 'Initech', contact: 'Bill Lumbergh', email: 'bill@initech.example', city: 'Austin', state: 'TX', zip: '73301' },
  { custno: 'UMBR01', company: 'Umbrella Health', contact: 'Alice Abernathy', email: 'alice@umbrella.example', city: 'Raccoon City', state: 'MO', zip: '64001' },
  { custno: 'STRK01', company: 'Stark Industries', contact: 'Pepper Potts', email: 'pepper@stark.example', city: 'Malibu', state: 'CA', zip: '90265' },
  { custno: 'WAYN01', company: 'Wayne Enterprises', contact: 'Lucius Fox', email: 'lfox@wayne.example', city: 'Gotham', state: 'NJ', zip: '07001' },
  { custno: 'HOOL01', company: 'Hooli', contact: 'Gavin Belson', email: 'gavin@hooli.example', city: 'Palo Alto', state: 'CA', zip: '94301' },
  { custno: 'PIED01', company: 'Pied Piper', contact: 'Richard Hendricks', email: 'richard@piedpiper.example', city: 'Palo Alto', state: 'CA', zip: '94301' },
  { custno: 'OBRI01', company: "O'Brien & Sons", contact: "Maeve O'Brien", email: 'maeve@obrien.example', city: 'Boston', state: 'MA', zip: '02101' },
  { custno: 'WEB001', company: 'Web Store Customers', contact: 'Web Store', email: 'shop@connect.example', city: 'Chicago', state: 'IL', zip: '60601' },
  // Per-currency web customers that mappings/lookups/web-customers.yaml bills guests to.
  { custno: 'WEBUS', company: 'Web Store (USD)', contact: 'Web Store', email: 'web-usd@connect.example', city: 'Chicago', state: 'IL', zip: '60601' },
  { custno: 'WEBCA', company: 'Web Store (CAD)', contact: 'Web Store', email: 'web-cad@connect.example', city: 'Toronto', state: 'ON', zip: 'M5H 2N2' },
  { custno: 'WEBEU', company: 'Web Store (EUR)', contact: 'Web Store', email: 'web-eur@connect.example', city: 'Dublin', state: '', zip: 'D02' },
];

export const SEED_GL_ACCOUNTS: [string, string, string][] = [
  ['1000-00', 'Cash - operating', 'A'],
  ['1010-00', 'Stripe clearing', 'A'],
  ['1020-00', 'PayPal clearing', 'A'],
  ['1200-00', 'Accounts receivable', 'A'],
  ['1300-00', 'Inventory', 'A'],
  ['2200-00', 'Sales tax payable', 'L'],
  ['3000-00', 'Retained earnings', 'Q'],
  ['4000-00', 'Sales', 'R'],
  ['4900-00', 'Freight income', 'R'],
  ['5000-00', 'Cost of goods sold', 'E'],
];

interface SeedOrder {
  sono: string; custno: string; date: string; status: '' | 'C'; history: boolean;
  shipvia: string; track: string; extref: string; invno?: string;
  lines: { item: string; loc: 'MAIN' | 'EAST'; qty: number; shipped: number }[];
}

/** Open orders (allocated), a closed order still in the live tables, and closed orders in history. */
export const SEED_ORDERS: SeedOrder[] = [
  { sono: '901', custno: 'ACME01', date: '2026-01-10', status: 'C', history: true, shipvia: 'UPSG', track: '1Z999AA10123456784', extref: '', invno: '5000',
    lines: [{ item: 'WIDGET-100', loc: 'MAIN', qty: 10, shipped: 10 }, { item: 'CABLE-USB-C', loc: 'MAIN', qty: 20, shipped: 20 }] },
  { sono: '902', custno: 'GLOBX1', date: '2026-01-15', status: 'C', history: true, shipvia: 'FEDP', track: '794644790132', extref: 'XC-90002', invno: '5001',
    lines: [{ item: 'MONITOR-27', loc: 'EAST', qty: 2, shipped: 2 }] },
  { sono: '1000', custno: 'INIT01', date: '2026-02-01', status: 'C', history: false, shipvia: 'UPSG', track: '1Z999AA10123456785', extref: 'XC-10000', invno: '5002',
    lines: [{ item: 'KEYB-MECH', loc: 'MAIN', qty: 3, shipped: 3 }, { item: 'MOUSE-WL', loc: 'MAIN', qty: 3, shipped: 3 }] },
  { sono: '1001', custno: 'ACME01', date: '2026-02-10', status: '', history: false, shipvia: 'UPSG', track: '', extref: 'XC-10001',
    lines: [{ item: 'WIDGET-100', loc: 'MAIN', qty: 5, shipped: 0 }, { item: 'GADGET-300', loc: 'MAIN', qty: 2, shipped: 0 }] },
  { sono: '1002', custno: 'STRK01', date: '2026-02-11', status: '', history: false, shipvia: 'FEDP', track: '', extref: '',
    lines: [{ item: 'DOCK-USB4', loc: 'EAST', qty: 1, shipped: 0 }, { item: 'SSD-1TB', loc: 'EAST', qty: 4, shipped: 0 }] },
  { sono: '1003', custno: 'OBRI01', date: '2026-02-12', status: '', history: false, shipvia: 'USPS', track: '', extref: 'XC-10003',
    lines: [{ item: 'HEADSET-PRO', loc: 'MAIN', qty: 1, shipped: 1 }, { item: 'CHARGER-65W', loc: 'MAIN', qty: 2, shipped: 0 }] },
];

const SEED_USER = 'SEED';
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Inserts the seed rows into the tables of `layout`. `conn` runs parameterised statements (an odbc Connection works). */
export async function seedSandbox(conn: SqlRunner, layout: TableLayout, profile: SandboxProfile = SAGEPRO_PROFILES.standard): Promise<void> {
  // The seed names the standard warehouses; a profile may have others (minimal: WH1, WH2).
  const where = (loc: 'MAIN' | 'EAST') => (loc === 'MAIN' ? profile.locations.web : profile.locations.other);
  const byName = new Map(layout.tables.map((t) => [t.name, t]));
  const insert = async (table: string, values: Record<string, unknown>) => {
    const t = byName.get(table);
    if (!t) return; // a table this install does not have
    await insertRow(conn, layout.physical(table), t, values, layout.engine, { dropMissing: true });
  };
  const audit = { ADDUSER: SEED_USER, ADDDATE: '2026-01-01', ADDTIME: '09:00:00' };
  for (const [acct, desc, type] of SEED_GL_ACCOUNTS) await insert('GLACNT', { GLACNT: acct, GLDESC: desc, GLTYPE: type, ...audit });
  for (const c of SEED_CUSTOMERS) {
    await insert('ARCUST', {
      CUSTNO: c.custno, COMPANY: c.company, CONTACT: c.contact, EMAIL: c.email, ADDRESS1: '1 Main Street',
      CITY: c.city, STATE: c.state, ZIP: c.zip, COUNTRY: 'USA', PTERMS: 'Net 30 Days', PNET: 30, CURRENCY: 'USD',
      CREDLIMIT: 25000, ARACCT: '1200-00', ENTERED: '2025-06-01', STAXCRT: c.custno === 'WAYN01', ...audit,
    });
  }
  const prices = new Map(SEED_ITEMS.map((i) => [i.item, i]));
  // Allocations of open orders, and per-customer open amounts.
  const alloc = new Map<string, number>();
  const onorder = new Map<string, number>();
  const balance = new Map<string, number>();
  for (const o of SEED_ORDERS) {
    const mst = o.history ? 'SOYMST' : 'SOMAST';
    const trn = o.history ? 'SOYTRN' : 'SOTRAN';
    const adr = o.history ? 'SOYADR' : 'SOADDR';
    const cust = SEED_CUSTOMERS.find((c) => c.custno === o.custno)!;
    let amount = 0; let shipped = 0;
    let lineno = 0;
    for (const l of o.lines) {
      const it = prices.get(l.item)!;
      const ext = round2(it.price * l.qty);
      amount += ext; shipped += round2(it.price * l.shipped);
      await insert(trn, {
        SONO: o.sono, CUSTNO: o.custno, LINENO: ++lineno, ITEM: l.item, DESCRIP: it.desc, LOCTID: where(l.loc),
        QTYORD: l.qty, QTYSHP: l.shipped, PRICE: it.price, EXTPRICE: ext, COST: it.cost, TAXABLE: 'Y', STKCODE: 'Y',
        GLSALE: '4000-00', GLASST: '1300-00', SOSTAT: o.status, ORDATE: o.date, RQDATE: o.date,
        SHIPDATE: l.shipped > 0 ? o.date.replace(/-(\d\d)$/, (_m, dd: string) => `-${String(Number(dd) + 2).padStart(2, '0')}`) : '',
        UMEASUR: 'EA', ...audit,
      });
      if (o.status === '') {
        const open = l.qty - l.shipped;
        alloc.set(`${l.item}|${where(l.loc)}`, (alloc.get(`${l.item}|${where(l.loc)}`) ?? 0) + open);
      }
    }
    amount = round2(amount);
    if (o.status === '') onorder.set(o.custno, round2((onorder.get(o.custno) ?? 0) + amount - shipped));
    await insert(mst, {
      SONO: o.sono, CUSTNO: o.custno, SODATE: o.date, ORDATE: o.date, SHIPVIA: o.shipvia, PTERMS: 'Net 30 Days', PNET: 30,
      ORDAMT: amount, SHPAMT: round2(shipped), SOSTAT: o.status, SOTRACK: o.track, DEFLOC: where(o.lines[0]!.loc),
      LOCTID: where(o.lines[0]!.loc), GLAREC: '1200-00', ORDERSTAT: o.status === 'C' ? 'SHIPPED' : 'QUEUED', EXTREF: o.extref,
      PONUM: o.extref ? `PO ${o.extref}` : '', ...audit,
    });
    await insert(adr, {
      SONO: o.sono, CUSTNO: o.custno, COMPANY: cust.company, ADDRESS1: '1 Main Street', CITY: cust.city,
      STATE: cust.state, ZIP: cust.zip, COUNTRY: 'USA', ...audit,
    });
    if (o.invno) {
      const paid = o.history ? amount : 0;
      await insert('ARMAST', {
        INVNO: o.invno, CUSTNO: o.custno, INVDTE: o.date, ORNUM: o.sono, PONUM: o.extref ? `PO ${o.extref}` : '',
        REFNO: o.extref, SHIPVIA: o.shipvia, SOTRACK: o.track, PTERMS: 'Net 30 Days', INVAMT: amount, PAIDAMT: paid,
        BALANCE: round2(amount - paid), DTEPAID: paid ? o.date : '', ...audit,
      });
      balance.set(o.custno, round2((balance.get(o.custno) ?? 0) + amount - paid));
      // The cash receipt of a paid invoice (on installs that have ARCASH).
      if (paid) {
        await insert('ARCASH', {
          CUSTNO: o.custno, INVNO: o.invno, INVDTE: o.date, REFNO: `CHK ${o.invno}`, DTEPAID: o.date,
          PONUM: o.extref ? `PO ${o.extref}` : '', DISAMT: 0, PAIDAMT: paid, ...audit,
        });
      }
      lineno = 0;
      for (const l of o.lines) {
        const it = prices.get(l.item)!;
        await insert('ARTRAN', {
          INVNO: o.invno, CUSTNO: o.custno, LINENO: ++lineno, ITEM: l.item, DESCRIP: it.desc, LOCTID: where(l.loc),
          COST: it.cost, PRICE: it.price, QTYORD: l.qty, QTYSHP: l.shipped, EXTPRICE: round2(it.price * l.shipped),
          INVDTE: o.date, PONUM: `Our SO # ${o.sono}`, ...audit,
        });
      }
      await insert('ARDIST', { GLACNT: '1200-00', TRANNO: o.invno, CUSTNO: o.custno, TRANDTE: o.date, ARSESS: 'SEED', AMOUNT: amount, DESCRIP: 'AR', ...audit });
      await insert('ARDIST', { GLACNT: '4000-00', TRANNO: o.invno, CUSTNO: o.custno, TRANDTE: o.date, ARSESS: 'SEED', AMOUNT: -amount, DESCRIP: 'Sales', ...audit });
    }
  }
  for (const it of SEED_ITEMS) {
    await insert('ICITEM', {
      ITEM: it.item, ITMDESC: it.desc, ITMCLSS: it.item.split('-')[0]!.slice(0, 4), PLINID: 'HW', PRICE: it.price,
      IONHAND: it.main + it.east, UMEASUR: 'EA', ILRECV: '2026-01-05', ...audit,
    });
    for (const [loc, qty] of [[where('MAIN'), it.main], [where('EAST'), it.east]] as const) {
      await insert('ICILOC', {
        ITEM: it.item, LOCTID: loc, LONHAND: qty, LSOALOC: alloc.get(`${it.item}|${loc}`) ?? 0,
        // A little work-order allocation on one item, so available ≠ on hand - sales allocation.
        LWOALOC: it.item === 'GADGET-300' && loc === where('MAIN') ? 3 : 0,
        ORDERPT: 5, ORDQTY: 20, MAXLEVEL: 500, LRECV: '2026-01-05',
      });
    }
  }
  for (const [custno, amt] of onorder) {
    await conn.query(`UPDATE ${layout.physical('ARCUST')} SET ONORDER = ? WHERE CUSTNO = ?`, [amt, custno.padEnd(6)]);
  }
  for (const [custno, amt] of balance) {
    await conn.query(`UPDATE ${layout.physical('ARCUST')} SET BALANCE = ? WHERE CUSTNO = ?`, [amt, custno.padEnd(6)]);
  }
  // The next numbers, in the profile's numbering table (SYSDATA or the site's own).
  const numbering = profile.siteConfig().numbering.sales_order.table;
  for (const row of profile.numberingRows) await insert(numbering, row);
}

/** The SKU of scale item `i` (1-based): `BENCH-0000001`; the X-Cart sandbox's bulk seed uses the same form. */
export function scaleItem(i: number): string {
  return `BENCH-${String(i).padStart(7, '0')}`;
}

/**
 * Adds `count` items at one location to ICILOC (item `scaleItem(i)`, on hand `i % 500`, nothing
 * allocated), for benchmarks at catalogue scale: one INSERT ... SELECT over a recursive CTE (SQLite
 * and PostgreSQL), so 100,000 rows take well under a second. Every column is supplied, padded to its
 * width as Sage Pro stores it (no NULLs). `location` must fit the install's LOCTID.
 */
export async function seedInventoryScale(conn: SqlRunner, layout: TableLayout, opts: { count: number; location: string }): Promise<void> {
  const t = layout.tables.find((x) => x.name === 'ICILOC');
  if (!t) throw new Error('sandbox: this install has no ICILOC table');
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error(`sandbox: seedInventoryScale count must be a positive integer, not ${String(opts.count)}`);
  const item = t.columns.find(([c]) => c === 'ITEM')!;
  const w = columnType(item[1]);
  if (w.kind !== 'C' || w.width < scaleItem(opts.count).length) throw new Error(`sandbox: ICILOC.ITEM ${item[1]} cannot hold ${scaleItem(opts.count)}`);
  const sqlite = layout.engine === 'sqlite';
  const pad = (expr: string, width: number) => (sqlite ? `substr(${expr} || '${' '.repeat(width)}', 1, ${width})` : `rpad(${expr}, ${width})`);
  const itemText = sqlite ? `'BENCH-' || substr('0000000' || i, -7, 7)` : `'BENCH-' || lpad(i::text, 7, '0')`;
  const cols: string[] = [];
  const exprs: string[] = [];
  for (const [c, ty] of t.columns) {
    const type = columnType(ty);
    cols.push(sqlName(c));
    if (c === 'ITEM') exprs.push(pad(itemText, w.width));
    else if (c === 'LONHAND') exprs.push(sqlite ? 'i % 500' : 'mod(i, 500)');
    else if (c === 'ORDERPT') exprs.push('5');
    else {
      const v = storedValue('ICILOC', c, type, c === 'LOCTID' ? opts.location : undefined, layout.engine);
      exprs.push(typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
    }
  }
  await conn.query(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${opts.count}) `
    + `INSERT INTO ${layout.physical('ICILOC')} (${cols.join(', ')}) SELECT ${exprs.join(', ')} FROM n`,
  );
}
