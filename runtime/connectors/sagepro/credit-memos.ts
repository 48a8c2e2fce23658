/**
 * Credit memos (receivables.post_credit_memo): a store refund credited against the original invoice,
 * and the read of one AR document (receivables.get_invoice).
 *
 * What the reference confirms and this writes (../shared/reference/sagepro-tables.md §2.5, §3.1):
 * ARMAST with ARTYPE `C` (credit memo; the sample memo has negative INVAMT / PAIDAMT / BALANCE),
 * ORNUM (the sales order, shared with the invoice), REFNO, TAX; ARTRAN lines; ARDIST rows (GLACNT,
 * TRANNO, TRANDTE, ARSESS = the memo number, AMOUNT). Restock: ICILOC.LONHAND and ICITEM.IONHAND (§2.4). What it does
 * not write, for want of a source: no column links a memo to the invoice it credits (the memo carries
 * the invoice's ORNUM, and ARTRAN.PONUM `Inv # <invoice>`, after the sample line's `Our SO # ...`);
 * no ICTRAN receipt row (its TTRANNO numbering is not known); no cash refund (how Sage Pro records
 * money paid back to a customer is not known): the memo stays an open credit for AR to apply.
 *
 * Exactly once: the memo credits `refunded_total` minus what the memos already under its reference
 * (ARMAST.REFNO, or PONUM on an install without REFNO; ARTYPE C) credit, read under the AR lock in the memo's own transaction; a repeat,
 * a re-run after a crash or a second event for the same refund finds nothing left and writes nothing.
 */
import { ConnectorError } from '../errors.js';
import type { Session } from './odbc.js';
import { arAccountOf, checkAccounts, readInvoice } from './receivables.js';
import { round, type Obj, type SageProContext } from './context.js';

const OP = 'receivables.post_credit_memo';

export function getInvoice(c: SageProContext, number: string): Promise<Obj | null> {
  return c.tx('receivables.get_invoice', (s) => (number.trim() ? readInvoice(c, s, number.trim()) : Promise.resolve(null)));
}

/** The memos already under a reference (ARTYPE C, not void): numbers and the total they credit (positive). */
async function memosUnder(c: SageProContext, s: Session, refColumn: string, ref: string): Promise<{ numbers: string[]; credited: number }> {
  const rows = await s.query(
    `SELECT INVNO, INVAMT FROM ${c.t('ARMAST')}${c.where([`${refColumn} = ?`, "ARTYPE = 'C'", "ARSTAT NOT IN ('V', 'X')"])} ORDER BY INVNO`,
    [await c.key('ARMAST', refColumn, ref)],
  );
  return { numbers: rows.map((r) => String(r.INVNO).trim()), credited: round(-rows.reduce((t, r) => t + Number(r.INVAMT ?? 0), 0)) };
}

async function readMemo(c: SageProContext, s: Session, number: string, refColumn: string, credited: number): Promise<Obj> {
  const e = c.schemas.get('CreditMemo');
  const h = await c.selectRows(s, e, 'ARMAST', [['INVNO', await c.key('ARMAST', 'INVNO', number)]], [], [refColumn]);
  const memo = c.decode(e, h.maps, h.rows[0]!);
  memo.reference = String(h.rows[0]![refColumn] ?? '').trim();
  const le = c.schemas.get('CreditMemo.Line');
  const l = await c.selectRows(s, le, 'ARTRAN', [['INVNO', await c.key('ARTRAN', 'INVNO', number)]], ['LINENO']);
  memo.lines = l.rows.map((r) => c.decode(le, l.maps, r));
  // Enumerable: false keeps the result to the schema's fields; the figure is for the caller's logs and tests.
  Object.defineProperty(memo, 'credited_total', { value: credited, enumerable: false });
  return memo;
}

