/**
 * E2E (issue 12): the several-process fault suite on PostgreSQL. Three `flowd serve` processes (A, B, C)
 * on one throwaway PostgreSQL server share one stream of X-Cart orders while faults hit them one after
 * another, at set points of the work done (sales orders in Sage Pro / orders placed):
 *   25 %  kill -9 of B (never restarted)
 *   40 %  SIGSTOP of C while it holds jobs, for longer than the lease (workers.lease 5s), then SIGCONT:
 *         its late writes must not make a second sales order, its late outcomes are refused by the
 *         fencing token (the engine logs "lease lost before completion" for each)
 *   55 %  pg_terminate_backend of every flowd session
 *   70 %  a restart of PostgreSQL (same port and data folder)
 *   85 %  kill -9 of C (never restarted); A finishes alone
 * Then: 0 lost, 0 duplicated sales orders, every order committed or dead-lettered, one poll leader per
 * source. A second test runs a smaller stream twice, without and with a long-open transaction (a
 * REPEATABLE READ snapshot that holds back cleanup) between two runs without it, and prints the throughput
 * ratio against their mean (not asserted).
 *
 * E2E_PG_FAULT_ORDERS sets the order count of the fault run (default 2,000, the count). At 2,000 this
 * suite found that a store failure while a worker recorded an outcome (the PostgreSQL restart) ended the worker
 * loop with an unhandled rejection, and with it the flowd process: two of the three exited and the run stalled
 * (runtime/engine/store-outage.test.ts holds the fix).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../support/postgres.js';
import { PostgresStore } from '../../runtime/store/postgres-store.js';
import { buildFlows, E2E, figures, freePort, REPO, sleep, waitFor, type XOrder } from './harness.js';

const ORDERS = Number(process.env.E2E_PG_FAULT_ORDERS ?? 2000);
const LEASE_MS = 5000; // workers.lease: 5s is the least connect.yaml accepts
const REFUSAL = 'lease lost before completion';

/** One extra `flowd serve` on the harness's connect.yaml, with its own HTTP port and log file. */
class Peer {
  out = '';
  readonly url: string;
  readonly logFile: string;
  private constructor(readonly proc: ChildProcess, port: number, logFile: string) {
    this.url = `http://127.0.0.1:${port}`;
    this.logFile = logFile;
    proc.stdout!.on('data', (c: Buffer) => { this.out += c.toString(); });
    proc.stderr!.on('data', (c: Buffer) => { this.out += c.toString(); });
  }
  static async start(env: E2E, name: string): Promise<Peer> {
    const port = await freePort();
    const config = path.join(env.dir, `connect-${name}.yaml`);
    fs.writeFileSync(config, fs.readFileSync(env.configFile, 'utf8').replace(/^http: .*$/m, `http: { host: 127.0.0.1, port: ${port} }`).replace('file: flowd.log', `file: flowd-${name}.log`));
    const proc = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new Peer(proc, port, path.join(env.dir, `flowd-${name}.log`));
    await waitFor(`flowd ${name} ready`, async () => {
      if (proc.exitCode !== null) throw new Error(`flowd ${name} exited: ${p.out}`);
      return (await fetch(`${p.url}/readyz`).catch(() => null))?.ok ?? false;
    }, 60_000);
    return p;
  }
  get alive(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }
  async signal(sig: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
      this.proc.kill(sig);
      if (sig === 'SIGTERM') setTimeout(() => this.proc.kill('SIGKILL'), 15_000).unref();
      await gone;
    } else this.proc.kill(sig);
  }
  /** Refused stale outcomes this process logged (its log file; its stdout if the file has none). */
  refusals(): number {
    const file = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
    return Math.max(count(file, REFUSAL), count(this.out, REFUSAL));
  }
}

function count(text: string, needle: string): number { return text.split(needle).length - 1; }

