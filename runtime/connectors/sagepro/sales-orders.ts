/**
 * Sales orders (SOMAST / SOTRAN / SOADDR, history SOYMST / SOYTRN / SOYADR): read, find by external
 * reference, create (allocation in ICILOC.LSOALOC, ARCUST.ONORDER, the site's numbering, charges as
 * non-stock lines, ORDAMT + TAX against `expected_total`) and the shipping status with its invoice.
 *
 * Declared rules of a create (the flow chooses them; lookups/order-settings.yaml):
 * - `unknown_items`: dead_letter (an unknown item is invalid), create_item (a minimal ICITEM + ICILOC
 *   row, items.ts, with the line's `item_class`), catch_all (the line is booked on `catch_all_item`,
 *   which must be stocked at the location; NOTES names the SKUs). Decided inside the transaction.
 * - `line_discount`: an order discount spread over the item lines as SOTRAN.DISC (one percentage,
 *   3 places, EXTPRICE = price x qty x (1 - DISC/100) to the cent), the rounding remainder booked as a
 *   non-stock line on its `item`; ORDAMT is then re-checked against `expected_total`.
 * - tax: `tax` given is passed through to SOMAST.TAX; no `tax` but a `tax_rate` lets Sage Pro's rule
 *   compute it (TAXSAMT = the taxable lines' EXTPRICE, TAX = TAXSAMT x TAXRATE / 100), checked against
 *   `expected_tax` within `tax_tolerance` (over it: invalid, naming the difference).
 */
import { ident, maxInList, rowsPerInsert } from './dialect.js';
import type { Row, Session } from './odbc.js';
import { numberingKey } from './numbering.js';
import { completeRow, decodeValue, type Bound } from './storage.js';
import { round, type Obj, type SageProContext } from './context.js';
import { createMinimalItem, type MinimalItem } from './items.js';

/** What `sales_orders.create` does with a line whose item is not in ICITEM (`SalesOrder.unknown_items`). */
export const UNKNOWN_ITEM_POLICIES = ['dead_letter', 'create_item', 'catch_all'] as const;

/** The maps and STKCODE flag an order's rows are decoded with (the same for a read and a create). */
async function orderFromRows(c: SageProContext, mst: string, trn: string, adr: string, history: boolean, head: Row, lineRows: Row[], addr: Row | null): Promise<Obj> {
  const hdr = c.schemas.get('SalesOrder');
  const line = c.schemas.get('SalesOrder.Line');
  const ship = c.schemas.get('SalesOrder.ShipTo');
  const order = c.decode(hdr, await c.present(hdr, mst), head);
  const lmaps = await c.present(line, trn);
  // Non-stock lines (STKCODE N) are the order's charges (shipping, discounts), as created.
  const isCharge = (r: Row) => String(r.STKCODE ?? '').trim().toUpperCase() === 'N';
  order.lines = lineRows.filter((r) => !isCharge(r)).map((r) => c.decode(line, lmaps, r));
  const charges = lineRows.filter(isCharge).map((r) => {
    const d = c.decode(line, lmaps, r);
    return { item: d.item, description: d.description, amount: d.extended_price };
  });
  if (charges.length) order.charges = charges;
  if (addr) order.ship_to = c.decode(ship, await c.present(ship, adr), addr);
  Object.defineProperty(order, 'in_history', { value: history, enumerable: false });
  return order;
}

export async function readOrder(c: SageProContext, s: Session, number: string): Promise<Obj | null> {
  const hdr = c.schemas.get('SalesOrder');
  const line = c.schemas.get('SalesOrder.Line');
  const ship = c.schemas.get('SalesOrder.ShipTo');
  for (const [mst, trn, adr, history] of [['SOMAST', 'SOTRAN', 'SOADDR', false], ['SOYMST', 'SOYTRN', 'SOYADR', true]] as const) {
    const sono = await c.key(mst, 'SONO', number);
    const h = await c.selectRows(s, hdr, mst, [['SONO', sono]]);
    if (!h.rows.length) continue;
    const l = await c.selectRows(s, line, trn, [['SONO', sono]], ['LINENO'], ['STKCODE']);
    const a = await c.selectRows(s, ship, adr, [['SONO', sono]]);
    return orderFromRows(c, mst, trn, adr, history, h.rows[0]!, l.rows, a.rows[0] ?? null);
  }
  return null;
}

