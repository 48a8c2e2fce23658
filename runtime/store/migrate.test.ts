/**
 * Issue 12, `flowd store migrate`: a SQLite store filled through its API (jobs in every state, keys,
 * watermarks, row hashes, dead letters, runs, meta) moved into a throwaway PostgreSQL
 * (test/support/postgres.ts), then used through the Store API of a PostgresStore: a done event still
 * dedupes, pending and formerly leased jobs lease, a dead letter replays, watermarks and hashes read
 * back, new ids follow the old ones. A second migrate is refused; a file a flowd is running on is
 * refused; a bad row (one the migration refuses, one PostgreSQL refuses) leaves PostgreSQL empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import { openDatabase } from './sqlite-driver.js';
import { MIGRATED_KEY, MigrateError, migrateSqliteToPostgres } from './migrate.js';
import { orderEvent, tempDir } from './test-support/helpers.js';
import type { RunInput } from './store.js';

const HOUR = 3_600_000;
const run = (jobId: number | null, outcome: RunInput['outcome'], extra: Partial<RunInput> = {}): RunInput => ({
  jobId, flow: 'OrderToSalesOrder', flowVersion: 'v1', trigger: 'xcart.order.created', outcome,
  startedAt: Date.now(), durationMs: 7, correlationId: `corr-${jobId}-${outcome}`, ...extra,
});

/** A store with something in every table and jobs in every state; returns what the checks need. */
async function fill(file: string) {
  const s = SqliteStore.open(file);
  try {
    // 1200 orders in three batches (more than one 500-row page), plus their progress.
    for (let i = 0; i < 1200; i += 400) {
      await s.enqueueBatch(Array.from({ length: 400 }, (_, k) => orderEvent(1000 + i + k)), { watermark: { name: 'xcart.orders', value: JSON.stringify({ since: '2025-01-01T10:00:00Z', seen: [1000 + i] }) } });
    }
    await s.applyRowHashes('sagepro.InventoryLevel', Array.from({ length: 1100 }, (_, k) => ({ key: JSON.stringify([`ITEM-${k}`, 'MAIN']), hash: `h${k}` })));
    await s.setWatermark('sagepro.SalesOrderStatus', JSON.stringify({ after: 'ü 2025-01-02' }));
    await s.setMeta('deployed.manifest', 'abc123');
    await s.anomaly.addProfileCounts([{ flow: 'OrderToSalesOrder', metric: 'runs', bin: 0, n: 120 }, { flow: 'OrderToSalesOrder', metric: 't|sagepro.sales_orders.create|order.lines', bin: 1046, n: 0.5 }]);
    // Finish 40: done (with key and run), skipped, duplicate, dead-lettered, retried.
    const done: number[] = []; const dead: number[] = []; let retried = 0;
    for (let k = 0; k < 40; k++) {
      const [job] = await s.lease('w1', { leaseMs: 60_000 });
      const j = job!;
      if (k % 10 === 0) {
        await s.deadLetter(j.id, 'w1', { error: `SKU X-${k} not in ICITEM\n  at line 2`, errorClass: 'invalid', reason: `SKU X-${k} unknown`, site: 'mappings/order-to-sales-order.flow:12:3', flowVersion: 'v1', run: run(j.id, 'dead_letter', { error: 'bad sku', errorClass: 'invalid', site: 'x.flow:1:1' }) });
        dead.push(j.id);
      } else if (k % 10 === 1) {
        await s.complete(j.id, 'w1', { outcome: 'skipped', durationMs: 3, flowVersion: 'v1', reason: 'not a web order', run: run(j.id, 'skipped') });
      } else if (k % 10 === 2) {
        await s.complete(j.id, 'w1', { outcome: 'duplicate', durationMs: 3, flowVersion: 'v1', run: run(j.id, 'duplicate') });
      } else if (k % 10 === 3) {
        await s.retry(j.id, 'w1', { error: 'ECONNRESET', errorClass: 'transient', nextAttemptAt: Date.now() + HOUR, run: run(j.id, 'retry', { error: 'ECONNRESET', errorClass: 'transient' }) });
        retried++;
      } else {
        await s.complete(j.id, 'w1', { outcome: 'done', durationMs: 5, flowVersion: 'v1', idempotencyKey: { key: `XC-${j.entityId}`, keepMs: 24 * HOUR }, run: run(j.id, 'done') });
        done.push(j.id);
      }
    }
    // One dead letter replayed already (its replay job is queued), one event dead-lettered at once.
    const replayed = await s.replay((await s.getDeadLetter(1))!.id);
    const rejected = await s.deadLetterEvent({ ...orderEvent(99_999), error: 'push signature does not verify', errorClass: 'invalid', reason: 'bad signature' });
    // Three leased by a worker that is then stopped without finishing (SIGKILL: the lease stays).
    const leased = await s.lease('w-killed', { leaseMs: 10 * 60_000, limit: 3 });
    await s.recordRun(run(null, 'done', { flow: 'InventoryToXCart', trigger: 'sagepro.InventoryLevel', correlationId: 'standalone' }));
    await s.markKeyDone('InventoryToXCart', 'ITEM-1@MAIN', done[0]!, HOUR);
    return { done, dead, retried, replayed: replayed!, rejected, leased: leased.map((j) => j.id) };
  } finally { await s.close(); }
}

