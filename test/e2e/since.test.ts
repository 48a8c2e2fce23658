/**
 * E2E: `flowd serve --since` after the runtime store was lost. Orders placed while flowd was down
 * (their pushes failed) are not seen by a flowd on a new store, whose X-Cart poller starts at "now".
 * `flowd serve --config connect.yaml --since <T>` polls again from T: the lost orders become Sage Pro
 * sales orders, and the ones exported before are not exported twice (the store dedupes events; the
 * Sage Pro connector finds an order by its external reference inside the create transaction).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, sleep, waitFor, type XOrder } from './harness.js';

describe('e2e: flowd serve --since after the store was recreated', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), logLevel: 'warn' });
  });
  afterAll(async () => { await env?.close(); });

  it('orders placed before the store was recreated are exported after --since, once', async () => {
    const since = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await env.startFlowd({ child: true });
    await waitFor('the X-Cart watermark', () => env.storeQuery('SELECT 1 FROM watermarks').length > 0, 30_000);
    const before: XOrder = await env.placeOrder({ email: 'jane.doe@example.com', items: [{ sku: 'WIDGET-100', amount: 1 }] });
    await waitFor('the first order in Sage Pro', async () => (await env.countSalesOrders(`XC-${before.id}`)) === 1, 60_000);
    await env.stopFlowd();

    // flowd is down: these pushes fail, and then the store is lost.
    const lost: XOrder[] = [
      await env.placeOrder({ email: 'john.smith@example.com', items: [{ sku: 'CABLE-HDMI', amount: 2 }] }),
      await env.placeOrder({ email: 'new.buyer@example.org', items: [{ sku: 'MOUSE-WL', amount: 1 }] }),
    ];
    for (const f of ['flowd.db', 'flowd.db-wal', 'flowd.db-shm']) fs.rmSync(`${env.storeFile.replace(/flowd\.db$/, '')}${f}`, { force: true });
    // The new poller starts one second before "now" and X-Cart dates have whole seconds: let the lost
    // orders be older than that, as after any real outage (else a fast restart would still see them).
    await sleep(2500);

    // A new store: polling starts at "now", so the lost orders stay lost.
    await env.startFlowd({ child: true });
    await waitFor('the X-Cart watermark on the new store', () => env.storeQuery('SELECT 1 FROM watermarks').length > 0, 30_000);
    await sleep(3000); // three polls
    expect((await env.tally(lost)).lost).toBe(2);
    await env.stopFlowd();

    // Bad values are refused with the flag named, and nothing starts.
    const bad = await env.cli(['serve', '--config', env.configFile, '--since', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');

    await env.startFlowd({ child: true, args: ['--since', since] });
    expect(env.childOutput).toContain(`X-Cart polling starts from ${since.replace('Z', '.000Z')}`);
    const all = [before, ...lost];
    await waitFor('every order in Sage Pro', async () => (await env.tally(all)).lost === 0, 60_000, 250);
    await waitFor('OrderToSalesOrder queue drained', () => env.openJobs('OrderToSalesOrder') === 0, 30_000, 250);
    const t = await env.tally(all);
    expect(t).toMatchObject({ salesOrders: 3, duplicates: 0, lost: 0 });
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]);
    await env.stopFlowd();
    figures('e2e-since', { orders: all.length, lost_before_since: lost.length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost });
  }, 180_000);
});
