/**
 * E2E: `flowd serve` (a child process) on a PostgreSQL store — connect.yaml says
 * `store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }` — takes an X-Cart order to a Sage Pro
 * sales order; the job, its run and the poll leadership are in PostgreSQL, and no SQLite store file
 * is made. One throwaway PostgreSQL server (test/support/postgres.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../support/postgres.js';
import { PostgresStore } from '../../runtime/store/postgres-store.js';
import { buildFlows, E2E, orderMix, waitFor } from './harness.js';

describe.skipIf(!postgresServerAvailable())('e2e: flowd serve on a PostgreSQL store', () => {
  let pgServer: StartedPostgres;
  let env: E2E;
  let store: PostgresStore | undefined;
  beforeAll(async () => {
    pgServer = await startPostgres();
    env = await E2E.start({ flowsDir: buildFlows(), logLevel: 'warn', store: { kind: 'postgres', url: pgServer.url } });
  });
  afterAll(async () => {
    await store?.close();
    await env?.close();
    await pgServer?.stop();
  });

  it('one order: X-Cart → job in PostgreSQL → Sage Pro sales order, polled by the one leader', async () => {
    await env.startFlowd({ child: true });
    store = await PostgresStore.open(pgServer.url);
    const order = await env.placeOrder(orderMix(0));
    await waitFor('the sales order in Sage Pro', async () => (await env.countSalesOrders(`XC-${order.id}`)) === 1, 60_000, 200);
    const done = await waitFor('the job done in PostgreSQL', async () => {
      const runs = await store!.listRuns({ flow: 'OrderToSalesOrder' });
      return runs.find((r) => r.outcome === 'done');
    }, 30_000, 200);
    const job = await store.getJob(done.jobId!);
    expect(job).toMatchObject({ flow: 'OrderToSalesOrder', entityId: String(order.id), state: 'done', leaseOwner: null, fence: null });
    // The X-Cart poll of this cluster is led by the one flowd, and its watermark is in the store.
    const leaders = await store.leaders();
    expect(leaders.map((l) => l.source)).toContain('xcart.orders');
    expect(new Set(leaders.map((l) => l.owner)).size).toBe(1);
    expect(await store.getWatermark('xcart.orders')).toBeDefined();
    // Push and poll both saw the order: one job (dedupe in PostgreSQL).
    const status = await store.status();
    expect(status.flows.find((f) => f.flow === 'OrderToSalesOrder')).toMatchObject({ queued: 0, running: 0, deadLettered: 0 });
    expect(fs.existsSync(path.join(env.dir, 'flowd.db'))).toBe(false);
    // The log never shows the database password.
    await env.stopFlowd();
    expect(env.childOutput + fs.readFileSync(path.join(env.dir, 'flowd.log'), 'utf8')).not.toContain(pgServer.password);
    expect(await env.countSalesOrders(`XC-${order.id}`)).toBe(1);
  });
});
