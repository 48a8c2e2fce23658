/**
 * Inventory at catalogue scale (npm run bench:inventory; issue 11 item 3), on the real sandboxes,
 * real ODBC and real HTTP: ITEMS rows in ICILOC (default 100,000, at the web warehouse MAIN) and as
 * many matching X-Cart products (the X-Cart sandbox runs in this process), the shipped stock flow
 * InventoryToXCart alone, and a store that has synced once already (its row hashes written here).
 *  (a) an unchanged poll (SageProPoller on the Sage Pro connector and the store, in this process:
 *      the code flowd runs) against a raw ODBC cursor scan of the same columns with the same fetch
 *      size, alternated, medians; target poll <= 1.2x raw;
 *  (b) `flowd serve` (a child) at rest, Sage Pro polled every second: HTTP requests to X-Cart while
 *      idle (target 0) and its CPU;
 *  (c) 1% of the levels changed: flowd's PUT rate against a bare undici loop of the same PUTs at
 *      the same concurrency and rate limit (both timed by one watcher from the first PUT the store
 *      received to the last); target >= 0.8x. A first single change before it builds the SKU index
 *      (one paging of the catalogue), reported on its own;
 *  (d) flowd's RSS, sampled every 100 ms from its start to its stop, and its peak (VmHWM); target
 *      <= 150 MB.
 * Prints every figure against its target with PASS or MISS; exits 1 only when a correctness check
 * fails (a product not updated, a wrong count).
 *
 *   ITEMS=100000 BENCH_RATE=100 BENCH_CONCURRENCY=4 npm run bench:inventory
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import odbc from 'odbc';
import { Pool } from 'undici';
import { createProgram } from '../compiler/program.js';
import { buildProgram, writeBuild } from '../compiler/emitter/build.js';
import { freePort } from '../examples/demo/demo.js';
import { SageProConnector } from '../runtime/connectors/sagepro/connector.js';
import { optionsFromSite } from '../runtime/connectors/sagepro/site.js';
import type { LoadedFlow } from '../runtime/engine/flows.js';
import { createSageProSandbox, sageproYaml, sandboxLayout, sandboxProfile, seedInventoryScale, scaleItem } from '../runtime/sandbox/sagepro/database.js';
import { startXcartSandbox, type XcartSandbox } from '../runtime/sandbox/xcart/server.js';
import { SqliteStore } from '../runtime/store/sqlite-store.js';
import { SageProPoller } from '../runtime/triggers/sagepro-poll.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ITEMS = Number(process.env.ITEMS ?? 100_000);
const CHANGED = Math.max(1, Math.round(ITEMS / 100));
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 6000);
const FLOW = 'InventoryToXCart';
const SCOPE = `sagepro:${FLOW}:InventoryLevel`;
// The columns the connector's poll of InventoryLevel selects (the entity's columns, key order).
const RAW_SQL = 'SELECT ITEM, LOCTID, LONHAND, LSOALOC, LWOALOC, LONORDR, ORDERPT, LSALE FROM iciloc ORDER BY ITEM, LOCTID';
const FETCH_SIZE = 1000;

const fmt = (n: number, d = 1) => n.toFixed(d);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
let failed = false;
const fail = (what: string) => { failed = true; console.log(`    FAIL: ${what}`); };

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The shipped stock flow alone, built, polling every second instead of every 5 minutes (the worst case). */
function buildStockFlow(root: string): string {
  const mappings = path.join(REPO, 'mappings');
  const src = path.join(root, 'mappings');
  fs.cpSync(mappings, src, { recursive: true, filter: (p) => !p.startsWith(path.join(mappings, 'tests')) && (!p.endsWith('.flow') || p.endsWith('inventory-to-xcart.flow')) });
  const file = path.join(src, 'inventory-to-xcart.flow');
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes('on every 5m poll')) throw new Error(`${file}: the shipped poll interval changed; update bench/inventory.bench.ts`);
  fs.writeFileSync(file, text.replace('on every 5m poll', 'on every 1s poll'));
  const build = buildProgram(createProgram([src]));
  if (build.typeErrors.length) throw new Error(build.typeErrors.join('\n'));
  writeBuild(build, path.join(root, 'flows'));
  return path.join(root, 'flows');
}

