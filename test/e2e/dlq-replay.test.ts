/**
 * E2E 7: an order with a SKU Sage Pro does not know is dead-lettered with the reason; after the
 * item is created in Sage Pro (ICITEM + ICILOC), `flowd dlq replay <id>` (the CLI, a second process
 * on the same store) turns it into the sales order, once — a second replay changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor } from './harness.js';

describe('e2e: dead-letter replay', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows() });
    await env.startFlowd();
  });
  afterAll(async () => { await env?.close(); });

  it('replaying a dead-lettered order after fixing the cause produces the sales order', async () => {
    const order = await env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku: 'WIDGET-200', amount: 2 }, { sku: 'POSTER-LTD', amount: 1 }] });
    const ref = `XC-${order.id}`;
    const dl = await waitFor('the dead-letter entry', async () => (await env.deadLetters('OrderToSalesOrder')).find((d) => d.entityId === String(order.id)), 45_000);
    expect(dl.errorClass).toBe('invalid');
    expect(dl.reason).toContain("unknown item 'POSTER-LTD'");
    expect(dl.site).toMatch(/order-to-sales-order\.flow:\d+:\d+/);
    expect(await env.countSalesOrders(ref)).toBe(0);

    // Fix the cause in Sage Pro, then replay from the command line.
    await env.addItem('POSTER-LTD', 'Limited edition poster', 24, 10);
    const r = await env.cli(['dlq', 'replay', String(dl.id), '--state-dir', env.stateDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`entry ${dl.id} replayed as job \\d+`));
    env.svc!.engine.wake();

    const so = await waitFor(`sales order ${ref}`, async () => (await env.svc!.sagepro.findSalesOrderByRef(ref)) as Record<string, unknown> | null, 45_000);
    expect(so.customer).toBe('STRK01');
    expect((so.lines as { item: string; quantity: number }[]).map((l) => [l.item, Number(l.quantity)])).toEqual([['WIDGET-200', 2], ['POSTER-LTD', 1]]);
    const [alloc] = await env.sql<{ A: number }>("SELECT LSOALOC AS A FROM ICILOC WHERE RTRIM(ITEM) = 'POSTER-LTD' AND RTRIM(LOCTID) = 'MAIN'");
    expect(Number(alloc!.A)).toBe(1);

    // The entry is no longer pending; replaying it again returns the same job and makes nothing new.
    const pending = JSON.parse((await env.cli(['dlq', 'list', '--json', '--state-dir', env.stateDir])).stdout) as { id: number }[];
    expect(pending.find((d) => d.id === dl.id)).toBeUndefined();
    const again = await env.cli(['dlq', 'replay', String(dl.id), '--state-dir', env.stateDir]);
    expect(again.stdout).toContain('already replayed');
    await waitFor('the replay job finished', () => env.openJobs('OrderToSalesOrder') === 0, 30_000);
    const n = await env.countSalesOrders(ref);
    expect(n).toBe(1);
    figures('e2e-dlq-replay', { events: 1, dead_lettered: 1, replayed: 1, sales_orders: n, duplicates: n - 1, lost: n === 0 ? 1 : 0 });
  }, 90_000);
});
