/**
 * What a block-cursor read binds, and at which width (issue 11).
 *
 * The odbc package binds every column of a cursor with `fetchSize` rows at once and allocates, per
 * column, the size the driver reports for it times the fetch size, cleared with memset
 * (node_modules/odbc/src/odbc_connection.cpp, prepare_for_fetch: `ColumnSize * 4 + 1` bytes per
 * character column and row). A memo (SQLite TEXT, PostgreSQL text, SQL Server text / varchar(max),
 * VFP M) is reported at its type's maximum: the SQLite3 ODBC driver says LONGVARCHAR of 65536, so a
 * poll of SOMAST with NOTES at fetch size 1000 allocated and cleared 262 MB, every second.
 *
 * So a cursor read here:
 * - selects only the columns it needs (the caller's list);
 * - reads a memo as pieces the driver reports at a real width (`dialect.memo`: SUBSTR pieces of
 *   255 characters on SQLite, whose driver reports any expression at 255; a varchar(n) cast on
 *   PostgreSQL and SQL Server; PADR(..., 254) on VFP, whose ODBC driver has no CAST), as many as the longest value in the table needs
 *   (one `MAX(LENGTH(...))` first), with the value's length beside them: a memo that grew between
 *   the two queries is a transient error, never a silently cut value;
 * - fetches as many rows at once as fit in `FETCH_BUDGET_BYTES` of bound buffers (estimated from
 *   the install's catalog widths the same way the odbc package sizes them), at most the caller's,
 *   and, for a table with memos, no more than it holds (counted in the same query as their widths).
 */
import { ConnectorError } from '../errors.js';
import { ident, type Dialect } from './dialect.js';
import type { Row, Session } from './odbc.js';
import type { TableShape } from './storage.js';
import type { StorageType } from './types.js';

/** Bound buffer bytes a cursor read may hold (all columns times the fetch size). */
export const FETCH_BUDGET_BYTES = 512 * 1024;

/** Rows per fetch when the caller does not say. */
export const DEFAULT_FETCH_SIZE = 1000;

/** Bytes the odbc package binds per row for a column of this storage type (its buffer and its length indicator). */
export function boundBytes(t: StorageType | undefined): number {
  const indicator = 8;
  if (!t) return 255 * 4 + 1 + indicator;
  switch (t.kind) {
    case 'C': return t.width * 4 + 1 + indicator;
    case 'N': return Math.max(t.precision + 2, 8) + indicator;
    case 'Y': return 17 + indicator;
    case 'D': return 10 * 4 + 1 + indicator;
    case 'T': return 23 * 4 + 1 + indicator;
    case 'L': case 'I': return 8 + indicator;
    // Never bound as such by a plan (read in pieces); what binding it whole would cost.
    case 'M': return 65536 * 4 + 1 + indicator;
  }
}

export interface FetchPlan {
  /** The select list (column names, memo pieces and lengths). */
  select: string[];
  /** Rows per fetch. */
  fetchSize: number;
  /** Estimated bound bytes per row. */
  rowBytes: number;
  /** The row as if the columns had been selected whole (memo pieces joined); throws when a memo was cut. */
  rebuild(raw: Row): Row;
}

const piece = (column: string, i: number) => `${column}__P${i}`;
const lengthOf = (column: string) => `${column}__LEN`;

/**
 * Plans a cursor read of `columns` of `table` (`tableSql` its SQL name, `where` its conditions
 * without values, e.g. the dialect's not-deleted filter).
 */
export async function planFetch(s: Session, o: {
  dialect: Dialect; shape: TableShape; tableSql: string; columns: string[]; where?: string; fetchSize?: number; budget?: number;
}): Promise<FetchPlan> {
  const memos = o.columns.filter((c) => o.shape.columns.get(c)?.type.kind === 'M');
  const widest = new Map<string, number>();
  // With memos, one query first: each memo's longest value, and how many rows (no fetch larger than
  // the table). Without, no query: the table is scanned once, by the cursor (a 100,000-row poll).
  let rows = Infinity;
  if (memos.length) {
    const measures = ['COUNT(*) AS ROWS_', ...memos.map((c) => `MAX(${o.dialect.memo.length(ident(c))}) AS ${ident(c)}`)];
    const r = await s.query(`SELECT ${measures.join(', ')} FROM ${o.tableSql}${o.where ?? ''}`);
    rows = Number(r[0]?.ROWS_ ?? 0) || 0;
    for (const c of memos) widest.set(c, Number(r[0]?.[c] ?? 0) || 0);
  }
  const w = o.dialect.memo.width;
  const pieces = new Map(memos.map((c) => [c, Math.max(1, Math.ceil(widest.get(c)! / w))]));
  const select: string[] = [];
  let rowBytes = 0;
  for (const c of o.columns) {
    const n = pieces.get(c);
    if (n === undefined) { select.push(ident(c)); rowBytes += boundBytes(o.shape.columns.get(c)?.type); continue; }
    for (let i = 0; i < n; i++) select.push(`${o.dialect.memo.chunk(ident(c), i * w + 1, w)} AS ${piece(c, i)}`);
    select.push(`${o.dialect.memo.length(ident(c))} AS ${lengthOf(c)}`);
    rowBytes += n * boundBytes({ kind: 'C', width: w }) + boundBytes({ kind: 'I' });
  }
  const most = Math.max(1, Math.trunc(o.fetchSize ?? DEFAULT_FETCH_SIZE));
  // Rows added meanwhile are fetched all the same (the cursor reads until no data).
  const fetchSize = Math.max(1, Math.min(most, rows + 1, Math.floor((o.budget ?? FETCH_BUDGET_BYTES) / rowBytes)));
  const rebuild = (raw: Row): Row => {
    if (!memos.length) return raw;
    const row: Row = { ...raw };
    for (const c of memos) {
      const n = pieces.get(c)!;
      const parts: string[] = [];
      for (let i = 0; i < n; i++) { const v = row[piece(c, i)]; parts.push(v === null || v === undefined ? '' : String(v)); delete row[piece(c, i)]; }
      const len = row[lengthOf(c)];
      delete row[lengthOf(c)];
      if (len === null || len === undefined) { row[c] = null; continue; }
      const text = parts.join('');
      // Every piece full and the value longer than they hold: it grew after the widths were read.
      if (text.length >= n * w && Number(len) > n * w) {
        throw new ConnectorError(`${o.shape.table}.${c} grew while it was read (${String(len)} characters, read ${n * w}); read again on the next poll`, {
          errorClass: 'transient', system: 'sagepro', table: o.shape.table, column: c,
        });
      }
      // The pieces may be padded (VFP PADR): blanks past the value's length are the padding.
      const real = Number(len);
      row[c] = text.length > real && /^ *$/.test(text.slice(real)) ? text.slice(0, real) : text;
    }
    return row;
  };
  return { select, fetchSize, rowBytes, rebuild };
}
