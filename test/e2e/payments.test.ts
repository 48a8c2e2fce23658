/**
 * E2E: payments to receivables. An order paid in the store becomes a sales order; Sage Pro ships
 * and invoices it (the connector's own receivables.post_invoice, as Sage Pro's invoicing would);
 * PaymentsToReceivables then applies the store's settled payment to the invoice, debiting the
 * gateway's clearing account from lookups/gl-by-gateway.yaml, exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, SAGEPRO_PROFILE_NAMES, waitFor, type XOrder } from './harness.js';

describe.each(SAGEPRO_PROFILE_NAMES)('e2e: payments to receivables (Sage Pro profile %s)', (profile) => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ sageproProfile: profile }), sageproProfile: profile });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('a settled store payment is applied once to the Sage Pro invoice, GL account by gateway', async () => {
    const order = await env.xcartApi<XOrder>('POST', '/sandbox/orders', {
      email: 'orders@acme.example', payment_status: 'P', payment_method: 'Stripe', items: [{ sku: 'CABLE-HDMI', amount: 2 }],
    });
    // The gateway settles the payment: the store marks the order paid (its pending transaction succeeds).
    await env.xcartApi('PUT', `/api/orders/${order.id}/payment_status`, { code: 'P' });
    const ref = `XC-${order.id}`;
    const so = await waitFor(`sales order ${ref}`, async () => {
      const r = await env.sql<{ SONO: string; CUSTNO: string; ORDAMT: number }>(`SELECT SONO, CUSTNO, ORDAMT FROM ${env.table('SOMAST')} WHERE TRIM(EXTREF) = ?`, [ref]);
      return r[0];
    }, 45_000);
    const sono = so.SONO.trim();
    const invno = `9${sono}`.slice(0, 10);
    // Sage Pro invoices and ships the order (the invoice through the connector's own operation).
    await env.svc!.sagepro.postInvoice({ number: invno, customer: so.CUSTNO.trim(), invoice_date: '2026-11-27', order_number: sono,
      lines: [{ item: 'CABLE-HDMI', quantity: 2, price: Number(order.items[0]!.price) }] });
    await env.sql(`UPDATE ${env.table('SOTRAN')} SET QTYSHP = QTYORD WHERE TRIM(SONO) = ?`, [sono]);
    await env.sql(`UPDATE ${env.table('SOMAST')} SET SHPAMT = ORDAMT WHERE TRIM(SONO) = ?`, [sono]);

    const paid = await waitFor('the invoice paid', async () => {
      const r = await env.sql<{ BALANCE: number; PAIDAMT: number; INVAMT: number }>(`SELECT BALANCE, PAIDAMT, INVAMT FROM ${env.table('ARMAST')} WHERE TRIM(INVNO) = ?`, [invno]);
      return r[0] && Number(r[0].BALANCE) === 0 ? r[0] : null;
    }, 45_000).catch(async (e: Error) => {
      const runs = (await env.runs('PaymentsToReceivables')).map((r) => `${r.outcome} ${r.error ?? ''}`);
      const dl = (await env.deadLetters('PaymentsToReceivables')).map((d) => d.reason);
      const st = await env.svc!.sagepro.salesOrderStatus(sono);
      const jobs = env.storeQuery<{ state: string; payload: string }>("SELECT state, payload FROM jobs WHERE flow = 'PaymentsToReceivables' ORDER BY id DESC LIMIT 3");
      throw new Error(`${e.message}; status: ${JSON.stringify(st)}; jobs: ${JSON.stringify(jobs).slice(0, 600)}; payment runs: ${JSON.stringify(runs.slice(-5))}; dead letters: ${JSON.stringify(dl)}`);
    });
    expect(Number(paid.PAIDAMT)).toBeCloseTo(Number(paid.INVAMT), 2);
    const cash = await env.sql<{ GLACNT: string; AMOUNT: number }>(`SELECT GLACNT, AMOUNT FROM ${env.table('ARDIST')} WHERE TRIM(TRANNO) = ? AND TRIM(GLACNT) = '1010-00'`, [invno]);
    expect(cash).toHaveLength(1);
    expect(Number(cash[0]!.AMOUNT)).toBeCloseTo(Number(paid.INVAMT), 2);

    // Polls after that change nothing: the invoice has no balance left, and the key is spent.
    await env.svc!.pollNow();
    await waitFor('the payment flow idle', () => env.openJobs('PaymentsToReceivables') === 0, 30_000);
    const again = await env.sql<{ N: number }>(`SELECT COUNT(*) AS N FROM ${env.table('ARDIST')} WHERE TRIM(TRANNO) = ? AND TRIM(GLACNT) = '1010-00'`, [invno]);
    expect(Number(again[0]!.N)).toBe(1);
    const t = await env.tally([order]);
    expect(t).toMatchObject({ salesOrders: 1, duplicates: 0, lost: 0 });
    figures('e2e-payments', { profile, events: t.events, sales_orders: t.salesOrders, invoices: 1, payments_applied: Number(again[0]!.N),
      duplicates: t.duplicates, lost: t.lost, gl: '1010-00', amount: Number(paid.INVAMT) });
  }, 150_000);
});