/** A row as the install stores it (every column, storage rules applied), for an INSERT and as the row written. */
async function storedRow(c: SageProContext, table: string, values: Obj, op: string): Promise<{ columns: string[]; params: Bound[]; row: Row }> {
  const sh = await c.shape(table);
  const { columns, params } = completeRow(sh, c.presentOnly(sh, values), c.dialect, op, c.textOptions());
  return { columns, params, row: Object.fromEntries(columns.map((k, i) => [k, params[i]])) };
}

/** Inserts rows of one table: several rows per statement where the dialect allows it (dialect.rowsPerInsert; VFP one). */
async function insertRows(c: SageProContext, s: Session, table: string, rows: { columns: string[]; params: Bound[] }[]): Promise<void> {
  if (!rows.length) return;
  const columns = rows[0]!.columns;
  const one = `(${columns.map(() => '?').join(', ')})`;
  const per = rowsPerInsert(c.dialect, columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await s.execute(`INSERT INTO ${c.t(table)} (${columns.map(ident).join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`, chunk.flatMap((r) => r.params));
  }
}

/** Values a trimmed key is compared by in rows read back (the pad dropped). */
const unpadded = (v: unknown) => String(v ?? '').replace(/\s+$/, '');

/**
 * The items (ITEM, ITMDESC, PRICE) of an order's lines and the item/location pairs stocked in
 * ICILOC, in one SELECT per IN-list chunk (dialect.maxInList): ICITEM LEFT JOIN ICILOC. Where the
 * install keeps ICITEM.ITEM and ICILOC.ITEM at different widths (the padded values would not join),
 * one SELECT per table.
 */
async function itemsAndLocations(c: SageProContext, s: Session, itemKeys: string[], locKeys: string[]): Promise<{ items: Map<string, Row>; stocked: Set<string> }> {
  const items = new Map<string, Row>();
  const stocked = new Set<string>();
  const pair = (item: unknown, loc: unknown) => `${unpadded(item)}\u0000${unpadded(loc)}`;
  const n = maxInList(c.dialect);
  const chunks = (xs: string[]) => { const out: string[][] = []; for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n)); return out; };
  const marks = (xs: string[]) => xs.map(() => '?').join(', ');
  const itemType = (await c.shape('ICITEM')).columns.get('ITEM')?.type;
  const locItemType = (await c.shape('ICILOC')).columns.get('ITEM')?.type;
  const joinable = itemType?.kind === 'C' && locItemType?.kind === 'C' && itemType.width === locItemType.width;
  for (const ic of chunks(itemKeys)) {
    for (const lc of locKeys.length ? chunks(locKeys) : [[]]) {
      if (joinable && lc.length) {
        const onDeleted = c.dialect.notDeleted('l');
        const rows = await s.query(
          `SELECT i.ITEM, i.ITMDESC, i.PRICE, l.LOCTID FROM ${c.t('ICITEM')} i LEFT JOIN ${c.t('ICILOC')} l ON l.ITEM = i.ITEM AND l.LOCTID IN (${marks(lc)})${onDeleted ? ` AND ${onDeleted}` : ''}`
          + `${c.where([`i.ITEM IN (${marks(ic)})`], 'i')}`,
          [...lc, ...ic],
        );
        for (const r of rows) {
          items.set(unpadded(r.ITEM), r);
          if (r.LOCTID !== null && r.LOCTID !== undefined) stocked.add(pair(r.ITEM, r.LOCTID));
        }
      } else {
        for (const r of await s.query(`SELECT ITEM, ITMDESC, PRICE FROM ${c.t('ICITEM')}${c.where([`ITEM IN (${marks(ic)})`])}`, ic)) items.set(unpadded(r.ITEM), r);
        if (!lc.length) continue;
        const lic = await Promise.all(ic.map((k) => c.key('ICILOC', 'ITEM', unpadded(k))));
        for (const r of await s.query(`SELECT ITEM, LOCTID FROM ${c.t('ICILOC')}${c.where([`ITEM IN (${marks(lic)})`, `LOCTID IN (${marks(lc)})`])}`, [...lic, ...lc])) stocked.add(pair(r.ITEM, r.LOCTID));
      }
    }
  }
  return { items, stocked };
}

