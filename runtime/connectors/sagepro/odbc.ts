/**
 * ODBC access for the Sage Pro connector: a small pool of `odbc.connect` connections, parameterised
 * queries with upper-cased result keys, one-transaction helpers, error classification, and DSN
 * redaction (the connection string never reaches a log line or an error message).
 */
import odbc from 'odbc';
import { ConnectorError, type ErrorClass } from '../errors.js';

export type Row = Record<string, unknown>;
export type Param = string | number;

/** Removes the connection string and its secrets from any text. */
export function redact(text: string, dsn?: string): string {
  let out = text;
  if (dsn) {
    if (dsn.length > 0) out = out.split(dsn).join('<dsn>');
    for (const m of dsn.matchAll(/(?:^|;)\s*(?:pwd|password)\s*=\s*(\{[^}]*\}|[^;]*)/gi)) {
      const secret = m[1]!.replace(/^\{|\}$/g, '');
      if (secret.length >= 3) out = out.split(secret).join('***');
    }
  }
  return out.replace(/((?:pwd|password)\s*=\s*)(\{[^}]*\}|[^;\s]*)/gi, '$1***');
}

/** A connection string safe to show: driver and database only, secrets masked. */
export function describeDsn(dsn: string): string {
  return dsn.split(';').filter((p) => p.trim() !== '').map((p) => {
    const [k, ...v] = p.split('=');
    return /^(pwd|password|uid|user)$/i.test(k!.trim()) ? `${k}=***` : `${k}=${v.join('=')}`;
  }).join(';');
}

interface OdbcErrorInfo { state?: string; code?: number; message?: string }

/** Classifies an ODBC / driver error. Transient: connection lost, timeout, lock timeout, deadlock, "database is locked". */
export function classifyOdbcError(err: unknown): { errorClass: ErrorClass; table?: string; column?: string; detail: string } {
  const e = err as { message?: string; odbcErrors?: OdbcErrorInfo[] };
  const infos = e.odbcErrors ?? [];
  const detail = [e.message ?? String(err), ...infos.map((i) => `[${i.state ?? ''}] ${i.message ?? ''}`)].join(' ');
  const states = infos.map((i) => i.state ?? '');
  const text = detail.toLowerCase();
  let errorClass: ErrorClass = 'invalid';
  const transientState = states.some((s) => /^08/.test(s) || s === 'HYT00' || s === 'HYT01' || s === '40001' || s === '40P01' || s === '55P03' || /^57P0/.test(s) || s === '53300');
  if (transientState
    || /database is locked|database table is locked|sqlite_busy|busy|deadlock|lock request time ?out|lock timeout|could not obtain lock|timeout expired|timed out|connection (?:is )?(?:lost|closed|reset|refused|failure|broken)|communication link failure|server closed the connection|could not connect|file is in use|record is in use|file access is denied.*in use/.test(text)) {
    errorClass = 'transient';
  } else if (states.some((s) => /^28/.test(s) || s === '42501') || /permission denied|access denied|login failed|authentication failed/.test(text)) {
    errorClass = 'permission';
  } else if (states.some((s) => s === '23505') || /unique constraint|duplicate key|violation of primary key|uniqueness of index/.test(text)) {
    errorClass = 'conflict';
  }
  const out: { errorClass: ErrorClass; table?: string; column?: string; detail: string } = { errorClass, detail };
  // SQLite: "UNIQUE constraint failed: somast.SONO"; "NOT NULL constraint failed: t.C".
  const m = /constraint failed: ([A-Za-z_][\w]*)\.([A-Za-z_]\w*)/.exec(detail);
  if (m) { out.table = m[1]!.toUpperCase(); out.column = m[2]!.toUpperCase(); }
  const pgCol = /column "([^"]+)" of relation "([^"]+)"/.exec(detail);
  if (pgCol) { out.column = pgCol[1]!.toUpperCase(); out.table = pgCol[2]!.toUpperCase(); }
  return out;
}

export function toConnectorError(err: unknown, ctx: { dsn: string; operation?: string; table?: string; column?: string }): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const c = classifyOdbcError(err);
  const table = c.table ?? ctx.table;
  const column = c.column ?? ctx.column;
  const where = table ? ` (${table}${column ? `.${column}` : ''})` : '';
  return new ConnectorError(redact(`Sage Pro ${ctx.operation ?? 'database'} failed${where}: ${c.detail}`, ctx.dsn), {
    errorClass: c.errorClass, system: 'sagepro',
    ...(ctx.operation ? { operation: ctx.operation } : {}),
    ...(table ? { table } : {}), ...(column ? { column } : {}),
    // The raw driver error may quote the connection string: keep only a redacted copy.
    cause: new Error(redact(c.detail, ctx.dsn)),
  });
}