export function postCreditMemo(c: SageProContext, memo: Obj): Promise<Obj> {
  return c.tx(OP, async (s) => {
    if (!memo || typeof memo !== 'object') throw c.invalid('memo is required', OP);
    const number = String(memo.number ?? '').trim();
    if (!number) throw c.invalid('memo.number is required (the credit memo\'s own ARMAST.INVNO)', OP, 'ARMAST', 'INVNO', 'number');
    const invoiceNo = String(memo.invoice_number ?? '').trim();
    if (!invoiceNo) throw c.invalid('memo.invoice_number (the invoice credited) is required', OP, 'ARMAST', 'INVNO', 'invoice_number');
    const ref = String(memo.reference ?? '').trim();
    if (!ref) throw c.invalid('memo.reference is required: memos are summed by it (ARMAST.REFNO) so that a refund is credited once', OP, 'ARMAST', 'REFNO', 'reference');
    const refunded = round(Number(memo.refunded_total));
    if (!Number.isFinite(refunded) || refunded <= 0) throw c.invalid('memo.refunded_total must be a positive amount', OP, 'ARMAST', 'INVAMT', 'refunded_total');
    const date = memo.memo_date;
    if (!date) throw c.invalid('memo.memo_date is required', OP, 'ARMAST', 'INVDTE', 'memo_date');
    const given = Array.isArray(memo.lines) ? (memo.lines as Obj[]) : [];
    const tax = round(Number(memo.tax ?? 0));
    if (!Number.isFinite(tax) || tax < 0) throw c.invalid('memo.tax must be a non-negative amount', OP, 'ARMAST', 'TAX', 'tax');
    const lines = given.map((l, i) => {
      const qty = Number(l.quantity); const price = Number(l.price);
      if (!Number.isFinite(qty) || qty <= 0 || !Number.isFinite(price)) throw c.invalid(`line ${i + 1}: quantity must be a positive number and price a number`, OP, 'ARTRAN', 'QTYSHP', `lines/${i}`);
      return { qty, price, ext: round(qty * price), item: String(l.item ?? '').trim(), desc: String(l.description ?? ''), loc: String(l.location ?? '').trim() };
    });
    const charges = (Array.isArray(memo.charges) ? (memo.charges as Obj[]) : []).map((ch, i) => {
      const amt = Number(ch.amount);
      if (!Number.isFinite(amt)) throw c.invalid(`charge ${i + 1}: amount must be a number`, OP, 'ARTRAN', 'EXTPRICE', `charges/${i}/amount`);
      return { qty: 1, price: round(amt), ext: round(amt), item: '', desc: String(ch.description ?? ''), loc: '' };
    });
    lines.push(...charges);
    // The reference lives in ARMAST.REFNO [V, §2.5], or in PONUM on an install without REFNO.
    const refColumn = (await c.has('ARMAST', 'REFNO')) ? 'REFNO' : 'PONUM';
    await c.requireMapped(c.schemas.get('CreditMemo'), memo, OP);
    for (const [i, l] of given.entries()) await c.requireMapped(c.schemas.get('CreditMemo.Line'), l ?? {}, OP, `lines/${i}/`);

    // Serialises AR writers: the sum below and the rows written after it are one step.
    await c.lockTable(s, 'ARMAST', 'INVNO');
    const inv = await readInvoice(c, s, invoiceNo);
    if (!inv) throw new ConnectorError(`invoice ${invoiceNo} not found`, { errorClass: 'not_found', system: 'sagepro', operation: OP, table: 'ARMAST', column: 'INVNO' });
    if (String(inv.invoice_type ?? '').trim() === 'C') throw c.invalid(`${invoiceNo} is a credit memo, not an invoice`, OP, 'ARMAST', 'ARTYPE', 'invoice_number');
    const invAmount = round(Number(inv.amount ?? 0));
    if (refunded > invAmount + 0.005) {
      throw c.invalid(`refunded ${refunded.toFixed(2)} is more than invoice ${invoiceNo} (${invAmount.toFixed(2)}): difference ${round(refunded - invAmount).toFixed(2)}`, OP, 'ARMAST', 'INVAMT', 'refunded_total');
    }
    const before = await memosUnder(c, s, refColumn, ref);
    const left = round(refunded - before.credited);
    if (left < -0.005) {
      throw c.invalid(`the credit memos under reference '${ref}' (${before.numbers.join(', ')}) credit ${before.credited.toFixed(2)}, more than the ${refunded.toFixed(2)} refunded: difference ${left.toFixed(2)}`, OP, 'ARMAST', 'REFNO', 'refunded_total');
    }
    if (left < 0.005) {
      // Nothing left to credit: a repeat (or the memo of a refund already credited) writes nothing.
      if (!before.numbers.length) throw c.invalid('nothing to credit', OP, 'ARMAST', 'INVAMT', 'refunded_total');
      return readMemo(c, s, before.numbers.includes(number) ? number : before.numbers[before.numbers.length - 1]!, refColumn, before.credited);
    }
    const taken = await s.query(`SELECT INVNO FROM ${c.t('ARMAST')}${c.where(['INVNO = ?'])}`, [await c.key('ARMAST', 'INVNO', number)]);
    if (taken.length) throw c.conflict(`memo number ${number} is held by another AR document, while ${left.toFixed(2)} of reference '${ref}' is still to credit`, OP, 'ARMAST', 'INVNO');

    // What is credited: the flow's lines and tax, to the cent, or one non-stock line for what is left.
    let credit = lines;
    let creditTax = tax;
    if (credit.length) {
      const total = round(credit.reduce((t, l) => t + l.ext, 0) + tax);
      if (Math.abs(total - left) >= 0.005) {
        throw c.invalid(`the memo's lines, charges and tax come to ${total.toFixed(2)} but ${left.toFixed(2)} is left to credit under reference '${ref}' (refunded ${refunded.toFixed(2)}, credited before ${before.credited.toFixed(2)}): difference ${round(left - total).toFixed(2)}`, OP, 'ARTRAN', 'EXTPRICE', 'lines');
      }
    } else {
      credit = [{ qty: 1, price: left, ext: left, item: '', desc: `Refund ${ref}`, loc: '' }];
      creditTax = 0;
    }
    for (const [i, l] of credit.entries()) {
      if (!l.item) continue;
      const it = await s.query(`SELECT ITEM FROM ${c.t('ICITEM')}${c.where(['ITEM = ?'])}`, [await c.key('ICITEM', 'ITEM', l.item)]);
      if (!it.length) throw c.invalid(`line ${i + 1}: unknown item '${l.item}'`, OP, 'ICITEM', 'ITEM', `lines/${i}/item`);
    }
    const subtotal = round(credit.reduce((t, l) => t + l.ext, 0));
    const amount = round(subtotal + creditTax);
    const customer = String(inv.customer);
    const arAccount = await arAccountOf(c, s, customer);
    const dist = [{ account: c.accounts.sales, amount: subtotal, description: 'Sales returned' }];
    if (creditTax) dist.push({ account: c.accounts.tax, amount: creditTax, description: 'Sales tax returned' });
    dist.push({ account: arAccount, amount: -amount, description: 'Accounts receivable' });
    await checkAccounts(c, s, dist, OP);

    const stamp = c.stamp();
    const defLoc = String(memo.location ?? '').trim() || c.opts.defaultLocation;
    await c.insert(s, 'ARMAST', {
      INVNO: number, CUSTNO: customer, INVDTE: date, ARTYPE: 'C', ARSTAT: '', ORNUM: inv.order_number ?? '', PONUM: inv.po_number ?? '',
      [refColumn]: ref, TAX: -creditTax, INVAMT: -amount, PAIDAMT: 0, BALANCE: -amount, DTEPAID: '', ...stamp,
    }, OP);
    for (const [i, l] of credit.entries()) {
      await c.insert(s, 'ARTRAN', {
        INVNO: number, CUSTNO: customer, LINENO: i + 1, ITEM: l.item, DESCRIP: l.desc, LOCTID: l.item ? l.loc || defLoc : '',
        QTYORD: -l.qty, QTYSHP: -l.qty, PRICE: l.price, EXTPRICE: -l.ext, ARTYPE: 'C', ARSTAT: '', INVDTE: date,
        PONUM: `Inv # ${invoiceNo}`, ...stamp,
      }, OP);
    }
    // The memo's own number is its AR session, as a payment's reference is (ARDIST.ARSESS C(10)):
    // no site numbering is needed, and the memo's GL rows are found by it.
    const session = number;
    const descWidth = await c.textWidth('ARDIST', 'DESCRIP', 30);
    for (const d of dist) {
      await c.insert(s, 'ARDIST', {
        GLACNT: d.account, TRANNO: number, CUSTNO: customer, TRANDTE: date, ARSESS: session, AMOUNT: d.amount,
        DESCRIP: d.description.slice(0, descWidth), ...stamp,
      }, OP);
    }
    await c.addTo(s, 'ARCUST', { BALANCE: -amount }, { CUSTNO: customer }, OP);
    // Returned goods back on hand, in the memo's transaction (so once).
    if (memo.restock === true) {
      for (const [i, l] of credit.entries()) {
        if (!l.item) continue;
        const loc = l.loc || defLoc;
        const n = await c.addTo(s, 'ICILOC', { LONHAND: l.qty }, { ITEM: l.item, LOCTID: loc }, OP);
        if (!n) throw c.invalid(`line ${i + 1}: item '${l.item}' is not stocked at location '${loc}', so it cannot go back on hand there`, OP, 'ICILOC', 'LOCTID', `lines/${i}/location`);
        await c.addTo(s, 'ICITEM', { IONHAND: l.qty }, { ITEM: l.item }, OP);
      }
    }
    return readMemo(c, s, number, refColumn, round(before.credited + amount));
  });
}