const sqliteRows = (file: string, sql: string) => {
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  try { return db.prepare<Record<string, unknown>>(sql).all(); } finally { db.close(); }
};

describe.skipIf(!postgresServerAvailable())('flowd store migrate (SQLite → PostgreSQL)', () => {
  let server: StartedPostgres;
  let admin: pg.Client;
  const tmp = tempDir('flowd-migrate-');
  const count = async (schema: string, table: string) => Number((await admin.query(`SELECT COUNT(*) AS n FROM ${schema}.${table}`)).rows[0].n);
  const TABLES = ['jobs', 'dead_letters', 'idempotency_keys', 'watermarks', 'row_hashes', 'runs', 'meta'];

  beforeAll(async () => {
    server = await startPostgres();
    // BIGINT as numbers, as the stores read them
    admin = new pg.Client({ connectionString: server.url, types: { getTypeParser: (oid: number, f?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, f as 'text')) } });
    await admin.connect();
  });
  afterAll(async () => { await admin?.end(); await server?.stop(); tmp.cleanup(); });

  describe('a site store with everything in it', () => {
    const file = tmp.file('site.db');
    let made: Awaited<ReturnType<typeof fill>>;
    let pgs: PostgresStore;
    let report: Awaited<ReturnType<typeof migrateSqliteToPostgres>>;

    beforeAll(async () => {
      made = await fill(file);
      report = await migrateSqliteToPostgres(file, server.url, { schema: 'site' });
      pgs = await PostgresStore.open(server.url, { schema: 'site' });
    });
    afterAll(async () => { await pgs?.close(); });

    it('moves every row of every table, counted and verified, and says so', () => {
      const n = (sql: string) => Number(Object.values(sqliteRows(file, sql)[0]!)[0]);
      const expected = {
        jobs: n('SELECT COUNT(*) FROM jobs'), dead_letters: n('SELECT COUNT(*) FROM dead_letters'),
        idempotency_keys: n('SELECT COUNT(*) FROM idempotency_keys'), watermarks: n('SELECT COUNT(*) FROM watermarks'),
        row_hashes: 1100, runs: n('SELECT COUNT(*) FROM runs'), meta: 1,
        // the console's tables (schema version 2): the run rollup has a row per flow, hour and outcome
        run_keys: 0, run_calls: 0, run_counts: n('SELECT COUNT(*) FROM run_counts'), console_users: 0, console_sessions: 0, console_audit: 0,
        // the anomaly profiles (schema version 3)
        anomaly_profile: 2,
      };
      expect(expected.run_counts).toBeGreaterThan(0);
      expect(expected.jobs).toBe(1201 + 1); // 1200 orders + the replay job + the rejected push
      expect(Object.fromEntries(report.tables.map((t) => [t.table, t.read]))).toEqual(expected);
      for (const t of report.tables) expect(t.verified).toBe(t.read);
      expect(report.leasedRequeued).toBe(3);
      // 1200 orders − 40 leased for outcomes + 4 retried + the replay − 3 leased by the stopped worker
      expect(report.jobStates).toEqual({ queued: 1162, running: 3, done: 24, skipped: 4, duplicate: 4, dead_letter: 5 });
      expect(report.to).not.toContain(server.password);
      console.log(`migrated: ${report.tables.map((t) => `${t.table} ${t.read}`).join(', ')}; ${report.leasedRequeued} leased jobs pending again`);
    });

    it('keeps each row exactly (ids, payloads, errors, times); leased jobs become pending, lease cleared', async () => {
      for (const [table, order] of [['jobs', 'id'], ['dead_letters', 'id'], ['runs', 'id'], ['idempotency_keys', 'flow, key'], ['watermarks', 'name'], ['row_hashes', 'scope, key'], ['anomaly_profile', 'flow, metric, bin']] as const) {
        const before = sqliteRows(file, `SELECT * FROM ${table} ORDER BY ${order}`).map((r) => table === 'jobs' && r.state === 'running' ? { ...r, state: 'queued', lease_owner: null, lease_expires_at: null } : r);
        // (the server's collation is C, byte order, like SQLite's BINARY)
        const after = (await admin.query(`SELECT * FROM site.${table} ORDER BY ${order}`)).rows
          .map((r: Record<string, unknown>) => { const { lease_fence: fence, ...rest } = r; expect(fence ?? null).toBeNull(); return rest; });
        expect(after, table).toEqual(before);
      }
      for (const id of made.leased) {
        const j = (await pgs.getJob(id))!;
        expect(j.state).toBe('queued');
        expect(j.leaseOwner).toBeNull();
        expect(j.attempts).toBe(1); // the stopped worker's lease counts as an attempt
      }
    });

    it('an event already processed does not run again; its key is still done', async () => {
      const doneJob = (await pgs.getJob(made.done[0]!))!;
      const again = await pgs.enqueue(orderEvent(Number(doneJob.entityId)));
      expect(again).toEqual({ jobId: doneJob.id, duplicate: true });
      const deadJob = (await pgs.getJob(made.dead[1]!))!;
      expect((await pgs.enqueue(orderEvent(Number(deadJob.entityId)))).duplicate).toBe(true);
      expect((await pgs.enqueue(orderEvent(99_999))).duplicate).toBe(true); // the rejected push
      expect(await pgs.isKeyDone('OrderToSalesOrder', `XC-${doneJob.entityId}`)).toBe(true);
    });

    it('watermarks, row hashes and meta read back', async () => {
      expect(await pgs.getWatermark('xcart.orders')).toBe(JSON.stringify({ since: '2025-01-01T10:00:00Z', seen: [1800] }));
      expect(await pgs.getWatermark('sagepro.SalesOrderStatus')).toBe(JSON.stringify({ after: 'ü 2025-01-02' }));
      const hashes = await pgs.getRowHashes('sagepro.InventoryLevel');
      expect(hashes.size).toBe(1100);
      expect(hashes.get(JSON.stringify(['ITEM-1099', 'MAIN']))).toBe('h1099');
      expect(await pgs.getMeta('deployed.manifest')).toBe('abc123');
      expect(JSON.parse((await pgs.getMeta(MIGRATED_KEY))!)).toMatchObject({ file, counts: { jobs: 1202 } });
    });

    it('dead letters keep their reasons and payloads and replay; new ids follow the old ones', async () => {
      const pending = await pgs.listDeadLetters({ state: 'all' });
      expect(pending.length).toBe(5);
      const d = (await pgs.getDeadLetter(2))!;
      expect(d.reason).toBe('SKU X-10 unknown');
      expect(d.error).toBe('SKU X-10 not in ICITEM\n  at line 2');
      expect(d.site).toBe('mappings/order-to-sales-order.flow:12:3');
      expect(d.payload).toEqual(orderEvent(d.entityId!).payload);
      expect((await pgs.getDeadLetter(1))!.replayJobId).toBe(made.replayed.jobId);
      // Replaying the already replayed entry returns its replay job (dedupe key replay:1 came along).
      expect(await pgs.replay(1)).toMatchObject({ jobId: made.replayed.jobId, alreadyReplayed: true });
      const r = (await pgs.replay(2))!;
      expect(r.alreadyReplayed).toBe(false);
      expect(r.jobId).toBeGreaterThan(1202);
      const fresh = await pgs.enqueue(orderEvent(5000));
      expect(fresh).toEqual({ jobId: r.jobId + 1, duplicate: false });
      expect(await pgs.recordRun(run(null, 'done', { correlationId: 'after' }))).toBeGreaterThan(report.tables.find((t) => t.table === 'runs')!.read);
    });

    it('every pending job leases exactly once, the formerly leased ones too; the retried ones wait for their time', async () => {
      const st = await pgs.status();
      expect(st.totals.running).toBe(0);
      const seen = new Set<number>();
      for (;;) {
        const jobs = await pgs.lease('w-pg', { leaseMs: 60_000, limit: 200 });
        if (!jobs.length) break;
        for (const j of jobs) { expect(seen.has(j.id)).toBe(false); seen.add(j.id); }
      }
      for (const id of made.leased) expect(seen.has(id)).toBe(true);
      expect(seen.has(made.replayed.jobId)).toBe(true);
      // queued before (1200 − 40 leased for outcomes − 3 leased and stopped) + 3 requeued + replay + 2 new jobs
      expect(seen.size).toBe(1200 - 40 + 1 + 2);
      const waiting = sqliteRows(file, "SELECT id FROM jobs WHERE state = 'queued' AND last_error_class = 'transient'").map((r) => r.id as number);
      expect(waiting.length).toBe(made.retried);
      for (const id of waiting) expect(seen.has(id)).toBe(false);
    });

    it('a second migrate into the same database is refused and changes nothing', async () => {
      const counts = async () => { const out: number[] = []; for (const t of TABLES) out.push(await count('site', t)); return out; };
      const before = await counts();
      const err = await migrateSqliteToPostgres(file, server.url, { schema: 'site' }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(MigrateError);
      expect((err as Error).message).toMatch(/is not an empty store: it already holds a migrated store/);
      expect((err as Error).message).not.toContain(server.password);
      expect(await counts()).toEqual(before);
    });
  });

  it('an empty SQLite store migrates too, and a second migrate of it is still refused', async () => {
    const file = tmp.file('empty.db');
    await SqliteStore.open(file).close();
    const r = await migrateSqliteToPostgres(file, server.url, { schema: 'empty' });
    expect(r.tables.every((t) => t.read === 0)).toBe(true);
    await expect(migrateSqliteToPostgres(file, server.url, { schema: 'empty' })).rejects.toThrow(/already holds a migrated store/);
  });

  it('a store flowd is running on is refused (its health probe is fresh); PostgreSQL stays empty', async () => {
    const file = tmp.file('live.db');
    const s = SqliteStore.open(file);
    await s.enqueue(orderEvent(1));
    expect(s.probeWrite()).toBeUndefined(); // what a running flowd does every second
    try {
      await expect(migrateSqliteToPostgres(file, server.url, { schema: 'live' })).rejects.toThrow(/a flowd is running on it .*Stop every flowd using this file first/);
    } finally { await s.close(); }
    // Refused before PostgreSQL was touched: not even the store's tables were created.
    expect((await admin.query(`SELECT to_regclass('live.jobs') AS t`)).rows[0].t).toBeNull();
    // A flowd that stopped cleanly removed its probe: it migrates at once.
    const r = await migrateSqliteToPostgres(file, server.url, { schema: 'live' });
    expect(r.tables.find((t) => t.table === 'jobs')!.read).toBe(1);
    expect(r.tables.find((t) => t.table === 'meta')!.read).toBe(0); // the old probe is not carried over
  });

  it('a killed flowd left its probe: refused until the probe window (75 s) has passed', async () => {
    const file = tmp.file('killed.db');
    const s = SqliteStore.open(file);
    await s.enqueue(orderEvent(1));
    await s.close();
    // What kill -9 leaves: the probe committed a moment ago, never removed.
    const raw = openDatabase(file);
    raw.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('health.probe', ?)`).run(String(Date.now()));
    raw.close();
    await expect(migrateSqliteToPostgres(file, server.url, { schema: 'killed', now: () => Date.now() + 30_000 })).rejects.toThrow(/a flowd is running on it .*after a kill -9, wait 75 s/);
    const r = await migrateSqliteToPostgres(file, server.url, { schema: 'killed', now: () => Date.now() + 80_000 });
    expect(r.tables.find((t) => t.table === 'jobs')!.read).toBe(1);
  });

  it('a file written while it is being copied (a flowd started meanwhile) is rolled back: PostgreSQL stays empty', async () => {
    const file = tmp.file('written.db');
    await fill(file);
    // Another connection keeps enqueueing while the migration runs (no health probe: it looks stopped).
    const writer = SqliteStore.open(file);
    let n = 0;
    const timer = setInterval(() => { void writer.enqueue(orderEvent(50_000 + ++n)); }, 2);
    try {
      const err = await migrateSqliteToPostgres(file, server.url, { schema: 'written', chunk: 50 }).catch((e: Error) => e);
      expect(n).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(MigrateError);
      expect((err as Error).message).toContain(`${file} was written while it was being migrated (a flowd started on it?); nothing was migrated`);
    } finally { clearInterval(timer); await writer.close(); }
    for (const t of TABLES) expect(await count('written', t), t).toBe(0);
  });

  it('a database another process is writing (a flowd mid-transaction) is refused, not waited for', async () => {
    const file = tmp.file('busy.db');
    const s = SqliteStore.open(file);
    await s.enqueue(orderEvent(1));
    await s.close();
    await (await PostgresStore.open(server.url, { schema: 'busy' })).close();
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO busy.watermarks (name, value, changed_at) VALUES ('xcart.orders', '{}', 1)`);
      await expect(migrateSqliteToPostgres(file, server.url, { schema: 'busy' })).rejects.toThrow(/\(schema busy\) is in use by another process .*stop every flowd on it/);
      await other.query('ROLLBACK');
    } finally { await other.end(); }
    for (const t of TABLES) expect(await count('busy', t), t).toBe(0);
  });

  it('a row of the wrong type mid-way (in runs, after jobs and dead letters went in) leaves PostgreSQL empty, naming the row', async () => {
    const file = tmp.file('bad-type.db');
    await fill(file);
    const db = openDatabase(file);
    db.prepare("UPDATE runs SET started_at = 'yesterday' WHERE id = 7").run();
    db.close();
    const err = await migrateSqliteToPostgres(file, server.url, { schema: 'badtype', chunk: 100 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as Error).message).toContain(`${file}: runs row id=7: column started_at should be an integer, is the text "yesterday"; nothing was migrated`);
    for (const t of TABLES) expect(await count('badtype', t), t).toBe(0);
    // Fixed, it migrates into the same (still empty) store.
    const fix = openDatabase(file);
    fix.prepare('UPDATE runs SET started_at = 1 WHERE id = 7').run();
    fix.close();
    const r = await migrateSqliteToPostgres(file, server.url, { schema: 'badtype' });
    expect(r.tables.find((t) => t.table === 'runs')!.verified).toBe(r.tables.find((t) => t.table === 'runs')!.read);
  });

  it('a row PostgreSQL refuses mid-way rolls everything back (PostgreSQL stays empty)', async () => {
    const file = tmp.file('pg-refuses.db');
    await fill(file);
    // Prepare the target store, then make PostgreSQL refuse one row of the last data table.
    await (await PostgresStore.open(server.url, { schema: 'refuse' })).close();
    await admin.query(`ALTER TABLE refuse.runs ADD CONSTRAINT no_standalone CHECK (correlation_id <> 'standalone')`);
    const err = await migrateSqliteToPostgres(file, server.url, { schema: 'refuse' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as Error).message).toMatch(/^runs: PostgreSQL refused a row \(rows id \d+\.\.\d+\): .*no_standalone.*nothing was migrated/);
    expect((err as Error).message).not.toContain(server.password);
    for (const t of TABLES) expect(await count('refuse', t), t).toBe(0);
    // And the id sequences did not move either (they are part of the transaction).
    const seq = await admin.query(`SELECT last_value, is_called FROM refuse.jobs_id_seq`);
    expect(seq.rows[0].is_called).toBe(false);
  });

  it('a damaged or missing file is refused before anything is written', async () => {
    await expect(migrateSqliteToPostgres(tmp.file('nope.db'), server.url, { schema: 'nope' })).rejects.toThrow(/no such file/);
    const file = tmp.file('not-a-store.db');
    const db = openDatabase(file); db.exec('CREATE TABLE x (a)'); db.close();
    await expect(migrateSqliteToPostgres(file, server.url, { schema: 'nope' })).rejects.toThrow(/is not a sound store, nothing was migrated:\n  table jobs is missing/);
  });
});
