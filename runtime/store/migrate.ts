/**
 * `flowd store migrate --from <sqlite file> --to <postgres url>`: moves a site's SQLite store into an
 * empty PostgreSQL store without losing or repeating anything (README.md, "Moving a SQLite store to
 * PostgreSQL").
 *
 * - The SQLite file is read read-only, in one read transaction (one consistent snapshot), after
 *   `checkStoreFile` found it sound. A file a flowd is using is refused: flowd commits the meta row
 *   `health.probe` at least once a minute (sqlite-store.ts, PROBE_COMMIT_MS) and deletes it when it
 *   stops cleanly, so a probe younger than `liveProbeMs` means a flowd is (or was just killed while)
 *   running on it; and if the file changes anyway while it is copied (`PRAGMA data_version`), the
 *   copy is rolled back.
 * - PostgreSQL gets the store's own schema (`PostgresStore.open` migrates it), then every row in ONE
 *   transaction that first locks the store's tables (`NOWAIT`: a database in use is refused) and
 *   checks the store is empty: no jobs, dead letters, keys, watermarks, row hashes, runs, no meta row
 *   but `health.probe`, no earlier migration (`migrated.from`). There is no `--force`: a second
 *   migrate, or one into a store a flowd already ran on, is refused (empty it or use a new database).
 * - Ids are kept (a replay's dedupe key `replay:<dlq id>` names the entry; dead letters point at
 *   their jobs), the id sequences continue after the highest id SQLite ever gave. Leased (`running`)
 *   jobs become `queued` again, lease cleared, attempts kept (their worker is stopped: that lease
 *   counts as an attempt, as when a worker dies). Finished jobs stay, so their events still dedupe.
 * - Before COMMIT every table is read back through the same transaction and compared with what was
 *   read from SQLite: the count and an order-independent digest of every row. Any failure (a row
 *   PostgreSQL refuses, a value of the wrong type, a mismatch) rolls everything back: PostgreSQL is
 *   left as empty as it was.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { checkStoreFile } from './recover.js';
import { PostgresStore, redactUrl } from './postgres-store.js';
import { PG_SCHEMA_VERSION } from './postgres-schema.js';
import { SCHEMA_VERSION } from './schema.js';
import { openDatabase, type Database, type SqlValue } from './sqlite-driver.js';
import { StoreError } from './store.js';
import { PROBE_COMMIT_MS } from './sqlite-store.js';

export class MigrateError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrateError';
  }
}

export interface MigrateOptions {
  /** The PostgreSQL schema of the target store (default `public`, what flowd uses). */
  schema?: string;
  /** Clock for the probe's age (default Date.now). */
  now?: () => number;
  /**
   * A `health.probe` younger than this means a flowd is running on the file. Default: SQLite's
   * probe commit interval (flowd commits its probe once a minute, PROBE_COMMIT_MS) plus 15 s. A flowd
   * that stopped cleanly deleted its probe; only one that was killed leaves a recent one.
   */
  liveProbeMs?: number;
  /** Rows per read and per INSERT (default 500). */
  chunk?: number;
}

export interface TableMigration {
  readonly table: string;
  /** Rows read from the SQLite file. */
  readonly read: number;
  /** Rows read back from PostgreSQL before the commit (equal to `read`, else the migration failed). */
  readonly verified: number;
}

export interface MigrateReport {
  readonly from: string;
  /** The target, without its password. */
  readonly to: string;
  readonly schema: string;
  readonly tables: readonly TableMigration[];
  /** Jobs by state in the SQLite file (`running` ones are `queued` in PostgreSQL). */
  readonly jobStates: Readonly<Record<string, number>>;
  /** Leased jobs made pending again. */
  readonly leasedRequeued: number;
}

type Kind = 'int' | 'real' | 'text';
interface Column { readonly name: string; readonly kind: Kind; readonly nullable: boolean }
interface TableSpec {
  readonly name: string;
  readonly key: readonly string[];
  readonly columns: readonly Column[];
  /** Only in PostgreSQL (always null after a migration). */
  readonly pgOnly?: readonly string[];
  /** Rows of the SQLite file not copied. */
  readonly skip?: (row: Record<string, SqlValue>) => boolean;
}

