/**
 * SqliteStore: the runtime store in one SQLite file (better-sqlite3, synchronous API).
 *
 * Durability: WAL journal; enqueues commit with synchronous=FULL (fsynced before the call returns, so
 * an acknowledged event is on disk), other writes with NORMAL (safe against a process crash); every
 * state change is one transaction. Write transactions are BEGIN IMMEDIATE: they take the database's
 * write lock up front, which is what makes `lease` atomic across processes sharing the file (and
 * avoids SQLITE_BUSY on a read-to-write upgrade). Waiting for another process's lock is bounded by
 * busy_timeout; it blocks the event loop for that long at most (the driver is synchronous).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { openDatabase, type Database, type SqlValue, type Statement } from './sqlite-driver.js';
import { toDeadLetter, toDeadLetterSummary, toJob, toRun, type DeadLetterRow, type JobRow, type RunRow } from './rows.js';
import { AnomalyTables } from './anomaly-tables.js';
import { ConsoleTables, type SqlExec, RUN_EXTRAS_SQL, runExtras } from './console-tables.js';
import { checkDuration, checkLimit, checkName, checkRowHashChanges, checkRun, COMPLETE_OUTCOMES, firstLine, prepareEvent, type PreparedEvent } from './validate.js';
import {
  StoreError,
  type CompleteInput,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterEventInput,
  type DeadLetterEventResult,
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

export interface SqliteStoreOptions {
  /** The store's clock, epoch milliseconds (default Date.now). Tests inject one. */
  now?: () => number;
  /** How long to wait for another connection's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

type Params = Record<string, SqlValue>;

/** WAL pages between automatic checkpoints (4 KiB pages: about 4 MiB). */
export const WAL_AUTOCHECKPOINT_PAGES = 1000;
/** Size the -wal file is cut back to after a checkpoint (journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;
/** How often the health probe (probeWrite) commits its write; between commits it rolls it back. */
export const PROBE_COMMIT_MS = 60_000;
const PROBE_ROLLBACK = new Error('probe rollback');
const JOB_COLUMNS = 'id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, state, attempts, next_attempt_at, lease_owner, lease_expires_at, last_error, last_error_class, reason, replay_of, created_at, changed_at, finished_at, duration_ms';