/** The test's own SQL session on the store database (counts, pg_terminate_backend, the long transaction). */
async function session(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Configures the harness's connect.yaml: a short poll-leader TTL (the lease is the harness option). */
function shortLeaderTtl(env: E2E): void {
  const text = fs.readFileSync(env.configFile, 'utf8');
  const next = text.replace('store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }', 'store: { kind: postgres, url: { env: FLOWD_DATABASE_URL }, leader_ttl: 3s }');
  if (next === text) throw new Error('connect.yaml: the postgres store line was not found');
  fs.writeFileSync(env.configFile, next);
}

/** Placed orders neither in Sage Pro nor dead-lettered, duplicates, and the dead letters of these orders. */
async function outcome(env: E2E, store: PostgresStore, orders: readonly XOrder[]) {
  const byRef = await env.salesOrdersByRef();
  const dl = await store.listDeadLetters({ flow: 'OrderToSalesOrder', limit: 100_000, state: 'all' });
  const dead = new Set(dl.map((d) => d.entityId));
  let salesOrders = 0; let duplicates = 0; let lost = 0; let deadLetters = 0;
  const lostRefs: string[] = [];
  for (const o of orders) {
    const n = byRef.get(`XC-${o.id}`) ?? 0;
    salesOrders += n;
    if (n > 1) duplicates += n - 1;
    if (n === 0 && dead.has(String(o.id))) deadLetters++;
    if (n === 0 && !dead.has(String(o.id))) { lost++; lostRefs.push(`XC-${o.id}`); }
  }
  const reasonless = dl.filter((d) => !d.reason).length;
  const reasons = [...new Set(dl.map((d) => `${d.errorClass}: ${d.reason}`))];
  return { salesOrders, duplicates, lost, deadLetters, lostRefs, reasonless, reasons };
}

async function placeAll(env: E2E, n: number, placed: XOrder[]): Promise<void> {
  await env.placeOrders(n, { lines: 2, concurrency: 3, onPlaced: (o) => { placed.push(o); } });
}

describe.skipIf(!postgresServerAvailable())('e2e: three flowd processes on one PostgreSQL under faults', () => {
  let pgServer: StartedPostgres;
  let env: E2E;
  let store: PostgresStore;
  const peers: Peer[] = [];
  beforeAll(async () => {
    pgServer = await startPostgres();
    env = await E2E.start({ flowsDir: buildFlows({ fastRetry: true }), logLevel: 'warn', store: { kind: 'postgres', url: pgServer.url }, lease: `${LEASE_MS / 1000}s` });
    shortLeaderTtl(env);
    store = await PostgresStore.open(pgServer.url);
  }, 60_000);
  afterAll(async () => {
    for (const p of peers) { await p.signal('SIGCONT'); await p.signal('SIGKILL'); }
    await store?.close();
    await env?.close();
    await pgServer?.stop();
  });

  it(`${ORDERS} orders through kill -9, SIGSTOP past the lease, pg_terminate_backend, a PostgreSQL restart, kill -9: 0 lost, 0 duplicates, one leader`, async () => {
    await env.startFlowd({ child: true }); // A: the push target of the X-Cart sandbox
    const b = await Peer.start(env, 'b'); peers.push(b);
    const c = await Peer.start(env, 'c'); peers.push(c);
    const admin = await session(pgServer.url);
    const placed: XOrder[] = [];
    const placing = placeAll(env, ORDERS, placed);
    const faults: string[] = [];
    // Progress = jobs of the flow finished in the store (cheap; a new session each time, so a
    // terminated or restarted server only makes one reading fail).
    const progress = async () => {
      const c = await session(pgServer.url).catch(() => undefined);
      if (!c) return 0;
      try {
        const r = await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM jobs WHERE flow = 'OrderToSalesOrder' AND state IN ('done', 'dead_letter')`);
        return Number(r.rows[0]!.n) / ORDERS;
      } catch { return 0; } finally { await c.end().catch(() => undefined); }
    };
    const at = async (share: number, what: string, fault: () => Promise<void>) => {
      try {
        await waitFor(`${share * 100} % of the orders done (for: ${what})`, async () => (await progress()) >= share, 300_000, 500);
      } catch (e) {
        // Say why the work stopped: which flowd processes are gone, and the end of what each wrote.
        const tail = (name: string, alive: boolean, out: string) => `${name} ${alive ? 'alive' : 'exited'}: ${out.slice(-1500)}`;
        throw new Error(`${(e as Error).message}\n${tail('B', b.alive, b.out)}\n${tail('C', c.alive, c.out)}\nA: ${env.childOutput.slice(-1500)}`);
      }
      await fault();
      faults.push(what);
    };
    let stoppedHeld = 0;
    await at(0.25, 'kill -9 B', () => b.signal('SIGKILL'));
    await at(0.40, 'SIGSTOP C past the lease', async () => {
      const cPid = c.proc.pid!;
      // Stop C while it holds jobs (its workers run flows all the time under this load). A job C held a
      // moment before may be finished by the time the signal lands: then C goes on and is stopped again.
      const held = async () => Number((await admin.query<{ n: string }>(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'running' AND lease_owner LIKE $1`, [`flowd-${cPid}-%`])).rows[0]!.n);
      for (let tries = 0; stoppedHeld === 0 && tries < 200; tries++) {
        await waitFor('C holding a job', async () => (await held()) > 0, 30_000, 20);
        await c.signal('SIGSTOP');
        stoppedHeld = await held();
        if (stoppedHeld === 0) { await c.signal('SIGCONT'); await sleep(20); }
      }
      await sleep(LEASE_MS + 4000);
      await c.signal('SIGCONT');
    });
    await at(0.55, 'pg_terminate_backend of the workers', async () => {
      const r = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
      expect(r.rowCount).toBeGreaterThan(0);
    });
    await admin.end().catch(() => undefined);
    await at(0.70, 'PostgreSQL restart', () => pgServer.restart());
    await at(0.85, 'kill -9 C', () => c.signal('SIGKILL'));
    await placing;
    expect(placed.length).toBe(ORDERS);

    await waitFor('every order committed or dead-lettered', async () => (await outcome(env, store, placed)).lost === 0, 300_000, 500);
    await waitFor('the queue drained', async () => (await store.status()).queueDepth === 0, 120_000, 250);
    const o = await outcome(env, store, placed);
    // Killed processes left their poll leadership; after store.leader_ttl the survivor leads every source.
    await sleep(3500);
    const leaders = await store.leaders();
    const sources = leaders.map((l) => l.source);
    const refusals = c.refusals() + b.refusals() + count(env.childOutput + fs.readFileSync(path.join(env.dir, 'flowd.log'), 'utf8'), REFUSAL);
    figures('postgres faults (3 flowd, 1 PostgreSQL)', {
      placed: placed.length, sales_orders: o.salesOrders, duplicates: o.duplicates, lost: o.lost, dead_letters: o.deadLetters,
      fencing_refusals: refusals, leaders: leaders.length, held_when_stopped: stoppedHeld, faults: faults.length,
    });
    if (o.reasons.length) console.log(`dead-letter reasons: ${o.reasons.join(' | ')}`);
    expect(faults).toEqual(['kill -9 B', 'SIGSTOP C past the lease', 'pg_terminate_backend of the workers', 'PostgreSQL restart', 'kill -9 C']);
    expect(o).toMatchObject({ duplicates: 0, lost: 0, reasonless: 0 });
    expect(o.salesOrders + o.deadLetters).toBe(ORDERS);
    // A store outage is transient: no order is dead-lettered as an unclassified (internal) error for it.
    expect(o.reasons.filter((r) => /internal error|ECONNREFUSED|terminat/i.test(r))).toEqual([]);
    // C's late outcomes (jobs it held while stopped, taken over by A or B) were refused by the fence.
    expect(stoppedHeld).toBeGreaterThan(0);
    expect(c.refusals()).toBeGreaterThan(0);
    // Exactly one leader per poll source, and it is the one process still alive.
    expect(sources).toContain('xcart.orders');
    expect(new Set(sources).size).toBe(sources.length);
    expect(new Set(leaders.map((l) => l.owner)).size).toBe(1);
    // The database password never reached a log.
    expect(env.childOutput + b.out + c.out).not.toContain(pgServer.password);
    await env.stopFlowd();
  }, 600_000);

  it('a long-open transaction holding back cleanup for a whole run: completes with 0 lost, 0 duplicates (throughput ratio printed)', async () => {
    const n = Number(process.env.E2E_PG_LONG_TX_ORDERS ?? 150);
    await env.startFlowd({ child: true });
    const b = await Peer.start(env, 'b2'); peers.push(b);
    const c = await Peer.start(env, 'c2'); peers.push(c);
    const run = async (start: number): Promise<{ perSecond: number; o: Awaited<ReturnType<typeof outcome>> }> => {
      const t0 = Date.now();
      const orders = await env.placeOrders(n, { lines: 2, concurrency: 3, start });
      await waitFor('every order committed or dead-lettered', async () => (await outcome(env, store, orders)).lost === 0, 300_000, 250);
      const perSecond = n / ((Date.now() - t0) / 1000);
      return { perSecond, o: await outcome(env, store, orders) };
    };
    // A, B, A: without, with, without again, so that what drifts over the run (the machine, the
    // store's growing tables) is not counted against the long transaction.
    const without = await run(100_000);
    // The long transaction: a REPEATABLE READ snapshot that has written (it has an xid), open for the whole run,
    // so no dead row version of jobs/leases newer than it can be removed until it ends.
    const holder = await session(pgServer.url);
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT txid_current()');
    await holder.query('SELECT COUNT(*) FROM jobs');
    let withTx: Awaited<ReturnType<typeof run>>;
    try { withTx = await run(200_000); } finally { await holder.query('ROLLBACK').catch(() => undefined); await holder.end().catch(() => undefined); }
    const again = await run(300_000);
    const base = (without.perSecond + again.perSecond) / 2;
    figures('postgres long-open transaction (3 flowd)', {
      orders: n, without_per_s: without.perSecond.toFixed(1), with_per_s: withTx.perSecond.toFixed(1), without_again_per_s: again.perSecond.toFixed(1),
      ratio: (withTx.perSecond / base).toFixed(2), target_ratio: '0.9',
      duplicates: without.o.duplicates + withTx.o.duplicates + again.o.duplicates, lost: without.o.lost + withTx.o.lost + again.o.lost,
    });
    expect(without.o).toMatchObject({ duplicates: 0, lost: 0 });
    expect(withTx.o).toMatchObject({ duplicates: 0, lost: 0 });
    expect(again.o).toMatchObject({ duplicates: 0, lost: 0 });
    await b.signal('SIGTERM'); await c.signal('SIGTERM');
    await env.stopFlowd();
  }, 600_000);
});
