/**
 * Scale benchmark (npm run bench:scale), issue 12: orders/s through 1, 2 and 3 `flowd serve`
 * processes on one PostgreSQL store, and through one on the SQLite store, on the same orders.
 *
 * Per configuration (a fresh pair of sandboxes and a fresh store each time, test/e2e/harness.ts):
 *  1. ORDERS orders of `orderMix(i, 5)` are placed in the X-Cart sandbox while no flowd runs
 *     (the same deterministic mix for every configuration; the pushes fail, the poll finds them);
 *  2. k flowd processes are started at once on the same connect.yaml (each its own HTTP port and
 *     log file; PostgreSQL: `store: { kind: postgres }`, one throwaway server, test/support/postgres.ts);
 *  3. orders/s = ORDERS / (first job enqueued → last sales order committed), from the store's own
 *     timestamps (job created_at, run started_at + duration_ms), read through the Store API;
 *  4. correctness: every order exactly one sales order in Sage Pro, exactly one `done` run per
 *     order (exit 1 otherwise);
 *  5. the store's own time per job: with flowd stopped, a loop in this process on the same database
 *     does what the engine does to the store for one job — enqueue, lease (limit 1), isKeyDone,
 *     complete (with the run and the idempotency key) — STORE_JOBS times, each call timed; its mean
 *     is compared with the mean job time flowd recorded (run duration_ms): share = store / (store + run).
 *     Target: at most 5 %.
 * Prints the four configurations side by side, the scaling ratios against PostgreSQL x1, and the
 * store's share with PASS or MISS. Prints only; exits 1 only on a correctness failure.
 *
 *   ORDERS=200 npm run bench:scale          # quick try
 *   ORDERS=600 STORE_JOBS=300 npm run bench:scale
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { buildFlows, E2E, freePort, REPO, waitFor, type XOrder } from '../test/e2e/harness.js';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../test/support/postgres.js';
import { PostgresStore } from '../runtime/store/postgres-store.js';
import type { Store } from '../runtime/store/store.js';

const ORDERS = Number(process.env.ORDERS ?? 600);
const STORE_JOBS = Number(process.env.STORE_JOBS ?? 300);
const LINES = 5;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
/** X-Cart client rate for flowd (the harness writes 50, which would be the ceiling; as bench/e2e.bench.ts). */
const XCART_RATE = Number(process.env.BENCH_XCART_RATE ?? 1000);
const FLOW = 'OrderToSalesOrder';
const STORE_SHARE_TARGET = 0.05;
const T0 = performance.now();
/** A progress line on stderr (seconds since start). */
const step = (what: string) => process.stderr.write(`  [${fmt((performance.now() - T0) / 1000, 0)} s] ${what}\n`);

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

interface StoreCost { enqueue: number; lease: number; isKeyDone: number; complete: number; total: number }
interface Result {
  name: string; kind: 'postgres' | 'sqlite'; processes: number;
  rate: number; seconds: number; jobMs: number; jobsPer: number[];
  store: StoreCost; lost: number; duplicates: number; doneRuns: number;
}

/** connect.yaml for this bench: X-Cart rate raised, one Sage Pro connection per flowd (SQLite sandbox: one writer). */
function configure(env: E2E): void {
  let text = fs.readFileSync(env.configFile, 'utf8');
  text = text.replace(/rate_per_second: [0-9.]+/, `rate_per_second: ${XCART_RATE}`);
  text = text.replace(/concurrency: 2\b/, 'concurrency: 1');
  fs.writeFileSync(env.configFile, text);
}

/** A further `flowd serve` on the same connect.yaml: its own HTTP port and log file (as test/e2e/postgres-store.test.ts). */
async function spawnExtra(env: E2E, n: number, args: string[]): Promise<{ proc: ChildProcess; url: string; out: () => string }> {
  const port = await freePort();
  const file = path.join(env.dir, `connect-${n}.yaml`);
  fs.writeFileSync(file, fs.readFileSync(env.configFile, 'utf8').replace(/^http: .*$/m, `http: { host: 127.0.0.1, port: ${port} }`).replace('file: flowd.log', `file: flowd-${n}.log`));
  let out = '';
  const proc = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', file, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  return { proc, url: `http://127.0.0.1:${port}`, out: () => out };
}

