/**
 * The Sage Pro connector: one method per catalog operation (mappings/schemas/sagepro/operations.yaml),
 * each in one database transaction, over ODBC with parameterised statements only.
 *
 * Columns come from the install (SQLColumns, cached per table), property ↔ column mapping and
 * justification from the entity schemas; the storage rules (storage.ts) apply to every write.
 * Derived totals are maintained here, as Sage Pro's own order entry would: ICILOC.LSOALOC,
 * ARCUST.ONORDER, ARCUST.BALANCE; next numbers the way the site says (numbering.ts).
 *
 * Installs differ (reference 0b): tables are found through the site's layout (tables.ts), the
 * writes fill only the columns the install has (read once per table with SQLColumns), optional
 * columns are read only when present, and a column a flow maps but the install lacks is an
 * `invalid` error before the first write. Every write that is not naturally repeatable records a
 * reference inside its own transaction and checks it, so a repeat returns the first result.
 */
import { ConnectorError } from '../errors.js';
import { changedRows as changedRowsOf, type PreviousHashes, type RowChange } from './changes.js';
import { createDialect, dialectFromDsn, ident, type Dialect, type DialectName } from './dialect.js';
import { OdbcPool, Session, toConnectorError, type Param, type Row } from './odbc.js';
import { emailCandidatePattern, foldEmail } from './email.js';
import { assignNumber, numberingKey, type CounterName, type NumberingOptions, type NumberWanted } from './numbering.js';
import { checkInstall, installTablesOf, type InstallProblem } from './preflight.js';
import { loadSageProCatalog, loadSageProSchemas, type Catalog, type ColumnMapping, type EntityShape, type SchemaSet } from './schemas.js';
import { completeRow, decodeValue, encodeSome, padKey, type TableShape, type TextOptions } from './storage.js';
import type { TextRules } from '../../text/codepage.js';
import { createTableResolver, type TableResolver } from './tables.js';
import { InstallCatalog } from './install-catalog.js';

export { loadSageProCatalog } from './schemas.js';

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

type Obj = Record<string, unknown>;

const round = (n: number, s = 2) => { const f = 10 ** s; return Math.round(n * f) / f; };

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