export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database;
  private readonly now: () => number;
  private readonly stmts: ReturnType<typeof prepareStatements>;
  /** When probeWrite last committed (store clock). */
  private lastProbeCommit: number | undefined;
  private readonly dynamic = new Map<string, Statement>();
  /** Device and inode of the file opened (undefined for `:memory:`): what `fileProblem` compares the path with. */
  private readonly identity: { dev: number; ino: number } | undefined;
  readonly console: ConsoleTables;
  readonly anomaly: AnomalyTables;

  private constructor(file: string, db: Database, now: () => number) {
    this.file = file;
    this.db = db;
    this.now = () => Math.floor(now());
    this.stmts = prepareStatements(db);
    const exec: SqlExec = {
      all: async (sql, params) => this.stmt(sql).all(...(params as SqlValue[])) as never[],
      run: async (sql, params) => this.stmt(sql).run(...(params as SqlValue[])).changes,
    };
    this.console = new ConsoleTables(exec, this.now);
    this.anomaly = new AnomalyTables(exec, this.now, 'sqlite');
    if (file !== ':memory:') {
      const st = fs.statSync(file);
      this.identity = { dev: st.dev, ino: st.ino };
    }
  }

  /**
   * Why the database this store writes is no longer the store at its path, or undefined while it
   * is: the file was deleted or replaced (another device+inode at the path) while open. SQLite keeps
   * writing to the open (now unlinked) file, so what it commits then is lost to the next start:
   * enqueues refuse in that state, and flowd reports it (health, alert).
   */
  fileProblem(): string | undefined {
    if (!this.identity) return undefined;
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? `store file ${this.file} was deleted while open` : `store file ${this.file} cannot be read (${code ?? (err as Error).message})`;
    }
    if (st.dev !== this.identity.dev || st.ino !== this.identity.ino) return `store file ${this.file} was replaced by another file while open (inode ${this.identity.ino} open, ${st.ino} at the path)`;
    return undefined;
  }

  /**
   * A real write (a `meta` row `health.probe`, one IMMEDIATE transaction) after `fileProblem`:
   * undefined when the store accepts writes, else what stops it (a read-only directory or file,
   * a full disk, a corrupt page, a replaced file). Readiness is this, not "the file opened".
   */
  probeWrite(): string | undefined {
    const problem = this.fileProblem();
    if (problem) return problem;
    try {
      // Committed at most every PROBE_COMMIT_MS; in between the same write is rolled back (it still
      // takes the write lock and meets a read-only file or a corrupt page), so the probe flowd runs
      // every second does not add a WAL frame every second (issue 11).
      const now = this.now();
      if (this.lastProbeCommit === undefined || now - this.lastProbeCommit >= PROBE_COMMIT_MS) {
        this.db.transaction(() => this.stmts.setMeta.run('health.probe', String(now))).immediate();
        this.lastProbeCommit = now;
      } else {
        try {
          this.db.transaction(() => { this.stmts.setMeta.run('health.probe', String(now)); throw PROBE_ROLLBACK; }).immediate();
        } catch (err) { if (err !== PROBE_ROLLBACK) throw err; }
      }
      return undefined;
    } catch (err) {
      const e = err as Error & { code?: string };
      return `store file ${this.file} does not accept writes (${e.code ? `${e.code}: ` : ''}${e.message})`;
    }
  }

  private assertSameFile(): void {
    const problem = this.fileProblem();
    if (problem) throw new StoreError(`${problem}: not accepting events (restart flowd on the right file)`);
  }

  /**
   * Opens (creating if needed) the store file: WAL, synchronous=NORMAL (FULL for enqueues), busy_timeout, foreign keys,
   * then applies pending migrations. Several processes may open the same file.
   */
  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let db: Database;
    try {
      db = openDatabase(file, { timeout: opts.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw openError(file, err);
    }
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (file !== ':memory:' && String(mode).toLowerCase() !== 'wal') {
        throw new StoreError(`cannot switch ${file} to WAL (journal_mode is ${String(mode)})`);
      }
      // NORMAL in WAL mode: a commit survives a crash of the process (SIGKILL), and only an OS crash
      // or power loss can lose the last ones. Accepting events is the exception: enqueue commits
      // with FULL (fsync), because an event is acknowledged to its sender once it returns. What
      // NORMAL may lose (a lease, a completion) makes a job run again, which the flows' idempotency
      // and the connectors' existence checks absorb.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // 32 MiB page cache: a 100k-key row-hash scope stays in memory between polls.
      db.pragma(`cache_size = -${32 * 1024}`);
      // The WAL stays bounded: checkpointed every WAL_AUTOCHECKPOINT_PAGES pages (SQLite's default,
      // said here), and cut back to WAL_SIZE_LIMIT_BYTES when a checkpoint lets it restart, so a burst
      // (a big poll, a replay) does not leave a large -wal file behind. An idle flowd writes nothing.
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      migrate(db, opts.now ?? Date.now);
      return new SqliteStore(file, db, opts.now ?? Date.now);
    } catch (err) {
      db.close();
      throw err instanceof StoreError ? err : openError(file, err);
    }
  }

  /** The schema version this code writes. */
  static readonly schemaVersion = SCHEMA_VERSION;

  async close(): Promise<void> {
    if (!this.db.open) return;
    // A flowd that stops cleanly takes its liveness row with it, so `flowd store migrate` (which
    // reads a fresh `health.probe` as "a flowd is running here") need not wait out the probe's age.
    if (this.lastProbeCommit !== undefined) {
      try { this.db.prepare(`DELETE FROM meta WHERE key = 'health.probe'`).run(); } catch { /* read-only or damaged: close anyway */ }
    }
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  // ------------------------------------------------------------------ events → jobs

  async enqueue(event: EnqueueInput): Promise<EnqueueResult> {
    const ev = prepareEvent(event);
    this.assertSameFile();
    return this.durably(() => this.db.transaction(() => this.insertEvent(ev, this.now())).immediate());
  }

  /** Runs a write with synchronous=FULL: its commit is fsynced before it returns (acknowledged events). */
  private durably<T>(fn: () => T): T {
    this.db.pragma('synchronous = FULL');
    try { return fn(); } finally { this.db.pragma('synchronous = NORMAL'); }
  }

  async enqueueBatch(events: readonly EnqueueInput[], opts: EnqueueBatchOptions = {}): Promise<EnqueueResult[]> {
    const evs = events.map(prepareEvent);
    if (opts.watermark) checkName('watermark name', opts.watermark.name);
    if (opts.rowHashes) checkRowHashChanges(opts.rowHashes.scope, opts.rowHashes.changes);
    this.assertSameFile();
    return this.durably(() => this.db.transaction(() => {
      const now = this.now();
      const results = evs.map((ev) => this.insertEvent(ev, now));
      if (opts.watermark) this.stmts.setWatermark.run({ name: opts.watermark.name, value: String(opts.watermark.value), now });
      if (opts.rowHashes) this.applyRowHashesTx(opts.rowHashes.scope, opts.rowHashes.changes);
      return results;
    }).immediate());
  }

  private insertEvent(ev: PreparedEvent, now: number): EnqueueResult {
    // Look first (inside the write lock): an INSERT that hits the conflict would still burn an id.
    const existing = this.stmts.jobByDedupe.get({ flow: ev.flow, dedupe_key: ev.dedupe_key }) as { id: number } | undefined;
    if (existing) return { jobId: existing.id, duplicate: true };
    const inserted = this.stmts.insertJob.get({ ...ev, now }) as { id: number };
    return { jobId: inserted.id, duplicate: false };
  }

  async getJob(jobId: number): Promise<Job | undefined> {
    const row = this.stmts.jobById.get(jobId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  // ------------------------------------------------------------------ leases

  async lease(workerId: string, opts: LeaseOptions): Promise<Job[]> {
    checkName('workerId', workerId);
    const leaseMs = checkDuration('leaseMs', opts.leaseMs);
    const limit = opts.limit ?? 1;
    if (!Number.isInteger(limit) || limit < 1) throw new StoreError(`lease: limit must be a positive integer, got ${limit}`);
    if (opts.flows && opts.flows.length === 0) return [];
    const rows = this.db.transaction(() => {
      const now = this.now();
      const params: Params = { worker: workerId, now, expires: now + leaseMs, limit };
      if (opts.flows) params.flows = JSON.stringify(opts.flows);
      return (opts.flows ? this.stmts.leaseFlows : this.stmts.lease).all(params) as JobRow[];
    }).immediate();
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    return rows.map(toJob);
  }

  async heartbeat(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
    const ms = checkDuration('leaseMs', leaseMs);
    return this.db.transaction(() => {
      const now = this.now();
      return this.stmts.heartbeat.run({ id: jobId, worker: workerId, now, expires: now + ms }).changes === 1;
    }).immediate();
  }

  async release(jobId: number, workerId: string): Promise<boolean> {
    return this.db.transaction(() => this.stmts.release.run({ id: jobId, worker: workerId, now: this.now() }).changes === 1).immediate();
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
    return this.db.transaction(() => {
      const now = this.now();
      const changed = this.stmts.complete.get({
        id: jobId,
        worker: workerId,
        now,
        state: result.outcome,
        duration: Math.round(result.durationMs),
        version: result.flowVersion ?? null,
        reason: result.reason ?? null,
      }) as { flow: string } | undefined;
      if (!changed) return false;
      if (key) this.stmts.markKey.run({ flow: changed.flow, key: key.key, job: jobId, now, expires: now + key.keepMs });
      if (result.run) this.insertRun(result.run, now);
      return true;
    }).immediate();
  }

  async retry(jobId: number, workerId: string, input: RetryInput): Promise<boolean> {
    if (!Number.isFinite(input.nextAttemptAt)) throw new StoreError('retry: nextAttemptAt must be a time in ms');
    if (input.run) checkRun(input.run);
    return this.db.transaction(() => {
      const now = this.now();
      const changes = this.stmts.retry.run({
        id: jobId,
        worker: workerId,
        now,
        next: Math.floor(input.nextAttemptAt),
        error: String(input.error),
        errorClass: String(input.errorClass),
      }).changes;
      if (changes !== 1) return false;
      if (input.run) this.insertRun(input.run, now);
      return true;
    }).immediate();
  }

  async deadLetter(jobId: number, workerId: string, input: DeadLetterInput): Promise<number | null> {
    checkName('flowVersion', input.flowVersion);
    if (input.run) checkRun(input.run);
    const error = String(input.error);
    const reason = input.reason ?? firstLine(error);
    return this.db.transaction(() => {
      const now = this.now();
      const job = this.stmts.markDeadLetter.get({
        id: jobId,
        worker: workerId,
        now,
        version: input.flowVersion,
        error,
        errorClass: String(input.errorClass),
        reason,
      }) as JobRow | undefined;
      if (!job) return null;
      const dl = this.stmts.insertDeadLetter.get({
        job: job.id,
        flow: job.flow,
        version: input.flowVersion,
        source: job.source,
        eventType: job.event_type,
        entityId: job.entity_id,
        updatedAt: job.updated_at,
        payload: job.payload,
        dedupeKey: job.dedupe_key,
        error,
        errorClass: String(input.errorClass),
        reason,
        site: input.site ?? null,
        attempts: job.attempts,
        now,
      }) as { id: number };
      if (input.run) this.insertRun(input.run, now);
      return dl.id;
    }).immediate();
  }

  async deadLetterEvent(input: DeadLetterEventInput): Promise<DeadLetterEventResult> {
    const ev = prepareEvent(input);
    const error = String(input.error);
    const reason = input.reason ?? firstLine(error);
    const errorClass = String(input.errorClass);
    this.assertSameFile();
    return this.durably(() => this.db.transaction(() => {
      const now = this.now();
      const existing = this.stmts.jobByDedupe.get({ flow: ev.flow, dedupe_key: ev.dedupe_key }) as { id: number } | undefined;
      if (existing) return { jobId: existing.id, deadLetterId: null, duplicate: true };
      const version = ev.flow_version ?? 'n/a';
      const job = this.stmts.insertDeadJob.get({ ...ev, flow_version: version, now, error, errorClass, reason }) as { id: number };
      const dl = this.stmts.insertDeadLetter.get({
        job: job.id, flow: ev.flow, version, source: ev.source, eventType: ev.event_type, entityId: ev.entity_id,
        updatedAt: ev.updated_at, payload: ev.payload, dedupeKey: ev.dedupe_key, error, errorClass, reason, site: null, attempts: 0, now,
      }) as { id: number };
      return { jobId: job.id, deadLetterId: dl.id, duplicate: false };
    }).immediate());
  }

  // ------------------------------------------------------------------ idempotency keys

  async isKeyDone(flow: string, key: string): Promise<boolean> {
    return this.stmts.keyDone.get({ flow, key, now: this.now() }) !== undefined;
  }

  async markKeyDone(flow: string, key: string, jobId: number | null, keepMs: number): Promise<void> {
    checkName('flow', flow);
    checkName('idempotency key', key);
    checkDuration('keepMs', keepMs);
    this.db.transaction(() => {
      const now = this.now();
      this.stmts.markKey.run({ flow, key, job: jobId, now, expires: now + keepMs });
    }).immediate();
  }

  async purgeExpiredKeys(): Promise<number> {
    return this.db.transaction(() => this.stmts.purgeKeys.run({ now: this.now() }).changes).immediate();
  }

  // ------------------------------------------------------------------ watermarks

  async getWatermark(name: string): Promise<string | undefined> {
    return this.stmts.getWatermark.get(name) as string | undefined;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    checkName('watermark name', name);
    if (typeof value !== 'string') throw new StoreError('setWatermark: value must be a string (JSON-encode structured values)');
    this.db.transaction(() => this.stmts.setWatermark.run({ name, value, now: this.now() })).immediate();
  }

  // ------------------------------------------------------------------ row hashes

  async getRowHashes(scope: string): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const row of this.stmts.rowHashes.all(scope) as [string, string][]) map.set(row[0], row[1]);
    return map;
  }

  async getRowHash(scope: string, key: string): Promise<string | undefined> {
    return this.stmts.rowHash.get(scope, key) as string | undefined;
  }

  /** Synchronous lookup for hot loops (e.g. `changedRows(session, query, (k) => store.getRowHashSync(scope, k))`). */
  getRowHashSync(scope: string, key: string): string | undefined {
    return this.stmts.rowHash.get(scope, key) as string | undefined;
  }

  async applyRowHashes(scope: string, changes: readonly RowHashChange[]): Promise<void> {
    checkRowHashChanges(scope, changes);
    this.db.transaction(() => this.applyRowHashesTx(scope, changes)).immediate();
  }

  private applyRowHashesTx(scope: string, changes: readonly RowHashChange[]): void {
    const { upsertRowHash, deleteRowHash } = this.stmts;
    for (const c of changes) {
      if (c.hash === null) deleteRowHash.run(scope, c.key);
      else upsertRowHash.run(scope, c.key, c.hash);
    }
  }

  async countRowHashes(scope: string): Promise<number> {
    return this.stmts.countRowHashes.get(scope) as number;
  }

  // ------------------------------------------------------------------ dead-letter queue

  async listDeadLetters(opts: ListDeadLettersOptions = {}): Promise<DeadLetterSummary[]> {
    const where: string[] = [];
    const params: Params = { limit: checkLimit(opts.limit) };
    if (opts.flow !== undefined) {
      where.push('flow = @flow');
      params.flow = opts.flow;
    }
    const state = opts.state ?? 'pending';
    if (state === 'pending') where.push('replayed_at IS NULL AND discarded_at IS NULL');
    else if (state === 'replayed') where.push('replayed_at IS NOT NULL');
    else if (state !== 'all') throw new StoreError(`listDeadLetters: unknown state ${String(state)}`);
    if (opts.reason !== undefined) {
      where.push('reason = @reason');
      params.reason = opts.reason;
    }
    if (opts.key !== undefined) {
      where.push(`(job_id IN (SELECT job_id FROM run_keys WHERE value IN (@key, @keyLower)) OR entity_id = @key)`);
      params.key = opts.key.trim();
      params.keyLower = opts.key.trim().toLowerCase();
    }
    const sql = `SELECT id, job_id, flow, flow_version, source, event_type, entity_id, error_class, reason, site, attempts,
        created_at, changed_at, replayed_at, replay_job_id
      FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return (this.stmt(sql).all(params) as DeadLetterRow[]).map(toDeadLetterSummary);
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    const row = this.stmts.deadLetterById.get(id) as DeadLetterRow | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  async replay(id: number): Promise<ReplayResult | undefined> {
    return this.db.transaction(() => this.replayTx(id, this.now())).immediate();
  }

  async replayAll(opts: { readonly flow?: string } = {}): Promise<ReplayResult[]> {
    return this.db.transaction(() => {
      const now = this.now();
      const ids = (opts.flow === undefined
        ? this.stmts.pendingDeadLetterIds.all()
        : this.stmts.pendingDeadLetterIdsOfFlow.all(opts.flow)) as number[];
      return ids.map((id) => this.replayTx(id, now)!);
    }).immediate();
  }

  async resubmit(id: number, payload: unknown): Promise<ReplayResult | undefined> {
    const text = JSON.stringify(payload ?? null);
    return this.db.transaction(() => {
      const now = this.now();
      const dl = this.stmts.deadLetterById.get(id) as DeadLetterRow | undefined;
      if (!dl) return undefined;
      const n = this.stmt('SELECT COUNT(*) FROM jobs WHERE replay_of = ?').pluck().get(id) as number;
      const job = this.stmts.insertReplayJob.get({
        flow: dl.flow, source: dl.source, event_type: dl.event_type, entity_id: dl.entity_id, updated_at: dl.updated_at,
        payload: text, dedupe_key: `resubmit:${id}:${n + 1}`, replay_of: id, now,
      }) as { id: number };
      if (dl.replay_job_id === null) this.stmts.markReplayed.run({ id, job: job.id, now });
      return { deadLetterId: id, jobId: job.id, alreadyReplayed: dl.replay_job_id !== null };
    }).immediate();
  }

  async discardDeadLetter(id: number, reason: string): Promise<boolean> {
    if (typeof reason !== 'string' || !reason.trim()) throw new StoreError('discardDeadLetter: a reason is required');
    const now = this.now();
    return this.db.transaction(() => this.stmt(`UPDATE dead_letters SET discarded_at = ?, discard_reason = ?, changed_at = ?
      WHERE id = ? AND replayed_at IS NULL AND discarded_at IS NULL`).run(now, reason, now, id).changes === 1).immediate();
  }

  private replayTx(id: number, now: number): ReplayResult | undefined {
    const dl = this.stmts.deadLetterById.get(id) as DeadLetterRow | undefined;
    if (!dl) return undefined;
    if (dl.replay_job_id !== null) return { deadLetterId: id, jobId: dl.replay_job_id, alreadyReplayed: true };
    const job = this.stmts.insertReplayJob.get({
      flow: dl.flow,
      source: dl.source,
      event_type: dl.event_type,
      entity_id: dl.entity_id,
      updated_at: dl.updated_at,
      payload: dl.payload,
      dedupe_key: `replay:${id}`,
      replay_of: id,
      now,
    }) as { id: number };
    this.stmts.markReplayed.run({ id, job: job.id, now });
    return { deadLetterId: id, jobId: job.id, alreadyReplayed: false };
  }

  // ------------------------------------------------------------------ run log

  async recordRun(run: RunInput): Promise<number> {
    checkRun(run);
    return this.db.transaction(() => this.insertRun(run, this.now())).immediate();
  }

  private insertRun(run: RunInput, now: number): number {
    const row = this.stmts.insertRun.get({
      job: run.jobId,
      flow: run.flow,
      version: run.flowVersion,
      trigger: run.trigger,
      outcome: run.outcome,
      startedAt: Math.floor(run.startedAt),
      duration: Math.round(run.durationMs),
      error: run.error ?? null,
      errorClass: run.errorClass ?? null,
      site: run.site ?? null,
      correlation: run.correlationId,
      now,
    }) as { id: number };
    const extras = runExtras(row.id, run);
    for (const k of extras.keys) this.stmt(RUN_EXTRAS_SQL.key).run(...(k as SqlValue[]));
    for (const c of extras.calls) this.stmt(RUN_EXTRAS_SQL.call).run(...(c as SqlValue[]));
    this.stmt(RUN_EXTRAS_SQL.count).run(...(extras.count as SqlValue[]));
    return row.id;
  }

  async listRuns(opts: { readonly flow?: string; readonly jobId?: number; readonly limit?: number } = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: Params = { limit: checkLimit(opts.limit) };
    if (opts.flow !== undefined) {
      where.push('flow = @flow');
      params.flow = opts.flow;
    }
    if (opts.jobId !== undefined) {
      where.push('job_id = @job');
      params.job = opts.jobId;
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return (this.stmt(sql).all(params) as RunRow[]).map(toRun);
  }

  // ------------------------------------------------------------------ status, meta

  async status(): Promise<StoreStatus> {
    // One read transaction: every count comes from the same snapshot.
    return this.db.transaction(() => {
      const now = this.now();
      const flows = new Map<string, { queued: number; ready: number; running: number; deadLettered: number }>();
      const entry = (flow: string) => {
        let e = flows.get(flow);
        if (!e) flows.set(flow, (e = { queued: 0, ready: 0, running: 0, deadLettered: 0 }));
        return e;
      };
      for (const flow of this.stmts.jobFlows.all() as string[]) entry(flow);
      for (const r of this.stmts.statusJobs.all({ now }) as { flow: string; state: JobState; n: number; ready: number }[]) {
        const e = entry(r.flow);
        if (r.state === 'queued') {
          e.queued = r.n;
          e.ready = r.ready;
        } else e.running = r.n;
      }
      for (const r of this.stmts.statusDeadLetters.all() as { flow: string; n: number }[]) entry(r.flow).deadLettered = r.n;
      const lastRuns = new Map<string, RunRow>();
      for (const r of this.stmts.lastRuns.all() as RunRow[]) {
        lastRuns.set(r.flow, r);
        entry(r.flow);
      }
      const result: FlowStatus[] = [...flows.keys()].sort().map((flow) => {
        const e = flows.get(flow)!;
        const last = lastRuns.get(flow);
        const err = this.stmts.lastError.get(flow) as RunRow | undefined;
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
    }).deferred();
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.stmts.getMeta.get(key) as string | undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    checkName('meta key', key);
    if (typeof value !== 'string') throw new StoreError('setMeta: value must be a string');
    this.db.transaction(() => this.stmts.setMeta.run(key, value)).immediate();
  }

  /** The connection's durability settings, for diagnostics (`flowd status --verbose`) and tests. */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; busyTimeoutMs: number; schemaVersion: number } {
    const sync = Number(this.db.pragma('synchronous', { simple: true }));
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[sync] ?? 'OFF',
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
      schemaVersion: this.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number,
    };
  }

  /** `PRAGMA integrity_check` plus the store's own invariants; empty when consistent. */
  checkIntegrity(): string[] {
    const problems: string[] = [];
    const integrity = this.db.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (!(integrity.length === 1 && integrity[0] === 'ok')) problems.push(...integrity);
    const fk = this.db.prepare('PRAGMA foreign_key_check').all() as unknown[];
    if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk)}`);
    const orphanDl = this.db
      .prepare(`SELECT COUNT(*) FROM jobs j WHERE j.state = 'dead_letter' AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.job_id = j.id)`)
      .pluck()
      .get() as number;
    if (orphanDl) problems.push(`${orphanDl} dead-lettered job(s) without a dead-letter entry`);
    return problems;
  }

  private stmt(sql: string): Statement {
    let s = this.dynamic.get(sql);
    if (!s) this.dynamic.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}

