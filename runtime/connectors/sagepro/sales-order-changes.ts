/**
 * Changes to an open sales order that the store took (part of) back before it was invoiced:
 * sales_orders.reduce (lower line quantities) and sales_orders.cancel (void the order).
 *
 * Sage Pro keeps derived totals in the application, not the database (reference §3.3), so each
 * write moves them itself, as order entry raised them: ICILOC.LSOALOC (allocation), SOMAST.ORDAMT,
 * ARCUST.ONORDER. Void is SOSTAT `V` [V][M, §3.1] on SOMAST and its SOTRAN lines. Both are naturally
 * repeatable: a voided order stays voided, a quantity already at its value changes nothing.
 */
import { ConnectorError } from '../errors.js';
import type { Row, Session } from './odbc.js';
import { readOrder } from './sales-orders.js';
import { round, type Obj, type SageProContext } from './context.js';

const trimmed = (v: unknown) => String(v ?? '').trim();
const stocked = (r: Row) => trimmed(r.STKCODE).toUpperCase() !== 'N';

/** The live order's header (SOSTAT, CUSTNO, ORDAMT, TAX) under the SO lock; not_found / conflict (history) otherwise. */
async function openHeader(c: SageProContext, s: Session, number: string, op: string): Promise<Row> {
  await c.lockTable(s, 'SOMAST', 'SONO');
  const sono = await c.key('SOMAST', 'SONO', number);
  const h = await s.query(`SELECT SOSTAT, CUSTNO, ORDAMT, TAX FROM ${c.t('SOMAST')}${c.where(['SONO = ?'])}`, [sono]);
  if (h.length) return h[0]!;
  const y = await s.query(`SELECT SONO FROM ${c.t('SOYMST')}${c.where(['SONO = ?'])}`, [await c.key('SOYMST', 'SONO', number)]);
  if (y.length) throw c.conflict(`sales order ${number} is closed (in the history tables): it cannot change`, op, 'SOYMST', 'SONO');
  throw new ConnectorError(`sales order ${number} not found`, { errorClass: 'not_found', system: 'sagepro', operation: op, table: 'SOMAST', column: 'SONO' });
}

async function lineRows(c: SageProContext, s: Session, number: string): Promise<{ rows: Row[]; lineNo: boolean }> {
  const lineNo = await c.has('SOTRAN', 'LINENO');
  const stk = await c.has('SOTRAN', 'STKCODE');
  const cols = [...(lineNo ? ['LINENO'] : []), 'ITEM', 'LOCTID', 'QTYORD', 'QTYSHP', 'PRICE', 'DISC', 'EXTPRICE', ...(stk ? ['STKCODE'] : [])];
  const rows = await s.query(`SELECT ${cols.join(', ')} FROM ${c.t('SOTRAN')}${c.where(['SONO = ?'])}${lineNo ? ' ORDER BY LINENO' : ''}`, [await c.key('SOTRAN', 'SONO', number)]);
  return { rows, lineNo };
}

export function cancelSalesOrder(c: SageProContext, number: string): Promise<Obj> {
  const op = 'sales_orders.cancel';
  return c.tx(op, async (s) => {
    number = number.trim();
    if (!number) throw c.invalid('number is required', op, 'SOMAST', 'SONO', 'number');
    const head = await openHeader(c, s, number, op);
    const status = trimmed(head.SOSTAT);
    if (status === 'V') return (await readOrder(c, s, number))!;
    if (status) throw c.conflict(`sales order ${number} has status ${status} (only an open order can be voided)`, op, 'SOMAST', 'SOSTAT');
    const { rows } = await lineRows(c, s, number);
    const shipped = rows.filter((r) => Number(r.QTYSHP ?? 0) > 0);
    if (shipped.length) {
      throw c.invalid(`sales order ${number} has shipped quantities (${shipped.map((r) => `${trimmed(r.ITEM)} x${Number(r.QTYSHP)}`).join(', ')}): invoice it and credit the refund instead of voiding it`, op, 'SOTRAN', 'QTYSHP');
    }
    for (const r of rows.filter(stocked)) {
      const open = round(Number(r.QTYORD ?? 0) - Number(r.QTYSHP ?? 0), 4);
      if (open > 0) await c.addTo(s, 'ICILOC', { LSOALOC: -open }, { ITEM: trimmed(r.ITEM), LOCTID: trimmed(r.LOCTID) }, op);
    }
    await c.addTo(s, 'ARCUST', { ONORDER: -round(Number(head.ORDAMT ?? 0)) }, { CUSTNO: trimmed(head.CUSTNO) }, op);
    await c.update(s, 'SOMAST', { SOSTAT: 'V' }, { SONO: number }, op);
    await c.update(s, 'SOTRAN', { SOSTAT: 'V' }, { SONO: number }, op);
    return (await readOrder(c, s, number))!;
  });
}

