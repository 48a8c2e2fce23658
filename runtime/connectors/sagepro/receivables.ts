/**
 * Receivables and GL: invoices (ARMAST / ARTRAN / ARDIST, ARCUST totals), payments (ARDIST, the ARCASH
 * cash receipt where the install keeps it, ARMAST / ARCUST balances) and the GL accounts (GLACNT).
 */
import { ConnectorError } from '../errors.js';
import { ident } from './dialect.js';
import type { Session } from './odbc.js';
import { round, type Obj, type SageProContext } from './context.js';

export async function readInvoice(c: SageProContext, s: Session, number: string): Promise<Obj | null> {
  const e = c.schemas.get('Invoice');
  const invno = await c.key('ARMAST', 'INVNO', number);
  const h = await c.selectRows(s, e, 'ARMAST', [['INVNO', invno]]);
  if (!h.rows.length) return null;
  const inv = c.decode(e, h.maps, h.rows[0]!);
  const le = c.schemas.get('Invoice.Line');
  const l = await c.selectRows(s, le, 'ARTRAN', [['INVNO', invno]], ['LINENO']);
  inv.lines = l.rows.map((r) => c.decode(le, l.maps, r));
  const de = c.schemas.get('GLDistribution');
  const d = await c.selectRows(s, de, 'ARDIST', [['TRANNO', await c.key('ARDIST', 'TRANNO', number)]], ['ARSESS', 'GLACNT']);
  inv.distributions = d.rows.map((r) => c.decode(de, d.maps, r));
  return inv;
}

export async function checkAccounts(c: SageProContext, s: Session, rows: { account: string }[], op: string): Promise<void> {
  for (const [i, r] of rows.entries()) {
    const k = await c.key('GLACNT', 'GLACNT', r.account);
    const x = await s.query(`SELECT GLACNT FROM ${c.t('GLACNT')}${c.where(['GLACNT = ?'])}`, [k]);
    if (!x.length) throw c.invalid(`distribution ${i + 1}: unknown GL account '${r.account}'`, op, 'GLACNT', 'GLACNT', `distributions/${i}/account`);
  }
}

/** Flow-given distribution fields whose ARDIST column the install lacks (e.g. DESCRIP) are invalid. */
async function requireDistributions(c: SageProContext, value: Obj, op: string): Promise<void> {
  const list = Array.isArray(value.distributions) ? (value.distributions as Obj[]) : [];
  for (const [i, d] of list.entries()) await c.requireMapped(c.schemas.get('GLDistribution'), d ?? {}, op, `distributions/${i}/`);
}

function distributionsOf(c: SageProContext, value: Obj, op: string): { account: string; amount: number; description: string }[] {
  const list = Array.isArray(value.distributions) ? (value.distributions as Obj[]) : [];
  return list.map((d, i) => {
    const amount = Number(d.amount);
    if (!Number.isFinite(amount)) throw c.invalid(`distribution ${i + 1}: amount is not a number`, op, 'ARDIST', 'AMOUNT', `distributions/${i}/amount`);
    const account = String(d.account ?? '').trim();
    if (!account) throw c.invalid(`distribution ${i + 1}: account is required`, op, 'ARDIST', 'GLACNT', `distributions/${i}/account`);
    return { account, amount: round(amount), description: String(d.description ?? '') };
  });
}

export async function arAccountOf(c: SageProContext, s: Session, customer: string): Promise<string> {
  const r = await s.query(`SELECT ARACCT FROM ${c.t('ARCUST')}${c.where(['CUSTNO = ?'])}`, [await c.key('ARCUST', 'CUSTNO', customer)]);
  const a = r.length ? String(r[0]!.ARACCT ?? '').trim() : '';
  return a || c.accounts.ar;
}