// ------------------------------------------------------------------ migrations

function migrate(db: Database, now: () => number): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
  }).immediate();
  const current = () => (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number);
  const found = current();
  if (found > SCHEMA_VERSION) {
    throw new StoreError(`store ${db.name} has schema version ${found}; this flowd knows up to ${SCHEMA_VERSION}: upgrade flowd`);
  }
  for (const m of MIGRATIONS) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (current() >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Math.floor(now()));
    }).immediate();
  }
}

// ------------------------------------------------------------------ statements

/** Why a store file cannot be opened, naming the file and what to do (SQLite's code kept in the message). */
function openError(file: string, err: unknown): StoreError {
  const e = err as Error & { code?: string };
  const code = e.code ?? '';
  const hint = code === 'SQLITE_READONLY_DIRECTORY' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')
    ? `: flowd must be able to write ${file} and create ${path.basename(file)}-wal and -shm beside it in ${path.dirname(path.resolve(file))}`
    : code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
      ? `: the file is damaged; see what is wrong with \`flowd store check\` and keep what can be read with \`flowd store recover --to NEW.db\` (runtime/store/README.md)`
      : '';
  return new StoreError(`cannot open the store ${file} (${code ? `${code}: ` : ''}${e.message})${hint}`, { cause: err });
}

function prepareStatements(db: Database) {
  const leaseSql = (filter: string) => `
    UPDATE jobs
       SET state = 'running', lease_owner = @worker, lease_expires_at = @expires,
           attempts = attempts + 1, changed_at = @now
     WHERE id IN (
       SELECT id FROM jobs
        WHERE state IN ('queued', 'running') AND next_attempt_at <= @now
          AND (state = 'queued' OR lease_expires_at <= @now)
          ${filter}
        ORDER BY next_attempt_at, id
        LIMIT @limit)
    RETURNING ${JOB_COLUMNS}`;
  const owned = `id = @id AND state = 'running' AND lease_owner = @worker`;
  return {
    insertJob: db.prepare(`
      INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                        state, attempts, next_attempt_at, created_at, changed_at)
      VALUES (@flow, @flow_version, @source, @event_type, @entity_id, @updated_at, @payload, @dedupe_key,
              'queued', 0, @now, @now, @now)
      RETURNING id`),
    insertDeadJob: db.prepare(`
      INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                        state, attempts, next_attempt_at, last_error, last_error_class, reason, created_at, changed_at, finished_at)
      VALUES (@flow, @flow_version, @source, @event_type, @entity_id, @updated_at, @payload, @dedupe_key,
              'dead_letter', 0, @now, @error, @errorClass, @reason, @now, @now, @now)
      RETURNING id`),
    insertReplayJob: db.prepare(`
      INSERT INTO jobs (flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key,
                        state, attempts, next_attempt_at, replay_of, created_at, changed_at)
      VALUES (@flow, NULL, @source, @event_type, @entity_id, @updated_at, @payload, @dedupe_key,
              'queued', 0, @now, @replay_of, @now, @now)
      RETURNING id`),
    jobByDedupe: db.prepare('SELECT id FROM jobs WHERE flow = @flow AND dedupe_key = @dedupe_key'),
    jobById: db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`),
    lease: db.prepare(leaseSql('')),
    leaseFlows: db.prepare(leaseSql('AND flow IN (SELECT value FROM json_each(@flows))')),
    heartbeat: db.prepare(`UPDATE jobs SET lease_expires_at = @expires, changed_at = @now WHERE ${owned}`),
    release: db.prepare(`
      UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
                      attempts = MAX(attempts - 1, 0), changed_at = @now
       WHERE ${owned}`),
    complete: db.prepare(`
      UPDATE jobs SET state = @state, lease_owner = NULL, lease_expires_at = NULL, changed_at = @now,
                      finished_at = @now, duration_ms = @duration, flow_version = COALESCE(@version, flow_version),
                      reason = @reason
       WHERE ${owned}
      RETURNING flow`),
    retry: db.prepare(`
      UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, changed_at = @now,
                      next_attempt_at = @next, last_error = @error, last_error_class = @errorClass
       WHERE ${owned}`),
    markDeadLetter: db.prepare(`
      UPDATE jobs SET state = 'dead_letter', lease_owner = NULL, lease_expires_at = NULL, changed_at = @now,
                      finished_at = @now, flow_version = @version, last_error = @error,
                      last_error_class = @errorClass, reason = @reason
       WHERE ${owned}
      RETURNING ${JOB_COLUMNS}`),
    insertDeadLetter: db.prepare(`
      INSERT INTO dead_letters (job_id, flow, flow_version, source, event_type, entity_id, updated_at, payload,
                                dedupe_key, error, error_class, reason, site, attempts, created_at, changed_at)
      VALUES (@job, @flow, @version, @source, @eventType, @entityId, @updatedAt, @payload,
              @dedupeKey, @error, @errorClass, @reason, @site, @attempts, @now, @now)
      RETURNING id`),
    deadLetterById: db.prepare('SELECT * FROM dead_letters WHERE id = ?'),
    pendingDeadLetterIds: db.prepare('SELECT id FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL ORDER BY id').pluck(),
    pendingDeadLetterIdsOfFlow: db.prepare('SELECT id FROM dead_letters WHERE flow = ? AND replayed_at IS NULL AND discarded_at IS NULL ORDER BY id').pluck(),
    markReplayed: db.prepare('UPDATE dead_letters SET replayed_at = @now, replay_job_id = @job, changed_at = @now WHERE id = @id'),
    keyDone: db.prepare('SELECT 1 FROM idempotency_keys WHERE flow = @flow AND key = @key AND expires_at > @now'),
    markKey: db.prepare(`
      INSERT INTO idempotency_keys (flow, key, job_id, done_at, expires_at) VALUES (@flow, @key, @job, @now, @expires)
      ON CONFLICT (flow, key) DO UPDATE SET job_id = excluded.job_id, done_at = excluded.done_at, expires_at = excluded.expires_at`),
    purgeKeys: db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= @now'),
    getWatermark: db.prepare('SELECT value FROM watermarks WHERE name = ?').pluck(),
    setWatermark: db.prepare(`
      INSERT INTO watermarks (name, value, changed_at) VALUES (@name, @value, @now)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at
      WHERE watermarks.value IS NOT excluded.value`),
    rowHashes: db.prepare('SELECT key, hash FROM row_hashes WHERE scope = ?').raw(),
    rowHash: db.prepare('SELECT hash FROM row_hashes WHERE scope = ? AND key = ?').pluck(),
    upsertRowHash: db.prepare(`
      INSERT INTO row_hashes (scope, key, hash) VALUES (?, ?, ?)
      ON CONFLICT (scope, key) DO UPDATE SET hash = excluded.hash`),
    deleteRowHash: db.prepare('DELETE FROM row_hashes WHERE scope = ? AND key = ?'),
    countRowHashes: db.prepare('SELECT COUNT(*) FROM row_hashes WHERE scope = ?').pluck(),
    insertRun: db.prepare(`
      INSERT INTO runs (job_id, flow, flow_version, trigger, outcome, started_at, duration_ms, error, error_class,
                        site, correlation_id, recorded_at)
      VALUES (@job, @flow, @version, @trigger, @outcome, @startedAt, @duration, @error, @errorClass,
              @site, @correlation, @now)
      RETURNING id`),
    jobFlows: db.prepare('SELECT DISTINCT flow FROM jobs').pluck(),
    statusJobs: db.prepare(`
      SELECT flow, state, COUNT(*) AS n, SUM(next_attempt_at <= @now) AS ready
        FROM jobs WHERE state IN ('queued', 'running') GROUP BY flow, state`),
    statusDeadLetters: db.prepare('SELECT flow, COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL GROUP BY flow'),
    // Each flow's last run by one index lookup (runs_flow), the flows from the small rollup table:
    // grouping the run log itself walks every run (1 s at 1,000,000 runs, bench:console).
    lastRuns: db.prepare('SELECT r.* FROM (SELECT DISTINCT flow FROM run_counts) f JOIN runs r ON r.id = (SELECT MAX(id) FROM runs WHERE flow = f.flow)'),
    lastError: db.prepare('SELECT * FROM runs WHERE flow = ? AND error IS NOT NULL ORDER BY id DESC LIMIT 1'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
}

// ------------------------------------------------------------------ validation and mapping