/**
 * The first of `tables` (in order) holding `value` in `column`, with the lowest SONO there, or
 * null: one `SELECT 0 AS H, SONO ... UNION ALL SELECT 1 AS H, SONO ... ORDER BY H, SONO` where the
 * dialect allows; one SELECT per table on VFP (its older SQL engines want equal column widths in a
 * UNION; the history table's need not be). `deletedToo` leaves out the deleted-row filter (VFP: a
 * deleted row still holds its key in the unique index).
 */
async function firstHolding(c: SageProContext, s: Session, tables: readonly string[], column: string, value: string, deletedToo = false): Promise<{ table: string; sono: string } | null> {
  const parts: { sql: string; key: string }[] = [];
  for (const [i, t] of tables.entries()) {
    const cond = [`${ident(column)} = ?`];
    parts.push({ sql: `SELECT ${i} AS H, SONO FROM ${c.t(t)}${deletedToo ? ` WHERE ${cond[0]}` : c.where(cond)}`, key: await c.key(t, column, value) });
  }
  if (c.dialect.name === 'vfp') {
    for (const [i, p] of parts.entries()) {
      const r = await s.query(c.dialect.limit(`${p.sql} ORDER BY SONO`, 1), [p.key]);
      if (r.length) return { table: tables[i]!, sono: String(r[0]!.SONO).trim() };
    }
    return null;
  }
  const r = await s.query(`${parts.map((p) => p.sql).join(' UNION ALL ')} ORDER BY H, SONO`, parts.map((p) => p.key));
  return r.length ? { table: tables[Number(r[0]!.H)]!, sono: String(r[0]!.SONO).trim() } : null;
}

async function orderNumberByRef(c: SageProContext, s: Session, ref: string): Promise<string | null> {
  return (await firstHolding(c, s, ['SOMAST', 'SOYMST'], c.externalRefColumn(), ref))?.sono ?? null;
}

/**
 * ICILOC.LSOALOC rises by each item/location's quantity: one UPDATE for all of them (`SET LSOALOC =
 * LSOALOC + CASE WHEN ITEM = ? AND LOCTID = ? THEN CAST(? AS <type>) ... END`, the CAST so that
 * PostgreSQL types the bound quantity as the column's) where the dialect has CASE; on VFP (whose
 * SQL has no CASE) one UPDATE per row.
 */
async function allocate(c: SageProContext, s: Session, alloc: { item: string; loc: string; qty: number }[], op: string): Promise<void> {
  const col = (await c.shape('ICILOC')).columns.get('LSOALOC');
  if (c.dialect.name === 'vfp' || alloc.length < 2 || !col) {
    for (const a of alloc) await c.addTo(s, 'ICILOC', { LSOALOC: a.qty }, { ITEM: a.item, LOCTID: a.loc }, op);
    return;
  }
  const type = c.dialect.ddlType(col.type);
  const per = Math.max(1, Math.floor(maxInList(c.dialect) / 2));
  for (let i = 0; i < alloc.length; i += per) {
    const chunk = await Promise.all(alloc.slice(i, i + per).map(async (a) => ({ item: await c.key('ICILOC', 'ITEM', a.item), loc: await c.key('ICILOC', 'LOCTID', a.loc), qty: Number(a.qty) })));
    const cases = chunk.map(() => `WHEN ITEM = ? AND LOCTID = ? THEN CAST(? AS ${type})`).join(' ');
    const rows = chunk.map(() => '(ITEM = ? AND LOCTID = ?)').join(' OR ');
    await s.execute(
      `UPDATE ${c.t('ICILOC')} SET LSOALOC = LSOALOC + CASE ${cases} ELSE 0 END${c.where([`(${rows})`])}`,
      [...chunk.flatMap((a) => [a.item, a.loc, a.qty]), ...chunk.flatMap((a) => [a.item, a.loc])],
    );
  }
}

export function getSalesOrder(c: SageProContext, number: string): Promise<Obj | null> {
  return c.tx('sales_orders.get', (s) => readOrder(c, s, number));
}

export function findSalesOrderByRef(c: SageProContext, externalRef: string): Promise<Obj | null> {
  return c.tx('sales_orders.find_by_ref', async (s) => {
    if (externalRef.trim() === '') return null;
    const n = await orderNumberByRef(c, s, externalRef);
    return n ? readOrder(c, s, n) : null;
  });
}

