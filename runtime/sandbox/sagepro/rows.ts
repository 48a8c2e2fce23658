/**
 * Rows as a Sage Pro table holds them, written with plain INSERT statements.
 *
 * - Every column is supplied (Sage Pro's VFP tables take no NULLs): blank C(n) is n spaces, numbers
 *   0, the empty date 1899-12-30 (what the VFP ODBC driver returns for an empty date), logicals false.
 * - C(n) values are stored padded to n, as the real tables hold them: the numeric-looking document
 *   keys (SONO, INVNO, ORNUM, TRANNO) right-justified (left-padded: '      1004'), everything else
 *   left-justified (right-padded: 'ACME01', 'MAIN  ').
 * - A value that does not fit its column is an error naming table and column (the sandbox never cuts).
 *
 * The sandbox's own code, independent of the connector's storage encoder (see types.ts).
 */
import { columnType, sqlName, type ColumnType, type Engine } from './types.js';
import type { SandboxTable } from './tables.js';

/** Columns stored right-justified (numeric-looking document keys). */
export const RIGHT_JUSTIFIED: ReadonlySet<string> = new Set(['SONO', 'INVNO', 'ORNUM', 'TRANNO']);

/** VFP's empty date. */
export const EMPTY_DATE = '1899-12-30';

export type SqlParam = string | number;

/** Anything that runs a parameterised statement: an `odbc` Connection, or a wrapper. */
export interface SqlRunner {
  query(sql: string, params?: SqlParam[]): Promise<unknown>;
}

/** The stored form of one value of a column (never null). */
export function storedValue(table: string, column: string, type: ColumnType, value: unknown, engine: Engine): SqlParam {
  const where = `${table}.${column}`;
  const blank = value === undefined || value === null;
  switch (type.kind) {
    case 'C': {
      if (blank) return ' '.repeat(type.width);
      if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`sandbox ${where}: expected text, got ${typeof value}`);
      const right = RIGHT_JUSTIFIED.has(column);
      const s = right ? String(value).trim() : String(value).replace(/ +$/, '');
      if (s.length > type.width) throw new Error(`sandbox ${where} C(${type.width}): '${s}' is ${s.length} characters long`);
      return right ? s.padStart(type.width, ' ') : s.padEnd(type.width, ' ');
    }
    case 'M':
      if (blank) return '';
      if (typeof value !== 'string') throw new Error(`sandbox ${where}: expected text, got ${typeof value}`);
      return value;
    case 'N': case 'Y': case 'I': {
      if (blank) return 0;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`sandbox ${where}: expected a number, got ${String(value)}`);
      const scale = type.kind === 'N' ? type.scale : type.kind === 'Y' ? 4 : 0;
      const r = Math.round(value * 10 ** scale) / 10 ** scale;
      if (type.kind === 'N') {
        // N(p,s) counts every character: sign, digits, decimal point.
        const text = r.toFixed(scale);
        if (text.length > type.precision) throw new Error(`sandbox ${where} N(${type.precision},${type.scale}): ${value} does not fit`);
      }
      return r;
    }
    case 'D': {
      if (blank || value === '') return EMPTY_DATE;
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`sandbox ${where}: expected YYYY-MM-DD, got ${String(value)}`);
      return value;
    }
    case 'T': {
      if (blank || value === '') return `${EMPTY_DATE} 00:00:00`;
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) throw new Error(`sandbox ${where}: expected YYYY-MM-DD hh:mm:ss, got ${String(value)}`);
      return value;
    }
    case 'L': {
      if (blank) value = false;
      if (typeof value !== 'boolean') throw new Error(`sandbox ${where}: expected true or false, got ${String(value)}`);
      // psqlODBC sends parameters as text: 'true' / 'false' are PostgreSQL boolean input.
      return engine === 'postgres' ? String(value) : value ? 1 : 0;
    }
  }
}

/**
 * A complete row of `table`: the given values stored, every other column blank. A given column the
 * table lacks is an error, unless `dropMissing` (the seed, written once for every profile, leaves out
 * the columns a profile's table does not have).
 */
export function fullRow(table: SandboxTable, values: Record<string, unknown>, engine: Engine, opts: { dropMissing?: boolean } = {}): { columns: string[]; params: SqlParam[] } {
  if (!opts.dropMissing) {
    const have = new Set(table.columns.map(([c]) => c));
    for (const c of Object.keys(values)) if (!have.has(c)) throw new Error(`sandbox: ${table.name} has no column ${c}`);
  }
  const columns: string[] = [];
  const params: SqlParam[] = [];
  for (const [c, ty] of table.columns) {
    columns.push(sqlName(c));
    params.push(storedValue(table.name, c, columnType(ty), values[c], engine));
  }
  return { columns, params };
}

/** INSERT of one complete row into `physical` (the table's name on this back-end). */
export async function insertRow(conn: SqlRunner, physical: string, table: SandboxTable, values: Record<string, unknown>, engine: Engine, opts: { dropMissing?: boolean } = {}): Promise<void> {
  const { columns, params } = fullRow(table, values, engine, opts);
  await conn.query(`INSERT INTO ${physical} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, params);
}
