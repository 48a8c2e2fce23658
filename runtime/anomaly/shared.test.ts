/**
 * Two flowd processes on one PostgreSQL store share a flow's anomaly profile: each AnomalyMonitor
 * writes its runs' counts to the store (one statement per flush), and the other sees them once it
 * reads the profile again, so a flow warmed up on one process flags on the other; counts written
 * at the same moment by both all count. Two PostgresStore instances (two pools) on one schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { PostgresStore } from '../store/postgres-store.js';
import { AnomalyMonitor } from './monitor.js';

let server: StartedPostgres;

describe.skipIf(!postgresServerAvailable())('anomaly profiles on a shared PostgreSQL store', () => {
  beforeAll(async () => { server = await startPostgres(); }, 60_000);
  afterAll(async () => { await server?.stop(); });

  it('a profile warmed up by one process flags on another; concurrent flushes all count', async () => {
    const a = await PostgresStore.open(server.url, { schema: 'shared_anomaly' });
    const b = await PostgresStore.open(server.url, { schema: 'shared_anomaly' });
    try {
      let t = 0;
      const ma = new AnomalyMonitor(a.anomaly, { params: { warmupRuns: 20 }, now: () => t });
      const mb = new AnomalyMonitor(b.anomaly, { params: { warmupRuns: 20 }, now: () => t, refreshMs: 1000 });
      const args = (qty: number) => ({ order: { notes: 'web', lines: [{ item: 'SKU', quantity: qty, price: 25 }] } });
      // b has seen the flow before (an empty profile, cached)
      expect((await mb.profile('Orders')).runs).toBe(0);
      for (let i = 0; i < 30; i++) { const w = await ma.watch('Orders', `a${i}`); w.beforeWrite('sagepro', 'sales_orders.create', args(1 + (i % 3))); w.finish('final'); }
      await ma.flush();
      // until b reads again it knows nothing; after refreshMs it has a's 30 runs and flags
      expect((await (await mb.watch('Orders', 'x')).beforeWrite('sagepro', 'sales_orders.create', args(200)))).toEqual([]);
      t += 1001;
      const w = await mb.watch('Orders', 'y');
      expect(w.profile.runs).toBe(30);
      expect(w.beforeWrite('sagepro', 'sales_orders.create', args(200)).map((f) => f.field)).toContain('sagepro.sales_orders.create order.lines total (Σ quantity × price)');
      // both processes flush at once: nothing is lost
      for (const m of [ma, mb]) for (let i = 0; i < 10; i++) { const r = await m.watch('Orders', `c${i}`); r.finish('final'); }
      await Promise.all([ma.flush(), mb.flush()]);
      const rows = await a.anomaly.loadProfile('Orders');
      expect(rows.filter((r) => r.metric === 'runs').reduce((n, r) => n + r.n, 0)).toBe(50);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
