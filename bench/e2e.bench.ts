/**
 * End-to-end benchmark (npm run bench:e2e), on the real sandboxes, real ODBC, real HTTP; flowd is
 * `flowd serve` (a child process) on the harness's connect.yaml (4 workers, 1 Sage Pro connection for flows,
 * X-Cart poll every 1 s + signed push) with X-Cart rate_per_second raised from the harness's 50 to
 * BENCH_XCART_RATE (the client's own limit would otherwise be the ceiling: see (x) and (t)).
 * Orders have 5 lines. Issue 11, item 2.
 *
 *  (x) the X-Cart fetch of one order, sequential, on an idle sandbox: a bare undici GET, the
 *      connector's client, the connector's orders.get (client + schema check), and the same at
 *      the rate limit flowd is configured with; beside it, orders.get as flowd measured it in (t);
 *  (l) latency placed → committed, orders placed one at a time at LAT_RATE/s (well under what
 *      flowd sustains): with pushes (target p50 <= 300 ms) and with polling only (push disabled,
 *      target p50 <= poll interval + 150 ms); split into placed → enqueued → started → committed;
 *  (t) flowd's throughput: ORDERS orders placed while flowd is stopped, then flowd started: from the
 *      first job enqueued (its poll finds them) to the last sales order committed;
 *  (b) the connector's createSalesOrder in a loop on a fresh Sage Pro sandbox (the orders of (t),
 *      one transaction each; sequential, and 2 at once), and the raw replay: the exact statements
 *      it sent for each order (recorded, bench/sql-replay.ts) sent again through the same driver on
 *      another fresh sandbox, one transaction per order; loop and replay interleaved in chunks of
 *      25 orders, so that both see the same load of a shared machine;
 *  (c) the acknowledgement latency of signed pushes (POST /hooks/xcart → 202), target p99 <= 50 ms.
 * Every ratio is printed at the end side by side, each against its target with PASS or MISS.
 * Times of (l) come from flowd's store (a job's created_at, its run's start and duration), not
 * from polling Sage Pro. Prints only; exits 1 only when a correctness check fails (a lost or
 * duplicate sales order, a replay that fails).
 *
 *   BENCH_ORDERS=300 BENCH_LAT_ORDERS=40 BENCH_LAT_RATE=5 BENCH_PUSHES=500 BENCH_XCART_RATE=1000 npm run bench:e2e
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import odbc from 'odbc';
import { Pool } from 'undici';
import { SageProConnector } from '../runtime/connectors/sagepro/connector.js';
import { optionsFromSite } from '../runtime/connectors/sagepro/site.js';
import { XcartClient } from '../runtime/connectors/xcart/client.js';
import { XcartConnector } from '../runtime/connectors/xcart/connector.js';
import { createSageProSandbox, sandboxProfile } from '../runtime/sandbox/sagepro/database.js';
import { buildFlows, E2E, KNOWN_CUSTOMERS, orderMix, percentile, sleep, waitFor, type XOrder } from '../test/e2e/harness.js';
import { describeRecording, recorded, replay, type Recording } from './sql-replay.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const LAT_ORDERS = Number(process.env.BENCH_LAT_ORDERS ?? 40);
const LAT_RATE = Number(process.env.BENCH_LAT_RATE ?? 5);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 500);
const FETCHES = Number(process.env.BENCH_FETCHES ?? 300);
const LINES = 5;
/**
 * connections.sagepro.concurrency for flowd. 1 by default: the sandbox is SQLite, one writer at a
 * time; with 2 connections two sales orders' transactions collide and the driver's busy handler
 * waits: sales_orders.create inside flowd 32 ms against 16 ms with 1 (load 6: 52.5 against 48.8
 * orders/s), 117 ms against 25 ms on a loaded machine (load 17: 13.5 against 23.9 orders/s);
 * (b) "2 at once" shows the same.
 */
