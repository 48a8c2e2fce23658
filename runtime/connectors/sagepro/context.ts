/**
 * What every Sage Pro operation stands on: the options, the ODBC pool and its transactions, the
 * install's catalog (SQLColumns, cached per table), and the row helpers that apply the storage rules
 * (storage.ts) to every read and write: keys padded to the install's width, only the columns the
 * install has, entity properties <-> columns from the schemas. The operation files (sales-orders.ts,
 * customers.ts, inventory.ts, receivables.ts, polling.ts) take a SageProContext; SageProConnector
 * (connector.ts) holds one and is the public face.
 */
import { ConnectorError } from '../errors.js';
import { createDialect, dialectFromDsn, ident, type Dialect, type DialectName } from './dialect.js';
import { OdbcPool, toConnectorError, type Param, type Row, type Session } from './odbc.js';
import { assignNumber, type CounterName, type NumberingOptions, type NumberWanted } from './numbering.js';
import { loadSageProCatalog, loadSageProSchemas, type Catalog, type ColumnMapping, type EntityShape, type SchemaSet } from './schemas.js';
import { completeRow, decodeValue, encodeSome, padKey, type TableShape, type TextOptions } from './storage.js';
import type { TextRules } from '../../text/codepage.js';
import { createTableResolver, type TableResolver } from './tables.js';
import { InstallCatalog } from './install-catalog.js';

export interface SageProConnectorOptions {
  /** ODBC connection string (from config / env). Never logged. */
  dsn: string;
  dialect?: DialectName;
  /** VFP company suffix (default '01'); also `{company}` in `modules`. */
  company?: string;
  /** How next numbers are assigned (connect.yaml `sagepro.numbering`); unset counters invent nothing. */
  numbering?: NumberingOptions;
  /** Physical table name template per module, e.g. `{ AR: 'ardata.{table}{company}' }` (`sagepro.modules`). */
  modules?: Record<string, string>;
  /** Physical table name per logical table, e.g. `{ ARCUST: 'ardata.arcust01' }`; wins over modules (`sagepro.tables`). */
  tables?: Record<string, string>;
  /** SQLite only: database files ATTACHed on every new connection, name → path (`sagepro.attach`). */
  attach?: Record<string, string>;
  /** SQL Server schema prefix. */
  schema?: string;
  schemaDir?: string;
  /** Column holding SalesOrder.external_ref: 'EXTREF' (default, a custom column) or e.g. 'PONUM'. */
  externalRefColumn?: string;
  /**
   * Where this install keeps a shipment's tracking number (`tracking_column`): a column of SOMAST (and
   * SOYMST), default SOTRACK. Never required: an install without it reads no tracking number.
   */
  trackingColumn?: string;
  /** Location for lines without one and orders without `location` (default MAIN). */
  defaultLocation?: string;
  /** Default GL accounts (defaults: AR 1200-00, sales 4000-00, tax 2200-00, cash 1000-00). */
  accounts?: { ar?: string; sales?: string; tax?: string; cash?: string };
  /** ADDUSER stamp (C(4), default CONN). */
  user?: string;
  poolSize?: number;
  /** Clock for ADDDATE / ADDTIME and default dates. */
  now?: () => Date;
  /** The install's code page and text rules (connect.yaml `connections.sagepro.text`); the process-wide ones when absent. */
  text?: TextRules;
  /** Warnings about data changed on the way in (control characters stripped), with table and column. */
  onWarning?: (message: string, details: { table: string; column: string }) => void;
}

export type Obj = Record<string, unknown>;

export const round = (n: number, s = 2) => { const f = 10 ** s; return Math.round(n * f) / f; };

/** Evaluates an `x-sagepro.computed` expression: column names, numbers, + and -. */
export function evalComputed(expr: string, row: Row): number {
  const tokens = expr.match(/[A-Za-z_]\w*|\d+(?:\.\d+)?|[+-]/g) ?? [];
  let total = 0; let sign = 1; let expectOperand = true;
  for (const t of tokens) {
    if (t === '+' || t === '-') { if (!expectOperand) { sign = t === '-' ? -1 : 1; expectOperand = true; } else if (t === '-') sign = -sign; continue; }
    const v = /^\d/.test(t) ? Number(t) : Number(row[t.toUpperCase()] ?? 0);
    total += sign * v; sign = 1; expectOperand = false;
  }
  return round(total, 4);
}

