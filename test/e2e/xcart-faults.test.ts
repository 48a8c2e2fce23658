/**
 * E2E 5: X-Cart answering 429 (with Retry-After) and 503 (the sandbox's fault switches) while orders
 * come in: flowd slows down (retries, honouring Retry-After) and every order arrives once. The flows
 * are compiled with a faster retry policy for OrderToSalesOrder (12 tries, 200 ms..2 s) so the
 * test stays short; the Retry-After of 1 s is a floor for the delay of a 429 retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';

describe('e2e: X-Cart 429 and 503', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ fastRetry: true }) });
    await env.startFlowd();
  });
  afterAll(async () => { await env?.close(); });

  it('rate-limited and failing X-Cart: retries, and every order arrives once', async () => {
    await env.setFaults({ rateLimit: { every: 4, retryAfterSeconds: 1 }, errorRate: 0.15 });
    const orders: XOrder[] = await env.placeOrders(40, { lines: 3, concurrency: 4 });
    try {
      await waitFor('every order in Sage Pro', async () => (await env.tally(orders)).lost === 0, 120_000, 250);
    } finally {
      await env.setFaults({ rateLimit: null, errorRate: 0 });
    }
    await waitFor('OrderToSalesOrder queue drained', () => env.openJobs('OrderToSalesOrder') === 0, 30_000);
    const t = await env.tally(orders);
    expect(t).toMatchObject({ salesOrders: orders.length, duplicates: 0, lost: 0 });
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]);

    const runs = await env.runs('OrderToSalesOrder');
    const retries = runs.filter((r) => r.outcome === 'retry');
    const r429 = retries.filter((r) => /HTTP 429/.test(r.error ?? '')).length;
    const r503 = retries.filter((r) => /HTTP 503/.test(r.error ?? '')).length;
    expect(retries.every((r) => r.errorClass === 'transient')).toBe(true);
    expect(r429).toBeGreaterThan(0);
    expect(r503).toBeGreaterThan(0);
    expect(runs.filter((r) => r.outcome === 'done')).toHaveLength(orders.length);

    // A 429 retry waits at least Retry-After: the next run of that job starts >= 1 s after the failure.
    const byJob = new Map<number, typeof runs>();
    for (const r of runs) byJob.set(r.jobId!, [...(byJob.get(r.jobId!) ?? []), r]);
    const gaps: number[] = [];
    for (const list of byJob.values()) {
      const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1]!;
        if (prev.outcome === 'retry' && /HTTP 429/.test(prev.error ?? '')) gaps.push(sorted[i]!.startedAt - (prev.startedAt + prev.durationMs));
      }
    }
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(990);

    const metrics = await env.svc!.metrics.text();
    const m = /retries_total\{flow="OrderToSalesOrder",error_class="transient"\} (\d+)/.exec(metrics);
    expect(Number(m?.[1])).toBe(retries.length);
    figures('e2e-xcart-faults', { events: orders.length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost, retries: retries.length, retries_429: r429, retries_503: r503 });
  }, 180_000);
});
