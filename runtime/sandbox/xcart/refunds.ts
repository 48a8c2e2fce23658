/**
 * Refunds in the X-Cart sandbox, as X-Cart 5.5.0.29 records them (POST /sandbox/orders/{id}/refund,
 * not part of X-Cart's API: the real store refunds from the admin order page, which the API cannot).
 *
 * What the real store does, and this file imitates:
 * - The admin page's "Refund" / "Refund partially" buttons run the payment processor's backend
 *   transaction (classes/XLite/Controller/Admin/Order.php doActionPaymentTransaction): a backend
 *   transaction of type `refund` (the whole payment), `refundPart` (a part) or `refundMulti`
 *   (classes/XLite/Model/Payment/BackendTransaction.php TRAN_TYPE_REFUND*), status `S` when the
 *   gateway accepted it, added to the order's payment transaction.
 * - The payment status then follows Order::setPaymentStatusByTransaction
 *   (classes/XLite/Model/Order.php:4140-4155): an order still paid in full (Order::isPayed: its
 *   total minus the payments plus the refunds is not above 0, the case of an order edited down and
 *   refunded the difference) stays `P`; otherwise refunded in total less than the order total gives
 *   `PP` (partially paid: X-Cart 5.5 has no "partially refunded" code,
 *   classes/XLite/Model/Order/Status/Payment.php), the whole total gives `R` (refunded). So a
 *   refund does not always show in the order's statuses: only its payment transactions tell.
 * - Before a partial refund an administrator usually edits the order (fewer items: doActionUpdate,
 *   updateOrderItems, in the same controller), so the order's items and total are the kept part;
 *   `items` here are the quantities after that edit (a line at 0 is removed from the order).
 * - Returned goods: the shipping status `R` (classes/XLite/Model/Order/Status/Shipping.php).
 * Every change bumps update_date (Order::prepareBeforeSave, @PreUpdate) and writes a history entry.
 */
import { type Json, type SandboxData, isoDate, nextId, round2 } from './state.js';
import { SandboxInputError, setOrderStatus, TAX_RATE } from './orders.js';

export interface RefundInput {
  /** The amount refunded; default: the difference the order edit made (with `items`), else what is left of the payment (a full refund). */
  amount?: number;
  /** The quantities kept after the administrator's edit, by SKU (0 removes the line). */
  items?: { sku: string; amount: number }[];
  /** The goods came back: shipping status R. */
  returned?: boolean;
  /** The gateway refused the refund: the backend transaction has status F and nothing changes. */
  failed?: boolean;
}

export function checkRefundInput(body: unknown): RefundInput {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new SandboxInputError('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.amount !== undefined && (typeof b.amount !== 'number' || !(b.amount > 0))) throw new SandboxInputError('amount must be a positive number');
  if (b.items !== undefined) {
    if (!Array.isArray(b.items)) throw new SandboxInputError('items must be an array of {sku, amount}');
    b.items.forEach((it: unknown, i: number) => {
      const x = it as Record<string, unknown> | null;
      if (!x || typeof x.sku !== 'string' || !Number.isInteger(x.amount) || (x.amount as number) < 0) throw new SandboxInputError(`items[${i}] must be {sku: string, amount: integer >= 0}`);
    });
  }
  for (const k of ['returned', 'failed'] as const) if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new SandboxInputError(`${k} must be true or false`);
  return b as RefundInput;
}

/** Money columns are decimal(14,4). */
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** The successful refunds of a payment transaction, summed. */
function refunded(tx: Json): number {
  return round4(((tx.backend_transactions as Json[] | undefined) ?? [])
    .filter((b) => String(b.type).startsWith('refund') && b.status === 'S')
    .reduce((t, b) => t + Number(b.value), 0));
}

/** Records a refund on the order; returns the order. Throws SandboxInputError for what X-Cart would refuse. */
export function refundOrder(data: SandboxData, order: Json, input: RefundInput, now: number): Json {
  const txs = data.transactions[String(order.id)] ?? [];
  const tx = txs[txs.length - 1];
  if (!tx) throw new SandboxInputError(`order ${String(order.id)} has no payment transaction`);
  // Only a captured payment can be refunded (Transaction::isRefundTransactionAllowed: isCaptured).
  const code = (order.payment_status as Json | null)?.code;
  if (code !== 'P' && code !== 'PP') throw new SandboxInputError(`order ${String(order.id)} has no captured payment to refund (payment status ${String(code)})`);
  const paid = Number(tx.value);
  const left = round4(paid - refunded(tx));
  // The order edit first (the administrator's, on a copy until the refund is known to be allowed),
  // then the refund: of the difference it made unless an amount is given.
  const edited = input.items && !input.failed ? structuredClone(order) : undefined;
  if (edited) editItems(data, edited, input.items!);
  const amount = round4(input.amount ?? (edited ? Number(order.total) - Number(edited.total) : left));
  if (!(amount > 0)) throw new SandboxInputError('the edit changed nothing to refund');
  if (amount > left + 0.00005) throw new SandboxInputError(`refund ${amount} is more than the ${left} left to refund`);
  if (edited) Object.assign(order, { items: edited.items, sub_total: edited.sub_total, surcharges: edited.surcharges, total: edited.total });
  const date = isoDate(now);
  const full = Math.abs(amount - paid) < 0.00005;
  (tx.backend_transactions as Json[]).push({
    id: nextId(data, 'backendTransaction'), type: full ? 'refund' : 'refundPart', date, status: input.failed ? 'F' : 'S', value: amount, data: [],
  });
  order.update_date = date;
  if (input.failed) return order;
  const back = refunded(tx);
  // Order::setPaymentStatusByTransaction: paid in full (getPayedTotal = total - paid + refunded <= 0)
  // stays P; else less than the total refunded is PP, the whole of it R.
  const payedTotal = round2(Number(order.total) - paid + back);
  setOrderStatus(data, order, 'payment', payedTotal <= 0 ? 'P' : round2(back) < round2(Number(order.total)) ? 'PP' : 'R', now);
  if (input.returned) setOrderStatus(data, order, 'shipping', 'R', now);
  return order;
}

/** The administrator's order edit: new quantities, subtotal, tax and total recalculated. */
function editItems(data: SandboxData, order: Json, items: { sku: string; amount: number }[]): void {
  const lines = order.items as Json[];
  for (const it of items) {
    const line = lines.find((l) => l.sku === it.sku);
    if (!line) throw new SandboxInputError(`the order has no item ${it.sku}`);
    if (it.amount > (line.amount as number)) throw new SandboxInputError(`item ${it.sku}: ${it.amount} is more than the ${String(line.amount)} ordered`);
    line.amount = it.amount;
    line.discounted_subtotal = round2((line.price as number) * it.amount);
  }
  order.items = lines.filter((l) => (l.amount as number) > 0);
  const sub = round2((order.items as Json[]).reduce((t, l) => t + (l.discounted_subtotal as number), 0));
  order.sub_total = sub;
  const surcharges = order.surcharges as Json[];
  const discount = -surcharges.filter((s) => s.type === 'discount').reduce((t, s) => t + Number(s.value), 0);
  for (const s of surcharges) if (s.type === 'tax' && !s.include) s.value = round2((sub - discount) * TAX_RATE);
  order.total = round2(sub + surcharges.filter((s) => s.available && !s.include).reduce((t, s) => t + Number(s.value), 0));
  void data;
}