const c = (name: string, kind: Kind, nullable = false): Column => ({ name, kind, nullable });
/** The tables of schema version 3 (schema.ts / postgres-schema.ts), parents before children. */
const TABLES: readonly TableSpec[] = [
  { name: 'jobs', key: ['id'], pgOnly: ['lease_fence'], columns: [
    c('id', 'int'), c('flow', 'text'), c('flow_version', 'text', true), c('source', 'text'), c('event_type', 'text'),
    c('entity_id', 'text', true), c('updated_at', 'text', true), c('payload', 'text'), c('dedupe_key', 'text'), c('state', 'text'),
    c('attempts', 'int'), c('next_attempt_at', 'int'), c('lease_owner', 'text', true), c('lease_expires_at', 'int', true),
    c('last_error', 'text', true), c('last_error_class', 'text', true), c('reason', 'text', true), c('replay_of', 'int', true),
    c('created_at', 'int'), c('changed_at', 'int'), c('finished_at', 'int', true), c('duration_ms', 'int', true)] },
  { name: 'dead_letters', key: ['id'], columns: [
    c('id', 'int'), c('job_id', 'int'), c('flow', 'text'), c('flow_version', 'text'), c('source', 'text'), c('event_type', 'text'),
    c('entity_id', 'text', true), c('updated_at', 'text', true), c('payload', 'text'), c('dedupe_key', 'text'), c('error', 'text'),
    c('error_class', 'text'), c('reason', 'text'), c('site', 'text', true), c('attempts', 'int'), c('created_at', 'int'),
    c('changed_at', 'int'), c('replayed_at', 'int', true), c('replay_job_id', 'int', true), c('discarded_at', 'int', true), c('discard_reason', 'text', true)] },
  { name: 'idempotency_keys', key: ['flow', 'key'], columns: [
    c('flow', 'text'), c('key', 'text'), c('job_id', 'int', true), c('done_at', 'int'), c('expires_at', 'int')] },
  { name: 'watermarks', key: ['name'], columns: [c('name', 'text'), c('value', 'text'), c('changed_at', 'int')] },
  { name: 'row_hashes', key: ['scope', 'key'], columns: [c('scope', 'text'), c('key', 'text'), c('hash', 'text')] },
  { name: 'runs', key: ['id'], columns: [
    c('id', 'int'), c('job_id', 'int', true), c('flow', 'text'), c('flow_version', 'text'), c('trigger', 'text'), c('outcome', 'text'),
    c('started_at', 'int'), c('duration_ms', 'int'), c('error', 'text', true), c('error_class', 'text', true), c('site', 'text', true),
    c('correlation_id', 'text'), c('recorded_at', 'int')] },
  // The console's tables (version 2).
  { name: 'run_keys', key: ['run_id', 'kind', 'value'], columns: [c('run_id', 'int'), c('job_id', 'int', true), c('kind', 'text'), c('value', 'text')] },
  { name: 'run_calls', key: ['run_id', 'seq'], columns: [
    c('run_id', 'int'), c('seq', 'int'), c('system', 'text'), c('operation', 'text'), c('kind', 'text'), c('args', 'text'),
    c('result', 'text', true), c('error', 'text', true), c('duration_ms', 'int')] },
  { name: 'run_counts', key: ['flow', 'hour', 'outcome'], columns: [c('flow', 'text'), c('hour', 'int'), c('outcome', 'text'), c('n', 'int')] },
  { name: 'console_users', key: ['name'], columns: [c('name', 'text'), c('role', 'text'), c('password_hash', 'text'), c('created_at', 'int'), c('changed_at', 'int')] },
  { name: 'console_sessions', key: ['id'], columns: [c('id', 'text'), c('user_name', 'text'), c('csrf', 'text'), c('created_at', 'int'), c('expires_at', 'int')] },
  { name: 'console_audit', key: ['id'], columns: [
    c('id', 'int'), c('at', 'int'), c('user_name', 'text'), c('action', 'text'), c('target', 'text'), c('before_json', 'text', true), c('after_json', 'text', true)] },
  // The anomaly profiles (version 3).
  { name: 'anomaly_profile', key: ['flow', 'metric', 'bin'], columns: [c('flow', 'text'), c('metric', 'text'), c('bin', 'int'), c('n', 'real'), c('changed_at', 'int')] },
  // health.probe is the old store's liveness row, not state; the new store writes its own.
  { name: 'meta', key: ['key'], columns: [c('key', 'text'), c('value', 'text')], skip: (r) => r.key === PROBE_KEY },
];
const DATA_TABLES = TABLES.filter((t) => t.name !== 'meta').map((t) => t.name);
const SERIAL_TABLES = ['jobs', 'dead_letters', 'runs', 'console_audit'];
const PROBE_KEY = 'health.probe';
/** The meta row a migration leaves in PostgreSQL: where from, when, the counts. */
export const MIGRATED_KEY = 'migrated.from';