export function reduceSalesOrder(c: SageProContext, change: Obj): Promise<Obj> {
  const op = 'sales_orders.reduce';
  return c.tx(op, async (s) => {
    const number = trimmed(change?.number);
    if (!number) throw c.invalid('change.number is required', op, 'SOMAST', 'SONO', 'number');
    const wanted = Array.isArray(change.lines) ? (change.lines as Obj[]) : [];
    if (!wanted.length) throw c.invalid('change.lines must name at least one line', op, 'SOTRAN', 'QTYORD', 'lines');
    const head = await openHeader(c, s, number, op);
    const status = trimmed(head.SOSTAT);
    if (status) throw c.conflict(`sales order ${number} has status ${status} (only an open order can be reduced)`, op, 'SOMAST', 'SOSTAT');
    const { rows, lineNo } = await lineRows(c, s, number);
    const seen = new Set<string>();
    const changes: { row: Row; qty: number; ext: number; dq: number; dExt: number }[] = [];
    for (const [i, w] of wanted.entries()) {
      const item = trimmed(w.item);
      if (seen.has(item)) throw c.invalid(`line ${i + 1}: item '${item}' is named twice`, op, 'SOTRAN', 'ITEM', `lines/${i}/item`);
      seen.add(item);
      const matches = rows.filter((r) => stocked(r) && trimmed(r.ITEM) === item);
      if (!matches.length) throw c.invalid(`line ${i + 1}: sales order ${number} has no line with item '${item}'`, op, 'SOTRAN', 'ITEM', `lines/${i}/item`);
      if (matches.length > 1) throw c.invalid(`line ${i + 1}: sales order ${number} has ${matches.length} lines with item '${item}'; which one to reduce is not known${lineNo ? '' : ' (this install has no SOTRAN.LINENO)'}`, op, 'SOTRAN', 'ITEM', `lines/${i}/item`);
      const r = matches[0]!;
      const qty = Number(w.quantity);
      const ordered = Number(r.QTYORD ?? 0);
      const shipped = Number(r.QTYSHP ?? 0);
      if (!Number.isFinite(qty) || qty < 0) throw c.invalid(`line ${i + 1}: quantity must be a number of at least 0`, op, 'SOTRAN', 'QTYORD', `lines/${i}/quantity`);
      if (qty > ordered) throw c.invalid(`line ${i + 1}: item '${item}' keeps ${qty}, more than the ${ordered} ordered (reduce never raises a quantity)`, op, 'SOTRAN', 'QTYORD', `lines/${i}/quantity`);
      if (qty < shipped) throw c.invalid(`line ${i + 1}: item '${item}' keeps ${qty}, less than the ${shipped} already shipped`, op, 'SOTRAN', 'QTYSHP', `lines/${i}/quantity`);
      const ext = round(Number(r.PRICE ?? 0) * qty * (1 - Number(r.DISC ?? 0) / 100));
      changes.push({ row: r, qty, ext, dq: round(ordered - qty, 4), dExt: round(Number(r.EXTPRICE ?? 0) - ext) });
    }
    const amount = round(Number(head.ORDAMT ?? 0) - changes.reduce((t, x) => t + x.dExt, 0));
    const tax = change.tax === undefined || change.tax === null ? round(Number(head.TAX ?? 0)) : round(Number(change.tax));
    if (change.expected_total !== undefined && change.expected_total !== null) {
      const expected = Number(change.expected_total);
      if (!Number.isFinite(expected) || Math.abs(expected - round(amount + tax)) >= 0.005) {
        throw c.invalid(`sales order ${number} would come to ${round(amount + tax).toFixed(2)} (ORDAMT ${amount.toFixed(2)} + TAX ${tax.toFixed(2)}) but the store's total is ${String(change.expected_total)}: difference ${round(expected - amount - tax).toFixed(2)}`, op, 'SOMAST', 'ORDAMT', 'expected_total');
      }
    }
    for (const x of changes) {
      if (x.dq === 0) continue;
      const where: Obj = { SONO: number, ITEM: trimmed(x.row.ITEM), ...(lineNo ? { LINENO: Number(x.row.LINENO) } : {}) };
      await c.update(s, 'SOTRAN', { QTYORD: x.qty, EXTPRICE: x.ext }, where, op);
      await c.addTo(s, 'ICILOC', { LSOALOC: -x.dq }, { ITEM: trimmed(x.row.ITEM), LOCTID: trimmed(x.row.LOCTID) }, op);
    }
    const dAmount = round(Number(head.ORDAMT ?? 0) - amount);
    if (dAmount !== 0 || tax !== round(Number(head.TAX ?? 0))) await c.update(s, 'SOMAST', { ORDAMT: amount, TAX: tax }, { SONO: number }, op);
    if (dAmount !== 0) await c.addTo(s, 'ARCUST', { ONORDER: -dAmount }, { CUSTNO: trimmed(head.CUSTNO) }, op);
    return (await readOrder(c, s, number))!;
  });
}