function upperKeys(rows: readonly Row[]): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const o: Row = {};
    for (const k of Object.keys(r)) o[k.toUpperCase()] = r[k];
    out.push(o);
  }
  return out;
}

/**
 * What a session sends to the driver, for tools that measure or replay it (bench/e2e.bench.ts
 * records the statements of one sales order and replays them through the same driver): each
 * statement with its parameters, and the transaction boundaries of `OdbcPool.transaction`.
 * `conn` tells connections apart. Parameters may hold customer data: a recorder keeps them in
 * memory and never logs them.
 */
export type StatementEvent =
  | { readonly kind: 'statement'; readonly conn: odbc.Connection; readonly sql: string; readonly params: readonly Param[] }
  | { readonly kind: 'begin' | 'commit' | 'rollback'; readonly conn: odbc.Connection };
export type StatementRecorder = (e: StatementEvent) => void;

let recorder: StatementRecorder | undefined;

/**
 * Calls `fn` for every statement and transaction boundary of every Session and OdbcPool in this
 * process until the returned function is called (one recorder at a time; off by default, and then
 * costs one check per statement). Not for production use: it is how the bench sees what the
 * connector sends without editing the connector.
 */
export function recordStatements(fn: StatementRecorder): () => void {
  if (recorder) throw new Error('recordStatements: a recorder is already installed');
  recorder = fn;
  return () => { if (recorder === fn) recorder = undefined; };
}

/** One connection with upper-cased result keys. */
export class Session {
  constructor(readonly conn: odbc.Connection) {}
  async query(sql: string, params: Param[] = []): Promise<Row[]> {
    recorder?.({ kind: 'statement', conn: this.conn, sql, params: [...params] });
    const r = params.length ? await this.conn.query<Row>(sql, params) : await this.conn.query<Row>(sql);
    return upperKeys(Array.from(r));
  }
  async execute(sql: string, params: Param[] = []): Promise<number> {
    recorder?.({ kind: 'statement', conn: this.conn, sql, params: [...params] });
    const r = params.length ? await this.conn.query<Row>(sql, params) : await this.conn.query<Row>(sql);
    return r.count;
  }
  /** Streams rows in batches through an ODBC cursor (never the whole result in memory). */
  async *stream(sql: string, params: Param[] = [], fetchSize = 1000): AsyncGenerator<Row[]> {
    recorder?.({ kind: 'statement', conn: this.conn, sql, params: [...params] });
    const cursor = params.length
      ? await this.conn.query(sql, params, { cursor: true, fetchSize })
      : await this.conn.query(sql, { cursor: true, fetchSize });
    try {
      while (!cursor.noData) {
        const batch = await cursor.fetch<Row>();
        if (batch.length) yield upperKeys(Array.from(batch));
      }
    } finally {
      await cursor.close();
    }
  }
}

/** `connected` is a getter at run time although odbc.d.ts declares a method. */
function isConnected(c: odbc.Connection): boolean {
  const v = (c as unknown as { connected: boolean | (() => boolean) }).connected;
  return typeof v === 'function' ? v.call(c) : Boolean(v);
}

