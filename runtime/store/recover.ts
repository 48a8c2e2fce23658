/**
 * Checking a store file and salvaging a damaged one (`flowd store check`, `flowd store recover`).
 *
 * `checkStoreFile(file)` opens the file read-only (nothing is migrated or written) and lists what is
 * wrong: it cannot be opened, it is not a flowd store, `PRAGMA integrity_check`, foreign keys, the
 * store's own invariants. `[]` means sound.
 *
 * `recoverStore(from, to)` copies every row of every table that can still be read from `from` into a
 * new store file `to` (created with the current schema), reading rowid tables in ranges of ids and
 * falling back to single ids where a range hits a damaged page, and WITHOUT ROWID tables from both
 * ends. It then repairs the references a lost row breaks (see README.md, "A damaged store"), checks
 * the new file and reports table by table what was kept and what was not. `from` is never written.
 */
import fs from 'node:fs';
import { openDatabase, type Database, type SqlValue } from './sqlite-driver.js';
import { SqliteStore } from './sqlite-store.js';
import { StoreError } from './store.js';

/** What is wrong with a store file; empty when it is sound. */
export function checkStoreFile(file: string): string[] {
  if (!fs.existsSync(file)) return [`${file}: no such file`];
  let db: Database;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return [`${file}: cannot be opened (${describe(err)})`];
  }
  const problems: string[] = [];
  // Each step on its own: a damaged page that stops one query must not hide what the others find.
  const step = (name: string, fn: () => void) => {
    try { fn(); } catch (err) { problems.push(`${name}: ${describe(err)}`); }
  };
  try {
    let tables: string[] = [];
    step('schema', () => {
      tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      for (const t of ['jobs', 'dead_letters', 'idempotency_keys', 'watermarks', 'row_hashes', 'runs', 'meta', 'schema_migrations']) {
        if (!tables.includes(t)) problems.push(`table ${t} is missing (not a flowd store, or its schema is damaged)`);
      }
    });
    step('schema version', () => {
      if (!tables.includes('schema_migrations')) return;
      const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
      if (version !== null && version > SqliteStore.schemaVersion) problems.push(`schema version ${version} is newer than this flowd (${SqliteStore.schemaVersion})`);
    });
    step('integrity_check', () => {
      const integrity = db.prepare('PRAGMA integrity_check(100)').pluck().all() as string[];
      if (!(integrity.length === 1 && integrity[0] === 'ok')) problems.push(...integrity.map((l) => `integrity_check: ${l}`));
    });
    step('foreign_key_check', () => {
      const fk = db.prepare('PRAGMA foreign_key_check').all() as { table: string; rowid: number; parent: string }[];
      for (const v of fk.slice(0, 20)) problems.push(`foreign key: ${v.table} row ${v.rowid} refers to a missing ${v.parent} row`);
      if (fk.length > 20) problems.push(`foreign key: ${fk.length - 20} more`);
    });
    if (problems.length === 0) {
      step('invariants', () => {
        const orphan = db.prepare("SELECT COUNT(*) FROM jobs j WHERE j.state = 'dead_letter' AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.job_id = j.id)").pluck().get() as number;
        if (orphan) problems.push(`${orphan} dead-lettered job(s) without a dead-letter entry`);
      });
    }
  } finally {
    db.close();
  }
  return problems;
}

/** One table's salvage: rows copied, rows that could not be read, rows the new store refused. */
export interface TableRecovery {
  readonly table: string;
  readonly kept: number;
  /** Rows known to exist (by id) that could not be read. For WITHOUT ROWID tables, null: unknown. */
  readonly unreadable: number | null;
  /** Rows read but refused by the new schema (damaged values). */
  readonly refused: number;
  /** True when a scan stopped at a damaged page (WITHOUT ROWID tables are read from both ends). */
  readonly damaged: boolean;
}