/** The connection, catalog and row helpers the operation files share (one per SageProConnector). */
export class SageProContext {
  readonly dialect: Dialect;
  readonly schemas: SchemaSet;
  readonly catalog: Catalog;
  readonly pool: OdbcPool;
  readonly install: InstallCatalog;
  readonly tables: TableResolver;
  readonly numbering: NumberingOptions;
  private readonly rightJustified = new Set<string>();
  readonly opts: Required<Pick<SageProConnectorOptions, 'defaultLocation' | 'user' | 'company'>> & SageProConnectorOptions;
  readonly accounts: { ar: string; sales: string; tax: string; cash: string };

  constructor(options: SageProConnectorOptions) {
    this.opts = { defaultLocation: 'MAIN', user: 'CONN', company: '01', ...options };
    const dopts = { company: this.opts.company, ...(options.schema ? { schema: options.schema } : {}) };
    this.dialect = createDialect(options.dialect ?? dialectFromDsn(options.dsn), dopts);
    this.schemas = loadSageProSchemas(options.schemaDir);
    this.catalog = loadSageProCatalog(options.schemaDir);
    this.accounts = { ar: '1200-00', sales: '4000-00', tax: '2200-00', cash: '1000-00', ...options.accounts };
    this.tables = createTableResolver(this.dialect, { company: this.opts.company, ...(options.modules ? { modules: options.modules } : {}), ...(options.tables ? { tables: options.tables } : {}) });
    this.numbering = options.numbering ?? {};
    const attach = Object.entries(options.attach ?? {});
    if (attach.length && this.dialect.name !== 'sqlite') throw new Error('sagepro.attach: only for SQLite (ATTACH DATABASE imitates VFP module folders)');
    for (const [name] of attach) { try { ident(name); } catch { throw new Error(`sagepro.attach.${name}: not a plain database name`); } }
    const extCol = (options.externalRefColumn ?? 'EXTREF').toUpperCase();
    ident(extCol);
    for (const e of this.schemas.entities.values()) {
      for (const m of [...e.columns, ...e.foreign]) {
        if (m.justify === 'right') this.rightJustified.add(m.column);
        if (m.property === 'external_ref' && m.table === 'SOMAST' && m.column !== extCol) {
          m.column = extCol;
          // The column now carries the reference: no other property may write it (e.g. po_number → PONUM).
          e.columns = e.columns.filter((o) => o === m || o.column !== extCol);
        }
      }
    }
    // SalesOrderStatus.tracking is read from the site's tracking column (a read model: nothing writes it).
    const trackCol = (options.trackingColumn ?? 'SOTRACK').toUpperCase();
    ident(trackCol);
    const status = this.schemas.entities.get('SalesOrderStatus');
    for (const m of status?.columns ?? []) if (m.property === 'tracking' && m.table === 'SOMAST') m.column = trackCol;
    this.install = new InstallCatalog({ dsn: options.dsn, dialect: this.dialect, tables: this.tables, rightJustified: this.rightJustified, ...(options.schema ? { schema: options.schema } : {}), ...(options.attach ? { attach: options.attach } : {}) });
    this.pool = new OdbcPool(options.dsn, { maxSize: options.poolSize ?? 4, ...(attach.length ? { onConnect: (c) => this.install.attachAll(c) } : {}) });
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.install.close();
  }

  /** SQL name of a logical table on this install (tables.ts). */
  t(logical: string): string { return this.tables.resolve(logical).sql; }