/** BIGINT and COUNT come back as numbers (ids, times and counts stay far below 2^53), as in PostgresStore. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * A running `jobs` row as PostgreSQL gets it: pending again, lease cleared (its holder is stopped).
 * Every other row is copied as it is.
 */
function toTarget(table: string, row: Record<string, SqlValue>): Record<string, SqlValue> {
  if (table !== 'jobs') return row;
  const out: Record<string, SqlValue> = { ...row, lease_fence: null };
  if (row.state === 'running') Object.assign(out, { state: 'queued', lease_owner: null, lease_expires_at: null });
  return out;
}

/** An order-independent digest of a set of rows: the count and the sum of each row's hash (mod 2^64). */
class Digest {
  count = 0;
  private sum = 0n;
  add(values: readonly unknown[]): void {
    this.count++;
    const h = createHash('sha256').update(JSON.stringify(values)).digest();
    this.sum = (this.sum + h.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn;
  }
  get value(): string { return `${this.count}:${this.sum.toString(16)}`; }
}

/** Why a value cannot go into its PostgreSQL column, or undefined. */
function badValue(col: Column, v: SqlValue): string | undefined {
  if (v === null) return col.nullable ? undefined : 'is NULL (the column is NOT NULL)';
  if (col.kind === 'int') {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? undefined : `is ${v}, out of range`;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return undefined;
    return `should be an integer, is ${describeValue(v)}`;
  }
  if (col.kind === 'real') return typeof v === 'number' && Number.isFinite(v) ? undefined : `should be a number, is ${describeValue(v)}`;
  if (typeof v !== 'string') return `should be text, is ${describeValue(v)}`;
  if (v.includes('\u0000')) return 'holds a NUL character, which PostgreSQL text cannot store';
  return undefined;
}

function describeValue(v: SqlValue): string {
  if (Buffer.isBuffer(v)) return `a blob of ${v.length} bytes`;
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `the number ${String(v)}`;
}

const keyOf = (spec: TableSpec, row: Record<string, SqlValue>) => spec.key.map((k) => `${k}=${JSON.stringify(row[k])}`).join(', ');

/** Keyset paging over a table in key order: the page after `last` (undefined: the first). */
function pageSql(spec: TableSpec, cols: string, last: boolean, param: (i: number) => string, limit: number): string {
  const key = spec.key.join(', ');
  const after = last ? ` WHERE (${key}) > (${spec.key.map((_, i) => param(i)).join(', ')})` : '';
  return `SELECT ${cols} FROM ${spec.name}${after} ORDER BY ${key} LIMIT ${limit}`;
}

export async function migrateSqliteToPostgres(file: string, url: string, opts: MigrateOptions = {}): Promise<MigrateReport> {
  const schema = opts.schema ?? 'public';
  const now = opts.now ?? Date.now;
  const liveProbeMs = opts.liveProbeMs ?? PROBE_COMMIT_MS + 15_000;
  const chunk = opts.chunk ?? 500;
  const to = redactUrl(url);
  if (SCHEMA_VERSION !== 3 || PG_SCHEMA_VERSION !== 3) {
    throw new MigrateError(`store migrate knows schema version 3 of both stores; this flowd has SQLite ${SCHEMA_VERSION} and PostgreSQL ${PG_SCHEMA_VERSION} (update migrate.ts)`);
  }

  // 1. The SQLite file: there, sound, this schema version, no flowd running on it.
  if (!fs.existsSync(file)) throw new MigrateError(`${file}: no such file (--from names the SQLite store file, e.g. .state/flowd.db)`);
  const problems = checkStoreFile(file);
  if (problems.length) {
    throw new MigrateError(`${file} is not a sound store, nothing was migrated:\n${problems.map((p) => `  ${p}`).join('\n')}\nrecover it first (flowd store recover --to NEW.db, runtime/store/README.md "A damaged store"), then migrate the recovered file`);
  }
  const src = openDatabase(file, { readonly: true, fileMustExist: true });
  let client: pg.Client | undefined;
  try {
    const version = src.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
    if (version !== SCHEMA_VERSION) throw new MigrateError(`${file}: schema version ${version ?? 'none'}, store migrate reads version ${SCHEMA_VERSION} (open it once with this flowd, e.g. flowd status --config …, then migrate)`);
    const probe = src.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(PROBE_KEY) as string | undefined;
    checkNotLive(`${file}`, probe, now(), liveProbeMs, 'every flowd using this file');
    const dataVersion = src.pragma('data_version', { simple: true }) as number;

    // 2. PostgreSQL: the store's schema, created and migrated by the store itself.
    await (await PostgresStore.open(url, { schema, poolSize: 1 })).close();
    client = new pg.Client({ connectionString: url, types, application_name: 'flowd store migrate', options: `-c search_path=${schema}`, connectionTimeoutMillis: 10_000 });
    await client.connect().catch((err: unknown) => { throw new MigrateError(`cannot connect to ${to}: ${(err as Error).message}`, { cause: err }); });
    const db = client;
    await db.query('BEGIN');
    try {
      await lockEmptyTarget(db, to, schema, now(), liveProbeMs);

      // 3. Copy, table by table, from one read snapshot of the file.
      src.exec('BEGIN');
      const report = await copyAll(src, db, file, chunk);
      // The highest id SQLite ever gave per table (AUTOINCREMENT never reuses one), from the snapshot.
      const lastIds = SERIAL_TABLES.map((t) => {
        const seq = (src.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(t) as number | undefined) ?? 0;
        return [t, Math.max(seq, src.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${t}`).pluck().get() as number)] as const;
      });
      src.exec('COMMIT');
      const counts = Object.fromEntries(report.tables.map((t) => [t.table, t.read]));
      await db.query('INSERT INTO meta (key, value) VALUES ($1, $2)', [MIGRATED_KEY, JSON.stringify({ file, at: new Date(now()).toISOString(), counts, leasedRequeued: report.leasedRequeued })]);

      // 4. Nothing wrote the file meanwhile (a flowd started during the copy would be lost work).
      const after = src.pragma('data_version', { simple: true }) as number;
      if (after !== dataVersion) throw new MigrateError(`${file} was written while it was being migrated (a flowd started on it?); nothing was migrated: stop every flowd using it and run migrate again`);

      // 5. Read everything back in this transaction and compare.
      const tables: TableMigration[] = [];
      for (const spec of TABLES) {
        const back = await digestTarget(db, spec, chunk);
        const expected = report.digests.get(spec.name)!;
        if (back.value !== expected.value) {
          throw new MigrateError(`${spec.name}: read back ${back.count} rows from ${to} where ${expected.count} were written, or their contents differ; nothing was migrated`);
        }
        tables.push({ table: spec.name, read: expected.count, verified: back.count });
      }
      // Sequences continue after those ids. Last, just before COMMIT: setval is not undone by a rollback.
      for (const [t, last] of lastIds) {
        if (last > 0) await db.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2::bigint, true)`, [`${schema}.${t}`, last]);
      }
      await db.query('COMMIT');
      return { from: file, to, schema, tables, jobStates: report.jobStates, leasedRequeued: report.leasedRequeued };
    } catch (err) {
      if (src.inTransaction) src.exec('ROLLBACK');
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    src.close();
    await client?.end().catch(() => undefined);
  }
}

function checkNotLive(where: string, probe: string | undefined, now: number, liveProbeMs: number, who: string): void {
  if (probe === undefined || !/^\d+$/.test(probe)) return;
  const age = now - Number(probe);
  if (age < liveProbeMs) {
    throw new MigrateError(`${where}: a flowd is running on it (its health probe was written ${Math.max(0, age)} ms ago; a running flowd writes it at least once a minute, one that stopped cleanly removes it); nothing was migrated. ` +
      `Stop ${who} first (SIGTERM or systemctl stop: it finishes or releases its jobs, and removes its probe) and run migrate again; after a kill -9, wait ${Math.ceil(liveProbeMs / 1000)} s`);
  }
}

/** Locks the store's tables for this transaction (refusing a database in use) and refuses a store that is not empty. */
async function lockEmptyTarget(db: pg.Client, to: string, schema: string, now: number, liveProbeMs: number): Promise<void> {
  try {
    await db.query(`LOCK TABLE ${TABLES.map((t) => t.name).join(', ')} IN EXCLUSIVE MODE NOWAIT`);
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') throw new MigrateError(`${to} (schema ${schema}) is in use by another process (its store tables are locked): stop every flowd on it, or wait for another migrate to finish`, { cause: err });
    throw err;
  }
  checkNotLive(`${to} (schema ${schema})`, (await db.query<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [PROBE_KEY])).rows[0]?.value, now, liveProbeMs, 'every flowd using this database');
  const held: string[] = [];
  for (const t of DATA_TABLES) {
    const n = (await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`)).rows[0]!.n;
    if (n) held.push(`${n} ${t}`);
  }
  const meta = (await db.query<{ key: string; value: string }>(`SELECT key, value FROM meta WHERE key <> $1 ORDER BY key`, [PROBE_KEY])).rows;
  const earlier = meta.find((m) => m.key === MIGRATED_KEY);
  if (held.length || meta.length) {
    const what = earlier ? `it already holds a migrated store (${earlier.value})` : `it holds ${[...held, ...(meta.length ? [`${meta.length} meta`] : [])].join(', ')} rows`;
    throw new MigrateError(`${to} (schema ${schema}) is not an empty store: ${what}; nothing was migrated. ` +
      'store migrate only fills an empty store (there is no --force: merging two stores could run an event twice). Use a new database, or drop the store\'s tables there first if what it holds is not needed');
  }
}

interface CopyReport {
  tables: { table: string; read: number }[];
  digests: Map<string, Digest>;
  jobStates: Record<string, number>;
  leasedRequeued: number;
}

async function copyAll(src: Database, db: pg.Client, file: string, chunk: number): Promise<CopyReport> {
  const out: CopyReport = { tables: [], digests: new Map(), jobStates: {}, leasedRequeued: 0 };
  for (const spec of TABLES) {
    const names = spec.columns.map((col) => col.name);
    const targetNames = [...names, ...(spec.pgOnly ?? [])];
    const first = src.prepare<Record<string, SqlValue>>(pageSql(spec, names.join(', '), false, () => '?', chunk));
    const next = src.prepare<Record<string, SqlValue>>(pageSql(spec, names.join(', '), true, () => '?', chunk));
    const digest = new Digest();
    let last: Record<string, SqlValue> | undefined;
    for (;;) {
      const page = last ? next.all(...spec.key.map((k) => last![k]!)) : first.all();
      if (!page.length) break;
      last = page[page.length - 1];
      const rows: SqlValue[][] = [];
      for (const row of page) {
        if (spec.skip?.(row)) continue;
        for (const col of spec.columns) {
          const why = badValue(col, row[col.name]!);
          if (why) {
            throw new MigrateError(`${file}: ${spec.name} row ${keyOf(spec, row)}: column ${col.name} ${why}; nothing was migrated (PostgreSQL is left empty). ` +
              'Fix or delete that row in the SQLite file (with flowd stopped), or salvage the store with flowd store recover, and migrate again');
          }
        }
        if (spec.name === 'jobs') {
          const state = String(row.state);
          out.jobStates[state] = (out.jobStates[state] ?? 0) + 1;
          if (state === 'running') out.leasedRequeued++;
        }
        const target = toTarget(spec.name, row);
        const values = targetNames.map((n) => (typeof target[n] === 'bigint' ? Number(target[n]) : target[n]!));
        digest.add(values);
        rows.push(values);
      }
      if (rows.length) await insertRows(db, spec, targetNames, rows);
      if (page.length < chunk) break;
    }
    out.digests.set(spec.name, digest);
    out.tables.push({ table: spec.name, read: digest.count });
  }
  return out;
}

async function insertRows(db: pg.Client, spec: TableSpec, names: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
  const params: SqlValue[] = [];
  const tuples = rows.map((r) => `(${r.map((v) => { params.push(v); return `$${params.length}`; }).join(', ')})`);
  try {
    await db.query(`INSERT INTO ${spec.name} (${names.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  } catch (err) {
    const e = err as Error & { detail?: string };
    const first = rows[0]!; const lastRow = rows[rows.length - 1]!;
    const span = spec.key.length === 1 && spec.key[0] === 'id' ? ` (rows id ${String(first[0])}..${String(lastRow[0])})` : '';
    throw new MigrateError(`${spec.name}: PostgreSQL refused a row${span}: ${e.message}${e.detail ? ` (${e.detail})` : ''}; nothing was migrated (the transaction was rolled back)`, { cause: err });
  }
}

async function digestTarget(db: pg.Client, spec: TableSpec, chunk: number): Promise<Digest> {
  const names = [...spec.columns.map((col) => col.name), ...(spec.pgOnly ?? [])];
  const digest = new Digest();
  let last: Record<string, unknown> | undefined;
  for (;;) {
    const sql = pageSql(spec, names.join(', '), last !== undefined, (i) => `$${i + 1}`, chunk);
    const page = (await db.query<Record<string, unknown>>(sql, last ? spec.key.map((k) => last![k]) : [])).rows;
    for (const row of page) {
      if (spec.name === 'meta' && (row.key === MIGRATED_KEY || row.key === PROBE_KEY)) continue;
      digest.add(names.map((n) => row[n]));
    }
    if (page.length < chunk) break;
    last = page[page.length - 1];
  }
  return digest;
}