export interface RecoveryReport {
  readonly from: string;
  readonly to: string;
  readonly tables: readonly TableRecovery[];
  /** References repaired after the copy (see README.md): what each number means is in its name. */
  readonly repairs: {
    readonly jobsRebuiltFromDeadLetters: number;
    readonly deadLettersRebuiltFromJobs: number;
    readonly replaysForgotten: number;
    /** Entries whose job could neither be read nor rebuilt (a conflicting dedupe key): not kept. */
    readonly deadLettersDropped: number;
  };
  /** `checkStoreFile(to)` after the recovery: empty when the new store is sound. */
  readonly problems: readonly string[];
}

const CHUNK = 256;

export function recoverStore(from: string, to: string): RecoveryReport {
  if (!fs.existsSync(from)) throw new StoreError(`${from}: no such file`);
  if (fs.existsSync(to)) throw new StoreError(`${to} exists; recover into a new file`);
  let src: Database;
  try {
    src = openDatabase(from, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`${from}: cannot be opened at all (${describe(err)}); nothing can be recovered with flowd (try sqlite3's .recover)`, { cause: err });
  }
  // The new file gets the current schema from the store itself, then is filled over a raw connection.
  void SqliteStore.open(to).close();
  const dst = openDatabase(to);
  dst.pragma('foreign_keys = OFF');
  const tables: TableRecovery[] = [];
  let repairs: RecoveryReport['repairs'] = { jobsRebuiltFromDeadLetters: 0, deadLettersRebuiltFromJobs: 0, replaysForgotten: 0, deadLettersDropped: 0 };
  try {
    // schema_migrations is not copied: the new file's rows describe the schema it was created with.
    const targets = dst.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").all() as { name: string; sql: string }[];
    dst.transaction(() => {
      for (const t of targets) {
        const columns = (dst.prepare(`PRAGMA table_info(${t.name})`).all() as { name: string }[]).map((c) => c.name);
        const insert = dst.prepare(`INSERT OR IGNORE INTO ${t.name} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
        let refused = 0;
        const put = (row: Record<string, SqlValue>) => {
          const params: Record<string, SqlValue> = {};
          for (const c of columns) params[c] = row[c] ?? null;
          try { if (insert.run(params).changes === 0) refused++; } catch { refused++; }
        };
        const r = /WITHOUT\s+ROWID/i.test(t.sql) ? copyByKey(src, t.name, put) : copyByRowid(src, t.name, put);
        tables.push({ table: t.name, kept: r.read - refused, unreadable: r.unreadable, refused, damaged: r.damaged });
      }
      repairs = repair(dst);
    }).immediate();
  } finally {
    src.close();
    dst.close();
  }
  return { from, to, tables, repairs, problems: checkStoreFile(to) };
}

/** Rowid tables: ranges of ids between the smallest and largest known id, single ids where a range fails. */
function copyByRowid(src: Database, table: string, put: (row: Record<string, SqlValue>) => void): { read: number; unreadable: number; damaged: boolean } {
  const tryNumber = (sql: string, ...p: SqlValue[]): number | undefined => {
    try { const v = src.prepare(sql).pluck().get(...p); return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined; } catch { return undefined; }
  };
  let damaged = false;
  const first = tryNumber(`SELECT min(rowid) FROM ${table}`) ?? 1;
  // The largest id: from the table's b-tree, else from sqlite_sequence (AUTOINCREMENT tables).
  const candidates = [tryNumber(`SELECT max(rowid) FROM ${table}`), tryNumber('SELECT seq FROM sqlite_sequence WHERE name = ?', table)].filter((x): x is number => x !== undefined);
  if (candidates.length < 2) damaged = true;
  const last = candidates.length ? Math.max(...candidates) : first + 100_000;
  const range = src.prepare<Record<string, SqlValue>>(`SELECT rowid AS __rowid, * FROM ${table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid`);
  const one = src.prepare<Record<string, SqlValue>>(`SELECT rowid AS __rowid, * FROM ${table} WHERE rowid = ?`);
  let read = 0;
  let unreadable = 0;
  for (let lo = first; lo <= last; lo += CHUNK) {
    const hi = Math.min(last, lo + CHUNK - 1);
    let rows: Record<string, SqlValue>[] | undefined;
    try { rows = range.all(lo, hi); } catch { damaged = true; }
    if (rows) { for (const r of rows) { put(r); read++; } continue; }
    for (let id = lo; id <= hi; id++) {
      let r: Record<string, SqlValue> | undefined;
      try { r = one.get(id); } catch { unreadable++; continue; }
      if (r) { put(r); read++; }
    }
  }
  return { read, unreadable, damaged };
}

/** WITHOUT ROWID tables: in key order from the start until a damaged page, then from the end back. */
function copyByKey(src: Database, table: string, put: (row: Record<string, SqlValue>) => void): { read: number; unreadable: null; damaged: boolean } {
  let pk: string[];
  try {
    pk = (src.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  } catch { return { read: 0, unreadable: null, damaged: true }; }
  const seen = new Set<string>();
  let read = 0;
  let damaged = false;
  for (const dir of ['ASC', 'DESC']) {
    try {
      for (const r of src.prepare<Record<string, SqlValue>>(`SELECT * FROM ${table} ORDER BY ${pk.map((c) => `${c} ${dir}`).join(', ')}`).iterate()) {
        const key = JSON.stringify(pk.map((c) => r[c]));
        if (seen.has(key)) return { read, unreadable: null, damaged };   // the two scans met: all read
        seen.add(key);
        put(r);
        read++;
      }
      return { read, unreadable: null, damaged };                        // a whole scan went through
    } catch { damaged = true; }
  }
  return { read, unreadable: null, damaged };
}

/**
 * After the copy: a dead-letter entry whose job was lost gets its job back (rebuilt from the
 * entry's copy of the event, state dead_letter, so the event stays deduped); a dead-lettered job
 * whose entry was lost gets an entry (from the job's last error) so it can be replayed; an entry
 * whose replay job was lost is pending again (replay it once more; the flows' idempotency keys and
 * the connectors' existence checks absorb a replay that had in fact run).
 */
function repair(db: Database): RecoveryReport['repairs'] {
  const jobsRebuiltFromDeadLetters = db.prepare(`
    INSERT INTO jobs (id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, state, attempts,
                      next_attempt_at, last_error, last_error_class, reason, created_at, changed_at, finished_at)
    SELECT d.job_id, d.flow, d.flow_version, CASE WHEN d.source IN ('xcart', 'sagepro', 'schedule') THEN d.source ELSE 'xcart' END,
           d.event_type, d.entity_id, d.updated_at, d.payload, d.dedupe_key, 'dead_letter', d.attempts,
           d.created_at, d.error, d.error_class, d.reason, d.created_at, d.changed_at, d.created_at
    FROM dead_letters d WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.job_id)
    ON CONFLICT DO NOTHING`).run().changes;
  const replaysForgotten = db.prepare(`
    UPDATE dead_letters SET replayed_at = NULL, replay_job_id = NULL
    WHERE replay_job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = dead_letters.replay_job_id)`).run().changes;
  const deadLettersRebuiltFromJobs = db.prepare(`
    INSERT INTO dead_letters (job_id, flow, flow_version, source, event_type, entity_id, updated_at, payload, dedupe_key, error,
                              error_class, reason, site, attempts, created_at, changed_at)
    SELECT j.id, j.flow, COALESCE(j.flow_version, 'unknown'), j.source, j.event_type, j.entity_id, j.updated_at, j.payload, j.dedupe_key,
           COALESCE(j.last_error, 'the dead-letter entry was lost; rebuilt from the job by flowd store recover'),
           COALESCE(j.last_error_class, 'unknown'), 'rebuilt by flowd store recover: ' || COALESCE(j.reason, j.last_error, 'reason lost'),
           NULL, j.attempts, j.changed_at, j.changed_at
    FROM jobs j WHERE j.state = 'dead_letter' AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.job_id = j.id)`).run().changes;
  // Entries whose job could not be rebuilt (a conflicting dedupe key) cannot stay: they would break the foreign key.
  const deadLettersDropped = db.prepare('DELETE FROM dead_letters WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = dead_letters.job_id)').run().changes;
  return { jobsRebuiltFromDeadLetters, deadLettersRebuiltFromJobs, replaysForgotten, deadLettersDropped };
}

function describe(err: unknown): string {
  const e = err as Error & { code?: string };
  return `${e.code ? `${e.code}: ` : ''}${e.message}`;
}
