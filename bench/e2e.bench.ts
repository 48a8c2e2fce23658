/**
 * End-to-end benchmark (npm run bench:e2e), on the real sandboxes, real ODBC, real HTTP:
 *  (a) orders/s from a placed X-Cart order to a committed Sage Pro sales order, 5 lines each,
 *      through `flowd serve` (a child process) on its embedded defaults: X-Cart poll 1 s + signed
 *      push, 4 workers, 2 Sage Pro connections;
 *  (b) the raw ceiling: the same inserts made directly with the Sage Pro connector's
 *      createSalesOrder (one transaction per order) on a fresh sandbox, sequentially and with
 *      flowd's concurrency; the ratio (a)/(b) has a target of >= 0.7;
 *  (c) the acknowledgement latency of signed pushes (POST /hooks/xcart → 202), p50 and p99 over
 *      1,000 pushes that each create a job (target p99 <= 50 ms).
 * Prints figures and PASS/MISS; exits 1 only when a correctness check fails (lost or duplicate orders).
 *
 *   BENCH_ORDERS=300 BENCH_PUSHES=1000 npm run bench:e2e
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SageProConnector } from '../runtime/connectors/sagepro/connector.js';
import { optionsFromSite } from '../runtime/connectors/sagepro/site.js';
import { createSageProSandbox, sandboxProfile } from '../runtime/sandbox/sagepro/database.js';
import { buildFlows, E2E, KNOWN_CUSTOMERS, orderMix, percentile, sleep, waitFor, type XOrder } from '../test/e2e/harness.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 1000);
const LINES = 5;
const FLOWD_SAGEPRO_CONCURRENCY = Number(process.env.BENCH_SAGEPRO_CONCURRENCY ?? 2);
const FLOWD_WORKERS = Number(process.env.BENCH_WORKERS ?? 4);

const fmt = (n: number, d = 1) => n.toFixed(d);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
let failed = false;

async function throughputThroughFlowd(env: E2E): Promise<{ rate: number; placeRate: number; p50: number; p99: number; orders: XOrder[] }> {
  const placedAt = new Map<number, number>();
  const seenAt = new Map<number, number>();
  let placing = true;
  const t0 = performance.now();
  // Watch Sage Pro for the sales orders as they are committed (every 25 ms).
  const watcher = (async () => {
    while (placing || seenAt.size < ORDERS) {
      const byRef = await env.salesOrdersByRef();
      const now = performance.now();
      for (const id of placedAt.keys()) if (!seenAt.has(id) && byRef.has(`XC-${id}`)) seenAt.set(id, now);
      if (performance.now() - t0 > 600_000) throw new Error('(a) took more than 10 minutes');
      await sleep(25);
    }
  })();
  const orders = await env.placeOrders(ORDERS, { lines: LINES, concurrency: 4, onPlaced: (o) => placedAt.set(o.id, performance.now()) });
  const tPlaced = performance.now();
  placing = false;
  await watcher;
  const tDone = Math.max(...seenAt.values());
  const lat = [...seenAt.entries()].map(([id, t]) => t - placedAt.get(id)!);
  return { rate: ORDERS / ((tDone - t0) / 1000), placeRate: ORDERS / ((tPlaced - t0) / 1000), p50: percentile(lat, 50), p99: percentile(lat, 99), orders };
}

/** The sales orders the flow would write for these X-Cart orders (customer by email, else WEBUS). */
function salesOrdersFor(orders: XOrder[], prefix: string): Record<string, unknown>[] {
  const custByEmail = new Map(KNOWN_CUSTOMERS.map((c) => [c.email, c.custno]));
  return orders.map((o, i) => ({
    external_ref: `${prefix}-${i}`, po_number: o.order_number, customer: custByEmail.get(o.email) ?? 'WEBUS', order_date: '2026-03-01',
    ship_via: 'BEST', status: '', tax: 0, notes: `X-Cart order ${o.order_number} (${o.email})`,
    lines: o.items.map((it) => ({ item: it.sku, description: it.sku, quantity: it.amount, price: it.price })),
    ship_to: { name: 'Bench Buyer', address1: '1 Guest Street', address2: '', address3: '', city: 'New York', state: 'New York', zip: '10001', country: 'US' },
  }));
}

async function rawCeiling(orders: XOrder[], concurrency: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-bench-raw-'));
  try {
    const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') });
    const conn = new SageProConnector({ dsn, poolSize: concurrency, ...optionsFromSite(sandboxProfile('standard').siteConfig()) });
    try {
      const sos = salesOrdersFor(orders, `RAW${concurrency}`);
      await conn.createSalesOrder({ ...sos[0]!, external_ref: 'WARMUP' }); // table shapes, first connection
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (;;) { const i = next++; if (i >= sos.length) return; await conn.createSalesOrder(sos[i]!); }
      }));
      return sos.length / ((performance.now() - t0) / 1000);
    } finally { await conn.close(); }
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

