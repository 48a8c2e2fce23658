/**
 * E2E 2 and 6: pushes on POST /hooks/xcart against a running flowd.
 *   - the same event delivered 10 times (signed pushes with the same body, plus the sandbox's own
 *     push, plus the poller) is one job and one sales order;
 *   - a signed but malformed push gets a 4xx and a dead-letter entry (`flowd dlq list --json`);
 *   - a badly signed push gets 401 and changes nothing (no job, no dead-letter entry).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor } from './harness.js';

describe('e2e: pushes', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows() });
    await env.startFlowd();
  });
  afterAll(async () => { await env?.close(); });

  it('the same event delivered 10 times (+ the poller) yields one job and one sales order', async () => {
    const order = await env.placeOrder({ email: 'bill@initech.example', payment_status: 'P', items: [{ sku: 'KEYB-MECH', amount: 1 }, { sku: 'MOUSE-WL', amount: 2 }] });
    const body = JSON.stringify({ type: 'order.created', id: order.id, occurred_at: new Date().toISOString(), data: order });
    // 5 at once, then 5 one after the other, then the poller sees the order too.
    const results = await Promise.all(Array.from({ length: 5 }, () => env.push(body)));
    for (let i = 0; i < 5; i++) results.push(await env.push(body));
    await env.svc!.pollNow();
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(202));
    const jobIds = new Set(results.flatMap((r) => r.json.jobs as number[]));
    expect(jobIds.size).toBe(1);

    const ref = `XC-${order.id}`;
    await waitFor(`sales order ${ref}`, async () => (await env.countSalesOrders(ref)) > 0, 45_000);
    await waitFor('the job finished', () => env.openJobs('OrderToSalesOrder') === 0, 30_000);
    await env.svc!.pollNow();
    const jobs = env.storeQuery<{ id: number; state: string; attempts: number }>("SELECT id, state, attempts FROM jobs WHERE flow = 'OrderToSalesOrder' AND entity_id = ?", String(order.id));
    expect(jobs).toEqual([{ id: [...jobIds][0], state: 'done', attempts: 1 }]);
    const runs = (await env.runs('OrderToSalesOrder')).filter((r) => r.jobId === jobs[0]!.id);
    expect(runs.map((r) => r.outcome)).toEqual(['done']);
    const n = await env.countSalesOrders(ref);
    expect(n).toBe(1);
    const dup = results.filter((r) => r.json.duplicate === true).length;
    figures('e2e-push-dedupe', { events: 1, deliveries: 10 + 2, accepted_as_duplicate: dup, jobs: jobs.length, sales_orders: n, duplicates: n - 1, lost: n === 0 ? 1 : 0 });
  }, 90_000);

  it('a signed malformed push gets 400 and a dead-letter entry; a bad signature gets 401 and changes nothing', async () => {
    const jobsBefore = env.storeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM jobs')[0]!.n;
    const badJson = '{"type": "order.created", "id": 4711, "occurred_at": ';
    const noId = JSON.stringify({ type: 'order.created', occurred_at: new Date().toISOString(), data: { order_number: '999001' } });
    const r1 = await env.push(badJson);
    const r2 = await env.push(noId);
    expect(r1.status).toBe(400);
    expect(r2.status).toBe(400);
    expect(String((r2.json.problems as string[]).join())).toContain('id is missing');

    // `flowd dlq list --json` (a second process on the same store) shows both, with the reason.
    const out = await env.cli(['dlq', 'list', '--json', '--state-dir', env.stateDir]);
    expect(out.code, out.stderr).toBe(0);
    const list = JSON.parse(out.stdout) as { id: number; flow: string; reason: string; eventType: string }[];
    const rejected = list.filter((d) => d.flow === '(rejected push)');
    expect(rejected.map((d) => d.reason)).toEqual(expect.arrayContaining([expect.stringContaining('not valid JSON'), expect.stringContaining('id is missing')]));
    expect(rejected).toHaveLength(2);
    const shown = await env.cli(['dlq', 'show', String(rejected.find((d) => d.reason.includes('id is missing'))!.id), '--state-dir', env.stateDir]);
    expect((JSON.parse(shown.stdout) as { payload: { body: string } }).payload.body).toBe(noId);
    const jobsAfterRejects = env.storeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM jobs')[0]!.n;

    // Bad signatures: wrong key, tampered signature, stale timestamp, no headers → 401, nothing kept.
    const good = JSON.stringify({ type: 'order.created', id: 987654, occurred_at: new Date().toISOString(), data: { order_number: '987654' } });
    const bad = [
      await env.push(good, { secret: 'not-the-secret' }),
      await env.push(good, { signature: `sha256=${'0'.repeat(64)}` }),
      await env.push(good, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      await fetch(`${env.flowdUrl}/hooks/xcart`, { method: 'POST', body: good, headers: { 'content-type': 'application/json' } }).then((r) => ({ status: r.status, json: {} })),
      await env.push(badJson, { secret: 'not-the-secret' }),
    ];
    expect(bad.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    await new Promise((r) => setTimeout(r, 300));
    expect(env.storeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM jobs')[0]!.n).toBe(jobsAfterRejects);
    expect(env.storeQuery<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE entity_id = '987654'")[0]!.n).toBe(0);
    expect((await env.deadLetters()).filter((d) => d.flow === '(rejected push)')).toHaveLength(2);
    const metrics = await (await fetch(`${env.flowdUrl}/metrics`)).text();
    expect(metrics).toMatch(/push_rejected_total\{reason="bad_signature"\} [1-9]/);
    figures('e2e-push-rejects', { malformed: 2, malformed_dead_lettered: rejected.length, bad_signature: bad.length, jobs_created_by_bad_signature: 0, new_jobs_total: jobsAfterRejects - jobsBefore });
  }, 60_000);
});