export class SageProConnector {
  readonly dialect: Dialect;
  readonly schemas: SchemaSet;
  readonly catalog: Catalog;
  private readonly pool: OdbcPool;
  private readonly install: InstallCatalog;
  readonly tables: TableResolver;
  private readonly numbering: NumberingOptions;
  private readonly rightJustified = new Set<string>();
  private readonly opts: Required<Pick<SageProConnectorOptions, 'defaultLocation' | 'user' | 'company'>> & SageProConnectorOptions;
  private readonly accounts: { ar: string; sales: string; tax: string; cash: string };
  private readonly methods: Record<string, (args: Obj) => Promise<unknown>>;

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
    this.install = new InstallCatalog({ dsn: options.dsn, dialect: this.dialect, tables: this.tables, rightJustified: this.rightJustified, ...(options.schema ? { schema: options.schema } : {}), ...(options.attach ? { attach: options.attach } : {}) });
    this.pool = new OdbcPool(options.dsn, { maxSize: options.poolSize ?? 4, ...(attach.length ? { onConnect: (c) => this.install.attachAll(c) } : {}) });
    this.methods = {
      'sales_orders.create': (a) => this.createSalesOrder(a.order as Obj),
      'sales_orders.get': (a) => this.getSalesOrder(String(a.number)),
      'sales_orders.find_by_ref': (a) => this.findSalesOrderByRef(String(a.external_ref)),
      'sales_orders.status': (a) => this.salesOrderStatus(String(a.number)),
      'customers.get': (a) => this.getCustomer(String(a.number)),
      'customers.find_by_email': (a) => this.findCustomerByEmail(String(a.email)),
      'customers.upsert': (a) => this.upsertCustomer(a.customer as Obj),
      'inventory.level': (a) => this.inventoryLevel(String(a.item), String(a.location)),
      'inventory.levels': (a) => this.inventoryLevels(a.location === undefined || a.location === null ? null : String(a.location)),
      'inventory.item': (a) => this.inventoryItem(String(a.item)),
      'receivables.post_invoice': (a) => this.postInvoice(a.invoice as Obj),
      'receivables.post_payment': (a) => this.postPayment(a.payment as Obj),
      'gl.accounts': () => this.glAccounts(),
    };
  }

  /** Catalog names this connector implements. */
  operationNames(): string[] { return Object.keys(this.methods); }

  /** Calls an operation by its catalog name. */
  async call(operation: string, args: Record<string, unknown>): Promise<unknown> {
    const m = this.methods[operation];
    if (!m || !this.catalog.operations[operation]) {
      throw new ConnectorError(`unknown Sage Pro operation '${operation}'`, { errorClass: 'invalid', system: 'sagepro', operation });
    }
    for (const p of this.catalog.operations[operation]!.params) {
      if (!p.type.endsWith('?') && (args[p.name] === undefined || args[p.name] === null)) {
        throw new ConnectorError(`${operation}: parameter '${p.name}' is required`, { errorClass: 'invalid', system: 'sagepro', operation, field: p.name });
      }
    }
    return this.guard(operation, () => m(args));
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.install.close();
  }

  /** SQL name of a logical table on this install (tables.ts). */
  private t(logical: string): string { return this.tables.resolve(logical).sql; }

  // ---------------------------------------------------------------- plumbing

  private async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
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

  private tx<T>(operation: string, fn: (s: Session) => Promise<T>): Promise<T> {
    return this.guard(operation, () => this.pool.transaction(fn));
  }

  /** The install's columns of a table (SQLColumns), cached; an `invalid` error when the install has no such table. */
  shape(table: string): Promise<TableShape> { return this.install.shape(table); }

  /** As shape(), null when the install has no such table (optional tables such as ARCASH). */
  shapeOrNull(table: string): Promise<TableShape | null> { return this.install.shapeOrNull(table); }

  /** Forgets cached table shapes (after a schema change on the install). */
  resetShapes(): void { this.install.reset(); }

  private async key(table: string, column: string, value: string): Promise<string> {
    const sh = await this.shape(table);
    const spec = sh.columns.get(column);
    if (!spec) throw new ConnectorError(`${table} has no column ${column} on this install`, { errorClass: 'invalid', system: 'sagepro', table, column });
    if (spec.type.kind !== 'C') return value;
    return padKey(value, spec.type.width, spec.justify, table, column, this.textOptions());
  }

  private textOptions(): TextOptions {
    return { ...(this.opts.text ? { rules: this.opts.text } : {}), ...(this.opts.onWarning ? { warn: this.opts.onWarning } : {}) };
  }

  private where(conds: string[], alias?: string): string {
    const nd = this.dialect.notDeleted(alias);
    const all = nd ? [...conds, nd] : conds;
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  }

  /** Only the columns the install has (flow-mapped ones were checked by requireMapped() before the first write). */
  private presentOnly(sh: TableShape, values: Obj): Obj {
    return Object.fromEntries(Object.entries(values).filter(([c]) => sh.columns.has(c)));
  }

  private async insert(s: Session, table: string, values: Obj, operation: string): Promise<void> {
    const sh = await this.shape(table);
    const { columns, params } = completeRow(sh, this.presentOnly(sh, values), this.dialect, operation, this.textOptions());
    await s.execute(`INSERT INTO ${this.t(table)} (${columns.map(ident).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, params);
  }

  private async update(s: Session, table: string, set: Obj, where: Obj, operation: string): Promise<number> {
    const sh = await this.shape(table);
    const a = encodeSome(sh, this.presentOnly(sh, set), this.dialect, operation, this.textOptions());
    const w = encodeSome(sh, where, this.dialect, operation, this.textOptions());
    if (!a.columns.length) return 0;
    return s.execute(`UPDATE ${this.t(table)} SET ${a.columns.map((c) => `${ident(c)} = ?`).join(', ')}${this.where(w.columns.map((c) => `${ident(c)} = ?`))}`, [...a.params, ...w.params]);
  }

  /** `SET col = col + ?` for running totals. */
  private async addTo(s: Session, table: string, deltas: Obj, where: Obj, operation: string): Promise<number> {
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
  private async present(e: EntityShape, table = e.table): Promise<ColumnMapping[]> {
    const sh = await this.shape(table);
    return e.columns.filter((m) => sh.columns.has(m.column));
  }

  private decode(e: EntityShape, maps: ColumnMapping[], row: Row): Obj {
    const out: Obj = {};
    for (const m of maps) out[m.property] = decodeValue(m.type, m.justify, row[m.column]);
    for (const c of e.computed) out[c.property] = evalComputed(c.expression, row);
    return out;
  }

  /** Column values of an entity level from a logical object (only the properties given). */
  private encodeProps(e: EntityShape, value: Obj, opts: { includeReadOnly?: boolean } = {}): Obj {
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
  private async requireMapped(e: EntityShape, value: Obj, operation: string, fieldPrefix = ''): Promise<void> {
    for (const m of e.columns) {
      if (m.readOnly || value[m.property] === undefined || value[m.property] === null) continue;
      const sh = await this.shape(m.table);
      if (!sh.columns.has(m.column)) {
        throw this.invalid(`${e.name}.${m.property} is stored in ${m.table}.${m.column}, but this install's ${m.table} has no column ${m.column}; `
          + 'do not map that field for this site (or add the column)', operation, m.table, m.column, `${fieldPrefix}${m.property}`);
      }
    }
  }

  private textWidth(table: string, column: string, fallback: number): Promise<number> { return this.install.textWidth(table, column, fallback); }

  private has(table: string, column: string): Promise<boolean> { return this.install.has(table, column); }

  private async selectRows(s: Session, e: EntityShape, table: string, where: [string, Param][], orderBy: string[] = [], extra: string[] = []): Promise<{ rows: Row[]; maps: ColumnMapping[] }> {
    const maps = await this.present(e, table);
    const sh = await this.shape(table);
    const cols = new Set([...maps.map((m) => m.column), ...extra.filter((c) => sh.columns.has(c))]);
    for (const c of e.computed) for (const t of c.expression.match(/[A-Za-z_]\w*/g) ?? []) cols.add(t.toUpperCase());
    // Optional columns (e.g. SOTRAN.LINENO) order the rows only where the install has them.
    orderBy = orderBy.filter((c) => sh.columns.has(c));
    const sql = `SELECT ${[...cols].map(ident).join(', ')} FROM ${this.t(table)}${this.where(where.map(([c]) => `${ident(c)} = ?`))}${orderBy.length ? ` ORDER BY ${orderBy.map(ident).join(', ')}` : ''}`;
    return { rows: await s.query(sql, where.map(([, v]) => v)), maps };
  }

  private stamp(): Obj {
    const now = (this.opts.now ?? (() => new Date()))();
    return { ADDUSER: this.opts.user, ADDDATE: now.toISOString().slice(0, 10), ADDTIME: now.toISOString().slice(11, 19) };
  }

  private today(): string { return (this.opts.now ?? (() => new Date()))().toISOString().slice(0, 10); }

  /**
   * Serialises writers of one kind for the rest of the transaction (existence checks and number
   * assignment happen under it). Never touches a numbering table.
   */
  private async lockTable(s: Session, table: string, column: string): Promise<void> {
    const stmt = this.dialect.lockTable(this.t(table), column);
    if (stmt) await s.execute(stmt);
  }

  /** A number for `counter` the site's way (numbering.ts), in this transaction. */
  private nextNumber(s: Session, counter: CounterName, op: string, what: NumberWanted): Promise<string> {
    return assignNumber({
      numbering: this.numbering, shapeOrNull: (t) => this.shapeOrNull(t), has: (t, c) => this.has(t, c), tableSql: (t) => this.t(t),
      where: (conds) => this.where(conds), update: (se, t, set, where, o) => this.update(se, t, set, where, o),
    }, s, counter, op, what);
  }

  /** The problems of this install for a set of operations (pure check over the catalog read here; writes nothing). */
  async checkInstall(operations: string[] = Object.keys(this.catalog.operations)): Promise<InstallProblem[]> {
    const catalog = new Map<string, TableShape | null>();
    for (const t of installTablesOf(operations, this.numbering)) catalog.set(t, await this.shapeOrNull(t));
    return checkInstall({
      operations, catalog, numbering: this.numbering, defaultLocation: this.opts.defaultLocation, schemas: this.schemas,
      externalRefColumn: this.schemas.get('SalesOrder').columns.find((m) => m.property === 'external_ref')!.column,
      tableName: (t) => this.tables.resolve(t).sql,
    });
  }

  /**
   * Start-up check: the configuration's own mistakes (a default location wider than LOCTID, a
   * numbering table or column the install lacks) are an `invalid` error listing them; a
   * database that cannot be reached is left to the operations (transient, retried).
   */
  async verifyConfiguration(): Promise<InstallProblem[]> {
    const problems = await this.checkInstall();
    const fatal = problems.filter((p) => p.severity === 'error' && p.config);
    if (fatal.length) {
      throw new ConnectorError(`Sage Pro configuration does not fit this install:\n${fatal.map((p) => `  ${p.config}: ${p.message}`).join('\n')}`, {
        errorClass: 'invalid', system: 'sagepro', operation: 'start', ...(fatal[0]!.table ? { table: fatal[0]!.table } : {}), ...(fatal[0]!.column ? { column: fatal[0]!.column } : {}),
      });
    }
    return problems;
  }

  private invalid(message: string, operation: string, table?: string, column?: string, field?: string): ConnectorError {
    return new ConnectorError(message, { errorClass: 'invalid', system: 'sagepro', operation, ...(table ? { table } : {}), ...(column ? { column } : {}), ...(field ? { field } : {}) });
  }

  private conflict(message: string, operation: string, table?: string, column?: string): ConnectorError {
    return new ConnectorError(message, { errorClass: 'conflict', system: 'sagepro', operation, ...(table ? { table } : {}), ...(column ? { column } : {}) });
  }

  // ---------------------------------------------------------------- sales orders

  private async readOrder(s: Session, number: string): Promise<Obj | null> {
    const hdr = this.schemas.get('SalesOrder');
    const line = this.schemas.get('SalesOrder.Line');
    const ship = this.schemas.get('SalesOrder.ShipTo');
    for (const [mst, trn, adr, history] of [['SOMAST', 'SOTRAN', 'SOADDR', false], ['SOYMST', 'SOYTRN', 'SOYADR', true]] as const) {
      const sono = await this.key(mst, 'SONO', number);
      const h = await this.selectRows(s, hdr, mst, [['SONO', sono]]);
      if (!h.rows.length) continue;
      const order = this.decode(hdr, h.maps, h.rows[0]!);
      const l = await this.selectRows(s, line, trn, [['SONO', sono]], ['LINENO'], ['STKCODE']);
      // Non-stock lines (STKCODE N) are the order's charges (shipping, discounts), as created.
      const isCharge = (r: Row) => String(r.STKCODE ?? '').trim().toUpperCase() === 'N';
      order.lines = l.rows.filter((r) => !isCharge(r)).map((r) => this.decode(line, l.maps, r));
      const charges = l.rows.filter(isCharge).map((r) => {
        const d = this.decode(line, l.maps, r);
        return { item: d.item, description: d.description, amount: d.extended_price };
      });
      if (charges.length) order.charges = charges;
      const a = await this.selectRows(s, ship, adr, [['SONO', sono]]);
      if (a.rows.length) order.ship_to = this.decode(ship, a.maps, a.rows[0]!);
      Object.defineProperty(order, 'in_history', { value: history, enumerable: false });
      return order;
    }
    return null;
  }

  private externalRefColumn(): string {
    return this.schemas.get('SalesOrder').columns.find((m) => m.property === 'external_ref')!.column;
  }

  private async orderNumberByRef(s: Session, ref: string): Promise<string | null> {
    const col = this.externalRefColumn();
    for (const mst of ['SOMAST', 'SOYMST']) {
      const k = await this.key(mst, col, ref);
      const r = await s.query(this.dialect.limit(`SELECT SONO FROM ${this.t(mst)}${this.where([`${ident(col)} = ?`])} ORDER BY SONO`, 1), [k]);
      if (r.length) return String(r[0]!.SONO).trim();
    }
    return null;
  }

  getSalesOrder(number: string): Promise<Obj | null> {
    return this.tx('sales_orders.get', (s) => this.readOrder(s, number));
  }

  findSalesOrderByRef(externalRef: string): Promise<Obj | null> {
    return this.tx('sales_orders.find_by_ref', async (s) => {
      if (externalRef.trim() === '') return null;
      const n = await this.orderNumberByRef(s, externalRef);
      return n ? this.readOrder(s, n) : null;
    });
  }

  createSalesOrder(order: Obj): Promise<Obj> {
    const op = 'sales_orders.create';
    return this.tx(op, async (s) => {
      if (!order || typeof order !== 'object') throw this.invalid('order is required', op);
      const customer = String(order.customer ?? '').trim();
      if (!customer) throw this.invalid('order.customer is required', op, 'SOMAST', 'CUSTNO', 'customer');
      if (!order.order_date) throw this.invalid('order.order_date is required', op, 'SOMAST', 'SODATE', 'order_date');
      const lines = Array.isArray(order.lines) ? (order.lines as Obj[]) : [];
      if (!lines.length) throw this.invalid('order.lines must have at least one line', op, 'SOTRAN', undefined, 'lines');
      const ref = typeof order.external_ref === 'string' ? order.external_ref.trim() : '';
      // The reference is what makes a repeated create harmless (catalog: idempotent).
      if (!ref) throw this.invalid('order.external_ref is required: it makes a repeated create return the first order', op, 'SOMAST', this.externalRefColumn(), 'external_ref');
      // Every field the flow gives must have its column on this install, checked before any write.
      await this.requireMapped(this.schemas.get('SalesOrder'), order, op);
      for (const [i, l] of lines.entries()) await this.requireMapped(this.schemas.get('SalesOrder.Line'), l ?? {}, op, `lines/${i}/`);
      if (order.ship_to && typeof order.ship_to === 'object') await this.requireMapped(this.schemas.get('SalesOrder.ShipTo'), order.ship_to as Obj, op, 'ship_to/');

      // 1. Serialise creators, then the existence check, all in this transaction.
      await this.lockTable(s, 'SOMAST', 'SONO');
      {
        const existing = await this.orderNumberByRef(s, ref);
        if (existing) {
          const o = (await this.readOrder(s, existing))!;
          if (o.customer !== customer) {
            throw this.conflict(`external_ref '${ref}' already used by order ${existing} of customer ${String(o.customer)}`, op, 'SOMAST', 'EXTREF');
          }
          return o;
        }
      }
      // 2. Validate customer, items and stock locations.
      const cust = await s.query(`SELECT CUSTNO FROM ${this.t('ARCUST')}${this.where(['CUSTNO = ?'])}`, [await this.key('ARCUST', 'CUSTNO', customer)]);
      if (!cust.length) throw this.invalid(`unknown customer '${customer}'`, op, 'ARCUST', 'CUSTNO', 'customer');
      const defLoc = String(order.location ?? '').trim() || this.opts.defaultLocation;
      const prepared: { line: Obj; item: string; loc: string; qty: number; price: number; disc: number; ext: number; desc: string; cost: number; stocked: boolean }[] = [];
      for (const [i, l] of lines.entries()) {
        const item = String(l.item ?? '').trim();
        if (!item) throw this.invalid(`line ${i + 1}: item is required`, op, 'SOTRAN', 'ITEM', `lines/${i}/item`);
        const itemKey = await this.key('ICITEM', 'ITEM', item);
        const it = await s.query(`SELECT ITEM, ITMDESC, PRICE FROM ${this.t('ICITEM')}${this.where(['ITEM = ?'])}`, [itemKey]);
        if (!it.length) throw this.invalid(`line ${i + 1}: unknown item '${item}'`, op, 'ICITEM', 'ITEM', `lines/${i}/item`);
        const loc = String(l.location ?? '').trim() || defLoc;
        const lr = await s.query(`SELECT ITEM FROM ${this.t('ICILOC')}${this.where(['ITEM = ?', 'LOCTID = ?'])}`, [itemKey, await this.key('ICILOC', 'LOCTID', loc)]);
        if (!lr.length) throw this.invalid(`line ${i + 1}: item '${item}' is not stocked at location '${loc}'`, op, 'ICILOC', 'LOCTID', `lines/${i}/location`);
        const qty = Number(l.quantity);
        if (!Number.isFinite(qty) || qty === 0) throw this.invalid(`line ${i + 1}: quantity must be a non-zero number`, op, 'SOTRAN', 'QTYORD', `lines/${i}/quantity`);
        const price = l.price === undefined || l.price === null ? Number(it[0]!.PRICE ?? 0) : Number(l.price);
        const disc = Number(l.discount ?? 0);
        const ext = round(price * qty * (1 - disc / 100));
        const desc = String(l.description ?? '') || String(it[0]!.ITMDESC ?? '').replace(/\s+$/, '');
        prepared.push({ line: l, item, loc, qty, price, disc, ext, desc, cost: 0, stocked: true });
      }
      // Order-level charges and discounts: non-stock lines (STKCODE N), counted in ORDAMT, not allocated.
      const charges = Array.isArray(order.charges) ? (order.charges as Obj[]) : [];
      for (const [i, c] of charges.entries()) {
        const item = String(c.item ?? '').trim();
        if (!item) throw this.invalid(`charge ${i + 1}: item is required`, op, 'SOTRAN', 'ITEM', `charges/${i}/item`);
        const amt = Number(c.amount);
        if (!Number.isFinite(amt)) throw this.invalid(`charge ${i + 1}: amount must be a number`, op, 'SOTRAN', 'EXTPRICE', `charges/${i}/amount`);
        prepared.push({ line: {}, item, loc: defLoc, qty: 1, price: amt, disc: 0, ext: round(amt), desc: String(c.description ?? ''), cost: 0, stocked: false });
      }
      // The order's total is ORDAMT + TAX after Sage Pro's rounding; it must be the store's, to the cent.
      const amount = round(prepared.reduce((t, p) => t + p.ext, 0));
      if (order.expected_total !== undefined && order.expected_total !== null) {
        const expected = Number(order.expected_total);
        const total = round(amount + round(Number(order.tax ?? 0)));
        if (!Number.isFinite(expected) || Math.round(Math.abs(expected - total) * 100) >= 1) {
          throw this.invalid(`order total ${total.toFixed(2)} (ORDAMT ${amount.toFixed(2)} + TAX ${round(Number(order.tax ?? 0)).toFixed(2)}) does not reconcile with the expected total ${String(order.expected_total)}: difference ${round(expected - total).toFixed(2)}`, op, 'SOMAST', 'ORDAMT', 'expected_total');
        }
      }
      // 3. Number.
      let number = String(order.number ?? '').trim();
      if (number) {
        for (const mst of ['SOMAST', 'SOYMST']) {
          const r = await s.query(`SELECT SONO FROM ${this.t(mst)}${this.where(['SONO = ?'])}`, [await this.key(mst, 'SONO', number)]);
          if (r.length) throw this.conflict(`sales order ${number} already exists`, op, mst, 'SONO');
        }
      } else {
        // The numbering table is touched only here, when the order carries no number.
        for (let tries = 0; ; tries++) {
          number = await this.nextNumber(s, 'sales_order', op, { what: 'sales order number', table: 'SOMAST', column: 'SONO', field: 'number' });
          const sono = await this.key('SOMAST', 'SONO', number);
          const a = await s.query(`SELECT SONO FROM ${this.t('SOMAST')} WHERE SONO = ?`, [sono]);
          const b = await s.query(`SELECT SONO FROM ${this.t('SOYMST')} WHERE SONO = ?`, [sono]);
          if (!a.length && !b.length) break;
          if (tries > 1000) throw this.conflict(`no free sales order number from ${numberingKey('sales_order')}`, op, 'SOMAST', 'SONO');
        }
      }
      // 4. Rows.
      const hdr = this.schemas.get('SalesOrder');
      const stamp = this.stamp();
      const head = this.encodeProps(hdr, order);
      delete head.SOSTAT; // new orders are open
      await this.insert(s, 'SOMAST', {
        ...head, SONO: number, CUSTNO: customer, ORDAMT: amount, SHPAMT: 0, DEFLOC: defLoc,
        LOCTID: defLoc, SOSTAT: '', ...stamp,
      }, op);
      const lineShape = this.schemas.get('SalesOrder.Line');
      for (const [i, p] of prepared.entries()) {
        await this.insert(s, 'SOTRAN', {
          ...this.encodeProps(lineShape, p.line), SONO: number, CUSTNO: customer, LINENO: i + 1, ITEM: p.item,
          DESCRIP: p.desc, LOCTID: p.loc, QTYORD: p.qty, QTYSHP: 0, PRICE: p.price, DISC: p.disc, EXTPRICE: p.ext,
          STKCODE: p.stocked ? 'Y' : 'N', TAXABLE: p.line.taxable ?? (p.stocked ? 'Y' : 'N'), SOSTAT: '', SOTYPE: head.SOTYPE ?? '', ORDATE: order.order_date,
          SALESMN: head.SALESMN ?? '', ...stamp,
        }, op);
      }
      if (order.ship_to && typeof order.ship_to === 'object') {
        await this.insert(s, 'SOADDR', {
          ...this.encodeProps(this.schemas.get('SalesOrder.ShipTo'), order.ship_to as Obj),
          SONO: number, CUSTNO: customer, CSHIPNO: head.CSHIPNO ?? '', ...stamp,
        }, op);
      }
      // 5. Allocation per item and location, and the customer's open order amount.
      const alloc = new Map<string, { item: string; loc: string; qty: number }>();
      for (const p of prepared) {
        if (!p.stocked) continue;
        const k = `${p.item}\u0000${p.loc}`;
        const a = alloc.get(k) ?? { item: p.item, loc: p.loc, qty: 0 };
        a.qty += p.qty; alloc.set(k, a);
      }
      for (const a of alloc.values()) await this.addTo(s, 'ICILOC', { LSOALOC: a.qty }, { ITEM: a.item, LOCTID: a.loc }, op);
      await this.addTo(s, 'ARCUST', { ONORDER: amount }, { CUSTNO: customer }, op);
      return (await this.readOrder(s, number))!;
    });
  }

  salesOrderStatus(number: string): Promise<Obj | null> {
    const op = 'sales_orders.status';
    return this.tx(op, async (s) => {
      const st = this.schemas.get('SalesOrderStatus');
      for (const [mst, trn, history] of [['SOMAST', 'SOTRAN', false], ['SOYMST', 'SOYTRN', true]] as const) {
        const sono = await this.key(mst, 'SONO', number);
        const h = await this.selectRows(s, st, mst, [['SONO', sono]]);
        if (!h.rows.length) continue;
        const out = this.decode(st, h.maps, h.rows[0]!);
        // LINENO and SHIPDATE are optional (no public source shows them on SOTRAN; SOYTRN keeps SHIPDATE).
        const lineNo = await this.has(trn, 'LINENO');
        const shipDate = await this.has(trn, 'SHIPDATE');
        const stkCode = await this.has(trn, 'STKCODE');
        const lcols = [...(lineNo ? ['LINENO'] : []), 'ITEM', 'QTYORD', 'QTYSHP', ...(shipDate ? ['SHIPDATE'] : []), ...(stkCode ? ['STKCODE'] : [])];
        const lr = await s.query(`SELECT ${lcols.join(', ')} FROM ${this.t(trn)}${this.where(['SONO = ?'])}${lineNo ? ' ORDER BY LINENO' : ''}`, [sono]);
        // Charge lines (non-stock, STKCODE N: freight, discounts) are not shipped goods.
        const lines = lr.filter((r) => String(r.STKCODE ?? '').trim().toUpperCase() !== 'N').map((r, i) => ({
          line_number: lineNo ? Number(r.LINENO ?? 0) : i + 1,
          item: decodeValue({ kind: 'C', width: 15 }, 'left', r.ITEM),
          quantity: Number(r.QTYORD ?? 0),
          quantity_shipped: Number(r.QTYSHP ?? 0),
          ship_date: shipDate ? decodeValue({ kind: 'D' }, 'left', r.SHIPDATE) : null,
        }));
        out.in_history = history;
        out.lines = lines;
        out.quantity_ordered = round(lines.reduce((t, l) => t + l.quantity, 0), 4);
        out.quantity_shipped = round(lines.reduce((t, l) => t + l.quantity_shipped, 0), 4);
        out.fully_shipped = lines.length > 0 && lines.every((l) => l.quantity_shipped >= l.quantity);
        const dates = lines.map((l) => l.ship_date).filter((d): d is string => typeof d === 'string').sort();
        out.ship_date = dates.length ? dates[dates.length - 1] : null;
        const inv = await s.query(
          this.dialect.limit(`SELECT INVNO, INVDTE, BALANCE FROM ${this.t('ARMAST')}${this.where(['ORNUM = ?', "ARSTAT NOT IN ('V', 'X')"])} ORDER BY INVDTE DESC, INVNO DESC`, 1),
          [await this.key('ARMAST', 'ORNUM', number)],
        );
        out.invoice_number = inv.length ? String(inv[0]!.INVNO).trim() : null;
        out.invoice_date = inv.length ? decodeValue({ kind: 'D' }, 'left', inv[0]!.INVDTE) : null;
        out.invoice_balance = inv.length ? Number(inv[0]!.BALANCE ?? 0) : null;
        return out;
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- customers

  private async readCustomer(s: Session, number: string): Promise<Obj | null> {
    const e = this.schemas.get('Customer');
    const r = await this.selectRows(s, e, 'ARCUST', [['CUSTNO', await this.key('ARCUST', 'CUSTNO', number)]]);
    return r.rows.length ? this.decode(e, r.maps, r.rows[0]!) : null;
  }

  getCustomer(number: string): Promise<Obj | null> {
    return this.tx('customers.get', (s) => this.readCustomer(s, number));
  }

  findCustomerByEmail(email: string): Promise<Obj | null> {
    return this.tx('customers.find_by_email', async (s) => {
      // Candidates from the database (its LOWER may fold ASCII only), the decision by an exact
      // Unicode case-fold comparison here (email.ts).
      const want = foldEmail(email);
      if (!want) return null;
      const r = await s.query(`SELECT CUSTNO, EMAIL FROM ${this.t('ARCUST')}${this.where([`${this.dialect.lowerTrim('EMAIL')} LIKE ? ESCAPE '\\'`])} ORDER BY CUSTNO`, [emailCandidatePattern(email)]);
      const hit = r.find((row) => foldEmail(String(row.EMAIL ?? '')) === want);
      return hit ? this.readCustomer(s, String(hit.CUSTNO)) : null;
    });
  }

  upsertCustomer(customer: Obj): Promise<Obj> {
    const op = 'customers.upsert';
    return this.tx(op, async (s) => {
      const number = String(customer?.number ?? '').trim();
      if (!number) throw this.invalid('customer.number is required', op, 'ARCUST', 'CUSTNO', 'number');
      const e = this.schemas.get('Customer');
      await this.requireMapped(e, customer, op);
      const values = this.encodeProps(e, customer);
      delete values.CUSTNO;
      // Insert-or-update by number is naturally repeatable; the lock keeps two first inserts apart.
      await this.lockTable(s, 'ARCUST', 'CUSTNO');
      const existing = await this.readCustomer(s, number);
      if (existing) {
        if (Object.keys(values).length) await this.update(s, 'ARCUST', values, { CUSTNO: number }, op);
      } else {
        if (!String(customer.name ?? '').trim()) throw this.invalid('customer.name is required for a new customer', op, 'ARCUST', 'COMPANY', 'name');
        await this.insert(s, 'ARCUST', { ENTERED: this.today(), ARACCT: this.accounts.ar, ...values, CUSTNO: number, ...this.stamp() }, op);
      }
      return (await this.readCustomer(s, number))!;
    });
  }

  // ---------------------------------------------------------------- inventory

  inventoryLevel(item: string, location: string): Promise<Obj | null> {
    return this.tx('inventory.level', async (s) => {
      const e = this.schemas.get('InventoryLevel');
      const r = await this.selectRows(s, e, 'ICILOC', [['ITEM', await this.key('ICILOC', 'ITEM', item)], ['LOCTID', await this.key('ICILOC', 'LOCTID', location)]]);
      return r.rows.length ? this.decode(e, r.maps, r.rows[0]!) : null;
    });
  }

  inventoryLevels(location: string | null): Promise<Obj[]> {
    return this.tx('inventory.levels', async (s) => {
      const e = this.schemas.get('InventoryLevel');
      const where: [string, Param][] = location ? [['LOCTID', await this.key('ICILOC', 'LOCTID', location)]] : [];
      const r = await this.selectRows(s, e, 'ICILOC', where, ['ITEM', 'LOCTID']);
      return r.rows.map((row) => this.decode(e, r.maps, row));
    });
  }

  inventoryItem(item: string): Promise<Obj | null> {
    return this.tx('inventory.item', async (s) => {
      const e = this.schemas.get('InventoryItem');
      const r = await this.selectRows(s, e, 'ICITEM', [['ITEM', await this.key('ICITEM', 'ITEM', item)]]);
      return r.rows.length ? this.decode(e, r.maps, r.rows[0]!) : null;
    });
  }

  // ---------------------------------------------------------------- receivables

  private async readInvoice(s: Session, number: string): Promise<Obj | null> {
    const e = this.schemas.get('Invoice');
    const invno = await this.key('ARMAST', 'INVNO', number);
    const h = await this.selectRows(s, e, 'ARMAST', [['INVNO', invno]]);
    if (!h.rows.length) return null;
    const inv = this.decode(e, h.maps, h.rows[0]!);
    const le = this.schemas.get('Invoice.Line');
    const l = await this.selectRows(s, le, 'ARTRAN', [['INVNO', invno]], ['LINENO']);
    inv.lines = l.rows.map((r) => this.decode(le, l.maps, r));
    const de = this.schemas.get('GLDistribution');
    const d = await this.selectRows(s, de, 'ARDIST', [['TRANNO', await this.key('ARDIST', 'TRANNO', number)]], ['ARSESS', 'GLACNT']);
    inv.distributions = d.rows.map((r) => this.decode(de, d.maps, r));
    return inv;
  }

  private async checkAccounts(s: Session, rows: { account: string }[], op: string): Promise<void> {
    for (const [i, r] of rows.entries()) {
      const k = await this.key('GLACNT', 'GLACNT', r.account);
      const x = await s.query(`SELECT GLACNT FROM ${this.t('GLACNT')}${this.where(['GLACNT = ?'])}`, [k]);
      if (!x.length) throw this.invalid(`distribution ${i + 1}: unknown GL account '${r.account}'`, op, 'GLACNT', 'GLACNT', `distributions/${i}/account`);
    }
  }

  /** Flow-given distribution fields whose ARDIST column the install lacks (e.g. DESCRIP) are invalid. */
  private async requireDistributions(value: Obj, op: string): Promise<void> {
    const list = Array.isArray(value.distributions) ? (value.distributions as Obj[]) : [];
    for (const [i, d] of list.entries()) await this.requireMapped(this.schemas.get('GLDistribution'), d ?? {}, op, `distributions/${i}/`);
  }

  private distributionsOf(value: Obj, op: string): { account: string; amount: number; description: string }[] {
    const list = Array.isArray(value.distributions) ? (value.distributions as Obj[]) : [];
    return list.map((d, i) => {
      const amount = Number(d.amount);
      if (!Number.isFinite(amount)) throw this.invalid(`distribution ${i + 1}: amount is not a number`, op, 'ARDIST', 'AMOUNT', `distributions/${i}/amount`);
      const account = String(d.account ?? '').trim();
      if (!account) throw this.invalid(`distribution ${i + 1}: account is required`, op, 'ARDIST', 'GLACNT', `distributions/${i}/account`);
      return { account, amount: round(amount), description: String(d.description ?? '') };
    });
  }

  private async arAccountOf(s: Session, customer: string): Promise<string> {
    const r = await s.query(`SELECT ARACCT FROM ${this.t('ARCUST')}${this.where(['CUSTNO = ?'])}`, [await this.key('ARCUST', 'CUSTNO', customer)]);
    const a = r.length ? String(r[0]!.ARACCT ?? '').trim() : '';
    return a || this.accounts.ar;
  }

  postInvoice(invoice: Obj): Promise<Obj> {
    const op = 'receivables.post_invoice';
    return this.tx(op, async (s) => {
      const number = String(invoice?.number ?? '').trim();
      if (!number) throw this.invalid('invoice.number is required', op, 'ARMAST', 'INVNO', 'number');
      const customer = String(invoice.customer ?? '').trim();
      if (!customer) throw this.invalid('invoice.customer is required', op, 'ARMAST', 'CUSTNO', 'customer');
      const date = invoice.invoice_date;
      if (!date) throw this.invalid('invoice.invoice_date is required', op, 'ARMAST', 'INVDTE', 'invoice_date');
      const lines = Array.isArray(invoice.lines) ? (invoice.lines as Obj[]) : [];
      const tax = round(Number(invoice.tax ?? 0));
      const prepared = lines.map((l, i) => {
        const qty = Number(l.quantity); const price = Number(l.price);
        if (!Number.isFinite(qty) || !Number.isFinite(price)) throw this.invalid(`line ${i + 1}: quantity and price must be numbers`, op, 'ARTRAN', 'QTYSHP', `lines/${i}`);
        return { line: l, qty, price, ext: round(qty * price), item: String(l.item ?? '').trim() };
      });
      const subtotal = round(prepared.reduce((t, p) => t + p.ext, 0));
      const amount = round(subtotal + tax);

      await this.requireMapped(this.schemas.get('Invoice'), invoice, op);
      for (const [i, l] of lines.entries()) await this.requireMapped(this.schemas.get('Invoice.Line'), l ?? {}, op, `lines/${i}/`);
      await this.requireDistributions(invoice, op);
      // Serialises AR writers; the invoice number is the reference a repeat finds.
      await this.lockTable(s, 'ARMAST', 'INVNO');
      const existing = await this.readInvoice(s, number);
      if (existing) {
        if (existing.customer !== customer || Math.abs(Number(existing.amount) - amount) > 0.005) {
          throw this.conflict(`invoice ${number} already exists with other content (customer ${String(existing.customer)}, amount ${String(existing.amount)})`, op, 'ARMAST', 'INVNO');
        }
        return existing;
      }
      const cust = await s.query(`SELECT CUSTNO FROM ${this.t('ARCUST')}${this.where(['CUSTNO = ?'])}`, [await this.key('ARCUST', 'CUSTNO', customer)]);
      if (!cust.length) throw this.invalid(`unknown customer '${customer}'`, op, 'ARCUST', 'CUSTNO', 'customer');
      for (const [i, p] of prepared.entries()) {
        if (!p.item) continue;
        const it = await s.query(`SELECT ITEM FROM ${this.t('ICITEM')}${this.where(['ITEM = ?'])}`, [await this.key('ICITEM', 'ITEM', p.item)]);
        if (!it.length) throw this.invalid(`line ${i + 1}: unknown item '${p.item}'`, op, 'ICITEM', 'ITEM', `lines/${i}/item`);
      }
      const arAccount = await this.arAccountOf(s, customer);
      let dist = this.distributionsOf(invoice, op);
      if (!dist.length) {
        dist = [{ account: this.accounts.sales, amount: -subtotal, description: 'Sales' }];
        if (tax) dist.push({ account: this.accounts.tax, amount: -tax, description: 'Sales tax' });
      }
      const rest = round(dist.reduce((t, d) => t + d.amount, 0));
      if (rest !== 0) dist.push({ account: arAccount, amount: -rest, description: 'Accounts receivable' });
      await this.checkAccounts(s, dist, op);

      const e = this.schemas.get('Invoice');
      const stamp = this.stamp();
      const head = this.encodeProps(e, invoice);
      await this.insert(s, 'ARMAST', {
        ...head, INVNO: number, CUSTNO: customer, INVDTE: date, ARSTAT: '', TAX: tax, INVAMT: amount, PAIDAMT: 0,
        BALANCE: amount, DTEPAID: '', ...stamp,
      }, op);
      const le = this.schemas.get('Invoice.Line');
      for (const [i, p] of prepared.entries()) {
        await this.insert(s, 'ARTRAN', {
          ...this.encodeProps(le, p.line), INVNO: number, CUSTNO: customer, LINENO: i + 1, ITEM: p.item, QTYORD: p.qty,
          QTYSHP: p.qty, PRICE: p.price, EXTPRICE: p.ext, ARTYPE: head.ARTYPE ?? '', ARSTAT: '', INVDTE: date,
          PONUM: head.ORNUM ? `Our SO # ${String(head.ORNUM).trim()}` : head.PONUM ?? '', ...stamp,
        }, op);
      }
      const given = String(invoice.session ?? '').trim();
      const descWidth = await this.textWidth('ARDIST', 'DESCRIP', 30);
      const session = given || await this.nextNumber(s, 'ar_session', op, { what: 'AR posting session', table: 'ARDIST', column: 'ARSESS', field: 'session' });
      for (const d of dist) {
        await this.insert(s, 'ARDIST', {
          GLACNT: d.account, TRANNO: number, CUSTNO: customer, TRANDTE: date, ARSESS: session, AMOUNT: d.amount,
          DESCRIP: d.description.slice(0, descWidth), ...stamp,
        }, op);
      }
      await this.addTo(s, 'ARCUST', { BALANCE: amount, PTDSLS: subtotal, YTDSLS: subtotal }, { CUSTNO: customer }, op);
      await this.update(s, 'ARCUST', { LSALE: amount, LDATE: date }, { CUSTNO: customer }, op);
      return (await this.readInvoice(s, number))!;
    });
  }

  /**
   * Where this install records that a payment was applied, for the repeat check: ARCASH (INVNO,
   * REFNO) where the install has it, else the payment's own ARDIST rows (TRANNO, ARSESS).
   */
  private async paymentRecord(): Promise<{ table: 'ARCASH' | 'ARDIST'; invoice: string; ref: string }> {
    const cash = await this.shapeOrNull('ARCASH');
    if (cash?.columns.has('INVNO') && cash.columns.has('REFNO')) return { table: 'ARCASH', invoice: 'INVNO', ref: 'REFNO' };
    return { table: 'ARDIST', invoice: 'TRANNO', ref: 'ARSESS' };
  }

  postPayment(payment: Obj): Promise<Obj> {
    const op = 'receivables.post_payment';
    return this.tx(op, async (s) => {
      const number = String(payment?.number ?? '').trim();
      if (!number) throw this.invalid('payment.number (the invoice paid) is required', op, 'ARMAST', 'INVNO', 'number');
      const amount = round(Number(payment.payment_amount));
      if (!Number.isFinite(amount) || amount === 0) throw this.invalid('payment.payment_amount must be a non-zero number', op, 'ARMAST', 'PAIDAMT', 'payment_amount');
      await this.requireDistributions(payment, op);
      const rec = await this.paymentRecord();
      // The reference is what makes a repeat (a re-run after a crash) a no-op: required.
      const ref = String(payment.payment_ref ?? '').trim();
      if (!ref) throw this.invalid(`payment.payment_ref is required: it is recorded in ${rec.table}.${rec.ref} so that a repeated payment is applied once`, op, rec.table, rec.ref, 'payment_ref');
      const refKey = await this.key(rec.table, rec.ref, ref);
      // Serialises AR writers: the check below and the rows written after it are one step.
      await this.lockTable(s, 'ARMAST', 'INVNO');
      const inv = await this.readInvoice(s, number);
      if (!inv) throw new ConnectorError(`invoice ${number} not found`, { errorClass: 'not_found', system: 'sagepro', operation: op, table: 'ARMAST', column: 'INVNO' });
      const applied = await s.query(
        `SELECT ${rec.table === 'ARCASH' && await this.has('ARCASH', 'PAIDAMT') ? 'PAIDAMT' : ident(rec.ref)} AS V FROM ${this.t(rec.table)}${this.where([`${ident(rec.invoice)} = ?`, `${ident(rec.ref)} = ?`])}`,
        [await this.key(rec.table, rec.invoice, number), refKey],
      );
      if (applied.length) {
        if (rec.table === 'ARCASH' && typeof applied[0]!.V !== 'string') {
          const paid = round(applied.reduce((t, r) => t + Number(r.V ?? 0), 0));
          if (Math.abs(paid - amount) > 0.005) throw this.conflict(`payment '${ref}' on invoice ${number} was already applied with amount ${paid}, not ${amount}`, op, 'ARCASH', 'REFNO');
        }
        return inv;
      }
      const customer = String(inv.customer);
      const date = String(payment.payment_date ?? '') || this.today();
      const arAccount = await this.arAccountOf(s, customer);
      let dist = this.distributionsOf(payment, op);
      if (!dist.length) dist = [{ account: this.accounts.cash, amount, description: 'Payment' }];
      const rest = round(dist.reduce((t, d) => t + d.amount, 0));
      if (rest !== 0) dist.push({ account: arAccount, amount: -rest, description: 'Accounts receivable' });
      await this.checkAccounts(s, dist, op);
      const stamp = this.stamp();
      const descWidth = await this.textWidth('ARDIST', 'DESCRIP', 30);
      for (const d of dist) {
        await this.insert(s, 'ARDIST', {
          GLACNT: d.account, TRANNO: number, CUSTNO: customer, TRANDTE: date, ARSESS: ref, AMOUNT: d.amount,
          DESCRIP: d.description.slice(0, descWidth), ...stamp,
        }, op);
      }
      // The cash receipt (reference 0b), where the install keeps ARCASH.
      if (await this.shapeOrNull('ARCASH')) {
        await this.insert(s, 'ARCASH', {
          CUSTNO: customer, INVNO: number, INVDTE: inv.invoice_date ?? '', REFNO: ref, DTEPAID: date,
          PONUM: inv.po_number ?? '', DISAMT: 0, PAIDAMT: amount, ...stamp,
        }, op);
      }
      await this.addTo(s, 'ARMAST', { PAIDAMT: amount, BALANCE: -amount }, { INVNO: number }, op);
      await this.update(s, 'ARMAST', { DTEPAID: date }, { INVNO: number }, op);
      await this.addTo(s, 'ARCUST', { BALANCE: -amount }, { CUSTNO: customer }, op);
      await this.update(s, 'ARCUST', { LPYMT: amount, LASTPAY: date }, { CUSTNO: customer }, op);
      return (await this.readInvoice(s, number))!;
    });
  }

  // ---------------------------------------------------------------- GL

  glAccounts(): Promise<Obj[]> {
    return this.tx('gl.accounts', async (s) => {
      const e = this.schemas.get('GLAccount');
      const r = await this.selectRows(s, e, 'GLACNT', [], ['GLACNT']);
      return r.rows.map((row) => this.decode(e, r.maps, row));
    });
  }

  // ---------------------------------------------------------------- change detection

  /**
   * Rows of an entity's main table whose hash differs from `previous` (added / changed), then the
   * previously known keys that are gone (deleted; needs `previous.keys`). Streams through an ODBC
   * cursor `fetchSize` rows at a time. Keys are the trimmed key columns joined with '|'
   * (default: the schema's `x-sagepro.key`). The row given back is the entity in logical form.
   */
  async *changedRows(entity: string, previous: PreviousHashes, opts: { keyColumns?: string[]; fetchSize?: number; table?: string } = {}): AsyncGenerator<RowChange<Obj>> {
    const e = this.schemas.get(entity);
    const table = (opts.table ?? e.table).toUpperCase();
    const keyCols = (opts.keyColumns ?? e.key).map((k) => ident(k.toUpperCase()));
    if (!keyCols.length) throw this.invalid(`${entity}: no key columns`, 'changes');
    const maps = await this.present(e, table);
    const cols = new Set([...keyCols, ...maps.map((m) => m.column)]);
    for (const c of e.computed) for (const t of c.expression.match(/[A-Za-z_]\w*/g) ?? []) cols.add(t.toUpperCase());
    const sql = `SELECT ${[...cols].map(ident).join(', ')} FROM ${this.t(table)}${this.where([])} ORDER BY ${keyCols.join(', ')}`;
    const conn = await this.pool.acquire();
    let broken = false;
    try {
      yield* changedRowsOf(new Session(conn), {
        sql,
        key: (r) => keyCols.map((k) => String(r[k] ?? '').trim()).join('|'),
        project: (r) => this.decode(e, maps, r),
      }, previous, opts.fetchSize !== undefined ? { fetchSize: opts.fetchSize } : {});
    } catch (err) {
      broken = !(err instanceof ConnectorError);
      throw err instanceof ConnectorError ? err : toConnectorError(err, { dsn: this.opts.dsn, operation: 'changes', table });
    } finally {
      this.pool.release(conn, broken);
    }
  }
}
