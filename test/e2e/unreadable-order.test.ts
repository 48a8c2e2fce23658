/**
 * E2E: an order whose product was deleted (the sandbox's `deletedProductOrders` fault) makes the real
 * X-Cart 5.5.0.29 answer HTTP 500 for it and for every /api/orders page that holds it. Orders placed
 * while flowd is down are found by polling (`flowd serve --since`): the poller steps past the broken
 * order, dead-letters that order id once with the reason, and every other order still becomes one
 * Sage Pro sales order (before, the poll retried the same page forever and nothing arrived).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, sleep, waitFor, type XOrder } from './harness.js';

const UNREADABLE = '(unreadable X-Cart order)';

describe('e2e: an order X-Cart cannot serialise', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), logLevel: 'warn' });
  });
  afterAll(async () => { await env?.close(); });

  it('is dead-lettered by id with the reason; the other orders arrive once', async () => {
    const since = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // flowd is not running: the pushes of these orders fail, only polling can find them.
    const orders: XOrder[] = [];
    for (let i = 0; i < 4; i++) orders.push(await env.placeOrder({ email: `buyer${i}@example.org`, items: [{ sku: 'WIDGET-100', amount: 1 + i }] }));
    const broken = orders[1]!;
    await env.setFaults({ deletedProductOrders: [broken.id] });

    await env.startFlowd({ child: true, args: ['--since', since] });
    const good = orders.filter((o) => o.id !== broken.id);
    await waitFor('the readable orders in Sage Pro', async () => (await env.tally(good)).lost === 0, 60_000, 250);
    const dl = await waitFor('the dead letter of the broken order', async () => (await env.deadLetters(UNREADABLE))[0], 30_000, 250);
    expect(dl.entityId).toBe(String(broken.id));
    expect(dl.reason).toContain(`HTTP 500 for order ${broken.id}`);
    expect(await env.countSalesOrders(`XC-${broken.id}`)).toBe(0);

    // Later polls step past it again without a second entry; the CLI shows the entry.
    await sleep(3000); // three more polls

    expect(await env.deadLetters(UNREADABLE)).toHaveLength(1);
    const t = await env.tally(good);
    expect(t).toMatchObject({ salesOrders: good.length, duplicates: 0, lost: 0 });
    await env.stopFlowd();
    const list = await env.cli(['dlq', 'list', '--config', env.configFile, '--flow', UNREADABLE]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`HTTP 500 for order ${broken.id}`);
    figures('e2e-unreadable-order', { orders: orders.length, sales_orders: t.salesOrders, duplicates: t.duplicates, unreadable_dead_letters: 1 });
  }, 150_000);
});
