/**
 * PostgresStore: the runtime store in PostgreSQL (node-postgres `pg`), shared by several flowd
 * processes. Same `Store` contract as SqliteStore (README.md), plus:
 *
 * - Leases take rows with `FOR UPDATE SKIP LOCKED` (two processes never wait for each other's
 *   jobs) and a fencing token each (`lease_fence`, from one sequence): every outcome, retry,
 *   dead-letter, heartbeat and release is one UPDATE that matches the job's state, owner **and**
 *   token, so a worker whose lease was taken over (it was paused, its network stalled, its id was
 *   reused by a restarted process) writes nothing for that job any more.
 * - Poll leadership (`leader(source)`): one row per poll source in `poll_leaders`, held for
 *   `leaderTtlMs` and renewed in the background; a dead or stalled leader's row expires and the
 *   next process to ask takes it over.
 * - Migrations (postgres-schema.ts) run at open under a transaction-level advisory lock.
 *
 * Every state change is one transaction committed before the promise resolves (PostgreSQL's
 * default `synchronous_commit = on`: durable on the server once resolved). Wake-ups: the engine
 * polls the store when idle (at most every 250 ms); no NOTIFY is sent inside a write.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './postgres-schema.js';
import {
  StoreError,
  type CompleteInput,
  type DeadLetter,
  type DeadLetterEventInput,
  type DeadLetterEventResult,
  type DeadLetterInput,
  type DeadLetterSummary,
  type EnqueueBatchOptions,
  type EnqueueInput,
  type EnqueueResult,
  type FlowStatus,
  type Job,
  type JobState,
  type LeaseOptions,
  type ListDeadLettersOptions,
  type ReplayResult,
  type RetryInput,
  type RowHashChange,
  type RunInput,
  type RunRecord,
  type Store,
  type StoreStatus,
} from './store.js';
import { toDeadLetter, toDeadLetterSummary, toJob, toRun, type DeadLetterRow, type JobRow, type RunRow } from './rows.js';
import { AnomalyTables } from './anomaly-tables.js';
import { ConsoleTables, type SqlExec, numberPlaceholders, RUN_EXTRAS_SQL, runExtras } from './console-tables.js';
import { checkDuration, checkLimit, checkName, checkRowHashChanges, checkRun, COMPLETE_OUTCOMES, firstLine, prepareEvent, type PreparedEvent } from './validate.js';

export interface PostgresStoreOptions {
  /**
   * The store's clock, epoch milliseconds. Default: this process's clock corrected to the database
   * server's (the offset measured at open and every minute), so that processes on hosts whose clocks
   * differ agree on lease expiry. Tests inject one (no correction then).
   */
  now?: () => number;
  /** This process's clock that the default `now` corrects (default Date.now; tests skew it). */
  processClock?: () => number;
  /** The PostgreSQL schema holding the tables (default `public`); created if missing. */
  schema?: string;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** Who this process is as a poll leader (default `host:pid:random`). Unique per process. */
  leaderId?: string;
  /** How long a poll leadership lasts without renewal (default 15 s): the takeover bound. */
  leaderTtlMs?: number;
}

type Db = pg.Pool | pg.PoolClient;