async function ready(url: string, proc: ChildProcess, out: () => string): Promise<void> {
  await waitFor(`flowd at ${url} ready`, async () => {
    if (proc.exitCode !== null) throw new Error(`flowd exited: ${out()}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.ok ?? false;
  }, 60_000);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(t);
}

/** OrderToSalesOrder jobs done by one flowd (its /metrics `jobs_total`). */
async function doneJobs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^\w*jobs_total\{([^}]*)\} (\d+)/gm)) if (m[1]!.includes(`flow="${FLOW}"`) && m[1]!.includes('outcome="done"')) n += Number(m[2]);
  return n;
}

/** The done runs of these orders' jobs, with their job's enqueue time (Store API: both stores alike). */
async function doneTimes(store: Store, ids: Set<string>): Promise<{ entity: string; enqueued: number; started: number; committed: number; ms: number }[]> {
  const runs = (await store.listRuns({ flow: FLOW, limit: 100_000 })).filter((r) => r.outcome === 'done' && r.jobId !== null);
  const out = [];
  for (const r of runs) {
    const job = await store.getJob(r.jobId!);
    if (!job || !job.entityId || !ids.has(job.entityId)) continue;
    out.push({ entity: job.entityId, enqueued: job.createdAt, started: r.startedAt, committed: r.startedAt + r.durationMs, ms: r.durationMs });
  }
  return out;
}

/** What the engine asks of the store for one job, STORE_JOBS times on this database, each call timed (ms, means). */
async function storeLoop(store: Store): Promise<StoreCost> {
  const flow = 'ScaleBenchStoreLoop';
  const t = { enqueue: [] as number[], lease: [] as number[], isKeyDone: [] as number[], complete: [] as number[] };
  const payload = { id: 0, order_number: '00000', email: 'bench@example.net' };
  for (let i = 0; i < STORE_JOBS + 20; i++) {
    const warm = i < 20; // first connections, prepared statements, JIT
    let s = performance.now();
    await store.enqueue({ flow, source: 'xcart', eventType: 'order.created', entityId: String(900_000 + i), updatedAt: '2026-03-01T00:00:00Z', payload: { ...payload, id: 900_000 + i } });
    const e = performance.now() - s;
    s = performance.now();
    const jobs = await store.lease('scale-bench-worker', { leaseMs: 30_000, limit: 1, flows: [flow] });
    const l = performance.now() - s;
    const job = jobs[0];
    if (!job) throw new Error(`store loop: the job just enqueued (${i}) was not leased`);
    const key = `order-${job.entityId}`;
    s = performance.now();
    await store.isKeyDone(flow, key);
    const k = performance.now() - s;
    const startedAt = Date.now();
    s = performance.now();
    const ok = await store.complete(job.id, 'scale-bench-worker', {
      outcome: 'done', durationMs: 1, flowVersion: 'bench', idempotencyKey: { key, keepMs: 86_400_000 },
      run: { jobId: job.id, flow, flowVersion: 'bench', trigger: 'xcart:order.created', outcome: 'done', startedAt, durationMs: 1, error: null, correlationId: `bench-${i}` },
    });
    const c = performance.now() - s;
    if (!ok) throw new Error(`store loop: complete of job ${job.id} refused`);
    if (!warm) { t.enqueue.push(e); t.lease.push(l); t.isKeyDone.push(k); t.complete.push(c); }
  }
  const r = { enqueue: mean(t.enqueue), lease: mean(t.lease), isKeyDone: mean(t.isKeyDone), complete: mean(t.complete) };
  return { ...r, total: r.enqueue + r.lease + r.isKeyDone + r.complete };
}

async function runConfig(flowsDir: string, kind: 'postgres' | 'sqlite', processes: number): Promise<Result> {
  const name = `${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} x${processes}`;
  let pg: StartedPostgres | undefined;
  let env: E2E | undefined;
  let pgStore: PostgresStore | undefined;
  const extras: { proc: ChildProcess; url: string; out: () => string }[] = [];
  try {
    step(`${name}: starting`);
    if (kind === 'postgres') pg = await startPostgres();
    env = await E2E.start({ flowsDir, logLevel: 'warn', ...(pg ? { store: { kind: 'postgres' as const, url: pg.url } } : {}) });
    configure(env);
    step(`${name}: placing ${ORDERS} orders`);
    // A new store's X-Cart poller starts at "now": `--since` makes it poll from before the backlog (test/e2e/since.test.ts).
    const since = ['--since', new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z')];
    const tp = performance.now();
    const orders: XOrder[] = await env.placeOrders(ORDERS, { lines: LINES, concurrency: 4 });
    const placeSec = (performance.now() - tp) / 1000;
    // k processes at once: the extras spawned first, then the harness's own (which waits for ready).
    for (let n = 2; n <= processes; n++) extras.push(await spawnExtra(env, n, since));
    await env.startFlowd({ child: true, args: since });
    for (const x of extras) await ready(x.url, x.proc, x.out);
    const allReady = Date.now();
    step(`${name}: ${processes} flowd ready`);
    const ids = new Set(orders.map((o) => String(o.id)));
    const store: Store = pg ? (pgStore = await PostgresStore.open(pg.url)) : env.store;
    let times: Awaited<ReturnType<typeof doneTimes>> = [];
    await waitFor(`${ORDERS} sales orders (${name})`, async () => (await env!.tally(orders)).lost === 0, 240_000, 250);
    await waitFor(`the queue drained (${name})`, async () => (await store.status()).queueDepth === 0, 60_000, 250);
    step(`${name}: all committed`);
    times = await doneTimes(store, ids);
    const jobsPer = [await doneJobs(env.flowdUrl), ...(await Promise.all(extras.map((x) => doneJobs(x.url))))];
    for (const x of extras) await stop(x.proc);
    await env.stopFlowd();
    const tally = await env.tally(orders);
    const first = Math.min(...times.map((t) => t.enqueued));
    const last = Math.max(...times.map((t) => t.committed));
    const seconds = (last - first) / 1000;
    // The processes start one after the other on a busy machine: what the first ones did alone.
    const early = times.filter((t) => t.committed < allReady).length;
    step(`${name}: store loop`);
    const storeCost = await storeLoop(store);
    const r: Result = { name, kind, processes, rate: times.length / seconds, seconds, jobMs: mean(times.map((t) => t.ms)), jobsPer, store: storeCost,
      lost: tally.lost, duplicates: tally.duplicates, doneRuns: times.length };
    console.log(`${name.padEnd(14)} placed ${ORDERS} in ${fmt(placeSec)} s; ${fmt(r.rate)} orders/s (${fmt(seconds, 2)} s enqueue → last commit); job ${fmt(r.jobMs)} ms;`
      + ` jobs per process ${jobsPer.join(' / ')}; store per job ${fmt(storeCost.total, 2)} ms; lost ${tally.lost}, duplicates ${tally.duplicates}, done runs ${times.length};`
      + ` committed before the last flowd was ready ${early}`);
    return r;
  } finally {
    for (const x of extras) await stop(x.proc).catch(() => undefined);
    await pgStore?.close().catch(() => undefined);
    await env?.close().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`scale bench: ${ORDERS} orders of ${LINES} lines, ${WORKERS} workers per flowd, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  step('building the flows');
  const flowsDir = buildFlows();
  const configs: ['postgres' | 'sqlite', number][] = [['postgres', 1], ['postgres', 2], ['postgres', 3], ['sqlite', 1]];
  const pgOk = postgresServerAvailable();
  if (!pgOk) console.log('PostgreSQL server binaries not found (scripts/setup.sh): only SQLite x1 runs');
  const results: Result[] = [];
  for (const [kind, k] of configs) {
    if (kind === 'postgres' && !pgOk) continue;
    results.push(await runConfig(flowsDir, kind, k));
  }

  let failed = false;
  console.log('\n  configuration   orders/s  vs PG x1   job ms   store ms/job (enqueue+lease+isKeyDone+complete)   store share   (target <= 5 %)');
  const base = results.find((r) => r.kind === 'postgres' && r.processes === 1);
  for (const r of results) {
    const share = r.store.total / (r.store.total + r.jobMs);
    const s = r.store;
    console.log(`  ${r.name.padEnd(14)} ${fmt(r.rate).padStart(9)}  ${base ? `x${fmt(r.rate / base.rate, 2)}`.padStart(8) : '     n/a'}  ${fmt(r.jobMs).padStart(7)}`
      + `   ${fmt(s.total, 2).padStart(6)} = ${fmt(s.enqueue, 2)} + ${fmt(s.lease, 2)} + ${fmt(s.isKeyDone, 2)} + ${fmt(s.complete, 2)}`.padEnd(52)
      + `   ${fmt(100 * share, 1).padStart(5)} %      ${share <= STORE_SHARE_TARGET ? 'PASS' : 'MISS'}`);
    if (r.lost || r.duplicates || r.doneRuns !== ORDERS) {
      failed = true;
      console.log(`  CORRECTNESS FAILURE ${r.name}: lost ${r.lost}, duplicates ${r.duplicates}, done runs ${r.doneRuns} of ${ORDERS}`);
    }
  }
  const sq = results.find((r) => r.kind === 'sqlite');
  if (base && sq) console.log(`  SQLite x1 / PostgreSQL x1: ${fmt(sq.rate / base.rate, 2)}`);
  console.log(`\nscale bench done in ${fmt((performance.now() - t0) / 1000, 0)} s${failed ? ': CORRECTNESS FAILURE' : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