async function pushLatency(env: E2E, concurrency: number, count: number, idBase: number): Promise<{ p50: number; p99: number; max: number; non202: number }> {
  const lat: number[] = [];
  let non202 = 0;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const id = idBase + i;
      const body = JSON.stringify({ type: 'order.created', id, occurred_at: new Date().toISOString(), data: { order_number: String(id) } });
      const t = performance.now();
      const r = await env.push(body);
      lat.push(performance.now() - t);
      if (r.status !== 202) non202++;
    }
  }));
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), non202 };
}

async function main(): Promise<void> {
  console.log(`bench/e2e: ${os.cpus().length} cores, node ${process.version}; ${ORDERS} orders x ${LINES} lines, ${PUSHES} pushes`);
  const flowsDir = buildFlows();
  const env = await E2E.start({ flowsDir, workers: FLOWD_WORKERS, sageproConcurrency: FLOWD_SAGEPRO_CONCURRENCY, logLevel: 'warn' });
  try {
    await env.startFlowd({ child: true });
    await waitFor('the X-Cart watermark', () => env.storeQuery('SELECT 1 FROM watermarks').length > 0, 30_000);

    // (a)
    const a = await throughputThroughFlowd(env);
    const t = await env.tally(a.orders);
    console.log(`(a) through flowd: ${fmt(a.rate)} orders/s placed→committed (store accepted orders at ${fmt(a.placeRate)}/s); per-order latency p50 ${fmt(a.p50, 0)} ms, p99 ${fmt(a.p99, 0)} ms; sales_orders=${t.salesOrders} duplicates=${t.duplicates} lost=${t.lost}`);
    if (t.duplicates || t.lost) { failed = true; console.log('    FAIL: lost or duplicate sales orders'); }

    // Where a job's time goes inside flowd (its own metrics): mean duration per connector call and per job.
    const m = await (await fetch(`${env.flowdUrl}/metrics`)).text();
    const mean = (name: string, labels: string) => {
      const sum = new RegExp(`${name}_sum\\{${labels}\\} ([0-9.e+-]+)`).exec(m)?.[1];
      const cnt = new RegExp(`${name}_count\\{${labels}\\} ([0-9.e+-]+)`).exec(m)?.[1];
      return sum && cnt && Number(cnt) > 0 ? `${fmt((1000 * Number(sum)) / Number(cnt), 1)} ms x ${cnt}` : 'n/a';
    };
    const call = (sys: string, op: string) => mean('connector_call_duration_seconds', `system="${sys}",operation="${op}",outcome="ok"`);
    console.log(`    inside flowd (means): job OrderToSalesOrder ${mean('job_duration_seconds', 'flow="OrderToSalesOrder"')}; xcart orders.get ${call('xcart', 'orders.get')}; sagepro customers.find_by_email ${call('sagepro', 'customers.find_by_email')}; sagepro sales_orders.create ${call('sagepro', 'sales_orders.create')}`);
    if (process.env.BENCH_PROFILE) { await env.stopFlowd(); return; } // graceful: the child writes its --cpu-prof
    // (c) on the same flowd, now idle: sequential, then 8 in flight.
    const c1 = await pushLatency(env, 1, PUSHES, 50_000_000);
    const c8 = await pushLatency(env, 8, PUSHES, 60_000_000);
    console.log(`(c) push ack latency, 1 in flight:  p50 ${fmt(c1.p50, 2)} ms  p99 ${fmt(c1.p99, 2)} ms  max ${fmt(c1.max, 1)} ms  (non-202: ${c1.non202})  ${verdict(c1.p99 <= 50)} (target p99 <= 50 ms)`);
    console.log(`    push ack latency, 8 in flight:  p50 ${fmt(c8.p50, 2)} ms  p99 ${fmt(c8.p99, 2)} ms  max ${fmt(c8.max, 1)} ms  (non-202: ${c8.non202})  ${verdict(c8.p99 <= 50)} (target p99 <= 50 ms)`);
    if (c1.non202 || c8.non202) failed = true;
    await env.killFlowd('SIGKILL'); // the 2,000 pushed jobs (unknown orders) need not be worked off

    // (b)
    const raw1 = await rawCeiling(a.orders, 1);
    const rawC = await rawCeiling(a.orders, FLOWD_SAGEPRO_CONCURRENCY);
    const ceiling = Math.max(raw1, rawC);
    console.log(`(b) raw ceiling (connector createSalesOrder, same lines): sequential ${fmt(raw1)} orders/s; ${FLOWD_SAGEPRO_CONCURRENCY} at once ${fmt(rawC)} orders/s`);
    const ratio = a.rate / ceiling;
    console.log(`    ratio flowd / raw ceiling: ${fmt(ratio, 2)}  ${verdict(ratio >= 0.7)} (target >= 0.7)`);
  } finally {
    await env.close();
  }
  if (failed) process.exitCode = 1;
}

await main();