  async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ConnectorError) {
        if (!e.operation) (e as { operation?: string }).operation = operation;
        throw e;
      }
      throw toConnectorError(e, { dsn: this.opts.dsn, operation });
    }
  }

  tx<T>(operation: string, fn: (s: Session) => Promise<T>): Promise<T> {
    return this.guard(operation, () => this.pool.transaction(fn));
  }

  /** The install's columns of a table (SQLColumns), cached; an `invalid` error when the install has no such table. */
  shape(table: string): Promise<TableShape> { return this.install.shape(table); }

  /** As shape(), null when the install has no such table (optional tables such as ARCASH). */
  shapeOrNull(table: string): Promise<TableShape | null> { return this.install.shapeOrNull(table); }

  /** Forgets cached table shapes (after a schema change on the install). */
  resetShapes(): void { this.install.reset(); }

  async key(table: string, column: string, value: string): Promise<string> {
    const sh = await this.shape(table);
    const spec = sh.columns.get(column);
    if (!spec) throw new ConnectorError(`${table} has no column ${column} on this install`, { errorClass: 'invalid', system: 'sagepro', table, column });
    if (spec.type.kind !== 'C') return value;
    return padKey(value, spec.type.width, spec.justify, table, column, this.textOptions());
  }

  textOptions(): TextOptions {
    return { ...(this.opts.text ? { rules: this.opts.text } : {}), ...(this.opts.onWarning ? { warn: this.opts.onWarning } : {}) };
  }

  where(conds: string[], alias?: string): string {
    const nd = this.dialect.notDeleted(alias);
    const all = nd ? [...conds, nd] : conds;
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  }

  /** Only the columns the install has (flow-mapped ones were checked by requireMapped() before the first write). */
  presentOnly(sh: TableShape, values: Obj): Obj {
    return Object.fromEntries(Object.entries(values).filter(([c]) => sh.columns.has(c)));
  }

  async insert(s: Session, table: string, values: Obj, operation: string): Promise<void> {
    const sh = await this.shape(table);
    const { columns, params } = completeRow(sh, this.presentOnly(sh, values), this.dialect, operation, this.textOptions());
    await s.execute(`INSERT INTO ${this.t(table)} (${columns.map(ident).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, params);
  }

  async update(s: Session, table: string, set: Obj, where: Obj, operation: string): Promise<number> {
    const sh = await this.shape(table);
    const a = encodeSome(sh, this.presentOnly(sh, set), this.dialect, operation, this.textOptions());
    const w = encodeSome(sh, where, this.dialect, operation, this.textOptions());
    if (!a.columns.length) return 0;
    return s.execute(`UPDATE ${this.t(table)} SET ${a.columns.map((c) => `${ident(c)} = ?`).join(', ')}${this.where(w.columns.map((c) => `${ident(c)} = ?`))}`, [...a.params, ...w.params]);
  }

  /** `SET col = col + ?` for running totals. */
  async addTo(s: Session, table: string, deltas: Obj, where: Obj, operation: string): Promise<number> {
    const sh = await this.shape(table);
    const w = encodeSome(sh, where, this.dialect, operation, this.textOptions());
    const present = this.presentOnly(sh, deltas);
    const cols = Object.keys(present).map(ident);
    if (!cols.length) return 0;
    return s.execute(
      `UPDATE ${this.t(table)} SET ${cols.map((c) => `${c} = ${c} + ?`).join(', ')}${this.where(w.columns.map((c) => `${ident(c)} = ?`))}`,
      [...Object.values(present).map((v) => Number(v)), ...w.params],
    );
  }

  /** Mapped columns of an entity level that exist on the install. */
  async present(e: EntityShape, table = e.table): Promise<ColumnMapping[]> {
    const sh = await this.shape(table);
    return e.columns.filter((m) => sh.columns.has(m.column));
  }

  decode(e: EntityShape, maps: ColumnMapping[], row: Row): Obj {
    const out: Obj = {};
    for (const m of maps) out[m.property] = decodeValue(m.type, m.justify, row[m.column]);
    for (const c of e.computed) out[c.property] = evalComputed(c.expression, row);
    return out;
  }

  /** Column values of an entity level from a logical object (only the properties given). */
  encodeProps(e: EntityShape, value: Obj, opts: { includeReadOnly?: boolean } = {}): Obj {
    const out: Obj = {};
    for (const m of e.columns) {
      if (m.readOnly && !opts.includeReadOnly) continue;
      if (value[m.property] !== undefined) out[m.column] = value[m.property];
    }
    return out;
  }

  /**
   * A flow-given property whose column the install lacks is an `invalid` error naming the entity
   * field, table and column (called before the first write of an operation).
   */
  async requireMapped(e: EntityShape, value: Obj, operation: string, fieldPrefix = ''): Promise<void> {
    for (const m of e.columns) {
      if (m.readOnly || value[m.property] === undefined || value[m.property] === null) continue;
      const sh = await this.shape(m.table);
      if (!sh.columns.has(m.column)) {
        throw this.invalid(`${e.name}.${m.property} is stored in ${m.table}.${m.column}, but this install's ${m.table} has no column ${m.column}; `
          + 'do not map that field for this site (or add the column)', operation, m.table, m.column, `${fieldPrefix}${m.property}`);
      }
    }
  }

  textWidth(table: string, column: string, fallback: number): Promise<number> { return this.install.textWidth(table, column, fallback); }

  has(table: string, column: string): Promise<boolean> { return this.install.has(table, column); }

  async selectRows(s: Session, e: EntityShape, table: string, where: [string, Param][], orderBy: string[] = [], extra: string[] = []): Promise<{ rows: Row[]; maps: ColumnMapping[] }> {
    const maps = await this.present(e, table);
    const sh = await this.shape(table);
    const cols = new Set([...maps.map((m) => m.column), ...extra.filter((c) => sh.columns.has(c))]);
    for (const c of e.computed) for (const t of c.expression.match(/[A-Za-z_]\w*/g) ?? []) cols.add(t.toUpperCase());
    // Optional columns (e.g. SOTRAN.LINENO) order the rows only where the install has them.
    orderBy = orderBy.filter((c) => sh.columns.has(c));
    const sql = `SELECT ${[...cols].map(ident).join(', ')} FROM ${this.t(table)}${this.where(where.map(([c]) => `${ident(c)} = ?`))}${orderBy.length ? ` ORDER BY ${orderBy.map(ident).join(', ')}` : ''}`;
    return { rows: await s.query(sql, where.map(([, v]) => v)), maps };
  }

  stamp(): Obj {
    const now = (this.opts.now ?? (() => new Date()))();
    return { ADDUSER: this.opts.user, ADDDATE: now.toISOString().slice(0, 10), ADDTIME: now.toISOString().slice(11, 19) };
  }

  today(): string { return (this.opts.now ?? (() => new Date()))().toISOString().slice(0, 10); }

  /**
   * Serialises writers of one kind for the rest of the transaction (existence checks and number
   * assignment happen under it). Never touches a numbering table.
   */
  async lockTable(s: Session, table: string, column: string): Promise<void> {
    const stmt = this.dialect.lockTable(this.t(table), column);
    if (stmt) await s.execute(stmt);
  }

  /** A number for `counter` the site's way (numbering.ts), in this transaction. */
  nextNumber(s: Session, counter: CounterName, op: string, what: NumberWanted): Promise<string> {
    return assignNumber({
      numbering: this.numbering, shapeOrNull: (t) => this.shapeOrNull(t), has: (t, c) => this.has(t, c), tableSql: (t) => this.t(t),
      where: (conds) => this.where(conds), update: (se, t, set, where, o) => this.update(se, t, set, where, o),
    }, s, counter, op, what);
  }

  invalid(message: string, operation: string, table?: string, column?: string, field?: string): ConnectorError {
    return new ConnectorError(message, { errorClass: 'invalid', system: 'sagepro', operation, ...(table ? { table } : {}), ...(column ? { column } : {}), ...(field ? { field } : {}) });
  }

  conflict(message: string, operation: string, table?: string, column?: string): ConnectorError {
    return new ConnectorError(message, { errorClass: 'conflict', system: 'sagepro', operation, ...(table ? { table } : {}), ...(column ? { column } : {}) });
  }

  externalRefColumn(): string {
    return this.schemas.get('SalesOrder').columns.find((m) => m.property === 'external_ref')!.column;
  }
}
