/**
 * SQL dialects of the four back-ends a Sage Pro install (or its sandbox) can sit on.
 *
 * - `vfp`: Visual FoxPro tables through the VFP ODBC driver; tables carry a two-digit company
 *   suffix (`somast01`), deleted rows stay until PACK (filtered with `NOT DELETED()`), strict date
 *   literals. Not testable here: reviewed code path only.
 * - `mssql`: the SQL Server edition; no suffix, an `id_col` identity column on the tables that is
 *   never written. Not testable here: reviewed code path only.
 * - `sqlite` and `postgres`: the sandbox (same table and column names as the SQL edition).
 *
 * Everything a dialect produces is SQL text without values: values always go as `?` parameters.
 */
import { EMPTY_DATE, type StorageType } from './types.js';

export type DialectName = 'sqlite' | 'postgres' | 'mssql' | 'vfp';

export interface DialectOptions {
  /** VFP company suffix, e.g. '01' (default '01'); ignored by the other dialects. */
  company?: string;
  /** SQL Server schema prefix, e.g. 'dbo' (optional). */
  schema?: string;
}

export interface Dialect {
  readonly name: DialectName;
  /** Physical table name for a logical one (`SOMAST` → `somast` / `somast01` / `dbo.somast`). */
  table(logical: string): string;
  /** Name to give SQLColumns (no schema prefix). */
  catalogTable(logical: string): string;
  /** `SELECT ... LIMIT n` / `SELECT TOP n ...` around a select without the limit. */
  limit(selectSql: string, n: number): string;
  /** Extra WHERE condition that skips deleted rows, or undefined when the back-end has none. */
  notDeleted(alias?: string): string | undefined;
  /** Trailing-blank-insensitive, case-insensitive comparison expression for a (memo) column. */
  lowerTrim(columnSql: string): string;
  /**
   * A statement that takes a write lock on a table for the rest of the transaction (serialises
   * writers; readers go on), or undefined when the back-end cannot lock through ODBC.
   */
  lockTable(tableSql: string, column: string): string | undefined;
  /** Columns the back-end fills itself (identity), never written by the connector. */
  readonly generatedColumns: readonly string[];
  /** Value bound for a logical column. */
  boolParam(b: boolean): string | number;
  /** Value bound for an empty date. */
  readonly emptyDate: string;
  /** Column type for the sandbox DDL. */
  ddlType(t: StorageType): string;
  /** Sage Pro storage type of a column described by SQLColumns, or undefined when unknown. */
  storageTypeOf(col: CatalogColumn): StorageType | undefined;
  /**
   * Reading a memo through a block cursor (fetch-plan.ts): the driver reports a memo (TEXT, M) at a
   * huge size and the odbc package allocates that size times the fetch size. A memo is read instead
   * as `chunk` pieces of `width` characters, each an expression the driver reports at that width,
   * with `length` (characters, or bytes in a single-byte code page) to check the pieces cover it.
   */
  readonly memo: { width: number; chunk(columnSql: string, start: number, width: number): string; length(columnSql: string): string };
}

