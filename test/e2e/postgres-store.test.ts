/**
 * E2E: `flowd serve` (a child process) on a PostgreSQL store — connect.yaml says
 * `store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }` — takes an X-Cart order to a Sage Pro
 * sales order; the job, its run and the poll leadership are in PostgreSQL, and no SQLite store file
 * is made; then two `flowd serve` processes on the one database share 30 orders (each exported once,
 * each poll source led by one of them). One throwaway PostgreSQL server (test/support/postgres.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../examples/demo/demo.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../support/postgres.js';
import { PostgresStore } from '../../runtime/store/postgres-store.js';
import { buildFlows, E2E, orderMix, waitFor } from './harness.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/** Finished OrderToSalesOrder jobs a flowd reports on /metrics (`jobs_total`, outcome done). */
async function doneJobs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^\w*jobs_total\{([^}]*)\} (\d+)/gm)) if (m[1]!.includes('flow="OrderToSalesOrder"') && m[1]!.includes('outcome="done"')) n += Number(m[2]);
  return n;
}

describe.skipIf(!postgresServerAvailable())('e2e: flowd serve on a PostgreSQL store', () => {
  let pgServer: StartedPostgres;
  let env: E2E;
  let store: PostgresStore;
  beforeAll(async () => {
    pgServer = await startPostgres();
    env = await E2E.start({ flowsDir: buildFlows(), logLevel: 'warn', store: { kind: 'postgres', url: pgServer.url } });
    // The test's own connection to flowd's store (it migrates the empty database first, as any flowd would).
    store = await PostgresStore.open(pgServer.url);
  });
  afterAll(async () => {
    await store?.close();
    await env?.close();
    await pgServer?.stop();
  });

  it('one order: X-Cart → job in PostgreSQL → Sage Pro sales order, polled by the one leader', async () => {
    await env.startFlowd({ child: true });
    const order = await env.placeOrder(orderMix(0));
    await waitFor('the sales order in Sage Pro', async () => (await env.countSalesOrders(`XC-${order.id}`)) === 1, 60_000, 200);
    const done = await waitFor('the job done in PostgreSQL', async () => {
      const runs = await store.listRuns({ flow: 'OrderToSalesOrder' });
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

  it('two flowd processes on one database (as runtime/store/README.md says): 30 orders once each, one poll leader per source', async () => {
    await env.startFlowd({ child: true });
    // The second process: the same connect.yaml but its own HTTP port.
    const portB = await freePort();
    const configB = path.join(env.dir, 'connect-b.yaml');
    fs.writeFileSync(configB, fs.readFileSync(env.configFile, 'utf8').replace(/^http: .*$/m, `http: { host: 127.0.0.1, port: ${portB} }`).replace('file: flowd.log', 'file: flowd-b.log'));
    let outB = '';
    const b: ChildProcess = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', configB], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    b.stdout!.on('data', (c: Buffer) => { outB += c.toString(); });
    b.stderr!.on('data', (c: Buffer) => { outB += c.toString(); });
    const urlB = `http://127.0.0.1:${portB}`;
    try {
      await waitFor('flowd B ready', async () => {
        if (b.exitCode !== null) throw new Error(`flowd B exited: ${outB}`);
        return (await fetch(`${urlB}/readyz`).catch(() => null))?.ok ?? false;
      }, 60_000);
      const before = (await store.listRuns({ flow: 'OrderToSalesOrder', limit: 100_000 })).filter((r) => r.outcome === 'done').length;
      const orders = await env.placeOrders(30, { lines: 2, concurrency: 3 });
      await waitFor('every order in Sage Pro', async () => (await env.tally(orders)).lost === 0, 120_000, 250);
      await waitFor('the queue drained', async () => (await store.status()).queueDepth === 0, 60_000, 250);
      const t = await env.tally(orders);
      expect(t).toMatchObject({ events: 30, salesOrders: 30, duplicates: 0, lost: 0 });
      const done = (await store.listRuns({ flow: 'OrderToSalesOrder', limit: 100_000 })).filter((r) => r.outcome === 'done').length - before;
      expect(done).toBe(30);
      const [a, bb] = [await doneJobs(env.flowdUrl), await doneJobs(urlB)];
      console.log(`two flowd on one PostgreSQL: 30 orders, 30 sales orders, 0 duplicates; jobs done by A ${a}, by B ${bb}`);
      // Each poll source has exactly one leader in the cluster.
      const leaders = await store.leaders();
      const sources = leaders.map((l) => l.source);
      expect(sources).toContain('xcart.orders');
      expect(new Set(sources).size).toBe(sources.length);
    } finally {
      b.kill('SIGTERM');
      await new Promise((r) => b.once('exit', r));
      await env.stopFlowd();
    }
  });
});
