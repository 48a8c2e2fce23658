/**
 * E2E (issue 9): X-Cart answers 200 with an HTML page (maintenance, a proxy) or with truncated JSON
 * while orders come in. Those answers say nothing about the data, so they are transient: jobs retry
 * with backoff and every order arrives once when the store answers again; nothing is dead-lettered
 * as invalid. (OrderToSalesOrder is compiled with the faster retry policy of the fault tests.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, sleep, waitFor, type XOrder } from './harness.js';

describe('e2e: X-Cart 200 answers that are not JSON', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ fastRetry: true }) });
    await env.startFlowd();
  });
  afterAll(async () => { await env?.close(); });

  it('an HTML page and truncated JSON are retried, then every order arrives once', async () => {
    await env.setFaults({ htmlPage: true });
    const orders: XOrder[] = await env.placeOrders(6, { lines: 2 });
    await sleep(1500);
    await env.setFaults({ htmlPage: false, truncatedJson: true });
    await sleep(1500);
    await env.setFaults({ truncatedJson: false });

    await waitFor('every order in Sage Pro', async () => (await env.tally(orders)).lost === 0, 60_000, 250);
    await waitFor('OrderToSalesOrder queue drained', () => env.openJobs('OrderToSalesOrder') === 0, 30_000);
    const t = await env.tally(orders);
    expect(t).toMatchObject({ salesOrders: orders.length, duplicates: 0, lost: 0 });
    expect(await env.deadLetters()).toEqual([]);
    const retries = (await env.runs('OrderToSalesOrder')).filter((r) => r.outcome === 'retry');
    const html = retries.filter((r) => /not JSON \(text\/html/.test(r.error ?? '')).length;
    const cut = retries.filter((r) => /truncated or garbled JSON/.test(r.error ?? '')).length;
    expect(html).toBeGreaterThan(0);
    expect(retries.every((r) => r.errorClass === 'transient')).toBe(true);
    figures('e2e-xcart-bad-answers', { events: orders.length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost, retries_html: html, retries_truncated: cut, dead_letters: 0 });
  }, 120_000);
});