const FLOWD_SAGEPRO_CONCURRENCY = Number(process.env.BENCH_SAGEPRO_CONCURRENCY ?? 1);
const FLOWD_WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
/** connections.xcart.rate_per_second for flowd (the harness writes 50; see (x) for what 50 costs). */
const XCART_RATE = Number(process.env.BENCH_XCART_RATE ?? 1000);
const POLL_MS = 1000; // the harness's triggers.xcart_poll.every

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
let failed = false;
const summary: string[] = [];
const target = (what: string, value: string, ok: boolean, goal: string) => summary.push(`  ${what.padEnd(48)} ${value.padStart(10)}  ${verdict(ok)}  (target ${goal})`);
const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length) });

// ------------------------------------------------------------------------------------------ config

/** Rewrites flowd's connect.yaml (the harness writes it once): X-Cart rate, push on or off. */
function configure(env: E2E, o: { push: boolean; xcartRate: number }): void {
  let text = fs.readFileSync(env.configFile, 'utf8');
  if (process.env.BENCH_SAGEPRO_POLL === '0') text = text.replace(/sagepro_poll: \{ every: (\w+) \}/, 'sagepro_poll: { every: $1, enabled: false }');
  text = text.replace(/rate_per_second: [0-9.]+/, `rate_per_second: ${o.xcartRate}`);
  text = text.replace(/push: \{ enabled: (true|false)/, `push: { enabled: ${o.push}`);
  fs.writeFileSync(env.configFile, text);
}

// ------------------------------------------------------------------------------------------ (x)

async function timeSequential(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < 20; i++) await fn(); // warm: connections, JIT
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
  return stats(t);
}

async function xcartFetch(env: E2E, flowsDir: string, orderId: number, rate: number): Promise<Record<string, { p50: number; p99: number; mean: number }>> {
  const token = env.xc.writeToken;
  const p = `/api/orders/${orderId}`;
  const pool = new Pool(env.xc.url, { connections: 4 });
  const client = new XcartClient({ baseUrl: env.xc.url, token, ratePerSecond: 1e9 });
  const conn = new XcartConnector({ baseUrl: env.xc.url, token, ratePerSecond: 1e9, schemaDir: path.join(flowsDir, 'schemas', 'xcart') });
  const limited = new XcartConnector({ baseUrl: env.xc.url, token, ratePerSecond: rate, schemaDir: path.join(flowsDir, 'schemas', 'xcart') });
  try {
    return {
      bare: await timeSequential(FETCHES, async () => { const r = await pool.request({ method: 'GET', path: p, headers: { accept: 'application/json', 'x-auth-token': token } }); await r.body.text(); }),
      client: await timeSequential(FETCHES, () => client.get(p)),
      connector: await timeSequential(FETCHES, () => conn.getOrder(orderId)),
      limited: await timeSequential(Math.min(FETCHES, 100), () => limited.getOrder(orderId)),
    };
  } finally { await Promise.all([pool.close(), client.close(), conn.close(), limited.close()]); }
}

// ------------------------------------------------------------------------------------------ flowd's figures

interface OrderTimes { id: number; placed: number; enqueued: number; started: number; committed: number }

/** From flowd's store: when each order's job was enqueued, its successful run started and ended (epoch ms). */
function storeTimes(env: E2E, placed: Map<number, number>): OrderTimes[] {
  const rows = env.storeQuery<{ entity_id: string; created_at: number; started_at: number; done_at: number }>(
    `SELECT j.entity_id, j.created_at, r.started_at, r.started_at + r.duration_ms AS done_at FROM jobs j JOIN runs r ON r.job_id = j.id
      WHERE j.flow = 'OrderToSalesOrder' AND r.outcome = 'done'`);
  const out: OrderTimes[] = [];
  for (const r of rows) {
    const id = Number(r.entity_id);
    const p = placed.get(id);
    if (p !== undefined) out.push({ id, placed: p, enqueued: r.created_at, started: r.started_at, committed: r.done_at });
  }
  return out;
}

