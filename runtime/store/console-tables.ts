/**
 * The console's part of the store (users, sessions, audit log, run search, the hourly run rollup),
 * the same SQL on both stores: written with `?` placeholders, which the PostgreSQL executor numbers
 * (`$1`, `$2`, ...). Every method is one statement, so each is atomic on its own. What must share a
 * transaction with the queue (a run's keys, calls and rollup; resubmit; discard) lives in the stores.
 */
import { toRun, type RunRow } from './rows.js';
import {
  StoreError,
  type AuditEntry, type AuditInput, type ConsoleRole, type ConsoleSession, type ConsoleStore, type ConsoleUser,
  type RunCall, type RunCount, type RunKey, type RunKeyKind, type RunOutcome, type RunQuery, type RunRecord,
} from './store.js';

/** How a store runs one statement: rows of a query, or the number of rows a write changed. */
export interface SqlExec {
  all<T = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<T[]>;
  run(sql: string, params: readonly unknown[]): Promise<number>;
}

export const HOUR_MS = 3_600_000;
const ROLES = new Set<ConsoleRole>(['viewer', 'operator', 'admin']);
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkUserName(name: string): void {
  if (typeof name !== 'string' || !USER_NAME.test(name)) throw new StoreError(`user name '${String(name)}': 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
}
function checkRole(role: string): void {
  if (!ROLES.has(role as ConsoleRole)) throw new StoreError(`role '${role}': one of viewer, operator, admin`);
}

interface UserRow { name: string; role: ConsoleRole; password_hash: string; created_at: number; changed_at: number }
const toUser = (r: UserRow): ConsoleUser => ({ name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: Number(r.created_at), changedAt: Number(r.changed_at) });
const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const parse = (t: string | null): unknown => (t === null ? undefined : JSON.parse(t));

/** The key values a search text matches: itself, and lowercased (emails are stored lowercased). */
export function keyValues(q: string): string[] {
  const t = q.trim();
  const lower = t.toLowerCase();
  return lower === t ? [t] : [t, lower];
}

export class ConsoleTables implements ConsoleStore {
  constructor(private readonly x: SqlExec, private readonly now: () => number) {}

  async createUser(u: { name: string; role: ConsoleRole; passwordHash: string }): Promise<boolean> {
    checkUserName(u.name);
    checkRole(u.role);
    if (typeof u.passwordHash !== 'string' || !u.passwordHash) throw new StoreError('createUser: passwordHash is required');
    const now = this.now();
    return (await this.x.run('INSERT INTO console_users (name, role, password_hash, created_at, changed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
      [u.name, u.role, u.passwordHash, now, now])) === 1;
  }

  async getUser(name: string): Promise<ConsoleUser | undefined> {
    const rows = await this.x.all<UserRow>('SELECT * FROM console_users WHERE name = ?', [name]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async listUsers(): Promise<ConsoleUser[]> {
    return (await this.x.all<UserRow>('SELECT * FROM console_users ORDER BY name', [])).map(toUser);
  }

  async updateUser(name: string, change: { role?: ConsoleRole; passwordHash?: string }): Promise<boolean> {
    if (change.role !== undefined) checkRole(change.role);
    return (await this.x.run('UPDATE console_users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash), changed_at = ? WHERE name = ?',
      [change.role ?? null, change.passwordHash ?? null, this.now(), name])) === 1;
  }

  async deleteUser(name: string): Promise<boolean> {
    await this.x.run('DELETE FROM console_sessions WHERE user_name = ?', [name]);
    return (await this.x.run('DELETE FROM console_users WHERE name = ?', [name])) === 1;
  }

  async createSession(s: { id: string; user: string; csrf: string; expiresAt: number }): Promise<void> {
    await this.x.run('INSERT INTO console_sessions (id, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [s.id, s.user, s.csrf, this.now(), Math.floor(s.expiresAt)]);
  }

  async getSession(id: string): Promise<ConsoleSession | undefined> {
    const rows = await this.x.all<{ id: string; user_name: string; role: ConsoleRole; csrf: string; created_at: number; expires_at: number }>(
      `SELECT s.id, s.user_name, u.role, s.csrf, s.created_at, s.expires_at FROM console_sessions s JOIN console_users u ON u.name = s.user_name
        WHERE s.id = ? AND s.expires_at > ?`, [id, this.now()]);
    const r = rows[0];
    return r ? { id: r.id, user: r.user_name, role: r.role, csrf: r.csrf, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) } : undefined;
  }

  async deleteSession(id: string): Promise<void> { await this.x.run('DELETE FROM console_sessions WHERE id = ?', [id]); }
  async deleteUserSessions(user: string): Promise<number> { return this.x.run('DELETE FROM console_sessions WHERE user_name = ?', [user]); }
  async purgeSessions(): Promise<number> { return this.x.run('DELETE FROM console_sessions WHERE expires_at <= ?', [this.now()]); }

  async appendAudit(e: AuditInput): Promise<number> {
    const rows = await this.x.all<{ id: number }>('INSERT INTO console_audit (at, user_name, action, target, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [this.now(), e.user, e.action, e.target, json(e.before), json(e.after)]);
    return Number(rows[0]!.id);
  }

  async listAudit(opts: { limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(1, Math.floor(opts.limit ?? 50)), 1000);
    const rows = await this.x.all<{ id: number; at: number; user_name: string; action: string; target: string; before_json: string | null; after_json: string | null }>(
      `SELECT * FROM console_audit ${opts.before !== undefined ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`,
      opts.before !== undefined ? [opts.before, limit] : [limit]);
    return rows.map((r) => ({
      id: Number(r.id), at: Number(r.at), user: r.user_name, action: r.action, target: r.target,
      ...(r.before_json !== null ? { before: parse(r.before_json) } : {}), ...(r.after_json !== null ? { after: parse(r.after_json) } : {}),
    }));
  }

  async searchRuns(q: RunQuery = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...p: unknown[]) => { where.push(sql); params.push(...p); };
    if (q.flow !== undefined) add('flow = ?', q.flow);
    if (q.outcome !== undefined) add('outcome = ?', q.outcome);
    if (q.from !== undefined) add('started_at >= ?', Math.floor(q.from));
    if (q.to !== undefined) add('started_at < ?', Math.floor(q.to));
    if (q.before !== undefined) add('id < ?', Math.floor(q.before));
    // runtime/engine marks a flagged run's warnings `anomaly: ...` and a held run's error `held: anomaly: ...`.
    if (q.anomaly) add("error IS NOT NULL AND error LIKE '%anomaly: %'");
    if (q.key !== undefined) {
      const v = keyValues(q.key);
      add(`id IN (SELECT run_id FROM run_keys WHERE value IN (${v.map(() => '?').join(', ')}))`, ...v);
    }
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 50)), 1000);
    const rows = await this.x.all<RunRow>(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`, [...params, limit]);
    return rows.map(toRun);
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const rows = await this.x.all<RunRow>('SELECT * FROM runs WHERE id = ?', [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  private async keysBy(column: 'run_id' | 'job_id', ids: readonly number[]): Promise<Map<number, RunKey[]>> {
    const out = new Map<number, RunKey[]>();
    if (ids.length === 0) return out;
    const rows = await this.x.all<{ id: number; kind: RunKeyKind; value: string }>(
      `SELECT DISTINCT ${column} AS id, kind, value FROM run_keys WHERE ${column} IN (${ids.map(() => '?').join(', ')}) ORDER BY 1, 2, 3`, ids);
    for (const r of rows) {
      const id = Number(r.id);
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push({ kind: r.kind, value: r.value });
    }
    return out;
  }

  runKeys(runIds: readonly number[]): Promise<Map<number, RunKey[]>> { return this.keysBy('run_id', runIds); }
  jobKeys(jobIds: readonly number[]): Promise<Map<number, RunKey[]>> { return this.keysBy('job_id', jobIds); }

  async runCalls(runId: number): Promise<RunCall[]> {
    const rows = await this.x.all<{ system: string; operation: string; kind: 'read' | 'write'; args: string; result: string | null; error: string | null; duration_ms: number }>(
      'SELECT system, operation, kind, args, result, error, duration_ms FROM run_calls WHERE run_id = ? ORDER BY seq', [runId]);
    return rows.map((r) => ({
      system: r.system, operation: r.operation, kind: r.kind, args: JSON.parse(r.args),
      ...(r.result !== null ? { result: JSON.parse(r.result) } : {}), ...(r.error !== null ? { error: r.error } : {}), durationMs: Number(r.duration_ms),
    }));
  }

  async runCounts(since: number): Promise<RunCount[]> {
    const rows = await this.x.all<{ flow: string; hour: number; outcome: RunOutcome; n: number }>(
      'SELECT flow, hour, outcome, n FROM run_counts WHERE hour >= ? ORDER BY flow, hour', [Math.floor(since / HOUR_MS) * HOUR_MS]);
    return rows.map((r) => ({ flow: r.flow, hour: Number(r.hour), outcome: r.outcome, n: Number(r.n) }));
  }

  async runTotals(): Promise<{ flow: string; outcome: RunOutcome; n: number }[]> {
    const rows = await this.x.all<{ flow: string; outcome: RunOutcome; n: number }>('SELECT flow, outcome, SUM(n) AS n FROM run_counts GROUP BY flow, outcome', []);
    return rows.map((r) => ({ flow: r.flow, outcome: r.outcome, n: Number(r.n) }));
  }

  async callStats(since: number): Promise<{ flow: string; system: string; operation: string; calls: number; errors: number }[]> {
    const rows = await this.x.all<{ flow: string; system: string; operation: string; calls: number; errors: number }>(
      `SELECT r.flow, c.system, c.operation, COUNT(*) AS calls, SUM(CASE WHEN c.error IS NULL THEN 0 ELSE 1 END) AS errors
         FROM runs r JOIN run_calls c ON c.run_id = r.id WHERE r.started_at >= ? GROUP BY r.flow, c.system, c.operation`, [Math.floor(since)]);
    return rows.map((r) => ({ ...r, calls: Number(r.calls), errors: Number(r.errors) }));
  }

  async siteErrors(since: number): Promise<{ flow: string; site: string; n: number }[]> {
    const rows = await this.x.all<{ flow: string; site: string; n: number }>(
      `SELECT flow, site, COUNT(*) AS n FROM runs WHERE started_at >= ? AND site IS NOT NULL AND outcome IN ('retry', 'dead_letter') GROUP BY flow, site`, [Math.floor(since)]);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  async deadLetterGroups(): Promise<{ flow: string; reason: string; count: number }[]> {
    const rows = await this.x.all<{ flow: string; reason: string; n: number }>(
      'SELECT flow, reason, COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL GROUP BY flow, reason ORDER BY COUNT(*) DESC, flow, reason', []);
    return rows.map((r) => ({ flow: r.flow, reason: r.reason, count: Number(r.n) }));
  }
}

/** The console migration's tables (SQLite and PostgreSQL differ in the id column and SQLite's WITHOUT ROWID). */
export function consoleTablesSql(serialId: string, withoutRowid = ''): string {
  return `
CREATE TABLE console_users (
  name          TEXT   PRIMARY KEY,
  role          TEXT   NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash TEXT   NOT NULL,
  created_at    BIGINT NOT NULL,
  changed_at    BIGINT NOT NULL
);
-- id: SHA-256 of the session cookie's token.
CREATE TABLE console_sessions (
  id         TEXT   PRIMARY KEY,
  user_name  TEXT   NOT NULL,
  csrf       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_name);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
CREATE TABLE console_audit (
  id          ${serialId},
  at          BIGINT NOT NULL,
  user_name   TEXT   NOT NULL,
  action      TEXT   NOT NULL,
  target      TEXT   NOT NULL,
  before_json TEXT,
  after_json  TEXT
);
-- The business keys of each run (the console's search box): value first, for the search.
CREATE TABLE run_keys (
  run_id BIGINT NOT NULL,
  job_id BIGINT,
  kind   TEXT   NOT NULL,
  value  TEXT   NOT NULL,
  PRIMARY KEY (run_id, kind, value)
);
CREATE INDEX run_keys_value ON run_keys (value, run_id);
CREATE INDEX run_keys_job ON run_keys (job_id);
-- Each connector call of a run (masked args, truncated result).
CREATE TABLE run_calls (
  run_id      BIGINT  NOT NULL,
  seq         INTEGER NOT NULL,
  system      TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  args        TEXT    NOT NULL,
  result      TEXT,
  error       TEXT,
  duration_ms BIGINT  NOT NULL,
  PRIMARY KEY (run_id, seq)
)${withoutRowid};
-- Runs per flow, hour and outcome, kept with every run (the overview's charts and totals).
CREATE TABLE run_counts (
  flow    TEXT   NOT NULL,
  hour    BIGINT NOT NULL,
  outcome TEXT   NOT NULL,
  n       BIGINT NOT NULL,
  PRIMARY KEY (flow, hour, outcome)
)${withoutRowid};
INSERT INTO run_counts (flow, hour, outcome, n)
  SELECT flow, (started_at / ${HOUR_MS}) * ${HOUR_MS}, outcome, COUNT(*) FROM runs GROUP BY flow, (started_at / ${HOUR_MS}) * ${HOUR_MS}, outcome;
CREATE INDEX runs_outcome ON runs (outcome, id);
CREATE INDEX runs_started ON runs (started_at);
ALTER TABLE dead_letters ADD COLUMN discarded_at BIGINT;
ALTER TABLE dead_letters ADD COLUMN discard_reason TEXT;
-- The dead-letter groups (flow, reason) of pending entries, counted from the index alone.
CREATE INDEX dead_letters_reasons ON dead_letters (flow, reason) WHERE replayed_at IS NULL AND discarded_at IS NULL;
`;
}

/** SQL of the run's extras, shared by both stores' insertRun (placeholders: `?`). */
export const RUN_EXTRAS_SQL = {
  key: 'INSERT INTO run_keys (run_id, job_id, kind, value) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  call: 'INSERT INTO run_calls (run_id, seq, system, operation, kind, args, result, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  count: `INSERT INTO run_counts (flow, hour, outcome, n) VALUES (?, ?, ?, 1) ON CONFLICT (flow, hour, outcome) DO UPDATE SET n = run_counts.n + 1`,
};

/** The rows of a run's extras, as parameter lists for RUN_EXTRAS_SQL. */
export function runExtras(runId: number, run: { jobId: number | null; flow: string; outcome: string; startedAt: number; keys?: readonly RunKey[]; calls?: readonly RunCall[] }) {
  const keys = (run.keys ?? []).map((k) => [runId, run.jobId, k.kind, k.kind === 'email' ? k.value.toLowerCase() : k.value]);
  const calls = (run.calls ?? []).map((c, i) => [runId, i, c.system, c.operation, c.kind, JSON.stringify(c.args ?? null),
    c.result === undefined ? null : JSON.stringify(c.result), c.error ?? null, Math.round(c.durationMs)]);
  const count = [run.flow, Math.floor(run.startedAt / HOUR_MS) * HOUR_MS, run.outcome];
  return { keys, calls, count };
}

/** `?` → `$1`, `$2`, ... (none of the console's SQL has a `?` inside a literal). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
