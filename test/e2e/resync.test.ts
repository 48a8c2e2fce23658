/**
 * E2E: the cutover start and manual re-sync (issue 13) on both sandboxes, flowd running as
 * `flowd serve` (a child process) and `flowd resync` as another process on the same store.
 *
 * A site switches from another integration: the orders placed before the switch were exported by
 * it. connect.yaml says `connections.xcart.cutover: { before_date: T }`, and flowd starts with
 * `--since` before those orders (as after a lost store): only the orders placed from T on become
 * Sage Pro sales orders; a push of an old order is acknowledged and not queued. Then
 * `flowd resync order N` of an exported order creates nothing (the run ends `duplicate`), of a
 * dead-lettered order (fixed in Sage Pro since) creates it once, of an order before the cutover is
 * refused unless `--force`, and `flowd resync --since T` re-runs the range, creating nothing twice.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, sleep, waitFor, type XOrder } from './harness.js';
import { main } from '../../runtime/cli.js';

describe('e2e: cutover start and flowd resync', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ fastRetry: true }), logLevel: 'info' });
  });
  afterAll(async () => { await env?.close(); });

  const metric = async (source: string): Promise<number> => {
    const text = await (await fetch(`${env.flowdUrl}/metrics`)).text();
    const m = new RegExp(`xcart_orders_before_cutover_total\\{source="${source}"\\} (\\d+)`).exec(text);
    return m ? Number(m[1]) : 0;
  };
  const runsOf = async (orderId: number) => {
    const jobs = env.storeQuery<{ id: number }>("SELECT id FROM jobs WHERE flow = 'OrderToSalesOrder' AND entity_id = ?", String(orderId)).map((j) => j.id);
    return (await env.runs('OrderToSalesOrder')).filter((r) => r.jobId !== null && jobs.includes(r.jobId)).map((r) => r.outcome);
  };
  /**
   * `flowd resync ...` in this process (runtime/cli.ts main, its stdout and stderr captured): the
   * same code as the command; a child process costs seconds of start-up each (tsx), so one call
   * below runs as a child (`env.cli`) to show another process's jobs picked up by the running flowd.
   */
  const cli = async (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const out = { stdout: '', stderr: '' };
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((c: string | Uint8Array) => { out.stdout += String(c); return true; }) as typeof process.stdout.write;
    process.stderr.write = ((c: string | Uint8Array) => { out.stderr += String(c); return true; }) as typeof process.stderr.write;
    try { return { code: await main(args), ...out }; } finally { process.stdout.write = write.stdout; process.stderr.write = write.stderr; }
  };
  const drained = () => waitFor('OrderToSalesOrder queue drained', () => env.openJobs('OrderToSalesOrder') === 0, 30_000, 100);

  it('exports only orders from the cutover on; resync re-runs orders idempotently', async () => {
    const since = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The old integration's orders (flowd not running: their pushes fail).
    const old: XOrder[] = [
      await env.placeOrder({ email: 'jane.doe@example.com', items: [{ sku: 'WIDGET-100', amount: 1 }] }),
      await env.placeOrder({ email: 'john.smith@example.com', items: [{ sku: 'CABLE-HDMI', amount: 2 }] }),
    ];
    // The switch: the next whole second (X-Cart dates are whole seconds).
    await sleep(1000 - (Date.now() % 1000) + 5);
    const cutover = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    expect(old.every((o) => Date.parse(String(o.create_date).replace('+0000', 'Z')) < Date.parse(cutover))).toBe(true);
    const yaml = fs.readFileSync(env.configFile, 'utf8').replace(/(\n {2}xcart: \{.*?) \}\n/, `$1, cutover: { before_date: "${cutover}" } }\n`);
    expect(yaml).toContain('cutover: { before_date:');
    fs.writeFileSync(env.configFile, yaml);

    await env.startFlowd({ child: true, args: ['--since', since] });
    expect(env.childOutput).toContain(`orders placed before ${cutover.replace(/\.000Z$/, '.000Z')} are not exported (connections.xcart.cutover)`);
    const fresh: XOrder[] = [
      await env.placeOrder({ email: 'maria.garcia@example.com', items: [{ sku: 'MOUSE-WL', amount: 1 }], payment_status: 'P' }),
      await env.placeOrder({ email: 'new.buyer@example.org', items: [{ sku: 'KEYB-MECH', amount: 1 }], payment_status: 'P' }),
      await env.placeOrder({ email: 'li.wei@example.com', items: [{ sku: 'SSD-1TB', amount: 1 }], payment_status: 'P' }),
    ];
    await waitFor('the new orders in Sage Pro', async () => (await env.tally(fresh)).lost === 0, 60_000, 200);
    await waitFor('the old orders polled (and held back)', async () => (await metric('xcart-poll')) >= old.length, 30_000, 200);
    await drained();
    expect(await env.tally(fresh)).toMatchObject({ salesOrders: 3, duplicates: 0, lost: 0 });
    expect((await env.tally(old)).salesOrders).toBe(0);
    // Held back, not dead-lettered, and no job at all.
    expect(await env.deadLetters()).toEqual([]);
    for (const o of old) expect(await runsOf(o.id)).toEqual([]);

    // A push of an old order (a status change after the switch): acknowledged, not queued.
    const body = JSON.stringify({ type: 'order.created', id: old[0]!.id, occurred_at: new Date().toISOString(), data: old[0] });
    const pushed = await env.push(body);
    expect(pushed.status).toBe(200);
    expect(pushed.json).toMatchObject({ accepted: true, ignored: 'before_cutover', jobs: [] });
    expect(String(pushed.json.reason)).toContain(`before the cutover ${cutover}`);
    // A push carrying ids only (no create_date): flowd reads the order from X-Cart to decide.
    const bare = await env.push(JSON.stringify({ type: 'order.updated', id: old[1]!.id, occurred_at: new Date().toISOString(), data: { order_number: old[1]!.order_number } }));
    expect(bare.status).toBe(200);
    expect(bare.json).toMatchObject({ ignored: 'before_cutover' });
    expect(await metric('push')).toBe(2);
    for (const o of old) expect(env.storeQuery('SELECT id FROM jobs WHERE entity_id = ?', String(o.id))).toEqual([]);

    // A re-sync of an exported order creates nothing: its run ends `duplicate`. A separate process,
    // as an operator runs it: the running flowd picks its job up. (While it starts, the next step's
    // order is placed and dead-lettered.)
    const againRun = env.cli(['resync', 'order', fresh[0]!.order_number, '--config', env.configFile]);

    // An order dead-lettered (a SKU Sage Pro lacked), the item added since: the re-sync creates it once.
    const bad = await env.placeOrder({ email: 'jane.doe@example.com', items: [{ sku: 'POSTER-LTD', amount: 1 }], payment_status: 'P' });
    await waitFor('the dead letter', async () => (await env.deadLetters('OrderToSalesOrder')).some((d) => d.entityId === String(bad.id)), 30_000, 100);
    await env.addItem('POSTER-LTD', 'Limited edition poster', 24, 10);

    const again = await againRun;
    expect(again.stderr).toBe('');
    expect(again.stdout.trim()).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
    expect(again.code).toBe(0);
    await waitFor('the re-sync run', async () => (await runsOf(fresh[0]!.id)).length === 2, 30_000, 100);
    expect((await runsOf(fresh[0]!.id)).sort()).toEqual(['done', 'duplicate']);

    const fixed = await cli(['resync', 'order', bad.order_number, '--config', env.configFile]);
    expect(fixed.stdout.trim()).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
    await waitFor('the fixed order in Sage Pro', async () => (await env.countSalesOrders(`XC-${bad.id}`)) === 1, 30_000, 100);
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]); // its entry replayed, not left pending

    // An order before the cutover: refused with the reason (exit 1), unless --force, which creates it once.
    const refused = await cli(['resync', 'order', old[1]!.order_number, '--config', env.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout.trim()).toBe('orders=1 enqueued=0 already_queued=0 refused_before_cutover=1');
    expect(refused.stderr).toContain(`flowd resync: ${old[1]!.order_number}: refused_before_cutover: order ${old[1]!.order_number} was placed`);
    expect(refused.stderr).toContain('(force to re-sync it anyway)');
    const forced = await cli(['resync', 'order', old[1]!.order_number, '--force', '--config', env.configFile]);
    expect(forced.code).toBe(0);
    await waitFor('the forced order in Sage Pro', async () => (await env.countSalesOrders(`XC-${old[1]!.id}`)) === 1, 30_000, 100);
    await drained();

    // --since re-runs the range (every order placed from the cutover on): nothing is created twice.
    const range = await cli(['resync', '--since', cutover, '--config', env.configFile]);
    const inRange = [...fresh, bad];
    expect(range.stdout.trim()).toBe(`orders=${inRange.length} enqueued=${inRange.length} already_queued=0 refused_before_cutover=0`);
    expect(range.code).toBe(0);
    await sleep(200);
    await drained();
    const resynced = [...fresh, bad, old[1]!];
    const t = await env.tally(resynced);
    expect(t).toMatchObject({ salesOrders: resynced.length, duplicates: 0, lost: 0 });
    expect((await env.tally([old[0]!])).salesOrders).toBe(0);
    // The re-sync jobs (re-runs of orders processed before) and how their runs ended.
    // (The dead-lettered order's first re-sync replays its entry: a replay job.)
    const resyncJobs = env.storeQuery<{ id: number }>("SELECT id FROM jobs WHERE flow = 'OrderToSalesOrder' AND (dedupe_key LIKE ? OR replay_of IS NOT NULL)", '["resync",%').map((j) => j.id);
    const resyncRuns = (await env.runs('OrderToSalesOrder')).filter((r) => r.jobId !== null && resyncJobs.includes(r.jobId));
    expect(resyncJobs).toHaveLength(6); // fresh[0] twice, fresh[1], fresh[2], bad twice (the fix, then --since)
    expect(resyncRuns.map((r) => r.outcome).sort()).toEqual(['done', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    const created = await env.tally([bad, old[1]!]);
    expect(created.salesOrders).toBe(2);
    const events = env.storeQuery<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE flow = 'OrderToSalesOrder'")[0]!.n;
    // Usage errors name the flag (exit 2) and read nothing.
    const usage = await cli(['resync', '--until', cutover, '--config', env.configFile]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--until needs --since');
    for (const [args, says] of [
      [['resync'], 'choose the orders'],
      [['resync', 'order'], 'give the X-Cart order number'],
      [['resync', '--since', 'last tuesday'], "--since: 'last tuesday' is not an ISO 8601 date"],
      [['resync', 'order', '100001', '--since', cutover], 'order numbers or --since, not both'],
    ] as const) {
      const r = await cli([...args, '--config', env.configFile]);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(says)]);
    }
    // A number X-Cart does not have: exit 1, named.
    const missing = await cli(['resync', 'order', '999999', '--config', env.configFile]);
    expect(missing.code).toBe(1);
    expect(missing.stdout.trim()).toBe('orders=0 enqueued=0 already_queued=0 refused_before_cutover=0 not_found=1');
    expect(missing.stderr).toContain('flowd resync: 999999: not_found: X-Cart has no order number 999999');
    await env.stopFlowd();
    figures('e2e-resync', {
      orders: old.length + fresh.length + 1, before_cutover: old.length, exported: fresh.length, push_ignored: 2, events,
      resync_jobs: resyncJobs.length, resync_duplicate: resyncRuns.filter((r) => r.outcome === 'duplicate').length,
      records_created_by_resync: created.salesOrders, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost,
    });
  }, 180_000);
});