export function createSalesOrder(c: SageProContext, order: Obj): Promise<Obj> {
  const op = 'sales_orders.create';
  return c.tx(op, async (s) => {
    if (!order || typeof order !== 'object') throw c.invalid('order is required', op);
    const customer = String(order.customer ?? '').trim();
    if (!customer) throw c.invalid('order.customer is required', op, 'SOMAST', 'CUSTNO', 'customer');
    if (!order.order_date) throw c.invalid('order.order_date is required', op, 'SOMAST', 'SODATE', 'order_date');
    const lines = Array.isArray(order.lines) ? (order.lines as Obj[]) : [];
    if (!lines.length) throw c.invalid('order.lines must have at least one line', op, 'SOTRAN', undefined, 'lines');
    const ref = typeof order.external_ref === 'string' ? order.external_ref.trim() : '';
    // The reference is what makes a repeated create harmless (catalog: idempotent).
    if (!ref) throw c.invalid('order.external_ref is required: it makes a repeated create return the first order', op, 'SOMAST', c.externalRefColumn(), 'external_ref');
    // Every field the flow gives must have its column on this install, checked before any write.
    await c.requireMapped(c.schemas.get('SalesOrder'), order, op);
    for (const [i, l] of lines.entries()) await c.requireMapped(c.schemas.get('SalesOrder.Line'), l ?? {}, op, `lines/${i}/`);
    if (order.ship_to && typeof order.ship_to === 'object') await c.requireMapped(c.schemas.get('SalesOrder.ShipTo'), order.ship_to as Obj, op, 'ship_to/');

    // 1. Serialise creators, then the existence check, all in this transaction.
    await c.lockTable(s, 'SOMAST', 'SONO');
    {
      const existing = await orderNumberByRef(c, s, ref);
      if (existing) {
        const o = (await readOrder(c, s, existing))!;
        if (o.customer !== customer) {
          throw c.conflict(`external_ref '${ref}' already used by order ${existing} of customer ${String(o.customer)}`, op, 'SOMAST', 'EXTREF');
        }
        // A repeat gives the first create's catch_all_skus: the lines whose SKU the stored order lacks.
        if (String(order.unknown_items ?? '') === 'catch_all') withCatchAll(o, caughtOnRepeat(lines, o));
        return o;
      }
    }
    // 2. Validate customer, items and stock locations.
    const cust = await s.query(`SELECT CUSTNO FROM ${c.t('ARCUST')}${c.where(['CUSTNO = ?'])}`, [await c.key('ARCUST', 'CUSTNO', customer)]);
    if (!cust.length) throw c.invalid(`unknown customer '${customer}'`, op, 'ARCUST', 'CUSTNO', 'customer');
    const defLoc = String(order.location ?? '').trim() || String(order.site_location ?? '').trim() || c.opts.defaultLocation;
    const unknownPolicy = String(order.unknown_items ?? 'dead_letter');
    if (!(UNKNOWN_ITEM_POLICIES as readonly string[]).includes(unknownPolicy)) {
      throw c.invalid(`order.unknown_items must be one of ${UNKNOWN_ITEM_POLICIES.join(', ')}, not '${unknownPolicy}'`, op, 'ICITEM', 'ITEM', 'unknown_items');
    }
    const catchAll = String(order.catch_all_item ?? '').trim();
    if (unknownPolicy === 'catch_all' && !catchAll) throw c.invalid('order.catch_all_item is required when unknown_items is catch_all', op, 'ICITEM', 'ITEM', 'catch_all_item');
    const catchAllKey = unknownPolicy === 'catch_all' ? await c.key('ICITEM', 'ITEM', catchAll) : undefined;
    const caught: string[] = [];
    const toCreate = new Map<string, MinimalItem>();
    const prepared: { line: Obj; item: string; loc: string; qty: number; price: number; disc: number; ext: number; desc: string; cost: number; stocked: boolean }[] = [];
    // Keys first (in line order; the first line a key cannot be made for is where the query stops),
    // then one SELECT for every item and location, then each line checked in order as before.
    type Keys = { item: string; loc: string; itemKey?: string; locKey?: string; err?: unknown };
    const keys: Keys[] = [];
    for (const [i, l] of lines.entries()) {
      const item = String(l.item ?? '').trim();
      const k: Keys = { item, loc: String(l.location ?? '').trim() || defLoc };
      keys.push(k);
      try {
        if (!item) throw c.invalid(`line ${i + 1}: item is required`, op, 'SOTRAN', 'ITEM', `lines/${i}/item`);
        k.itemKey = await c.key('ICITEM', 'ITEM', item);
        k.locKey = await c.key('ICILOC', 'LOCTID', k.loc);
      } catch (e) { k.err = e; break; }
    }
    const defined = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))];
    const found = await itemsAndLocations(c, s, defined([...keys.map((k) => k.itemKey), catchAllKey]), defined(keys.map((k) => k.locKey)));
    for (const [i, l] of lines.entries()) {
      const { loc, locKey, err } = keys[i]!;
      let { item, itemKey } = keys[i]!;
      if (err && itemKey === undefined) throw err;
      let it = found.items.get(unpadded(itemKey));
      let created = false;
      if (!it && unknownPolicy === 'catch_all' && !err) {
        it = found.items.get(unpadded(catchAllKey));
        if (!it) throw c.invalid(`line ${i + 1}: unknown item '${item}', and the catch-all item '${catchAll}' is not in ICITEM either`, op, 'ICITEM', 'ITEM', 'catch_all_item');
        caught.push(item);
        item = catchAll; itemKey = catchAllKey;
      } else if (!it && unknownPolicy === 'create_item' && !err) {
        const cls = String(l.item_class ?? '').trim();
        if (!toCreate.has(unpadded(itemKey))) toCreate.set(unpadded(itemKey), { item, description: String(l.description ?? '') || item, price: Number(l.price ?? 0), itemClass: cls, location: loc });
        it = { ITEM: item, ITMDESC: String(l.description ?? ''), PRICE: Number(l.price ?? 0) };
        created = true;
      }
      if (!it) throw c.invalid(`line ${i + 1}: unknown item '${item}'`, op, 'ICITEM', 'ITEM', `lines/${i}/item`);
      if (err) throw err;
      if (!created && !found.stocked.has(`${unpadded(itemKey)}\u0000${unpadded(locKey)}`)) throw c.invalid(`line ${i + 1}: item '${item}' is not stocked at location '${loc}'`, op, 'ICILOC', 'LOCTID', `lines/${i}/location`);
      const qty = Number(l.quantity);
      if (!Number.isFinite(qty) || qty === 0) throw c.invalid(`line ${i + 1}: quantity must be a non-zero number`, op, 'SOTRAN', 'QTYORD', `lines/${i}/quantity`);
      const price = l.price === undefined || l.price === null ? Number(it.PRICE ?? 0) : Number(l.price);
      const disc = Number(l.discount ?? 0);
      const ext = round(price * qty * (1 - disc / 100));
      const desc = String(l.description ?? '') || String(it.ITMDESC ?? '').replace(/\s+$/, '');
      prepared.push({ line: l, item, loc, qty, price, disc, ext, desc, cost: 0, stocked: true });
    }
    // An order discount spread over the item lines (DISC %), the rounding remainder on its own line.
    const ld = order.line_discount && typeof order.line_discount === 'object' ? order.line_discount as Obj : null;
    let remainderLine: (typeof prepared)[number] | null = null;
    if (ld) {
      const amt = Number(ld.amount);
      const spread = prepared.filter((p) => p.disc === 0);
      const base = round(spread.reduce((t, p) => t + p.ext, 0));
      if (!Number.isFinite(amt) || amt > 0 || -amt > base) throw c.invalid(`line_discount.amount must be a discount from 0 to -${base.toFixed(2)} (the undiscounted item lines), not ${String(ld.amount)}`, op, 'SOTRAN', 'DISC', 'line_discount/amount');
      const item = String(ld.item ?? '').trim();
      if (!item) throw c.invalid('line_discount.item is required (the line the rounding remainder is booked on)', op, 'SOTRAN', 'ITEM', 'line_discount/item');
      const pct = base > 0 ? round(-amt / base * 100, 3) : 0;
      for (const p of spread) { p.disc = pct; p.ext = round(p.price * p.qty * (1 - pct / 100)); }
      const rest = round(amt - round(spread.reduce((t, p) => t + p.ext, 0) - base));
      if (rest !== 0) remainderLine = { line: {}, item, loc: defLoc, qty: 1, price: rest, disc: 0, ext: rest, desc: String(ld.description ?? ''), cost: 0, stocked: false };
    }
    // Order-level charges and discounts: non-stock lines (STKCODE N), counted in ORDAMT, not allocated.
    const charges = Array.isArray(order.charges) ? (order.charges as Obj[]) : [];
    for (const [i, ch] of charges.entries()) {
      const item = String(ch.item ?? '').trim();
      if (!item) throw c.invalid(`charge ${i + 1}: item is required`, op, 'SOTRAN', 'ITEM', `charges/${i}/item`);
      const amt = Number(ch.amount);
      if (!Number.isFinite(amt)) throw c.invalid(`charge ${i + 1}: amount must be a number`, op, 'SOTRAN', 'EXTPRICE', `charges/${i}/amount`);
      const taxable = ch.taxable === 'Y' || ch.taxable === 'N' ? ch.taxable : 'N';
      prepared.push({ line: { taxable }, item, loc: defLoc, qty: 1, price: amt, disc: 0, ext: round(amt), desc: String(ch.description ?? ''), cost: 0, stocked: false });
    }
    if (remainderLine) prepared.push(remainderLine);
    const amount = round(prepared.reduce((t, p) => t + p.ext, 0));
    // Tax: passed through (order.tax), or computed by Sage Pro's rule from TAXRATE and the taxable lines.
    const taxGiven = order.tax !== undefined && order.tax !== null;
    const taxComputed = !taxGiven && order.tax_rate !== undefined && order.tax_rate !== null;
    let tax = round(Number(order.tax ?? 0));
    let taxable = 0;
    if (taxComputed) {
      const rate = Number(order.tax_rate);
      if (!Number.isFinite(rate) || rate < 0) throw c.invalid(`tax_rate must be a percentage, not ${String(order.tax_rate)}`, op, 'SOMAST', 'TAXRATE', 'tax_rate');
      taxable = round(prepared.filter((p) => (p.line.taxable ?? (p.stocked ? 'Y' : 'N')) === 'Y').reduce((t, p) => t + p.ext, 0));
      tax = round(taxable * rate / 100);
    }
    let storeTax = tax;
    if (order.expected_tax !== undefined && order.expected_tax !== null) {
      storeTax = round(Number(order.expected_tax));
      const tol = Number(order.tax_tolerance ?? 0);
      const diff = round(tax - storeTax);
      if (!Number.isFinite(storeTax) || !(Math.abs(diff) <= tol + 1e-9)) {
        throw c.invalid(`Sage Pro's tax ${tax.toFixed(2)} (TAXSAMT ${taxable.toFixed(2)} x TAXRATE ${String(order.tax_rate ?? '')} %) differs from the store's tax ${String(order.expected_tax)} by ${diff.toFixed(2)}, over the tolerance ${tol.toFixed(2)}: tax_difference ${diff.toFixed(2)}`, op, 'SOMAST', 'TAX', 'expected_tax');
      }
    }
    // The order's total is ORDAMT + TAX after Sage Pro's rounding (the store's tax where Sage Pro
    // computed its own within the tolerance); it must be the store's, to the cent.
    if (order.expected_total !== undefined && order.expected_total !== null) {
      const expected = Number(order.expected_total);
      const total = round(amount + storeTax);
      if (!Number.isFinite(expected) || Math.round(Math.abs(expected - total) * 100) >= 1) {
        throw c.invalid(`order total ${total.toFixed(2)} (ORDAMT ${amount.toFixed(2)} + TAX ${storeTax.toFixed(2)}) does not reconcile with the expected total ${String(order.expected_total)}: difference ${round(expected - total).toFixed(2)}`, op, 'SOMAST', 'ORDAMT', 'expected_total');
      }
    }
    // 3. Number.
    let number = String(order.number ?? '').trim();
    if (number) {
      const held = await firstHolding(c, s, ['SOMAST', 'SOYMST'], 'SONO', number);
      if (held) throw c.conflict(`sales order ${number} already exists`, op, held.table, 'SONO');
    } else {
      // The numbering table is touched only here, when the order carries no number.
      for (let tries = 0; ; tries++) {
        number = await c.nextNumber(s, 'sales_order', op, { what: 'sales order number', table: 'SOMAST', column: 'SONO', field: 'number' });
        if (!(await firstHolding(c, s, ['SOMAST', 'SOYMST'], 'SONO', number, true))) break;
        if (tries > 1000) throw c.conflict(`no free sales order number from ${numberingKey('sales_order')}`, op, 'SOMAST', 'SONO');
      }
    }
    // 4. Rows.
    const hdr = c.schemas.get('SalesOrder');
    const stamp = c.stamp();
    const head = c.encodeProps(hdr, order);
    delete head.SOSTAT; // new orders are open
    if (taxComputed) { head.TAX = tax; head.TAXSAMT = taxable; }
    // What a person must look at: lines booked on the catch-all item, items made for the order.
    const flags = [
      ...(caught.length ? [`CATCH-ALL: ${caught.join(', ')} booked on ${catchAll}`] : []),
      ...(toCreate.size ? [`NEW ITEM: ${[...toCreate.values()].map((t) => t.item).join(', ')} created in ICITEM`] : []),
    ];
    if (flags.length) head.NOTES = [String(head.NOTES ?? ''), ...flags].filter((x) => x).join('; ');
    // SOTRAN in as few INSERTs as the dialect allows; the rows written are what the create returns.
    const headRow = await storedRow(c, 'SOMAST', {
      ...head, SONO: number, CUSTNO: customer, ORDAMT: amount, SHPAMT: 0, DEFLOC: defLoc,
      LOCTID: defLoc, SOSTAT: '', ...stamp,
    }, op);
    const lineShape = c.schemas.get('SalesOrder.Line');
    const lineRows = [];
    for (const [i, p] of prepared.entries()) {
      lineRows.push(await storedRow(c, 'SOTRAN', {
        ...c.encodeProps(lineShape, p.line), SONO: number, CUSTNO: customer, LINENO: i + 1, ITEM: p.item,
        DESCRIP: p.desc, LOCTID: p.loc, QTYORD: p.qty, QTYSHP: 0, PRICE: p.price, DISC: p.disc, EXTPRICE: p.ext,
        STKCODE: p.stocked ? 'Y' : 'N', TAXABLE: p.line.taxable ?? (p.stocked ? 'Y' : 'N'), SOSTAT: '', SOTYPE: head.SOTYPE ?? '', ORDATE: order.order_date,
        SALESMN: head.SALESMN ?? '', ...stamp,
      }, op));
    }
    const addrRow = order.ship_to && typeof order.ship_to === 'object'
      ? await storedRow(c, 'SOADDR', {
        ...c.encodeProps(c.schemas.get('SalesOrder.ShipTo'), order.ship_to as Obj),
        SONO: number, CUSTNO: customer, CSHIPNO: head.CSHIPNO ?? '', ...stamp,
      }, op)
      : null;
    for (const t of toCreate.values()) await createMinimalItem(c, s, t, op);
    await insertRows(c, s, 'SOMAST', [headRow]);
    await insertRows(c, s, 'SOTRAN', lineRows);
    if (addrRow) await insertRows(c, s, 'SOADDR', [addrRow]);
    // 5. Allocation per item and location, and the customer's open order amount.
    const alloc = new Map<string, { item: string; loc: string; qty: number }>();
    for (const p of prepared) {
      if (!p.stocked) continue;
      const k = `${p.item}\u0000${p.loc}`;
      const a = alloc.get(k) ?? { item: p.item, loc: p.loc, qty: 0 };
      a.qty += p.qty; alloc.set(k, a);
    }
    await allocate(c, s, [...alloc.values()], op);
    await c.addTo(s, 'ARCUST', { ONORDER: amount }, { CUSTNO: customer }, op);
    // What was written, decoded as a read would decode it (no read-back), with the SKUs booked on the catch-all item.
    return withCatchAll(await orderFromRows(c, 'SOMAST', 'SOTRAN', 'SOADDR', false, headRow.row, lineRows.map((r) => r.row), addrRow?.row ?? null), caught);
  });
}

