/**
 * E2E: returns and refunds (RefundToCreditMemo). Four paid store orders become sales orders; Sage
 * Pro invoices two of them (the connector's own receivables.post_invoice, as Sage Pro's invoicing
 * would). Then the store refunds, as X-Cart 5.5.0.29 records refunds (POST /sandbox/orders/{id}/refund:
 * backend refund transactions, payment status R / PP / still P after an order edit, shipping status
 * R for returned goods):
 *   A  invoiced, refunded in full and returned  -> a credit memo line by line, the goods back on hand
 *   B  invoiced, 10.00 refunded                 -> a credit memo of 10.00
 *   C  not invoiced, edited down and refunded   -> the sales order reduced to the edited order
 *   D  not invoiced, refunded in full           -> the sales order voided
 * Every later poll and status change (SalesOrderStatusToXCart answers the void with WND) creates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, SAGEPRO_PROFILE_NAMES, waitFor, type XOrder } from './harness.js';

type Row = Record<string, unknown>;

describe.each(SAGEPRO_PROFILE_NAMES)('e2e: refunds to credit memos (Sage Pro profile %s)', (profile) => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ sageproProfile: profile }), sageproProfile: profile });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('each refund becomes one credit memo, reduction or void in Sage Pro', async () => {
    const place = async (items: { sku: string; amount: number }[]) => {
      const o = await env.xcartApi<XOrder>('POST', '/sandbox/orders', { email: 'orders@acme.example', payment_method: 'Stripe', items });
      await env.xcartApi('PUT', `/api/orders/${o.id}/payment_status`, { code: 'P' });
      return env.xcartApi<XOrder & { total: number; surcharges: { type: string; value: number; include: boolean }[] }>('GET', `/api/orders/${o.id}`);
    };
    const a = await place([{ sku: 'WIDGET-200', amount: 2 }]);
    const b = await place([{ sku: 'CABLE-HDMI', amount: 1 }]);
    const c = await place([{ sku: 'MOUSE-WL', amount: 1 }, { sku: 'KEYB-MECH', amount: 1 }]);
    const d = await place([{ sku: 'WIDGET-100', amount: 1 }]);
    const orders = [a, b, c, d];
    const sono = new Map<number, string>();
    for (const o of orders) {
      const r = await waitFor(`sales order XC-${o.id}`, async () => (await env.sql<{ SONO: string }>(`SELECT SONO FROM ${env.table('SOMAST')} WHERE TRIM(EXTREF) = ?`, [`XC-${o.id}`]))[0], 45_000);
      sono.set(o.id, r.SONO.trim());
    }
    // Sage Pro invoices A and B: their lines, the shipping as a non-stock line, the tax; the invoice is the store's total.
    for (const o of [a, b]) {
      const tax = o.surcharges.filter((s) => s.type === 'tax' && !s.include).reduce((t, s) => t + s.value, 0);
      const ship = o.surcharges.filter((s) => s.type === 'shipping').reduce((t, s) => t + s.value, 0);
      const inv = await env.svc!.sagepro.postInvoice({ number: `9${sono.get(o.id)!}`.slice(0, 10), customer: 'ACME01', invoice_date: '2026-11-27', order_number: sono.get(o.id)!, tax,
        lines: [...o.items.map((i) => ({ item: i.sku, quantity: i.amount, price: Number(i.price) })), { description: 'Shipping cost', quantity: 1, price: ship }] });
      expect(Number(inv.amount)).toBeCloseTo(o.total, 2);
    }
    const onHand = async () => Number((await env.sql<{ Q: number }>(`SELECT LONHAND AS Q FROM ${env.table('ICILOC')} WHERE ITEM = ? AND RTRIM(LOCTID) = ?`, ['WIDGET-200'.padEnd(15), env.webLocation]))[0]!.Q);
    const hand0 = await onHand();

    await env.xcartApi('POST', `/sandbox/orders/${a.id}/refund`, { returned: true });
    await env.xcartApi('POST', `/sandbox/orders/${b.id}/refund`, { amount: 10 });
    const cEdited = await env.xcartApi<{ total: number; payment_status: { code: string } }>('POST', `/sandbox/orders/${c.id}/refund`, { items: [{ sku: 'KEYB-MECH', amount: 0 }] });
    expect(cEdited.payment_status.code).toBe('P'); // edited down and refunded: still paid, as X-Cart has it
    await env.xcartApi('POST', `/sandbox/orders/${d.id}/refund`, {});

    const memos = async (o: { id: number }) => env.sql<Row>(`SELECT INVNO, INVAMT, ORNUM FROM ${env.table('ARMAST')} WHERE TRIM(REFNO) = ? AND ARTYPE = 'C'`, [`XC-${o.id}`]);
    const head = async (o: { id: number }) => (await env.sql<{ SOSTAT: string; ORDAMT: number; TAX: number }>(`SELECT SOSTAT, ORDAMT, TAX FROM ${env.table('SOMAST')} WHERE TRIM(SONO) = ?`, [sono.get(o.id)!]))[0]!;
    const diagnose = async (e: Error) => {
      const runs = (await env.runs('RefundToCreditMemo')).map((r) => `${r.outcome} ${r.error ?? ''}`);
      const dl = (await env.deadLetters('RefundToCreditMemo')).map((x) => x.reason);
      throw new Error(`${e.message}; runs: ${JSON.stringify(runs.slice(-8))}; dead letters: ${JSON.stringify(dl)}`);
    };
    await waitFor('the credit memos, the reduction and the void', async () => {
      const [ma, mb, hc, hd] = [await memos(a), await memos(b), await head(c), await head(d)];
      return ma.length === 1 && mb.length === 1 && Math.abs(Number(hc.ORDAMT) + Number(hc.TAX) - cEdited.total) < 0.005 && String(hd.SOSTAT).trim() === 'V';
    }, 60_000).catch(diagnose);

    // A: the whole invoice credited line by line against it, and the two widgets back on hand.
    const [ma] = await memos(a);
    expect(Number(ma!.INVAMT)).toBeCloseTo(-a.total, 2);
    expect(String(ma!.ORNUM).trim()).toBe(sono.get(a.id));
    const lines = await env.sql<Row>(`SELECT ITEM, QTYSHP FROM ${env.table('ARTRAN')} WHERE TRIM(INVNO) = ? AND TRIM(ITEM) = 'WIDGET-200'`, [String(ma!.INVNO).trim()]);
    expect(lines.map((l) => Number(l.QTYSHP))).toEqual([-2]);
    // B: one amount.
    expect(Number((await memos(b))[0]!.INVAMT)).toBeCloseTo(-10, 2);

    // Later polls, the X-Cart status SalesOrderStatusToXCart writes for the void, repeated events: nothing new.
    await waitFor('the X-Cart order of the void marked will-not-deliver', async () => (await env.xcartApi<{ shipping_status: { code: string } }>('GET', `/api/orders/${d.id}`)).shipping_status.code === 'WND', 30_000);
    await env.svc!.pollNow();
    await waitFor('the refund flow idle', () => env.openJobs('RefundToCreditMemo') === 0, 30_000);
    const memoCounts = [(await memos(a)).length, (await memos(b)).length];
    const restocked = (await onHand()) - hand0;
    const t = await env.tally(orders);
    const dead = await env.deadLetters('RefundToCreditMemo');
    const events = env.storeQuery<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE flow = 'RefundToCreditMemo'")[0]!.n;
    const duplicates = t.duplicates + memoCounts.reduce((s, n) => s + Math.max(0, n - 1), 0);
    expect({ memoCounts, restocked, salesOrders: t.salesOrders, lost: t.lost, duplicates, dead: dead.map((x) => x.reason) })
      .toEqual({ memoCounts: [1, 1], restocked: 2, salesOrders: 4, lost: 0, duplicates: 0, dead: [] });
    // Reduced: open, with a line at 0 (KEYB-MECH); voided: SOSTAT V. Counted over the four orders.
    let reduced = 0; let voided = 0;
    for (const o of orders) {
      const st = String((await head(o)).SOSTAT).trim();
      if (st === 'V') voided++;
      const zero = await env.sql<Row>(`SELECT ITEM FROM ${env.table('SOTRAN')} WHERE TRIM(SONO) = ? AND QTYORD = 0`, [sono.get(o.id)!]);
      if (st === '' && zero.length) reduced++;
    }
    expect({ reduced, voided }).toEqual({ reduced: 1, voided: 1 });
    figures('e2e-refunds', { profile, events, refunds: 4, credit_memos: memoCounts.reduce((s, n) => s + n, 0), sales_orders_reduced: reduced, sales_orders_voided: voided,
      restocked, dead_letters: dead.length, duplicates });
  }, 180_000);
});