async function rawScan(dsn: string): Promise<number> {
  const c = await odbc.connect(dsn);
  try {
    const t = performance.now();
    const cursor = await c.query(RAW_SQL, { cursor: true, fetchSize: FETCH_SIZE });
    let n = 0;
    while (!cursor.noData) n += (await cursor.fetch()).length;
    await cursor.close();
    if (n !== ITEMS + 32) fail(`raw scan read ${n} rows, not ${ITEMS + 32}`);
    return performance.now() - t;
  } finally { await c.close(); }
}

/** A token bucket of its own (rate per second, burst = rate, as the X-Cart client's default). */
function bucket(rate: number): () => Promise<void> {
  let tokens = rate;
  let last = performance.now();
  let queue = Promise.resolve();
  const one = async () => {
    for (;;) {
      const now = performance.now();
      tokens = Math.min(rate, tokens + ((now - last) / 1000) * rate);
      last = now;
      if (tokens >= 1) { tokens -= 1; return; }
      await sleep(((1 - tokens) / rate) * 1000);
    }
  };
  return () => { const p = queue.then(one); queue = p; return p; };
}

/** Counts the PUTs the store receives; times the first and the one that makes `n`. */
function watchPuts(xc: XcartSandbox, n: number): Promise<{ first: number; last: number }> {
  const count = () => { let s = 0; for (const [k, v] of xc.requests) if (k.startsWith('PUT /api/products/')) s += v; return s; };
  const base = count();
  let first = 0;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const c = count() - base;
      if (c > 0 && !first) first = performance.now();
      if (c >= n) { resolve({ first, last: performance.now() }); return; }
      if (Date.now() - t0 > 600_000) { reject(new Error(`only ${c} of ${n} PUTs after 10 minutes`)); return; }
      setTimeout(tick, 5);
    };
    tick();
  });
}

function procStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch { return undefined; }
}
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
}