/** The create's result field `catch_all_skus` (SalesOrder.yaml): set only when some line was booked on the catch-all item. */
function withCatchAll(o: Obj, skus: readonly string[]): Obj {
  if (skus.length) o.catch_all_skus = [...skus];
  return o;
}

/**
 * For a repeated create: the given lines (in order) whose SKU is not among the stored order's item
 * lines, which a catch_all create booked on the catch-all item (the same list the first create gave).
 */
function caughtOnRepeat(lines: readonly Obj[], stored: Obj): string[] {
  const items = new Set(((stored.lines as Obj[] | undefined) ?? []).map((l) => String(l.item ?? '').trim().toUpperCase()));
  return lines.map((l) => String(l.item ?? '').trim()).filter((sku) => sku !== '' && !items.has(sku.toUpperCase()));
}

export function salesOrderStatus(c: SageProContext, number: string): Promise<Obj | null> {
  const op = 'sales_orders.status';
  return c.tx(op, async (s) => {
    const st = c.schemas.get('SalesOrderStatus');
    for (const [mst, trn, history] of [['SOMAST', 'SOTRAN', false], ['SOYMST', 'SOYTRN', true]] as const) {
      const sono = await c.key(mst, 'SONO', number);
      const h = await c.selectRows(s, st, mst, [['SONO', sono]]);
      if (!h.rows.length) continue;
      const out = c.decode(st, h.maps, h.rows[0]!);
      // LINENO and SHIPDATE are optional (no public source shows them on SOTRAN; SOYTRN keeps SHIPDATE).
      const lineNo = await c.has(trn, 'LINENO');
      const shipDate = await c.has(trn, 'SHIPDATE');
      const stkCode = await c.has(trn, 'STKCODE');
      const lcols = [...(lineNo ? ['LINENO'] : []), 'ITEM', 'QTYORD', 'QTYSHP', ...(shipDate ? ['SHIPDATE'] : []), ...(stkCode ? ['STKCODE'] : [])];
      const lr = await s.query(`SELECT ${lcols.join(', ')} FROM ${c.t(trn)}${c.where(['SONO = ?'])}${lineNo ? ' ORDER BY LINENO' : ''}`, [sono]);
      // Charge lines (non-stock, STKCODE N: freight, discounts) are not shipped goods.
      const lines = lr.filter((r) => String(r.STKCODE ?? '').trim().toUpperCase() !== 'N').map((r, i) => ({
        line_number: lineNo ? Number(r.LINENO ?? 0) : i + 1,
        item: decodeValue({ kind: 'C', width: 15 }, 'left', r.ITEM),
        quantity: Number(r.QTYORD ?? 0),
        quantity_shipped: Number(r.QTYSHP ?? 0),
        ship_date: shipDate ? decodeValue({ kind: 'D' }, 'left', r.SHIPDATE) : null,
      }));
      out.in_history = history;
      out.lines = lines;
      out.quantity_ordered = round(lines.reduce((t, l) => t + l.quantity, 0), 4);
      out.quantity_shipped = round(lines.reduce((t, l) => t + l.quantity_shipped, 0), 4);
      out.fully_shipped = lines.length > 0 && lines.every((l) => l.quantity_shipped >= l.quantity);
      const dates = lines.map((l) => l.ship_date).filter((d): d is string => typeof d === 'string').sort();
      out.ship_date = dates.length ? dates[dates.length - 1] : null;
      // The invoice, not a credit memo against it (ARTYPE C, which carries the same ORNUM).
      const inv = await s.query(
        c.dialect.limit(`SELECT INVNO, INVDTE, BALANCE FROM ${c.t('ARMAST')}${c.where(['ORNUM = ?', "ARSTAT NOT IN ('V', 'X')", "(ARTYPE IS NULL OR ARTYPE <> 'C')"])} ORDER BY INVDTE DESC, INVNO DESC`, 1),
        [await c.key('ARMAST', 'ORNUM', number)],
      );
      out.invoice_number = inv.length ? String(inv[0]!.INVNO).trim() : null;
      out.invoice_date = inv.length ? decodeValue({ kind: 'D' }, 'left', inv[0]!.INVDTE) : null;
      out.invoice_balance = inv.length ? Number(inv[0]!.BALANCE ?? 0) : null;
      return out;
    }
    return null;
  });
}