export interface PoolOptions {
  maxSize?: number; connectionTimeout?: number; loginTimeout?: number;
  /** Runs on every new connection before first use (e.g. SQLite `ATTACH DATABASE` for module folders). */
  onConnect?: (conn: odbc.Connection) => Promise<void>;
}

/** A small pool of ODBC connections opened on demand. */
export class OdbcPool {
  private idle: odbc.Connection[] = [];
  private open = 0;
  private waiters: ((c: odbc.Connection | Error) => void)[] = [];
  private closed = false;
  readonly maxSize: number;

  constructor(private readonly dsn: string, private readonly opts: PoolOptions = {}) {
    this.maxSize = opts.maxSize ?? 4;
  }

  private async connectNew(): Promise<odbc.Connection> {
    let conn: odbc.Connection;
    try {
      conn = await odbc.connect({
        connectionString: this.dsn,
        ...(this.opts.connectionTimeout !== undefined ? { connectionTimeout: this.opts.connectionTimeout } : {}),
        ...(this.opts.loginTimeout !== undefined ? { loginTimeout: this.opts.loginTimeout } : {}),
      });
    } catch (e) {
      // Not reaching the database is an outage (retry later), unless the login itself was refused.
      const ce = toConnectorError(e, { dsn: this.dsn, operation: 'connect' });
      if (ce.errorClass === 'permission') throw ce;
      throw new ConnectorError(ce.message, { errorClass: 'transient', system: 'sagepro', operation: 'connect', cause: e });
    }
    if (this.opts.onConnect) {
      try { await this.opts.onConnect(conn); } catch (e) {
        await conn.close().catch(() => undefined);
        throw toConnectorError(e, { dsn: this.dsn, operation: 'connect' });
      }
    }
    return conn;
  }

  async acquire(): Promise<odbc.Connection> {
    if (this.closed) throw new ConnectorError('Sage Pro connection pool is closed', { errorClass: 'transient', system: 'sagepro' });
    while (this.idle.length) {
      const c = this.idle.pop()!;
      if (isConnected(c)) return c;
      this.open--;
    }
    if (this.open < this.maxSize) {
      this.open++;
      try { return await this.connectNew(); } catch (e) { this.open--; throw e; }
    }
    return new Promise((resolve, reject) => this.waiters.push((c) => (c instanceof Error ? reject(c) : resolve(c))));
  }

  release(conn: odbc.Connection, broken = false): void {
    if (broken || this.closed || !isConnected(conn)) {
      this.open--;
      void conn.close().catch(() => undefined);
      const w = this.waiters.shift();
      if (w) {
        this.open++;
        // A failed reconnect gives its slot back, or a full pool would wait forever once the database returns.
        this.connectNew().then(w, (err: Error) => { this.open--; w(err); });
      }
      return;
    }
    const w = this.waiters.shift();
    if (w) w(conn); else this.idle.push(conn);
  }

  /** Runs `fn` on one connection (autocommit). */
  async with<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    let broken = false;
    try {
      return await fn(new Session(conn));
    } catch (e) {
      broken = classifyOdbcError(e).errorClass === 'transient' && !(e instanceof ConnectorError);
      throw e;
    } finally {
      this.release(conn, broken);
    }
  }

  /** Runs `fn` in one transaction: commit when it resolves, rollback when it throws. */
  async transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    let broken = false;
    try {
      recorder?.({ kind: 'begin', conn });
      await conn.beginTransaction();
      let result: T;
      try {
        result = await fn(new Session(conn));
      } catch (e) {
        recorder?.({ kind: 'rollback', conn });
        try { await conn.rollback(); } catch { broken = true; }
        throw e;
      }
      recorder?.({ kind: 'commit', conn });
      await conn.commit();
      return result;
    } catch (e) {
      if (!(e instanceof ConnectorError) && classifyOdbcError(e).errorClass === 'transient') broken = true;
      throw e;
    } finally {
      this.release(conn, broken);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.idle.splice(0);
    this.open -= all.length;
    for (const w of this.waiters.splice(0)) w(new Error('pool closed'));
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