async function main(): Promise<void> {
  const hashModule = '../scripts/source-hash.mjs'; // plain JavaScript without types: bin/launch.js's test of dist/
  const { distIsCurrent } = (await import(hashModule)) as { distIsCurrent(): boolean };
  console.log(`bench/inventory: ${os.cpus().length} cores, node ${process.version}; ${ITEMS} items, ${CHANGED} changed (1%), X-Cart rate ${RATE}/s, concurrency ${CONCURRENCY}; flowd from ${distIsCurrent() ? 'dist/' : 'sources (tsx)'}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-bench-inventory-'));
  let xc: XcartSandbox | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  try {
    // ---- seed both systems
    let t = performance.now();
    const sage = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') });
    const db = await odbc.connect(sage.dsn);
    await seedInventoryScale(db, sandboxLayout('standard'), { count: ITEMS, location: 'MAIN' });
    const tSage = performance.now() - t;
    t = performance.now();
    xc = await startXcartSandbox({ port: 0, stateDir: path.join(dir, 'xcart'), products: ITEMS, persist: 'on-close' });
    console.log(`seed: ${ITEMS} ICILOC rows in ${fmt(tSage / 1000, 2)} s; ${xc.state.data.products.length} X-Cart products in ${fmt((performance.now() - t) / 1000, 2)} s`);
    const flowsDir = buildStockFlow(dir);

    // ---- (a) unchanged poll vs raw scan, in process, on a store that synced once
    const storeFile = path.join(dir, 'flowd.db');
    const store = SqliteStore.open(storeFile);
    const sp = new SageProConnector({ dsn: sage.dsn, ...optionsFromSite(sandboxProfile('standard').siteConfig()) });
    t = performance.now();
    let batch: { key: string; hash: string }[] = [];
    for await (const ch of sp.changedRows('InventoryLevel', () => undefined)) {
      batch.push({ key: ch.key, hash: ch.hash! });
      if (batch.length >= 5000) { await store.applyRowHashes(SCOPE, batch); batch = []; }
    }
    await store.applyRowHashes(SCOPE, batch);
    console.log(`    the first sync's row hashes written to the store: ${await store.countRowHashes(SCOPE)} in ${fmt((performance.now() - t) / 1000, 2)} s`);
    const flow = { name: FLOW, version: 'bench', module: { meta: { trigger: { kind: 'poll', system: 'sagepro', entity: 'InventoryLevel' } } } } as unknown as LoadedFlow;
    const poller = new SageProPoller({ sink: store, flows: new Map([[FLOW, flow]]), source: sp });
    t = performance.now();
    const firstJobs = await poller.pollOnce(flow);
    console.log(`    first poll after start (reads the stored hashes, hashes every row once): ${fmt(performance.now() - t, 0)} ms, ${firstJobs} jobs`);
    const polls: number[] = [];
    const raws: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      raws.push(await rawScan(sage.dsn));
      t = performance.now();
      const jobs = await poller.pollOnce(flow);
      polls.push(performance.now() - t);
      if (jobs !== 0) fail(`an unchanged poll enqueued ${jobs} jobs`);
    }
    const ratioA = median(polls) / median(raws);
    console.log(`(a) unchanged poll ${fmt(median(polls), 0)} ms vs raw ODBC scan of the same columns ${fmt(median(raws), 0)} ms (medians of ${ROUNDS}): ratio ${fmt(ratioA, 2)}  ${verdict(ratioA <= 1.2)} (target <= 1.2)`);
    await sp.close();
    await store.close();

    // ---- flowd serve on the same store
    for (const [f, v] of [['xcart_token', xc.writeToken], ['sagepro_dsn', sage.dsn]] as const) fs.writeFileSync(path.join(dir, f), v, { mode: 0o600 });
    const port = await freePort();
    const configFile = path.join(dir, 'connect.yaml');
    fs.writeFileSync(configFile, [
      `http: { host: 127.0.0.1, port: ${port} }`,
      'store: { kind: sqlite, path: flowd.db }',
      `flows: { dir: ${JSON.stringify(flowsDir)} }`,
      'connections:',
      `  xcart: { base_url: "${xc.url}", token: { file: xcart_token }, rate_per_second: ${RATE}, concurrency: ${CONCURRENCY} }`,
      ...sageproYaml(sage.profile, sage.siteConfig, ['dsn: { file: sagepro_dsn }']),
      'triggers:',
      '  xcart_poll: { enabled: false }',
      '  sagepro_poll: { every: 1s }',
      `workers: { count: ${CONCURRENCY} }`,
      'log: { level: warn, file: flowd.log }',
      '',
    ].join('\n'));
    let out = '';
    child = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', configFile], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    const pid = child.pid!;
    let rssMax = 0;
    const sampler = setInterval(() => { const s = procStatus(pid); if (s && s.rss > rssMax) rssMax = s.rss; }, 100);
    let exited = false;
    child.once('exit', () => { exited = true; });
    await waitFor('flowd ready', async () => {
      if (exited) throw new Error(`flowd exited: ${out}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ?? false;
    }, 120_000, 100);

    // ---- (b) at rest: let the first poll (the stored hashes, every row hashed once) finish, then watch.
    await sleep(Math.max(3000, (median(polls) + 2 * median(raws)) * 2));
    const reqTotal = () => [...xc!.requests.values()].reduce((a, b) => a + b, 0);
    const r0 = reqTotal();
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await sleep(IDLE_MS);
    const idleCpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    const idleReq = reqTotal() - r0;
    const idleRss = procStatus(pid)?.rss ?? 0;
    console.log(`(b) flowd at rest for ${fmt(IDLE_MS / 1000, 0)} s (Sage Pro polled every 1 s): ${idleReq} HTTP requests to X-Cart  ${verdict(idleReq === 0)} (target 0); CPU ${fmt(100 * idleCpu, 0)}% of a core; RSS ${fmt(idleRss, 0)} MB`);

    // ---- (c) one change first (builds the SKU index), then 1%
    const amountOf = (sku: string) => xc!.state.data.products.find((p) => p.sku === sku)?.amount;
    t = performance.now();
    const listGets0 = xc.requests.get('GET /api/products') ?? 0;
    await db.query(`UPDATE iciloc SET LONHAND = LONHAND + 1000 WHERE ITEM = '${scaleItem(1).padEnd(15)}'`);
    await waitFor('the first change in X-Cart', () => amountOf(scaleItem(1)) === 1001, 600_000);
    const pages = (xc.requests.get('GET /api/products') ?? 0) - listGets0;
    console.log(`    first change after start: ${fmt((performance.now() - t) / 1000, 1)} s, of which the SKU index: ${pages} GETs of the product list (${xc.state.data.products.length} products)`);

    const changed = Array.from({ length: CHANGED }, (_, k) => 2 + k * Math.floor((ITEMS - 1) / CHANGED)).filter((i) => i <= ITEMS);
    const listGets1 = xc.requests.get('GET /api/products') ?? 0;
    const watch = watchPuts(xc, changed.length);
    await db.beginTransaction();
    for (let k = 0; k < changed.length; k += 500) {
      const items = changed.slice(k, k + 500).map((i) => `'${scaleItem(i).padEnd(15)}'`).join(', ');
      await db.query(`UPDATE iciloc SET LONHAND = LONHAND + 7 WHERE LOCTID = 'MAIN  ' AND ITEM IN (${items})`);
    }
    await db.commit();
    const w = await watch;
    const flowdRate = (changed.length - 1) / ((w.last - w.first) / 1000);
    const wrong = changed.filter((i) => amountOf(scaleItem(i)) !== (i % 500) + 7).length;
    if (wrong) fail(`${wrong} products do not show their new stock`);
    const listDuring = (xc.requests.get('GET /api/products') ?? 0) - listGets1;
    console.log(`    flowd: ${changed.length} PUTs in ${fmt((w.last - w.first) / 1000, 2)} s (${fmt(flowdRate, 1)}/s); GETs of the product list meanwhile: ${listDuring}  ${verdict(listDuring === 0)} (target 0)`);
    await sleep(1500);
    const rssAfter = procStatus(pid);
    clearInterval(sampler);
    if (rssAfter && rssAfter.rss > rssMax) rssMax = rssAfter.rss;
    child.kill('SIGTERM');
    await new Promise<void>((r) => (exited ? r() : child!.once('exit', () => r())));
    child = undefined;

    // The bare loop: the same PUTs (ids and amounts), the same concurrency and rate limit.
    const ids = changed.map((i) => ({ id: xc!.state.data.products.find((p) => p.sku === scaleItem(i))!.id as number, amount: (i % 500) + 7 }));
    const pool = new Pool(xc.url, { connections: CONCURRENCY });
    const take = bucket(RATE);
    const watch2 = watchPuts(xc, ids.length);
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const j = next++;
        if (j >= ids.length) return;
        await take();
        const r = await pool.request({ method: 'PUT', path: `/api/products/${ids[j]!.id}`, headers: { 'x-auth-token': xc!.writeToken, 'content-type': 'application/json' }, body: JSON.stringify({ amount: ids[j]!.amount }) });
        await r.body.text();
        if (r.statusCode !== 200) fail(`bare PUT answered ${r.statusCode}`);
      }
    }));
    const w2 = await watch2;
    await pool.close();
    const bareRate = (ids.length - 1) / ((w2.last - w2.first) / 1000);
    const ratioC = flowdRate / bareRate;
    console.log(`    bare undici loop: ${ids.length} PUTs in ${fmt((w2.last - w2.first) / 1000, 2)} s (${fmt(bareRate, 1)}/s)`);
    console.log(`(c) 1% changed: flowd ${fmt(flowdRate, 1)} PUTs/s vs bare loop ${fmt(bareRate, 1)}/s: ratio ${fmt(ratioC, 2)}  ${verdict(ratioC >= 0.8)} (target >= 0.8)`);
    const hwm = rssAfter?.hwm ?? 0;
    const peak = Math.max(rssMax, hwm);
    console.log(`(d) flowd RSS: max sampled ${fmt(rssMax, 0)} MB, peak (VmHWM) ${fmt(hwm, 0)} MB  ${verdict(peak <= 150)} (target <= 150 MB)`);
    await db.close();
  } finally {
    if (child) child.kill('SIGKILL');
    await xc?.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`); else fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