export function postInvoice(c: SageProContext, invoice: Obj): Promise<Obj> {
  const op = 'receivables.post_invoice';
  return c.tx(op, async (s) => {
    const number = String(invoice?.number ?? '').trim();
    if (!number) throw c.invalid('invoice.number is required', op, 'ARMAST', 'INVNO', 'number');
    const customer = String(invoice.customer ?? '').trim();
    if (!customer) throw c.invalid('invoice.customer is required', op, 'ARMAST', 'CUSTNO', 'customer');
    const date = invoice.invoice_date;
    if (!date) throw c.invalid('invoice.invoice_date is required', op, 'ARMAST', 'INVDTE', 'invoice_date');
    const lines = Array.isArray(invoice.lines) ? (invoice.lines as Obj[]) : [];
    const tax = round(Number(invoice.tax ?? 0));
    const prepared = lines.map((l, i) => {
      const qty = Number(l.quantity); const price = Number(l.price);
      if (!Number.isFinite(qty) || !Number.isFinite(price)) throw c.invalid(`line ${i + 1}: quantity and price must be numbers`, op, 'ARTRAN', 'QTYSHP', `lines/${i}`);
      return { line: l, qty, price, ext: round(qty * price), item: String(l.item ?? '').trim() };
    });
    const subtotal = round(prepared.reduce((t, p) => t + p.ext, 0));
    const amount = round(subtotal + tax);

    await c.requireMapped(c.schemas.get('Invoice'), invoice, op);
    for (const [i, l] of lines.entries()) await c.requireMapped(c.schemas.get('Invoice.Line'), l ?? {}, op, `lines/${i}/`);
    await requireDistributions(c, invoice, op);
    // Serialises AR writers; the invoice number is the reference a repeat finds.
    await c.lockTable(s, 'ARMAST', 'INVNO');
    const existing = await readInvoice(c, s, number);
    if (existing) {
      if (existing.customer !== customer || Math.abs(Number(existing.amount) - amount) > 0.005) {
        throw c.conflict(`invoice ${number} already exists with other content (customer ${String(existing.customer)}, amount ${String(existing.amount)})`, op, 'ARMAST', 'INVNO');
      }
      return existing;
    }
    const cust = await s.query(`SELECT CUSTNO FROM ${c.t('ARCUST')}${c.where(['CUSTNO = ?'])}`, [await c.key('ARCUST', 'CUSTNO', customer)]);
    if (!cust.length) throw c.invalid(`unknown customer '${customer}'`, op, 'ARCUST', 'CUSTNO', 'customer');
    for (const [i, p] of prepared.entries()) {
      if (!p.item) continue;
      const it = await s.query(`SELECT ITEM FROM ${c.t('ICITEM')}${c.where(['ITEM = ?'])}`, [await c.key('ICITEM', 'ITEM', p.item)]);
      if (!it.length) throw c.invalid(`line ${i + 1}: unknown item '${p.item}'`, op, 'ICITEM', 'ITEM', `lines/${i}/item`);
    }
    const arAccount = await arAccountOf(c, s, customer);
    let dist = distributionsOf(c, invoice, op);
    if (!dist.length) {
      dist = [{ account: c.accounts.sales, amount: -subtotal, description: 'Sales' }];
      if (tax) dist.push({ account: c.accounts.tax, amount: -tax, description: 'Sales tax' });
    }
    const rest = round(dist.reduce((t, d) => t + d.amount, 0));
    if (rest !== 0) dist.push({ account: arAccount, amount: -rest, description: 'Accounts receivable' });
    await checkAccounts(c, s, dist, op);

    const e = c.schemas.get('Invoice');
    const stamp = c.stamp();
    const head = c.encodeProps(e, invoice);
    await c.insert(s, 'ARMAST', {
      ...head, INVNO: number, CUSTNO: customer, INVDTE: date, ARSTAT: '', TAX: tax, INVAMT: amount, PAIDAMT: 0,
      BALANCE: amount, DTEPAID: '', ...stamp,
    }, op);
    const le = c.schemas.get('Invoice.Line');
    for (const [i, p] of prepared.entries()) {
      await c.insert(s, 'ARTRAN', {
        ...c.encodeProps(le, p.line), INVNO: number, CUSTNO: customer, LINENO: i + 1, ITEM: p.item, QTYORD: p.qty,
        QTYSHP: p.qty, PRICE: p.price, EXTPRICE: p.ext, ARTYPE: head.ARTYPE ?? '', ARSTAT: '', INVDTE: date,
        PONUM: head.ORNUM ? `Our SO # ${String(head.ORNUM).trim()}` : head.PONUM ?? '', ...stamp,
      }, op);
    }
    const given = String(invoice.session ?? '').trim();
    const descWidth = await c.textWidth('ARDIST', 'DESCRIP', 30);
    const session = given || await c.nextNumber(s, 'ar_session', op, { what: 'AR posting session', table: 'ARDIST', column: 'ARSESS', field: 'session' });
    for (const d of dist) {
      await c.insert(s, 'ARDIST', {
        GLACNT: d.account, TRANNO: number, CUSTNO: customer, TRANDTE: date, ARSESS: session, AMOUNT: d.amount,
        DESCRIP: d.description.slice(0, descWidth), ...stamp,
      }, op);
    }
    await c.addTo(s, 'ARCUST', { BALANCE: amount, PTDSLS: subtotal, YTDSLS: subtotal }, { CUSTNO: customer }, op);
    await c.update(s, 'ARCUST', { LSALE: amount, LDATE: date }, { CUSTNO: customer }, op);
    return (await readInvoice(c, s, number))!;
  });
}

/**
 * Where this install records that a payment was applied, for the repeat check: ARCASH (INVNO,
 * REFNO) where the install has it, else the payment's own ARDIST rows (TRANNO, ARSESS).
 */
