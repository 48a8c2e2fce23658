/**
 * Issue 9, "back-pressure": more concurrent pushes than `http.max_concurrent_pushes` allows. Some are
 * refused with 503 and Retry-After before their body is buffered; the sender (here: a client that
 * honours Retry-After, as the Connect push module does) retries them; every event that got 202 is
 * processed exactly once (one job, one run, one Sage Pro sales order) and none is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';
import { runSender } from './push-sender.js';

const LIMIT = 4;
const ORDERS = 60;
const PADDING = 'x'.repeat(64 * 1024); // each body ~64 KiB

describe('e2e: back-pressure on POST /hooks/xcart', () => {
  let env: E2E;
  let orders: XOrder[];
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), xcartPollEvery: '1h', logLevel: 'warn' });
    // The orders exist in X-Cart before flowd runs (the sandbox's own pushes find no flowd), so the
    // only way in is the pushes below; polling waits an hour.
    orders = await env.placeOrders(ORDERS, { lines: 1, concurrency: 8 });
    const yaml = fs.readFileSync(env.configFile, 'utf8');
    fs.writeFileSync(env.configFile, yaml.replace(/^http: \{ host: 127\.0\.0\.1, port: (\d+) \}$/m, `http: { host: 127.0.0.1, port: $1, max_concurrent_pushes: ${LIMIT} }`));
    expect(fs.readFileSync(env.configFile, 'utf8')).toContain(`max_concurrent_pushes: ${LIMIT}`);
    await env.startFlowd();
  }, 180_000);
  afterAll(async () => { await env?.close(); });

  it(`${ORDERS} pushes at once past a limit of ${LIMIT}: some 503 with Retry-After, every 202 processed exactly once`, async () => {
    // The sender is its own process (as X-Cart is): it starts every push at once, its bodies arrive
    // in parts (as over a real network, not all in one loopback read), and it retries each
    // 503 after a fraction of its Retry-After (to keep the test fast), until every push got 202.
    const occurred = new Date().toISOString();
    const bodies = orders.map((o) => JSON.stringify({ type: 'order.created', id: o.id, occurred_at: occurred, data: { order_number: o.order_number, padding: PADDING } }));
    const input = path.join(env.dir, 'bodies.json');
    fs.writeFileSync(input, JSON.stringify(bodies));
    const out = await runSender(`${env.flowdUrl}/hooks/xcart`, env.pushSecret, input);
    const { firstTry503, retries, connectionErrors, missingRetryAfter, otherStatuses, accepted } = out;
    console.log(`sender: ${JSON.stringify(out)}`);
    expect(firstTry503).toBeGreaterThan(0);
    expect(otherStatuses).toEqual([]);
    expect(connectionErrors).toBe(0); // a refused push is told so (503), its connection is not reset
    expect(accepted).toBe(ORDERS);

    await waitFor('every accepted order processed', async () => (await env.tally(orders)).lost === 0 && env.openJobs('OrderToSalesOrder') === 0, 120_000, 250);
    const tally = await env.tally(orders);
    const jobs = env.storeQuery<{ entity_id: string; n: number; done: number }>("SELECT entity_id, COUNT(*) AS n, SUM(state = 'done') AS done FROM jobs WHERE flow = 'OrderToSalesOrder' GROUP BY entity_id");
    const runs = env.storeQuery<{ job_id: number; n: number }>("SELECT job_id, COUNT(*) AS n FROM runs WHERE flow = 'OrderToSalesOrder' AND outcome = 'done' GROUP BY job_id");
    figures('e2e-backpressure', { pushes: ORDERS, limit: LIMIT, refused_503_first_try: firstTry503, retries, connection_errors: connectionErrors, accepted_202: accepted, processed: runs.length,
      jobs_per_order_max: Math.max(...jobs.map((j) => j.n)), sales_orders: tally.salesOrders, duplicates: tally.duplicates, lost: tally.lost });
    expect(tally).toMatchObject({ lost: 0, duplicates: 0, salesOrders: ORDERS });
    expect(jobs).toHaveLength(ORDERS);
    expect(jobs.every((j) => j.n === 1 && j.done === 1)).toBe(true);
    expect(runs).toHaveLength(ORDERS);
    expect(runs.every((r) => r.n === 1)).toBe(true);
    expect(missingRetryAfter).toBe(0);
    const metrics = await (await fetch(`${env.flowdUrl}/metrics`)).text();
    expect(metrics).toMatch(/push_rejected_total\{reason="busy"\} [1-9]/);
  }, 180_000);
});
