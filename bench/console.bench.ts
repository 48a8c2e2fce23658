/**
 * `npm run bench:console`: the console's API with 1,000,000 runs in the run log (SQLite store, the
 * default): p95 of the business-key search (`GET /api/runs?q=`), the dead-letter list
 * (`GET /api/dead-letters`) and the overview (`GET /api/overview`), over real HTTP on loopback with
 * a logged-in session, each printed against its target with PASS or MISS.
 *
 * The run log is bulk-inserted directly (one transaction of prepared INSERTs into the store's own
 * tables, then the hourly rollup the store keeps computed with one INSERT ... SELECT), not through
 * the engine: 1,000,000 runs over the last 14 days across 4 flows (95 % done, 3 % retry, 1 % dead
 * letter, 1 % skipped), each with 3 business keys (order number, email, SKU); 10,000 pending dead
 * letters; 2,000 queued jobs. RUNS=100000 scales it down.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../runtime/store/sqlite-store.js';
import { openDatabase } from '../runtime/store/sqlite-driver.js';
import { HOUR_MS } from '../runtime/store/console-tables.js';
import { hashPassword } from '../runtime/console/auth.js';
import { createConsole } from '../runtime/console/api.js';
import { startHttpServer } from '../runtime/http/server.js';
import { createLogger } from '../runtime/observability/logger.js';
import { createMetrics } from '../runtime/observability/metrics.js';

const RUNS = Number(process.env.RUNS ?? 1_000_000);
const DEAD = Math.min(10_000, Math.floor(RUNS / 100));
const QUEUED = 2_000;
const FLOWS = ['OrderToSalesOrder', 'SalesOrderStatusToXCart', 'InventoryToXCart', 'PaymentsToReceivables'];
const SKUS = Array.from({ length: 5000 }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);
const TARGETS = { search: 200, deadLetters: 200, overview: 300 };

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-console-'));
  // BENCH_CONSOLE_DB=FILE keeps the loaded store there and reuses it on the next run (loading is most of the time).
  const keep = process.env.BENCH_CONSOLE_DB;
  const file = keep ? path.resolve(keep) : path.join(dir, 'flowd.db');
  const reuse = Boolean(keep && fs.existsSync(file));
  try {
    if (!reuse) await load(file);
    else process.stdout.write(`reusing the loaded store ${file}\n`);
    await measureAll(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function load(file: string): Promise<void> {
  {
    // 1. The schema, by the store itself; then the rows, directly.
    await (SqliteStore.open(file)).close();
    const db = openDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const now = Date.now();
    const t0 = performance.now();
    const insRun = db.prepare(`INSERT INTO runs (id, job_id, flow, flow_version, trigger, outcome, started_at, duration_ms, error, error_class, site, correlation_id, recorded_at)
      VALUES (?, ?, ?, 'v1', 'xcart:order.created', ?, ?, 40, ?, ?, ?, ?, ?)`);
    const insKey = db.prepare('INSERT INTO run_keys (run_id, job_id, kind, value) VALUES (?, ?, ?, ?)');
    const insJob = db.prepare(`INSERT INTO jobs (id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, state, attempts, next_attempt_at, created_at, changed_at, finished_at)
      VALUES (?, ?, 'v1', 'xcart', 'order.created', ?, 'u', ?, ?, ?, 1, ?, ?, ?, ?)`);
    const insDead = db.prepare(`INSERT INTO dead_letters (job_id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, error, error_class, reason, site, attempts, created_at, changed_at)
      VALUES (?, ?, 'v1', 'xcart', 'order.created', ?, 'u', ?, ?, ?, 'invalid', ?, 'order-to-sales-order.flow:40:3', 1, ?, ?)`);
    db.transaction(() => {
      let deadLeft = DEAD;
      for (let i = 1; i <= RUNS; i++) {
        const flow = FLOWS[i % FLOWS.length]!;
        const r = i % 100;
        const outcome = r < 95 ? 'done' : r < 98 ? 'retry' : r < 99 ? 'dead_letter' : 'skipped';
        const startedAt = now - Math.floor(((RUNS - i) / RUNS) * 14 * 24 * HOUR_MS);
        const err = outcome === 'done' || outcome === 'skipped' ? null : outcome === 'retry' ? 'Sage Pro is busy' : `unknown item '${SKUS[i % SKUS.length]}'`;
        insRun.run(i, i, flow, outcome, startedAt, err, err ? (outcome === 'retry' ? 'transient' : 'invalid') : null, err ? 'order-to-sales-order.flow:40:3' : null, `job-${i}`, startedAt);
        const number = String(100000 + i);
        insKey.run(i, i, 'order_number', number);
        insKey.run(i, i, 'email', `customer${i % 50000}@example.com`);
        insKey.run(i, i, 'sku', SKUS[i % SKUS.length]!);
        if (outcome === 'dead_letter' && deadLeft > 0) {
          deadLeft--;
          insJob.run(i, flow, String(i), JSON.stringify({ order_id: i, order_number: number }), JSON.stringify(['xcart', String(i), 'u']), 'dead_letter', startedAt, startedAt, startedAt, startedAt);
          insDead.run(i, flow, String(i), JSON.stringify({ order_id: i, order_number: number }), JSON.stringify(['xcart', String(i), 'u']), err, err!.slice(0, 40), startedAt, startedAt);
        }
      }
      for (let q = 0; q < QUEUED; q++) {
        const id = RUNS + 1 + q;
        insJob.run(id, FLOWS[q % FLOWS.length]!, String(id), '{}', JSON.stringify(['xcart', String(id), 'q']), 'queued', now, now, now, null);
      }
      db.exec(`INSERT INTO run_counts (flow, hour, outcome, n) SELECT flow, (started_at / ${HOUR_MS}) * ${HOUR_MS}, outcome, COUNT(*) FROM runs GROUP BY 1, 2, 3`);
    }).immediate();
    db.exec('ANALYZE');
    db.close();
    const loadS = (performance.now() - t0) / 1000;
    const size = fs.statSync(file).size / 1e6;
    process.stdout.write(`loaded ${RUNS.toLocaleString('en')} runs (${(RUNS * 3).toLocaleString('en')} keys), ${DEAD.toLocaleString('en')} dead letters, ${QUEUED} queued jobs in ${loadS.toFixed(1)} s; store ${size.toFixed(0)} MB\n`);
  }
}

async function measureAll(file: string, dir: string): Promise<void> {
  {

    // 2. flowd's HTTP server with the console on that store.
    const store = SqliteStore.open(file);
    await store.console.createUser({ name: 'bench', role: 'viewer', passwordHash: await hashPassword('bench-password') });
    const server = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(dir, 'flowd.log'), level: 'error' }),
      health: async () => ({ ok: true, checks: {} }), ready: () => true, console: createConsole({ store, flows: new Map() }) });
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const time = async (p: string): Promise<number> => {
      const t = performance.now();
      const r = await fetch(server.url + p, { headers: { cookie } });
      const body = await r.json() as Record<string, unknown>;
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(body)}`);
      return performance.now() - t;
    };
    const measure = async (n: number, path: (i: number) => string) => {
      for (let i = 0; i < 5; i++) await time(path(i)); // warm-up
      const xs: number[] = [];
      for (let i = 0; i < n; i++) xs.push(await time(path(i + 5)));
      return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
    };
    const pick = (i: number) => 1 + ((i * 7919) % RUNS);
    const queries = (i: number) => {
      const k = pick(i);
      const q = i % 3 === 0 ? String(100000 + k) : i % 3 === 1 ? `Customer${k % 50000}@Example.com` : SKUS[k % SKUS.length]!;
      return `/api/runs?q=${encodeURIComponent(q)}`;
    };
    const search = await measure(200, queries);
    const dlq = await measure(100, (i) => (i % 2 ? '/api/dead-letters' : `/api/dead-letters?flow=${FLOWS[i % FLOWS.length]}`));
    const overview = await measure(60, () => '/api/overview');
    await server.close();
    await store.close();

    const line = (name: string, m: { p50: number; p95: number }, target: number) =>
      process.stdout.write(`${name.padEnd(44)} p50 ${m.p50.toFixed(1).padStart(7)} ms  p95 ${m.p95.toFixed(1).padStart(7)} ms  target p95 <= ${target} ms  ${m.p95 <= target ? 'PASS' : 'MISS'}\n`);
    process.stdout.write(`\nconsole API, ${RUNS.toLocaleString('en')} runs in the run log (SQLite), load ${os.loadavg()[0]!.toFixed(2)}\n`);
    line('business-key search GET /api/runs?q=', search, TARGETS.search);
    line('dead-letter list GET /api/dead-letters', dlq, TARGETS.deadLetters);
    line('overview GET /api/overview', overview, TARGETS.overview);
  }
}

main().catch((err: unknown) => { process.stderr.write(`bench:console: ${(err as Error).stack ?? String(err)}\n`); process.exit(1); });