async function waitCommitted(env: E2E, placed: Map<number, number>, timeoutMs: number): Promise<OrderTimes[]> {
  let times: OrderTimes[] = [];
  await waitFor(`${placed.size} sales orders committed`, () => { times = storeTimes(env, placed); return times.length >= placed.size; }, timeoutMs, 50);
  return times;
}

/** Means of flowd's own histograms between two /metrics scrapes. */
async function scrape(env: E2E): Promise<string> { return (await fetch(`${env.flowdUrl}/metrics`)).text(); }
function meanBetween(before: string, after: string, name: string, labels: string): string {
  const get = (m: string, suffix: string) => Number(new RegExp(`${name}_${suffix}\\{${labels}\\} ([0-9.e+-]+)`).exec(m)?.[1] ?? 0);
  const n = get(after, 'count') - get(before, 'count');
  return n > 0 ? `${fmt((1000 * (get(after, 'sum') - get(before, 'sum'))) / n, 1)} ms x ${n}` : 'n/a';
}

async function latencyRun(env: E2E, start: number, label: string): Promise<{ placed: XOrder[]; times: OrderTimes[] }> {
  // Warm flowd first (catalog reads, first connections, JIT): 5 orders, committed before the clock starts.
  const warm = new Map<number, number>();
  for (let i = 0; i < 5; i++) { const o = await env.placeOrder(orderMix(start + 5000 + i, LINES)); warm.set(o.id, 0); }
  await waitCommitted(env, warm, 120_000);
  const placedAt = new Map<number, number>();
  const placed: XOrder[] = [...(await Promise.all([...warm.keys()].map((id) => env.xcartApi<XOrder>('GET', `/api/orders/${id}`))))];
  const every = 1000 / LAT_RATE;
  const t0 = performance.now();
  for (let i = 0; i < LAT_ORDERS; i++) {
    const wait = t0 + i * every - performance.now();
    if (wait > 0) await sleep(wait);
    const at = Date.now(); // strict: before the POST that places it
    const o = await env.placeOrder(orderMix(start + i, LINES));
    placedAt.set(o.id, at);
    placed.push(o);
  }
  const times = await waitCommitted(env, placedAt, 120_000);
  const total = stats(times.map((t) => t.committed - t.placed));
  const enq = stats(times.map((t) => t.enqueued - t.placed));
  const wake = stats(times.map((t) => t.started - t.enqueued));
  const run = stats(times.map((t) => t.committed - t.started));
  console.log(`(l) ${label}: ${LAT_ORDERS} orders at ${LAT_RATE}/s, placed → committed p50 ${fmt(total.p50, 0)} ms, p99 ${fmt(total.p99, 0)} ms`
    + `; p50 of placed → enqueued ${fmt(enq.p50, 0)} ms, enqueued → started ${fmt(wake.p50, 0)} ms, started → committed ${fmt(run.p50, 0)} ms`);
  return { placed, times };
}

async function throughputRun(env: E2E, start: number): Promise<{ rate: number; orders: XOrder[]; before: string; after: string; placeRate: number }> {
  await env.stopFlowd();
  const tp = performance.now();
  const orders = await env.placeOrders(ORDERS, { lines: LINES, concurrency: 4, start }); // pushes fail: flowd is down
  const placeRate = ORDERS / ((performance.now() - tp) / 1000);
  const placedAt = new Map(orders.map((o) => [o.id, 0]));
  await env.startFlowd({ child: true });
  const before = await scrape(env);
  const times = await waitCommitted(env, placedAt, 600_000);
  const after = await scrape(env);
  const first = Math.min(...times.map((t) => t.enqueued));
  const last = Math.max(...times.map((t) => t.committed));
  const rate = ORDERS / ((last - first) / 1000);
  return { rate, orders, before, after, placeRate };
}

// ------------------------------------------------------------------------------------------ (b)

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