/** One row of ODBC SQLColumns, keys upper-cased. */
export interface CatalogColumn {
  COLUMN_NAME: string;
  TYPE_NAME: string;
  DATA_TYPE: number;
  COLUMN_SIZE: number | null;
  DECIMAL_DIGITS: number | null;
  ORDINAL_POSITION?: number;
  [k: string]: unknown;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Guards every identifier spliced into SQL (tables and columns come from schemas / the catalog, never from values). */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a plain SQL identifier: '${name}'`);
  return name;
}

/** ODBC SQL data type codes. */
const SQL = {
  CHAR: 1, NUMERIC: 2, DECIMAL: 3, INTEGER: 4, SMALLINT: 5, FLOAT: 6, REAL: 7, DOUBLE: 8,
  VARCHAR: 12, LONGVARCHAR: -1, WCHAR: -8, WVARCHAR: -9, WLONGVARCHAR: -10, BIT: -7, TINYINT: -6,
  BIGINT: -5, DATE: 91, TIMESTAMP: 93, DATETIME: 9, TYPE_TIME: 92,
} as const;

/**
 * Generic mapping of an SQLColumns row to a storage type. TYPE_NAME wins when it carries the
 * declared size (SQLite reports `CHAR(10)` / `NUMERIC(12,2)` there, and a wrong COLUMN_SIZE).
 */
export function genericStorageType(col: CatalogColumn): StorageType | undefined {
  const tn = String(col.TYPE_NAME ?? '').trim().toUpperCase();
  const size = col.COLUMN_SIZE ?? 0;
  const digits = col.DECIMAL_DIGITS ?? 0;
  // VFP ODBC reports one-letter type names.
  if (/^[CNYDTLMI]$/.test(tn)) {
    switch (tn) {
      case 'C': return { kind: 'C', width: size };
      case 'N': return { kind: 'N', precision: size, scale: digits };
      default: return { kind: tn as 'Y' | 'D' | 'T' | 'L' | 'M' | 'I' };
    }
  }
  let m = /^(?:N?CHAR|CHARACTER|N?VARCHAR|BPCHAR|CHARACTER VARYING)\s*\(\s*(\d+)\s*\)$/.exec(tn);
  if (m) return { kind: 'C', width: Number(m[1]) };
  m = /^(?:NUMERIC|DECIMAL)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(tn);
  if (m) {
    const p = Number(m[1]); const s = Number(m[2] ?? 0);
    return { kind: 'N', precision: p, scale: s };
  }
  if (/^(MONEY|SMALLMONEY|CURRENCY)$/.test(tn)) return { kind: 'Y' };
  if (/^(BOOL|BOOLEAN|BIT|LOGICAL)$/.test(tn)) return { kind: 'L' };
  if (/^(TEXT|NTEXT|MEMO|CLOB)$/.test(tn)) return { kind: 'M' };
  if (/^(DATE)$/.test(tn)) return { kind: 'D' };
  if (/^(TIMESTAMP|DATETIME|DATETIME2|SMALLDATETIME|TIMESTAMP WITHOUT TIME ZONE)$/.test(tn)) return { kind: 'T' };
  if (/^(INT|INT2|INT4|INT8|INTEGER|SMALLINT|BIGINT|TINYINT|SERIAL|BIGSERIAL)(\s+IDENTITY)?$/.test(tn)) return { kind: 'I' };
  switch (col.DATA_TYPE) {
    case SQL.CHAR: case SQL.VARCHAR: case SQL.WCHAR: case SQL.WVARCHAR:
      return size > 0 && size < 8000 ? { kind: 'C', width: size } : { kind: 'M' };
    case SQL.LONGVARCHAR: case SQL.WLONGVARCHAR: return { kind: 'M' };
    case SQL.NUMERIC: case SQL.DECIMAL: return { kind: 'N', precision: size, scale: digits };
    case SQL.INTEGER: case SQL.SMALLINT: case SQL.BIGINT: case SQL.TINYINT: return { kind: 'I' };
    case SQL.FLOAT: case SQL.REAL: case SQL.DOUBLE: return { kind: 'N', precision: 20, scale: 8 };
    case SQL.BIT: return { kind: 'L' };
    case SQL.DATE: return { kind: 'D' };
    case SQL.TIMESTAMP: case SQL.DATETIME: return { kind: 'T' };
    default: return undefined;
  }
}

function portableDdlType(t: StorageType, opts: { bool: string; memo: string; timestamp: string }): string {
  switch (t.kind) {
    case 'C': return `CHAR(${t.width})`;
    case 'N': return `NUMERIC(${t.precision},${t.scale})`;
    case 'Y': return 'NUMERIC(15,4)';
    case 'D': return 'DATE';
    case 'T': return opts.timestamp;
    case 'L': return opts.bool;
    case 'M': return opts.memo;
    case 'I': return 'INTEGER';
  }
}

export function createDialect(name: DialectName, opts: DialectOptions = {}): Dialect {
  const company = opts.company ?? '01';
  if (!/^[0-9A-Za-z]{0,4}$/.test(company)) throw new Error(`bad company suffix '${company}'`);
  switch (name) {
    case 'sqlite':
      return {
        name,
        table: (t) => ident(t.toLowerCase()),
        catalogTable: (t) => t.toLowerCase(),
        limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
        notDeleted: () => undefined,
        lowerTrim: (c) => `LOWER(RTRIM(${c}))`,
        // Any write statement takes SQLite's database write lock (RESERVED), even when no row matches.
        lockTable: (t, c) => `UPDATE ${t} SET ${ident(c)} = ${ident(c)} WHERE 1 = 0`,
        generatedColumns: [],
        boolParam: (b) => (b ? 1 : 0),
        emptyDate: EMPTY_DATE,
        ddlType: (t) => portableDdlType(t, { bool: 'BOOLEAN', memo: 'TEXT', timestamp: 'TIMESTAMP' }),
        storageTypeOf: genericStorageType,
        // The SQLite3 ODBC driver reports any expression column as VARCHAR(255), whatever its CAST says.
        memo: { width: 255, chunk: (c, start, w) => `SUBSTR(${c}, ${start}, ${w})`, length: (c) => `LENGTH(${c})` },
      };
    case 'postgres':
      return {
        name,
        table: (t) => ident(t.toLowerCase()),
        catalogTable: (t) => t.toLowerCase(),
        limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
        notDeleted: () => undefined,
        lowerTrim: (c) => `LOWER(RTRIM(${c}))`,
        // Conflicts with itself (one writer at a time), not with plain reads.
        lockTable: (t) => `LOCK TABLE ${t} IN SHARE ROW EXCLUSIVE MODE`,
        generatedColumns: [],
        // psqlODBC sends parameters as text; 'true'/'false' are valid boolean input.
        boolParam: (b) => (b ? 'true' : 'false'),
        emptyDate: EMPTY_DATE,
        ddlType: (t) => portableDdlType(t, { bool: 'BOOLEAN', memo: 'TEXT', timestamp: 'TIMESTAMP' }),
        storageTypeOf: (c) => {
          const tn = String(c.TYPE_NAME).toLowerCase();
          if (tn === 'bpchar' || tn === 'varchar') return { kind: 'C', width: c.COLUMN_SIZE ?? 0 };
          if (tn === 'numeric') return { kind: 'N', precision: c.COLUMN_SIZE ?? 0, scale: c.DECIMAL_DIGITS ?? 0 };
          return genericStorageType(c);
        },
        // psqlODBC reports text as LONGVARCHAR of MaxLongVarcharSize (8190), and a varchar(n) as VARCHAR
        // of n up to MaxVarcharSize (255 by default; LONGVARCHAR above): pieces of 255.
        memo: { width: 255, chunk: (c, start, w) => `CAST(SUBSTR(${c}, ${start}, ${w}) AS VARCHAR(${w}))`, length: (c) => `LENGTH(${c})` },
      };
    case 'mssql': {
      const prefix = opts.schema ? `${ident(opts.schema)}.` : '';
      return {
        name,
        table: (t) => prefix + ident(t.toLowerCase()),
        catalogTable: (t) => t.toLowerCase(),
        limit: (sql, n) => sql.replace(/^\s*SELECT\s+(DISTINCT\s+)?/i, (_m, d: string | undefined) => `SELECT ${d ?? ''}TOP ${Math.trunc(n)} `),
        notDeleted: () => undefined,
        // The SQL edition may keep memos as `text`, which LOWER/RTRIM refuse: cast first.
        lowerTrim: (c) => `LOWER(RTRIM(CAST(${c} AS varchar(max))))`,
        lockTable: (t) => `SELECT TOP 0 1 FROM ${t} WITH (TABLOCKX, HOLDLOCK)`,
        generatedColumns: ['ID_COL'],
        boolParam: (b) => (b ? 1 : 0),
        emptyDate: EMPTY_DATE,
        ddlType: (t) => portableDdlType(t, { bool: 'BIT', memo: 'VARCHAR(MAX)', timestamp: 'DATETIME' }),
        storageTypeOf: (c) => {
          const tn = String(c.TYPE_NAME).toLowerCase().replace(/\s+identity$/, '');
          if (tn === 'char' || tn === 'varchar' || tn === 'nchar' || tn === 'nvarchar') {
            const size = c.COLUMN_SIZE ?? 0;
            return size > 0 && size < 8000 ? { kind: 'C', width: size } : { kind: 'M' };
          }
          // The SQL edition keeps VFP dates as datetime with a zero time part.
          if (tn === 'datetime' || tn === 'smalldatetime') return { kind: 'D' };
          return genericStorageType(c);
        },
        // text / varchar(max) report size 0 (read row by row); a varchar(n) cast is reported at n.
        // DATALENGTH counts bytes: characters in the install's single-byte code page (never fewer).
        memo: { width: 4000, chunk: (c, start, w) => `CAST(SUBSTRING(CAST(${c} AS varchar(max)), ${start}, ${w}) AS varchar(${w}))`, length: (c) => `DATALENGTH(${c})` },
      };
    }
    case 'vfp':
      return {
        name,
        table: (t) => ident(t.toLowerCase() + company),
        catalogTable: (t) => t.toLowerCase() + company,
        limit: (sql, n) => sql.replace(/^\s*SELECT\s+(DISTINCT\s+)?/i, (_m, d: string | undefined) => `SELECT ${d ?? ''}TOP ${Math.trunc(n)} `),
        notDeleted: (alias) => (alias ? `NOT DELETED('${ident(alias)}')` : 'NOT DELETED()'),
        lowerTrim: (c) => `LOWER(ALLTRIM(${c}))`,
        // The VFP ODBC driver has no FLOCK(): writers are serialised by the numbering row only.
        lockTable: () => undefined,
        generatedColumns: [],
        boolParam: (b) => (b ? 1 : 0),
        emptyDate: EMPTY_DATE,
        ddlType: (t) => {
          switch (t.kind) {
            case 'C': return `C(${t.width})`;
            case 'N': return `N(${t.precision},${t.scale})`;
            default: return t.kind;
          }
        },
        storageTypeOf: genericStorageType,
        // The VFP ODBC driver reports a memo as LONGVARCHAR, and speaks VFP 6 SQL (no CAST): an
        // expression's width is its first row's unless fixed, so PADR fixes it at C(254), the widest
        // character column; the padding is cut off again by the memo's LEN (fetch-plan.ts).
        memo: { width: 254, chunk: (c, start, w) => `PADR(SUBSTR(${c}, ${start}, ${w}), ${w})`, length: (c) => `LEN(${c})` },
      };
  }
}

/** Guesses the dialect from an ODBC connection string (the DSN is never logged). */
export function dialectFromDsn(dsn: string): DialectName {
  const d = dsn.toLowerCase();
  if (/driver\s*=\s*\{?sqlite/.test(d)) return 'sqlite';
  if (/driver\s*=\s*\{?postgres/.test(d)) return 'postgres';
  if (/driver\s*=\s*\{?[^;}]*(sql server|tds)/.test(d)) return 'mssql';
  if (/driver\s*=\s*\{?[^;}]*(foxpro|vfp)/.test(d) || /sourcetype\s*=\s*(dbc|dbf)/.test(d)) return 'vfp';
  throw new Error('cannot tell the SQL dialect from the connection string; pass `dialect`');
}

/**
 * How many rows one `INSERT ... VALUES (...), (...)` may carry for `columns` bound columns each:
 * 1 on VFP (its SQL INSERT takes one VALUES list), otherwise as many as the back-end's limit on
 * bound parameters per statement allows (SQLite 999, SQLITE_MAX_VARIABLE_NUMBER before 3.32; SQL
 * Server 2,100 parameters and 1,000 rows; PostgreSQL 65,535 parameters), at most 1,000.
 */
export function rowsPerInsert(d: Dialect, columns: number): number {
  const params = { sqlite: 999, postgres: 65535, mssql: 2099, vfp: 0 }[d.name];
  if (d.name === 'vfp' || columns <= 0) return 1;
  return Math.max(1, Math.min(1000, Math.floor(params / columns)));
}

/**
 * How many values one `col IN (?, ...)` list may hold: kept at 24 on VFP (conservative: the
 * argument limit of INLIST(), which older VFP SQL engines turn an IN list into), otherwise well
 * inside the parameter limits above (a statement may carry two lists).
 */
export function maxInList(d: Dialect): number {
  return d.name === 'vfp' ? 24 : d.name === 'sqlite' ? 400 : 1000;
}
