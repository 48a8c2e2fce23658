/**
 * The install's own catalog: the columns of each table as the install has them (ODBC SQLColumns;
 * for an ATTACHed SQLite database `PRAGMA db.table_info`, which the SQLite3 ODBC driver's
 * SQLColumns does not see), read once per table and cached. Reads use a connection of their own,
 * never the operations' pool (see shapeOrNull()).
 */
import odbc from 'odbc';
import { ConnectorError } from '../errors.js';
import { ident, type CatalogColumn, type Dialect } from './dialect.js';
import { toConnectorError } from './odbc.js';
import type { ColumnSpec, TableShape } from './storage.js';
import type { TableResolver } from './tables.js';

export interface InstallCatalogOptions {
  dsn: string;
  dialect: Dialect;
  tables: TableResolver;
  /** Columns stored right-justified (from the entity schemas). */
  rightJustified: ReadonlySet<string>;
  /** SQL Server schema of tables resolved by the dialect. */
  schema?: string;
  /** SQLite only: databases ATTACHed on every new connection, name → file. */
  attach?: Record<string, string>;
}

export class InstallCatalog {
  private readonly shapes = new Map<string, Promise<TableShape | null>>();
  /** The catalog connection and the queue that serialises its use. */
  private metaConn: Promise<odbc.Connection> | undefined;
  private metaQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: InstallCatalogOptions) {}

  /** `ATTACH DATABASE` of every `attach` entry on a new connection (SQLite). */
  async attachAll(c: odbc.Connection): Promise<void> {
    for (const [name, file] of Object.entries(this.opts.attach ?? {})) await c.query(`ATTACH DATABASE ? AS ${ident(name)}`, [file]);
  }

  /** The columns of a table; an `invalid` error naming where it was looked for when the install has none. */
  async shape(table: string): Promise<TableShape> {
    const sh = await this.shapeOrNull(table);
    if (!sh) {
      const r = this.opts.tables.resolve(table);
      throw new ConnectorError(`table ${table.toUpperCase()} not found on this install (looked for ${r.sql}${r.from === 'dialect' ? '' : `, from sagepro.${r.from}`})`, { errorClass: 'invalid', system: 'sagepro', table: table.toUpperCase() });
    }
    return sh;
  }

  /** As shape(), null when the install has no such table (optional tables such as ARCASH). */
  shapeOrNull(table: string): Promise<TableShape | null> {
    const key = table.toUpperCase();
    let p = this.shapes.get(key);
    if (!p) {
      // Catalog reads use their own connection, never the pool: shape() is called from inside
      // operations that already hold a pooled connection, and a nested acquire could deadlock a
      // full pool (every holder waiting for a second connection).
      const shape: Promise<TableShape | null> = this.metaQueue.catch(() => undefined).then(() => this.read(key));
      this.metaQueue = shape;
      p = shape;
      p.catch(() => this.shapes.delete(key));
      this.shapes.set(key, p);
    }
    return p;
  }

  async has(table: string, column: string): Promise<boolean> {
    return (await this.shapeOrNull(table))?.columns.has(column) ?? false;
  }

  /** The install's width of a C(n) column (`fallback` when absent or not text). */
  async textWidth(table: string, column: string, fallback: number): Promise<number> {
    const t = (await this.shapeOrNull(table))?.columns.get(column)?.type;
    return t?.kind === 'C' ? t.width : fallback;
  }

  /** Forgets cached table shapes (after a schema change on the install). */
  reset(): void { this.shapes.clear(); }

  async close(): Promise<void> {
    const meta = this.metaConn; this.metaConn = undefined;
    if (meta) await meta.then((c) => c.close(), () => undefined);
  }

  private async read(key: string): Promise<TableShape | null> {
    const { dsn, dialect } = this.opts;
    this.metaConn ??= odbc.connect(dsn).then(async (c) => {
      try { await this.attachAll(c); } catch (e) { await c.close().catch(() => undefined); throw e; }
      return c;
    }).catch((e: unknown) => { this.metaConn = undefined; throw toConnectorError(e, { dsn, operation: 'connect' }); });
    const conn = await this.metaConn;
    const r = this.opts.tables.resolve(key);
    let rows: CatalogColumn[];
    if (r.qualifier && dialect.name === 'sqlite') {
      const info = await conn.query<{ cid: number; name: string; type: string }>(`PRAGMA ${ident(r.qualifier)}.table_info(${ident(r.name)})`);
      rows = Array.from(info).map((c) => ({ COLUMN_NAME: c.name, TYPE_NAME: c.type, DATA_TYPE: 0, COLUMN_SIZE: null, DECIMAL_DIGITS: null, ORDINAL_POSITION: Number(c.cid) + 1 }));
    } else {
      rows = Array.from(await conn.columns(null, r.qualifier ?? this.opts.schema ?? null, r.name, null) as unknown as CatalogColumn[]);
    }
    const columns = new Map<string, ColumnSpec>();
    for (const c of rows.sort((a, b) => (a.ORDINAL_POSITION ?? 0) - (b.ORDINAL_POSITION ?? 0))) {
      const name = String(c.COLUMN_NAME).toUpperCase();
      const type = dialect.storageTypeOf(c);
      if (!type) continue;
      columns.set(name, { name, type, justify: this.opts.rightJustified.has(name) ? 'right' : 'left' });
    }
    return columns.size === 0 ? null : { table: key, columns };
  }
}