async function withSandbox<T>(fn: (dsn: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-bench-raw-'));
  try {
    const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') });
    return await fn(dsn);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

const connectorFor = (dsn: string, poolSize: number) => new SageProConnector({ dsn, poolSize, ...optionsFromSite(sandboxProfile('standard').siteConfig()) });

/** createSalesOrder for every order, `concurrency` at once, after one warm-up order. */
async function createLoop(orders: XOrder[], concurrency: number): Promise<{ rate: number }> {
  return withSandbox(async (dsn) => {
    const conn = connectorFor(dsn, concurrency);
    try {
      const sos = salesOrdersFor(orders, `RAW${concurrency}`);
      await conn.createSalesOrder({ ...sos[0]!, external_ref: 'WARMUP' }); // table shapes, first connection
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (;;) { const i = next++; if (i >= sos.length) return; await conn.createSalesOrder(sos[i]!); }
      }));
      return { rate: sos.length / ((performance.now() - t0) / 1000) };
    } finally { await conn.close(); }
  });
}

/**
 * The connector's loop and the raw replay of its statements, interleaved in chunks of 25 orders so
 * that both see the same machine (the load of a shared machine swings within seconds): per chunk,
 * createSalesOrder on one fresh sandbox (timed), the same with its statements recorded on a second
 * one, then those statements straight through the driver on a third (timed), one transaction per order.
 */
async function loopAndReplay(orders: XOrder[]): Promise<{ loop: number; recordedLoop: number; replay: number; sample: Recording }> {
  return withSandbox((dsnA) => withSandbox((dsnB) => withSandbox(async (dsnC) => {
    const plain = connectorFor(dsnA, 1);
    const rec = connectorFor(dsnB, 1);
    const raw = await odbc.connect(dsnC);
    try {
      const sos = salesOrdersFor(orders, 'RAW');
      await plain.createSalesOrder({ ...sos[0]!, external_ref: 'WARMUP' });
      await replay(raw, (await recorded(() => rec.createSalesOrder({ ...sos[0]!, external_ref: 'WARMUP' }))).recording);
      let tLoop = 0, tRec = 0, tReplay = 0;
      let sample: Recording | undefined;
      for (let at = 0; at < sos.length; at += 25) {
        const chunk = sos.slice(at, at + 25);
        let t = performance.now();
        for (const so of chunk) await plain.createSalesOrder(so);
        tLoop += performance.now() - t;
        const recs: Recording[] = [];
        t = performance.now();
        for (const so of chunk) recs.push((await recorded(() => rec.createSalesOrder(so))).recording);
        tRec += performance.now() - t;
        sample ??= recs[0];
        t = performance.now();
        for (const r of recs) await replay(raw, r);
        tReplay += performance.now() - t;
      }
      const rate = (ms: number) => sos.length / (ms / 1000);
      return { loop: rate(tLoop), recordedLoop: rate(tRec), replay: rate(tReplay), sample: sample! };
    } finally { await Promise.all([plain.close(), rec.close(), raw.close()]); }
  })));
}