const JOB_COLUMNS = 'id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, state, attempts, next_attempt_at, lease_owner, lease_expires_at, lease_fence, last_error, last_error_class, reason, replay_of, created_at, changed_at, finished_at, duration_ms';
/** The lease a write is for: running, this owner, and (when known) this fencing token. */
const OWNED = `id = $1 AND state = 'running' AND lease_owner = $2 AND ($3::bigint IS NULL OR lease_fence = $3::bigint)`;
/**
 * The database server's clock in epoch ms: poll leadership is timed by it, not by each process's
 * clock, so hosts whose clocks differ still agree when a leadership expired.
 */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** BIGINT, COUNT and SUM come back as numbers (ids, times and counts here stay far below 2^53). */
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export class PostgresStore implements Store {
  readonly schema: string;
  readonly leaderId: string;
  readonly leaderTtlMs: number;
  private readonly pool: pg.Pool;
  private readonly now: () => number;
  private readonly where: string;
  /** The fencing token each (job, worker) lease of this instance was given. */
  private readonly held = new Map<string, number>();
  /** Poll sources this instance leads (renewed by `renewTimer`). */
  private readonly led = new Set<string>();
  private renewTimer: NodeJS.Timeout | undefined;
  private clockTimer: NodeJS.Timeout | undefined;
  /** Database clock minus process clock, ms (0 when `now` was injected). */
  private clockOffsetMs = 0;
  private readonly processClock: () => number;
  private readonly corrected: boolean;
  private closed = false;
  readonly console: ConsoleTables;
  readonly anomaly: AnomalyTables;

  private constructor(pool: pg.Pool, where: string, opts: PostgresStoreOptions, schema: string) {
    this.pool = pool;
    const exec: SqlExec = {
      all: async (sql, params) => (await this.pool.query(numberPlaceholders(sql), params as unknown[])).rows as never[],
      run: async (sql, params) => (await this.pool.query(numberPlaceholders(sql), params as unknown[])).rowCount ?? 0,
    };
    this.console = new ConsoleTables(exec, () => this.now());
    this.anomaly = new AnomalyTables(exec, () => this.now(), 'postgres');
    this.where = where;
    this.schema = schema;
    this.processClock = opts.processClock ?? Date.now;
    this.corrected = opts.now === undefined;
    const now = opts.now ?? (() => this.processClock() + this.clockOffsetMs);
    this.now = () => Math.floor(now());
    this.leaderId = opts.leaderId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaderTtlMs = opts.leaderTtlMs ?? 15_000;
    // An idle pooled connection that the server cut (a restart, pg_terminate_backend) is an 'error'
    // event, which unhandled would end the process. The pool has already dropped the client and the
    // next query opens a new one; whether the store works is what `probeWrite()` reports.
    pool.on('error', () => undefined);
  }

  /**
   * Connects (a pool of `poolSize`), creates the schema if needed and applies pending migrations
   * under an advisory lock (several processes may open the same database at once). Rejects with
   * a StoreError naming the server (never the password) and what PostgreSQL said.
   */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = opts.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new StoreError(`PostgreSQL store: schema must be a lower-case SQL name, got ${JSON.stringify(schema)}`);
    const where = redactUrl(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 4,
      types,
      application_name: 'flowd',
      // Every connection works in the store's schema.
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 10_000,
    });
    const store = new PostgresStore(pool, where, opts, schema);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof StoreError) throw err;
      throw store.openError(err);
    }
    if (store.corrected) {
      await store.syncClock().catch(() => undefined);
      store.clockTimer = setInterval(() => { void store.syncClock().catch(() => undefined); }, 60_000);
      store.clockTimer.unref();
    }
    store.renewTimer = setInterval(() => { void store.renewLeadership().catch(() => undefined); }, Math.max(100, Math.floor(store.leaderTtlMs / 3)));
    store.renewTimer.unref();
    return store;
  }

  /** The schema version this code writes. */
  static readonly schemaVersion = PG_SCHEMA_VERSION;

  private openError(err: unknown): StoreError {
    const e = err as Error & { code?: string };
    const hint = e.code === '28P01' ? ': the user or password is wrong (store.url)'
      : e.code === '3D000' ? ': create the database first (createdb), or fix the name in store.url'
        : e.code === 'ECONNREFUSED' ? ': is PostgreSQL running and listening there?' : '';
    return new StoreError(`cannot open the PostgreSQL store ${this.where} (${e.code ? `${e.code}: ` : ''}${e.message})${hint}`, { cause: err });
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One lock per schema for the whole migration: a second process waits, then finds it done.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`flowd.store.migrate:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL,
        applied_at BIGINT  NOT NULL)`);
      const found = (await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0]!.v;
      if (found > PG_SCHEMA_VERSION) {
        throw new StoreError(`PostgreSQL store ${this.where} (schema ${this.schema}) has schema version ${found}; this flowd knows up to ${PG_SCHEMA_VERSION}: upgrade flowd`);
      }
      for (const m of PG_MIGRATIONS) {
        if (m.version <= found) continue;
        await client.query('SAVEPOINT m');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, this.now()]);
        await client.query('RELEASE SAVEPOINT m');
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Measures the database clock against this process's (the midpoint of one round trip). */
  private async syncClock(): Promise<void> {
    const t0 = this.processClock();
    const rows = await this.q<{ now: number }>(this.pool, `SELECT ${DB_NOW} AS now`);
    const t1 = this.processClock();
    this.clockOffsetMs = Math.round(rows[0]!.now - (t0 + t1) / 2);
  }

  /** Database clock minus this process's clock, as last measured (ms). */
  get clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** Runs `fn` in one transaction; retried (whole) on a deadlock or serialization failure. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, isolation = ''): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      // A checked-out client has no pool listener: a session cut meanwhile (pg_terminate_backend, a
      // server restart) is an 'error' event that would end the process. The query rejects anyway;
      // the broken client is destroyed on release.
      let broken: Error | undefined;
      const onError = (err: Error) => { broken = err; };
      client.on('error', onError);
      try {
        await client.query(`BEGIN${isolation ? ` ISOLATION LEVEL ${isolation}` : ''}`);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  private async q<R extends pg.QueryResultRow>(db: Db, sql: string, params: unknown[] = []): Promise<R[]> {
    return (await db.query<R>(sql, params)).rows;
  }

  /**
   * A hot statement as a named prepared statement: each pooled connection parses and plans it once
   * (the per-job calls: enqueue, lease, isKeyDone, complete). `name` must be unique per SQL text.
   */
  private async prepared<R extends pg.QueryResultRow>(name: string, sql: string, params: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>({ name: `flowd_${name}`, text: sql, values: params })).rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    // Hand the poll sources over at once rather than after the TTL.
    if (this.led.size) await this.pool.query('DELETE FROM poll_leaders WHERE owner = $1', [this.leaderId]).catch(() => undefined);
    this.led.clear();
    await this.pool.end();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** A real write (`meta` row `health.probe`): undefined when the store accepts writes, else why not. */
  async probeWrite(): Promise<string | undefined> {
    if (this.closed) return 'store is closed';
    try {
      await this.pool.query(`INSERT INTO meta (key, value) VALUES ('health.probe', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [String(this.now())]);
      return undefined;
    } catch (err) {
      const e = err as Error & { code?: string };
      return `PostgreSQL store ${this.where} does not accept writes (${e.code ? `${e.code}: ` : ''}${e.message})`;
    }
  }

  // ------------------------------------------------------------------ events → jobs

  async enqueue(event: EnqueueInput): Promise<EnqueueResult> {
    const ev = prepareEvent(event);
    // One statement, no transaction round trips: insert unless the dedupe key exists, and answer
    // with the new job's id or the existing one's (a CTE's insert is invisible to the statement's own
    // SELECT, so exactly one of the two arms yields a row, but in the race below).
    const rows = await this.prepared<{ id: number; duplicate: boolean }>('enqueue', `
      WITH ins AS (
        INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                          state, attempts, next_attempt_at, created_at, changed_at)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $9, $9
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE flow = $1 AND dedupe_key = $8)
        ON CONFLICT (flow, dedupe_key) DO NOTHING
        RETURNING id)
      SELECT id, false AS duplicate FROM ins
      UNION ALL
      SELECT id, true AS duplicate FROM jobs WHERE flow = $1 AND dedupe_key = $8 AND NOT EXISTS (SELECT 1 FROM ins)`,
    [ev.flow, ev.flow_version, ev.source, ev.event_type, ev.entity_id, ev.updated_at, ev.payload, ev.dedupe_key, this.now()]);
    if (rows.length) return { jobId: rows[0]!.id, duplicate: rows[0]!.duplicate };
    // Another process inserted the same key after this statement's snapshot was taken: it is visible now.
    return this.tx((c) => this.insertEvent(c, ev, this.now()));
  }

  async enqueueBatch(events: readonly EnqueueInput[], opts: EnqueueBatchOptions = {}): Promise<EnqueueResult[]> {
    const evs = events.map(prepareEvent);
    if (opts.watermark) checkName('watermark name', opts.watermark.name);
    if (opts.rowHashes) checkRowHashChanges(opts.rowHashes.scope, opts.rowHashes.changes);
    return this.tx(async (c) => {
      const now = this.now();
      if (opts.leader !== undefined) {
        // FOR SHARE: a takeover (an UPDATE of this row) waits until this batch has committed.
        const leading = await this.q(c, `SELECT 1 FROM poll_leaders WHERE source = $1 AND owner = $2 AND expires_at > ${DB_NOW} FOR SHARE`, [opts.leader, this.leaderId]);
        if (!leading.length) {
          this.led.delete(opts.leader);
          throw new StoreError(`poll leadership of ${opts.leader} lost before its batch was stored: nothing written; the leader polls again from the stored watermark`);
        }
      }
      const results: EnqueueResult[] = [];
      for (const ev of evs) results.push(await this.insertEvent(c, ev, now));
      if (opts.watermark) await this.setWatermarkTx(c, opts.watermark.name, String(opts.watermark.value), now);
      if (opts.rowHashes) await this.applyRowHashesTx(c, opts.rowHashes.scope, opts.rowHashes.changes);
      return results;
    });
  }

  /**
   * Inserts unless (flow, dedupe key) exists. NOT EXISTS first, so a duplicate burns no id; ON
   * CONFLICT for the race with another process inserting the same key at the same moment.
   */
  private async insertEvent(c: Db, ev: PreparedEvent, now: number): Promise<EnqueueResult> {
    const inserted = await this.q<{ id: number }>(c, `
      INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                        state, attempts, next_attempt_at, created_at, changed_at)
      SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $9, $9
       WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE flow = $1 AND dedupe_key = $8)
      ON CONFLICT (flow, dedupe_key) DO NOTHING
      RETURNING id`, [ev.flow, ev.flow_version, ev.source, ev.event_type, ev.entity_id, ev.updated_at, ev.payload, ev.dedupe_key, now]);
    if (inserted.length) return { jobId: inserted[0]!.id, duplicate: false };
    const existing = await this.q<{ id: number }>(c, 'SELECT id FROM jobs WHERE flow = $1 AND dedupe_key = $2', [ev.flow, ev.dedupe_key]);
    if (!existing.length) throw new StoreError(`enqueue ${ev.flow}: the job with dedupe key ${ev.dedupe_key} is neither new nor visible (retry)`);
    return { jobId: existing[0]!.id, duplicate: true };
  }

  async getJob(jobId: number): Promise<Job | undefined> {
    const rows = await this.q<JobRow>(this.pool, `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [jobId]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  // ------------------------------------------------------------------ leases

  async lease(workerId: string, opts: LeaseOptions): Promise<Job[]> {
    checkName('workerId', workerId);
    const leaseMs = checkDuration('leaseMs', opts.leaseMs);
    const limit = opts.limit ?? 1;
    if (!Number.isInteger(limit) || limit < 1) throw new StoreError(`lease: limit must be a positive integer, got ${limit}`);
    if (opts.flows && opts.flows.length === 0) return [];
    const now = this.now();
    const params: unknown[] = [workerId, now, now + leaseMs, limit];
    if (opts.flows) params.push([...opts.flows]);
    const rows = await this.prepared<JobRow>(opts.flows ? 'lease_flows' : 'lease', `
      UPDATE jobs
         SET state = 'running', lease_owner = $1, lease_expires_at = $3, lease_fence = nextval('lease_fence'),
             attempts = attempts + 1, changed_at = $2
       WHERE id IN (
         SELECT id FROM jobs
          WHERE state IN ('queued', 'running') AND next_attempt_at <= $2
            AND (state = 'queued' OR lease_expires_at <= $2)
            ${opts.flows ? 'AND flow = ANY($5::text[])' : ''}
          ORDER BY next_attempt_at, id
          LIMIT $4
          FOR UPDATE SKIP LOCKED)
      RETURNING ${JOB_COLUMNS}`, params);
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    for (const r of rows) this.held.set(heldKey(r.id, workerId), r.lease_fence!);
    return rows.map(toJob);
  }

  /** The token to check for a write by `workerId` on `jobId`: the caller's, else the one this instance handed out. */
  private fenceOf(jobId: number, workerId: string, given: number | undefined): number | null {
    return given ?? this.held.get(heldKey(jobId, workerId)) ?? null;
  }

  /**
   * After a write for (job, worker): a lease that ended well is forgotten; a refused write marks
   * the lease lost (token -1, which no lease has), so every later write for it is refused too,
   * until this worker leases the job again.
   */
  private settle(jobId: number, workerId: string, ok: boolean, finished: boolean, given?: number): void {
    // A caller's own token says nothing about the lease this instance holds.
    if (given !== undefined && given !== this.held.get(heldKey(jobId, workerId))) return;
    const k = heldKey(jobId, workerId);
    if (!ok) this.held.set(k, LOST);
    else if (finished) this.held.delete(k);
  }

  async heartbeat(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
    const ms = checkDuration('leaseMs', leaseMs);
    const now = this.now();
    const r = await this.pool.query(`UPDATE jobs SET lease_expires_at = $4, changed_at = $5 WHERE ${OWNED}`,
      [jobId, workerId, this.fenceOf(jobId, workerId, undefined), now + ms, now]);
    this.settle(jobId, workerId, r.rowCount === 1, false);
    return r.rowCount === 1;
  }

  async release(jobId: number, workerId: string): Promise<boolean> {
    const r = await this.pool.query(`
      UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_fence = NULL,
                      attempts = GREATEST(attempts - 1, 0), changed_at = $4
       WHERE ${OWNED}`, [jobId, workerId, this.fenceOf(jobId, workerId, undefined), this.now()]);
    this.settle(jobId, workerId, r.rowCount === 1, true);
    return r.rowCount === 1;
  }

  // ------------------------------------------------------------------ outcomes

  async complete(jobId: number, workerId: string, result: CompleteInput): Promise<boolean> {
    if (!COMPLETE_OUTCOMES.has(result.outcome)) throw new StoreError(`complete: unknown outcome ${String(result.outcome)}`);
    const key = result.idempotencyKey;
    if (key) {
      checkName('idempotency key', key.key);
      checkDuration('keepMs', key.keepMs);
    }
    if (result.run) checkRun(result.run);
    const fence = this.fenceOf(jobId, workerId, result.fence);
    // One statement (data-modifying CTEs run atomically, with no BEGIN/COMMIT round trips): the
    // job's outcome, its idempotency key and its run, all only if the lease is still this worker's.
    const now = this.now();
    const run = result.run;
    const extras = run ? runExtras(0, run) : { keys: [], calls: [], count: [null, null, null] };
    const changed = await this.prepared<{ flow: string }>('complete', `
      WITH j AS (
        UPDATE jobs SET state = $4, lease_owner = NULL, lease_expires_at = NULL, lease_fence = NULL, changed_at = $5,
                        finished_at = $5, duration_ms = $6, flow_version = COALESCE($7, flow_version), reason = $8
         WHERE ${OWNED}
        RETURNING id, flow),
      k AS (
        INSERT INTO idempotency_keys (flow, key, job_id, done_at, expires_at)
        SELECT j.flow, $9::text, j.id, $5, $10::bigint FROM j WHERE $9::text IS NOT NULL
        ON CONFLICT (flow, key) DO UPDATE SET job_id = EXCLUDED.job_id, done_at = EXCLUDED.done_at, expires_at = EXCLUDED.expires_at),
      r AS (
        INSERT INTO runs (job_id, flow, flow_version, trigger, outcome, started_at, duration_ms, error, error_class,
                          site, correlation_id, recorded_at)
        SELECT $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $5 FROM j WHERE $11::boolean
        RETURNING id),
      rk AS (
        INSERT INTO run_keys (run_id, job_id, kind, value)
        SELECT r.id, x.job_id, x.kind, x.value FROM r, jsonb_to_recordset($23::jsonb) AS x(job_id bigint, kind text, value text)
        ON CONFLICT DO NOTHING),
      rc AS (
        INSERT INTO run_calls (run_id, seq, system, operation, kind, args, result, error, duration_ms)
        SELECT r.id, x.seq, x.system, x.operation, x.kind, x.args, x.result, x.error, x.duration_ms
          FROM r, jsonb_to_recordset($24::jsonb) AS x(seq integer, system text, operation text, kind text, args text, result text, error text, duration_ms bigint)),
      rn AS (
        INSERT INTO run_counts (flow, hour, outcome, n) SELECT $13, $25::bigint, $16, 1 FROM r
        ON CONFLICT (flow, hour, outcome) DO UPDATE SET n = run_counts.n + 1)
      SELECT flow FROM j`, [jobId, workerId, fence, result.outcome, now, Math.round(result.durationMs), result.flowVersion ?? null, result.reason ?? null,
      key?.key ?? null, key ? now + key.keepMs : null, run !== undefined,
      run?.jobId ?? null, run?.flow ?? null, run?.flowVersion ?? null, run?.trigger ?? null, run?.outcome ?? null,
      run ? Math.floor(run.startedAt) : null, run ? Math.round(run.durationMs) : null, run?.error ?? null, run?.errorClass ?? null,
      run?.site ?? null, run?.correlationId ?? null,
      // The run's business keys, calls and hourly count (console-tables.ts), as one JSON array each.
      JSON.stringify(extras.keys.map(([, job_id, kind, value]) => ({ job_id, kind, value }))),
      JSON.stringify(extras.calls.map(([, seq, system, operation, kind, args, result, error, duration_ms]) => ({ seq, system, operation, kind, args, result, error, duration_ms }))),
      extras.count[1]]);
    const done = changed.length > 0;
    this.settle(jobId, workerId, done, true, result.fence);
    return done;
  }

  async retry(jobId: number, workerId: string, input: RetryInput): Promise<boolean> {
    if (!Number.isFinite(input.nextAttemptAt)) throw new StoreError('retry: nextAttemptAt must be a time in ms');
    if (input.run) checkRun(input.run);
    const fence = this.fenceOf(jobId, workerId, input.fence);
    const done = await this.tx(async (c) => {
      const now = this.now();
      const r = await c.query(`
        UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_fence = NULL, changed_at = $4,
                        next_attempt_at = $5, last_error = $6, last_error_class = $7
         WHERE ${OWNED}`, [jobId, workerId, fence, now, Math.floor(input.nextAttemptAt), String(input.error), String(input.errorClass)]);
      if (r.rowCount !== 1) return false;
      if (input.run) await this.insertRun(c, input.run, now);
      return true;
    });
    this.settle(jobId, workerId, done, true, input.fence);
    return done;
  }

  async deadLetter(jobId: number, workerId: string, input: DeadLetterInput): Promise<number | null> {
    checkName('flowVersion', input.flowVersion);
    if (input.run) checkRun(input.run);
    const error = String(input.error);
    const reason = input.reason ?? firstLine(error);
    const fence = this.fenceOf(jobId, workerId, input.fence);
    const id = await this.tx(async (c) => {
      const now = this.now();
      const jobs = await this.q<JobRow>(c, `
        UPDATE jobs SET state = 'dead_letter', lease_owner = NULL, lease_expires_at = NULL, lease_fence = NULL, changed_at = $4,
                        finished_at = $4, flow_version = $5, last_error = $6, last_error_class = $7, reason = $8
         WHERE ${OWNED}
        RETURNING ${JOB_COLUMNS}`, [jobId, workerId, fence, now, input.flowVersion, error, String(input.errorClass), reason]);
      const job = jobs[0];
      if (!job) return null;
      const dl = await this.insertDeadLetter(c, {
        job: job.id, flow: job.flow, version: input.flowVersion, source: job.source, eventType: job.event_type, entityId: job.entity_id,
        updatedAt: job.updated_at, payload: job.payload, dedupeKey: job.dedupe_key, error, errorClass: String(input.errorClass), reason,
        site: input.site ?? null, attempts: job.attempts, now,
      });
      if (input.run) await this.insertRun(c, input.run, now);
      return dl;
    });
    this.settle(jobId, workerId, id !== null, true, input.fence);
    return id;
  }

  async deadLetterEvent(input: DeadLetterEventInput): Promise<DeadLetterEventResult> {
    const ev = prepareEvent(input);
    const error = String(input.error);
    const reason = input.reason ?? firstLine(error);
    const errorClass = String(input.errorClass);
    return this.tx(async (c) => {
      const now = this.now();
      const version = ev.flow_version ?? 'n/a';
      const job = await this.q<{ id: number }>(c, `
        INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                          state, attempts, next_attempt_at, last_error, last_error_class, reason, created_at, changed_at, finished_at)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'dead_letter', 0, $9, $10, $11, $12, $9, $9, $9
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE flow = $1 AND dedupe_key = $8)
        ON CONFLICT (flow, dedupe_key) DO NOTHING
        RETURNING id`, [ev.flow, version, ev.source, ev.event_type, ev.entity_id, ev.updated_at, ev.payload, ev.dedupe_key, now, error, errorClass, reason]);
      if (!job.length) {
        const existing = await this.q<{ id: number }>(c, 'SELECT id FROM jobs WHERE flow = $1 AND dedupe_key = $2', [ev.flow, ev.dedupe_key]);
        return { jobId: existing[0]!.id, deadLetterId: null, duplicate: true };
      }
      const dl = await this.insertDeadLetter(c, {
        job: job[0]!.id, flow: ev.flow, version, source: ev.source, eventType: ev.event_type, entityId: ev.entity_id,
        updatedAt: ev.updated_at, payload: ev.payload, dedupeKey: ev.dedupe_key, error, errorClass, reason, site: null, attempts: 0, now,
      });
      return { jobId: job[0]!.id, deadLetterId: dl, duplicate: false };
    });
  }

  private async insertDeadLetter(c: Db, d: {
    job: number; flow: string; version: string; source: string; eventType: string; entityId: string | null; updatedAt: string | null;
    payload: string; dedupeKey: string; error: string; errorClass: string; reason: string; site: string | null; attempts: number; now: number;
  }): Promise<number> {
    const rows = await this.q<{ id: number }>(c, `
      INSERT INTO dead_letters (job_id, flow, flow_version, source, event_type, entity_id, updated_at, payload,
                                dedupe_key, error, error_class, reason, site, attempts, created_at, changed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
      RETURNING id`, [d.job, d.flow, d.version, d.source, d.eventType, d.entityId, d.updatedAt, d.payload, d.dedupeKey, d.error, d.errorClass, d.reason, d.site, d.attempts, d.now]);
    return rows[0]!.id;
  }

  // ------------------------------------------------------------------ idempotency keys

  async isKeyDone(flow: string, key: string): Promise<boolean> {
    const rows = await this.prepared('key_done', 'SELECT 1 FROM idempotency_keys WHERE flow = $1 AND key = $2 AND expires_at > $3', [flow, key, this.now()]);
    return rows.length > 0;
  }

  async markKeyDone(flow: string, key: string, jobId: number | null, keepMs: number): Promise<void> {
    checkName('flow', flow);
    checkName('idempotency key', key);
    checkDuration('keepMs', keepMs);
    const now = this.now();
    await this.markKeyTx(this.pool, flow, key, jobId, now, now + keepMs);
  }

  private async markKeyTx(c: Db, flow: string, key: string, jobId: number | null, now: number, expires: number): Promise<void> {
    await c.query(`
      INSERT INTO idempotency_keys (flow, key, job_id, done_at, expires_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (flow, key) DO UPDATE SET job_id = EXCLUDED.job_id, done_at = EXCLUDED.done_at, expires_at = EXCLUDED.expires_at`,
    [flow, key, jobId, now, expires]);
  }

  async purgeExpiredKeys(): Promise<number> {
    const r = await this.pool.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [this.now()]);
    return r.rowCount ?? 0;
  }

  // ------------------------------------------------------------------ watermarks

  async getWatermark(name: string): Promise<string | undefined> {
    const rows = await this.q<{ value: string }>(this.pool, 'SELECT value FROM watermarks WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    checkName('watermark name', name);
    if (typeof value !== 'string') throw new StoreError('setWatermark: value must be a string (JSON-encode structured values)');
    await this.setWatermarkTx(this.pool, name, value, this.now());
  }

  private async setWatermarkTx(c: Db, name: string, value: string, now: number): Promise<void> {
    await c.query(`
      INSERT INTO watermarks (name, value, changed_at) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, changed_at = EXCLUDED.changed_at`, [name, value, now]);
  }

  // ------------------------------------------------------------------ row hashes

  async getRowHashes(scope: string): Promise<Map<string, string>> {
    const r = await this.pool.query<[string, string]>({ text: 'SELECT key, hash FROM row_hashes WHERE scope = $1', values: [scope], rowMode: 'array' });
    const map = new Map<string, string>();
    for (const row of r.rows) map.set(row[0], row[1]);
    return map;
  }

  async getRowHash(scope: string, key: string): Promise<string | undefined> {
    const rows = await this.q<{ hash: string }>(this.pool, 'SELECT hash FROM row_hashes WHERE scope = $1 AND key = $2', [scope, key]);
    return rows[0]?.hash;
  }

  async applyRowHashes(scope: string, changes: readonly RowHashChange[]): Promise<void> {
    checkRowHashChanges(scope, changes);
    await this.tx((c) => this.applyRowHashesTx(c, scope, changes));
  }

  /** The changes as their end state (a later change of a key wins), upserted and deleted in arrays of 10,000. */
  private async applyRowHashesTx(c: Db, scope: string, changes: readonly RowHashChange[]): Promise<void> {
    const last = new Map<string, string | null>();
    for (const ch of changes) last.set(ch.key, ch.hash);
    const upKeys: string[] = [];
    const upHashes: string[] = [];
    const gone: string[] = [];
    for (const [k, h] of last) {
      if (h === null) gone.push(k);
      else { upKeys.push(k); upHashes.push(h); }
    }
    const CHUNK = 10_000;
    for (let i = 0; i < upKeys.length; i += CHUNK) {
      await c.query(`
        INSERT INTO row_hashes (scope, key, hash) SELECT $1, k, h FROM unnest($2::text[], $3::text[]) AS t (k, h)
        ON CONFLICT (scope, key) DO UPDATE SET hash = EXCLUDED.hash`, [scope, upKeys.slice(i, i + CHUNK), upHashes.slice(i, i + CHUNK)]);
    }
    for (let i = 0; i < gone.length; i += CHUNK) {
      await c.query('DELETE FROM row_hashes WHERE scope = $1 AND key = ANY($2::text[])', [scope, gone.slice(i, i + CHUNK)]);
    }
  }

  async countRowHashes(scope: string): Promise<number> {
    const rows = await this.q<{ n: number }>(this.pool, 'SELECT COUNT(*) AS n FROM row_hashes WHERE scope = $1', [scope]);
    return rows[0]!.n;
  }

  // ------------------------------------------------------------------ dead-letter queue

  async listDeadLetters(opts: ListDeadLettersOptions = {}): Promise<DeadLetterSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [checkLimit(opts.limit)];
    if (opts.flow !== undefined) {
      params.push(opts.flow);
      where.push(`flow = $${params.length}`);
    }
    const state = opts.state ?? 'pending';
    if (state === 'pending') where.push('replayed_at IS NULL AND discarded_at IS NULL');
    else if (state === 'replayed') where.push('replayed_at IS NOT NULL');
    else if (state !== 'all') throw new StoreError(`listDeadLetters: unknown state ${String(state)}`);
    if (opts.reason !== undefined) {
      params.push(opts.reason);
      where.push(`reason = $${params.length}`);
    }
    if (opts.key !== undefined) {
      params.push(opts.key.trim(), opts.key.trim().toLowerCase());
      where.push(`(job_id IN (SELECT job_id FROM run_keys WHERE value IN ($${params.length - 1}, $${params.length})) OR entity_id = $${params.length - 1})`);
    }
    const rows = await this.q<DeadLetterRow>(this.pool, `
      SELECT id, job_id, flow, flow_version, source, event_type, entity_id, error_class, reason, site, attempts,
             created_at, changed_at, replayed_at, replay_job_id
        FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $1`, params);
    return rows.map(toDeadLetterSummary);
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    const rows = await this.q<DeadLetterRow>(this.pool, 'SELECT * FROM dead_letters WHERE id = $1', [id]);
    return rows[0] ? toDeadLetter(rows[0]) : undefined;
  }

  async replay(id: number): Promise<ReplayResult | undefined> {
    return this.tx((c) => this.replayTx(c, id, this.now()));
  }

  async replayAll(opts: { readonly flow?: string } = {}): Promise<ReplayResult[]> {
    return this.tx(async (c) => {
      const now = this.now();
      const ids = opts.flow === undefined
        ? await this.q<{ id: number }>(c, 'SELECT id FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL ORDER BY id')
        : await this.q<{ id: number }>(c, 'SELECT id FROM dead_letters WHERE flow = $1 AND replayed_at IS NULL AND discarded_at IS NULL ORDER BY id', [opts.flow]);
      const out: ReplayResult[] = [];
      for (const { id } of ids) out.push((await this.replayTx(c, id, now))!);
      return out;
    });
  }

  async resubmit(id: number, payload: unknown): Promise<ReplayResult | undefined> {
    const text = JSON.stringify(payload ?? null);
    return this.tx(async (c) => {
      const now = this.now();
      const dl = (await this.q<DeadLetterRow>(c, 'SELECT * FROM dead_letters WHERE id = $1 FOR UPDATE', [id]))[0];
      if (!dl) return undefined;
      const n = (await this.q<{ n: number }>(c, 'SELECT COUNT(*) AS n FROM jobs WHERE replay_of = $1', [id]))[0]!.n;
      const job = await this.q<{ id: number }>(c, `
        INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                          state, attempts, next_attempt_at, replay_of, created_at, changed_at)
        VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9, $8, $8)
        RETURNING id`, [dl.flow, dl.source, dl.event_type, dl.entity_id, dl.updated_at, text, `resubmit:${id}:${n + 1}`, now, id]);
      if (dl.replay_job_id === null) await c.query('UPDATE dead_letters SET replayed_at = $2, replay_job_id = $3, changed_at = $2 WHERE id = $1', [id, now, job[0]!.id]);
      return { deadLetterId: id, jobId: job[0]!.id, alreadyReplayed: dl.replay_job_id !== null };
    });
  }

  async discardDeadLetter(id: number, reason: string): Promise<boolean> {
    if (typeof reason !== 'string' || !reason.trim()) throw new StoreError('discardDeadLetter: a reason is required');
    const now = this.now();
    const r = await this.pool.query(`UPDATE dead_letters SET discarded_at = $2, discard_reason = $3, changed_at = $2
      WHERE id = $1 AND replayed_at IS NULL AND discarded_at IS NULL`, [id, now, reason]);
    return r.rowCount === 1;
  }

  /** The entry is locked first: two processes replaying it at once make one job. */
  private async replayTx(c: Db, id: number, now: number): Promise<ReplayResult | undefined> {
    const dl = (await this.q<DeadLetterRow>(c, 'SELECT * FROM dead_letters WHERE id = $1 FOR UPDATE', [id]))[0];
    if (!dl) return undefined;
    if (dl.replay_job_id !== null) return { deadLetterId: id, jobId: dl.replay_job_id, alreadyReplayed: true };
    const job = await this.q<{ id: number }>(c, `
      INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                        state, attempts, next_attempt_at, replay_of, created_at, changed_at)
      VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9, $8, $8)
      RETURNING id`, [dl.flow, dl.source, dl.event_type, dl.entity_id, dl.updated_at, dl.payload, `replay:${id}`, now, id]);
    await c.query('UPDATE dead_letters SET replayed_at = $2, replay_job_id = $3, changed_at = $2 WHERE id = $1', [id, now, job[0]!.id]);
    return { deadLetterId: id, jobId: job[0]!.id, alreadyReplayed: false };
  }

  // ------------------------------------------------------------------ run log

  async recordRun(run: RunInput): Promise<number> {
    checkRun(run);
    return this.tx((c) => this.insertRun(c, run, this.now()));
  }

  private async insertRun(c: Db, run: RunInput, now: number): Promise<number> {
    const rows = await this.q<{ id: number }>(c, `
      INSERT INTO runs (job_id, flow, flow_version, trigger, outcome, started_at, duration_ms, error, error_class,
                        site, correlation_id, recorded_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      RETURNING id`, [run.jobId, run.flow, run.flowVersion, run.trigger, run.outcome, Math.floor(run.startedAt), Math.round(run.durationMs),
      run.error ?? null, run.errorClass ?? null, run.site ?? null, run.correlationId, now]);
    const extras = runExtras(rows[0]!.id, run);
    for (const k of extras.keys) await c.query(numberPlaceholders(RUN_EXTRAS_SQL.key), k);
    for (const call of extras.calls) await c.query(numberPlaceholders(RUN_EXTRAS_SQL.call), call);
    await c.query(numberPlaceholders(RUN_EXTRAS_SQL.count), extras.count);
    return rows[0]!.id;
  }

  async listRuns(opts: { readonly flow?: string; readonly jobId?: number; readonly limit?: number } = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [checkLimit(opts.limit)];
    if (opts.flow !== undefined) {
      params.push(opts.flow);
      where.push(`flow = $${params.length}`);
    }
    if (opts.jobId !== undefined) {
      params.push(opts.jobId);
      where.push(`job_id = $${params.length}`);
    }
    const rows = await this.q<RunRow>(this.pool, `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $1`, params);
    return rows.map(toRun);
  }

  // ------------------------------------------------------------------ status, meta

  async status(): Promise<StoreStatus> {
    // One REPEATABLE READ snapshot: every count comes from the same moment.
    return this.tx(async (c) => {
      const now = this.now();
      const flows = new Map<string, { queued: number; ready: number; running: number; deadLettered: number }>();
      const entry = (flow: string) => {
        let e = flows.get(flow);
        if (!e) flows.set(flow, (e = { queued: 0, ready: 0, running: 0, deadLettered: 0 }));
        return e;
      };
      for (const r of await this.q<{ flow: string }>(c, 'SELECT DISTINCT flow FROM jobs')) entry(r.flow);
      for (const r of await this.q<{ flow: string; state: JobState; n: number; ready: number }>(c, `
        SELECT flow, state, COUNT(*) AS n, SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END) AS ready
          FROM jobs WHERE state IN ('queued', 'running') GROUP BY flow, state`, [now])) {
        const e = entry(r.flow);
        if (r.state === 'queued') {
          e.queued = r.n;
          e.ready = r.ready;
        } else e.running = r.n;
      }
      for (const r of await this.q<{ flow: string; n: number }>(c, 'SELECT flow, COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL GROUP BY flow')) entry(r.flow).deadLettered = r.n;
      const lastRuns = new Map<string, RunRow>();
      for (const r of await this.q<RunRow>(c, 'SELECT r.* FROM (SELECT DISTINCT flow FROM run_counts) f JOIN runs r ON r.id = (SELECT MAX(id) FROM runs WHERE flow = f.flow)')) {
        lastRuns.set(r.flow, r);
        entry(r.flow);
      }
      const lastErrors = new Map<string, RunRow>();
      for (const r of await this.q<RunRow>(c, 'SELECT DISTINCT ON (flow) * FROM runs WHERE error IS NOT NULL ORDER BY flow, id DESC')) lastErrors.set(r.flow, r);
      const result: FlowStatus[] = [...flows.keys()].sort().map((flow) => {
        const e = flows.get(flow)!;
        const last = lastRuns.get(flow);
        const err = lastErrors.get(flow);
        return {
          flow,
          ...e,
          lastRun: last ? { at: last.started_at + last.duration_ms, outcome: last.outcome, jobId: last.job_id } : null,
          lastError: err
            ? { at: err.started_at + err.duration_ms, outcome: err.outcome, error: err.error!, errorClass: err.error_class, site: err.site }
            : null,
        };
      });
      const totals = { queued: 0, ready: 0, running: 0, deadLettered: 0 };
      for (const f of result) {
        totals.queued += f.queued;
        totals.ready += f.ready;
        totals.running += f.running;
        totals.deadLettered += f.deadLettered;
      }
      return { flows: result, totals, queueDepth: totals.queued + totals.running, now };
    }, 'REPEATABLE READ READ ONLY');
  }

  async getMeta(key: string): Promise<string | undefined> {
    const rows = await this.q<{ value: string }>(this.pool, 'SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    checkName('meta key', key);
    if (typeof value !== 'string') throw new StoreError('setMeta: value must be a string');
    await this.pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
  }

  // ------------------------------------------------------------------ poll leadership

  /**
   * True when this process leads the poll source `source` now (it held it, or the row was free or
   * expired and it took it), renewing the leadership for `leaderTtlMs` (by the database's clock). One statement: two
   * processes asking at once cannot both win. A leader that dies (or stalls longer than the TTL)
   * loses the row; the next process to ask takes it over. Rejects when the store cannot be reached
   * (the poll counts as failed).
   */
  async leader(source: string): Promise<boolean> {
    checkName('poll source', source);
    // EXCLUDED.acquired_at is the database's now.
    const r = await this.pool.query(`
      INSERT INTO poll_leaders (source, owner, acquired_at, expires_at) SELECT $1, $2, t.now, t.now + $3 FROM (SELECT ${DB_NOW} AS now) t
      ON CONFLICT (source) DO UPDATE
        SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,
            acquired_at = CASE WHEN poll_leaders.owner = EXCLUDED.owner THEN poll_leaders.acquired_at ELSE EXCLUDED.acquired_at END
        WHERE poll_leaders.owner = EXCLUDED.owner OR poll_leaders.expires_at <= EXCLUDED.acquired_at
      RETURNING owner`, [source, this.leaderId, this.leaderTtlMs]);
    const lead = r.rowCount === 1;
    if (lead) this.led.add(source);
    else this.led.delete(source);
    return lead;
  }

  /** Who leads each poll source now (unexpired rows), for `flowd status` and tests. */
  async leaders(): Promise<{ source: string; owner: string; acquiredAt: number; expiresAt: number }[]> {
    const rows = await this.q<{ source: string; owner: string; acquired_at: number; expires_at: number }>(this.pool,
      `SELECT source, owner, acquired_at, expires_at FROM poll_leaders WHERE expires_at > ${DB_NOW} ORDER BY source`);
    return rows.map((r) => ({ source: r.source, owner: r.owner, acquiredAt: r.acquired_at, expiresAt: r.expires_at }));
  }

  /** Extends every leadership this process still holds; a source taken over meanwhile is dropped. */
  private async renewLeadership(): Promise<void> {
    if (!this.led.size || this.closed) return;
    const r = await this.q<{ source: string }>(this.pool,
      `UPDATE poll_leaders SET expires_at = ${DB_NOW} + $3 WHERE owner = $1 AND source = ANY($2::text[]) AND expires_at > ${DB_NOW} RETURNING source`,
      [this.leaderId, [...this.led], this.leaderTtlMs]);
    const kept = new Set(r.map((x) => x.source));
    for (const s of [...this.led]) if (!kept.has(s)) this.led.delete(s);
  }
}

/** The token of a lease known to be lost: no lease has it (tokens come from a sequence starting at 1). */
const LOST = -1;

function heldKey(jobId: number, workerId: string): string {
  return `${jobId}\u0000${workerId}`;
}

// ------------------------------------------------------------------ mapping