async function paymentRecord(c: SageProContext): Promise<{ table: 'ARCASH' | 'ARDIST'; invoice: string; ref: string }> {
  const cash = await c.shapeOrNull('ARCASH');
  if (cash?.columns.has('INVNO') && cash.columns.has('REFNO')) return { table: 'ARCASH', invoice: 'INVNO', ref: 'REFNO' };
  return { table: 'ARDIST', invoice: 'TRANNO', ref: 'ARSESS' };
}

export function postPayment(c: SageProContext, payment: Obj): Promise<Obj> {
  const op = 'receivables.post_payment';
  return c.tx(op, async (s) => {
    const number = String(payment?.number ?? '').trim();
    if (!number) throw c.invalid('payment.number (the invoice paid) is required', op, 'ARMAST', 'INVNO', 'number');
    const amount = round(Number(payment.payment_amount));
    if (!Number.isFinite(amount) || amount === 0) throw c.invalid('payment.payment_amount must be a non-zero number', op, 'ARMAST', 'PAIDAMT', 'payment_amount');
    await requireDistributions(c, payment, op);
    const rec = await paymentRecord(c);
    // The reference is what makes a repeat (a re-run after a crash) a no-op: required.
    const ref = String(payment.payment_ref ?? '').trim();
    if (!ref) throw c.invalid(`payment.payment_ref is required: it is recorded in ${rec.table}.${rec.ref} so that a repeated payment is applied once`, op, rec.table, rec.ref, 'payment_ref');
    const refKey = await c.key(rec.table, rec.ref, ref);
    // Serialises AR writers: the check below and the rows written after it are one step.
    await c.lockTable(s, 'ARMAST', 'INVNO');
    const inv = await readInvoice(c, s, number);
    if (!inv) throw new ConnectorError(`invoice ${number} not found`, { errorClass: 'not_found', system: 'sagepro', operation: op, table: 'ARMAST', column: 'INVNO' });
    const applied = await s.query(
      `SELECT ${rec.table === 'ARCASH' && await c.has('ARCASH', 'PAIDAMT') ? 'PAIDAMT' : ident(rec.ref)} AS V FROM ${c.t(rec.table)}${c.where([`${ident(rec.invoice)} = ?`, `${ident(rec.ref)} = ?`])}`,
      [await c.key(rec.table, rec.invoice, number), refKey],
    );
    if (applied.length) {
      if (rec.table === 'ARCASH' && typeof applied[0]!.V !== 'string') {
        const paid = round(applied.reduce((t, r) => t + Number(r.V ?? 0), 0));
        if (Math.abs(paid - amount) > 0.005) throw c.conflict(`payment '${ref}' on invoice ${number} was already applied with amount ${paid}, not ${amount}`, op, 'ARCASH', 'REFNO');
      }
      return inv;
    }
    const customer = String(inv.customer);
    const date = String(payment.payment_date ?? '') || c.today();
    const arAccount = await arAccountOf(c, s, customer);
    let dist = distributionsOf(c, payment, op);
    if (!dist.length) dist = [{ account: c.accounts.cash, amount, description: 'Payment' }];
    const rest = round(dist.reduce((t, d) => t + d.amount, 0));
    if (rest !== 0) dist.push({ account: arAccount, amount: -rest, description: 'Accounts receivable' });
    await checkAccounts(c, s, dist, op);
    const stamp = c.stamp();
    const descWidth = await c.textWidth('ARDIST', 'DESCRIP', 30);
    for (const d of dist) {
      await c.insert(s, 'ARDIST', {
        GLACNT: d.account, TRANNO: number, CUSTNO: customer, TRANDTE: date, ARSESS: ref, AMOUNT: d.amount,
        DESCRIP: d.description.slice(0, descWidth), ...stamp,
      }, op);
    }
    // The cash receipt (reference 0b), where the install keeps ARCASH.
    if (await c.shapeOrNull('ARCASH')) {
      await c.insert(s, 'ARCASH', {
        CUSTNO: customer, INVNO: number, INVDTE: inv.invoice_date ?? '', REFNO: ref, DTEPAID: date,
        PONUM: inv.po_number ?? '', DISAMT: 0, PAIDAMT: amount, ...stamp,
      }, op);
    }
    await c.addTo(s, 'ARMAST', { PAIDAMT: amount, BALANCE: -amount }, { INVNO: number }, op);
    await c.update(s, 'ARMAST', { DTEPAID: date }, { INVNO: number }, op);
    await c.addTo(s, 'ARCUST', { BALANCE: -amount }, { CUSTNO: customer }, op);
    await c.update(s, 'ARCUST', { LPYMT: amount, LASTPAY: date }, { CUSTNO: customer }, op);
    return (await readInvoice(c, s, number))!;
  });
}

export function glAccounts(c: SageProContext): Promise<Obj[]> {
  return c.tx('gl.accounts', async (s) => {
    const e = c.schemas.get('GLAccount');
    const r = await c.selectRows(s, e, 'GLACNT', [], ['GLACNT']);
    return r.rows.map((row) => c.decode(e, r.maps, row));
  });
}