// ------------------------------------------------------------------------------------------ (c)

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

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const tStart = performance.now();
  console.log(`bench/e2e: ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${ORDERS} orders x ${LINES} lines; `
    + `flowd: ${FLOWD_WORKERS} workers, ${FLOWD_SAGEPRO_CONCURRENCY} Sage Pro connection(s) for flows + 1 for polls, X-Cart rate_per_second ${XCART_RATE}`);
  const flowsDir = buildFlows();
  const env = await E2E.start({ flowsDir, workers: FLOWD_WORKERS, sageproConcurrency: FLOWD_SAGEPRO_CONCURRENCY, logLevel: 'warn' });
  const all: XOrder[] = [];
  let throughput: Awaited<ReturnType<typeof throughputRun>> | undefined;
  let fetchRes: Awaited<ReturnType<typeof xcartFetch>> | undefined;
  try {
    // (x) before flowd runs: the sandbox serves nothing else.
    const probe = await env.placeOrder(orderMix(999_999, LINES));
    fetchRes = await xcartFetch(env, flowsDir, probe.id, 50);
    const f = fetchRes;
    const line = (s: { p50: number; mean: number }) => `p50 ${fmt(s.p50, 2)} ms (mean ${fmt(s.mean, 2)})`;
    console.log(`(x) X-Cart GET /api/orders/{id}, ${FETCHES} sequential on the idle sandbox: bare undici ${line(f.bare)}; XcartClient.get ${line(f.client)}; `
      + `orders.get (client + schema check) ${line(f.connector)}; orders.get at rate_per_second 50 ${line(f.limited)}`);

    // (l) pushes: flowd on the harness's config (push + poll every 1 s).
    configure(env, { push: true, xcartRate: XCART_RATE });
    await env.startFlowd({ child: true });
    await waitFor('the X-Cart watermark', () => env.storeQuery('SELECT 1 FROM watermarks').length > 0, 30_000);
    const lp = await latencyRun(env, 0, 'with pushes');
    all.push(...lp.placed);
    const lpS = stats(lp.times.map((t) => t.committed - t.placed));
    target('latency placed→committed, pushes, p50', `${fmt(lpS.p50, 0)} ms`, lpS.p50 <= 300, '<= 300 ms');

    // (t) a backlog: ORDERS placed while flowd is down, found by its first poll.
    throughput = await throughputRun(env, 10_000);
    all.push(...throughput.orders);
    const { before, after } = throughput;
    const call = (sys: string, op: string) => meanBetween(before, after, 'connector_call_duration_seconds', `system="${sys}",operation="${op}",outcome="ok"`);
    console.log(`(t) through flowd: ${fmt(throughput.rate)} orders/s, first job enqueued → last sales order committed (placed at ${fmt(throughput.placeRate)}/s beforehand, flowd stopped)`);
    console.log(`    inside flowd (means): job OrderToSalesOrder ${meanBetween(before, after, 'job_duration_seconds', 'flow="OrderToSalesOrder"')}; xcart orders.get ${call('xcart', 'orders.get')}; `
      + `sagepro customers.find_by_email ${call('sagepro', 'customers.find_by_email')}; sagepro sales_orders.create ${call('sagepro', 'sales_orders.create')}`);
    // What the X-Cart rate limit allows: every X-Cart call the flows made in (t), per order.
    const xcartCalls = (m: string) => [...m.matchAll(/connector_call_duration_seconds_count\{system="xcart",[^}]*\} ([0-9.e+-]+)/g)].reduce((a, x) => a + Number(x[1]), 0);
    const perOrder = (xcartCalls(after) - xcartCalls(before)) / ORDERS;
    console.log(`    X-Cart calls by the flows in (t): ${fmt(perOrder, 2)} per order (+ the polls): at the harness's rate_per_second 50, flowd could not pass ${fmt(50 / Math.max(perOrder, 1e-9))} orders/s, and every call would wait its turn in the client's bucket`);
    const jobs = env.storeQuery<{ flow: string; n: number }>('SELECT flow, COUNT(*) AS n FROM jobs GROUP BY flow ORDER BY flow');
    console.log(`    jobs in the store by flow so far: ${jobs.map((j) => `${j.flow} ${j.n}`).join(', ')}`);
    if (process.env.BENCH_PROFILE) { await env.stopFlowd(); return; } // graceful: the child writes its --cpu-prof

    // (l) polling only: push disabled.
    await env.stopFlowd();
    configure(env, { push: false, xcartRate: XCART_RATE });
    await env.startFlowd({ child: true });
    const lq = await latencyRun(env, 20_000, `polling every ${POLL_MS} ms, no pushes`);
    all.push(...lq.placed);
    const lqS = stats(lq.times.map((t) => t.committed - t.placed));
    target('latency placed→committed, polling, p50', `${fmt(lqS.p50, 0)} ms`, lqS.p50 <= POLL_MS + 150, `<= ${POLL_MS + 150} ms (poll + 150)`);

    const t = await env.tally(all);
    console.log(`    exactly once over (l) and (t): sales_orders=${t.salesOrders} of ${all.length}, duplicates=${t.duplicates} lost=${t.lost}`);
    if (t.duplicates || t.lost) { failed = true; console.log(`    FAIL: lost ${t.lostRefs.slice(0, 10).join(' ')} duplicates ${t.duplicateRefs.slice(0, 10).join(' ')}`); }

    // (c) push acknowledgement, on flowd with push enabled again (the pushed ids are unknown orders).
    await env.stopFlowd();
    configure(env, { push: true, xcartRate: XCART_RATE });
    await env.startFlowd({ child: true });
    const c1 = await pushLatency(env, 1, PUSHES, 50_000_000);
    const c8 = await pushLatency(env, 8, PUSHES, 60_000_000);
    console.log(`(c) push ack latency, 1 in flight:  p50 ${fmt(c1.p50, 2)} ms  p99 ${fmt(c1.p99, 2)} ms  max ${fmt(c1.max, 1)} ms  (non-202: ${c1.non202})`);
    console.log(`    push ack latency, 8 in flight:  p50 ${fmt(c8.p50, 2)} ms  p99 ${fmt(c8.p99, 2)} ms  max ${fmt(c8.max, 1)} ms  (non-202: ${c8.non202})`);
    target('push ack p99, 1 in flight', `${fmt(c1.p99, 1)} ms`, c1.p99 <= 50, '<= 50 ms');
    target('push ack p99, 8 in flight', `${fmt(c8.p99, 1)} ms`, c8.p99 <= 50, '<= 50 ms');
    if (c1.non202 || c8.non202) failed = true;
    await env.killFlowd('SIGKILL'); // the 2,000 pushed jobs (unknown orders) need not be worked off
  } finally {
    await env.close();
  }

  // (b) on fresh sandboxes, flowd gone: the same orders as (t).
  const orders = throughput!.orders;
  const loopC = await createLoop(orders, 2);
  let b: Awaited<ReturnType<typeof loopAndReplay>> | undefined;
  try { b = await loopAndReplay(orders); } catch (e) { failed = true; console.log(`    FAIL: raw replay: ${(e as Error).message}`); }
  const loop1 = { rate: b?.loop ?? NaN };
  const raw = b?.replay ?? NaN;
  console.log(`(b) createSalesOrder loop: sequential ${fmt(loop1.rate)} orders/s (recording its statements: ${fmt(b?.recordedLoop ?? NaN)}/s), 2 at once ${fmt(loopC.rate)} orders/s`);
  if (b) console.log(`    raw replay of its statements (one order: ${describeRecording(b.sample)}), same driver, one transaction per order: ${fmt(raw)} orders/s`);

  const f = fetchRes!;
  console.log('\nbench/e2e summary (each figure against its target):');
  target('flowd / createSalesOrder loop (sequential)', fmt(throughput!.rate / loop1.rate, 2), throughput!.rate / loop1.rate >= 0.7, '>= 0.7');
  target('createSalesOrder loop / raw replay', fmt(loop1.rate / raw, 2), loop1.rate / raw >= 0.5, '>= 0.5');
  console.log(summary.join('\n'));
  console.log(`  figures: raw replay ${fmt(raw)}/s, createSalesOrder ${fmt(loop1.rate)}/s (${fmt(loopC.rate)}/s 2 at once), flowd ${fmt(throughput!.rate)}/s; `
    + `X-Cart orders.get p50 ${fmt(f.connector.p50, 2)} ms vs bare undici ${fmt(f.bare.p50, 2)} ms (x${fmt(f.connector.p50 / f.bare.p50, 2)}), ${fmt(f.limited.p50, 1)} ms at 50 req/s`);
  console.log(`  (wall time ${fmt((performance.now() - tStart) / 1000, 0)} s; load now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  if (failed) process.exitCode = 1;
}

await main();
