/**
 * CREATE TABLE / CREATE INDEX statements of the sandbox, in plain SQL for SQLite and PostgreSQL
 * (and VFP DDL text, for reading).
 *
 * The code page as a constraint: a real install's tables hold Windows-1252 text (codepage.ts), so a
 * value it could not hold must fail in the sandbox too, instead of passing. Every text column gets
 * named CHECK constraints, so the error says where and why:
 * - `<TABLE>_<COLUMN>_max<n>` (SQLite, C(n)): at most n characters. SQLite does not enforce CHAR(n);
 *   `length()` counts code points, which for Windows-1252 text equals the bytes the install stores.
 *   (PostgreSQL's CHAR(n) refuses a longer value itself.)
 * - `<TABLE>_<COLUMN>_cp1252` (C(n) and memo): only characters of Windows-1252, no control characters
 *   (memo: TAB, LF, CR allowed), no NUL (SQLite: checked on the bytes, as its text functions stop at
 *   a NUL; PostgreSQL text cannot hold one at all).
 *   SQLite: `NOT (COL GLOB '*[^<class>]*')`; PostgreSQL: `COL !~ '[^<class>]'`.
 *
 * A table's physical name may carry a schema: `ardata.arcust01` is a table in the SQLite database
 * attached as `ardata` (or the PostgreSQL schema `ardata`). SQLite puts the schema on the index name
 * (`CREATE INDEX ardata.x ON arcust01`), PostgreSQL on the table (`CREATE INDEX x ON ardata.arcust01`).
 */
import { bracketClass, MEMO_CODE_POINTS, TEXT_CODE_POINTS } from './codepage.js';
import { columnType, sqlName, sqlType, type ColumnType, type Engine } from './types.js';
import type { SandboxTable } from './tables.js';

export interface TableLayout {
  readonly engine: Engine;
  readonly tables: readonly SandboxTable[];
  /** The name SQL uses for a logical table: `arcust`, `somast01`, `ardata.arcust01`. */
  physical(logical: string): string;
}

function split(physical: string): { schema?: string; base: string } {
  const i = physical.indexOf('.');
  return i < 0 ? { base: sqlName(physical) } : { schema: sqlName(physical.slice(0, i)), base: sqlName(physical.slice(i + 1)) };
}

function indexStatement(layout: TableLayout, physical: string, cols: string[], unique: boolean): string {
  const { schema, base } = split(physical);
  const name = `${base}_${cols.join('_').toLowerCase()}_${unique ? 'u' : 'i'}`;
  const head = unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
  const list = cols.map(sqlName).join(', ');
  if (schema && layout.engine === 'sqlite') return `${head} ${schema}.${name} ON ${base} (${list})`;
  return `${head} ${name} ON ${physical} (${list})`;
}

const hex4 = (cp: number) => cp.toString(16).padStart(4, '0');
const sqliteClass = (cps: readonly number[]) => bracketClass(cps, (cp) => `' || char(${cp}) || '`);
const postgresClass = (cps: readonly number[]) => bracketClass(cps, (cp) => `\\u${hex4(cp)}`);

/** The column's CHECK constraints (see above); empty for non-text columns and VFP DDL. */
export function textConstraints(table: string, column: string, type: ColumnType, engine: Engine): string[] {
  if ((type.kind !== 'C' && type.kind !== 'M') || engine === 'vfp') return [];
  const c = sqlName(column);
  const name = `${sqlName(table)}_${c}`;
  const cps = type.kind === 'C' ? TEXT_CODE_POINTS : MEMO_CODE_POINTS;
  const out: string[] = [];
  if (engine === 'sqlite') {
    if (type.kind === 'C') out.push(`CONSTRAINT ${name}_max${type.width} CHECK (length(${c}) <= ${type.width})`);
    out.push(`CONSTRAINT ${name}_cp1252 CHECK (instr(CAST(${c} AS BLOB), x'00') = 0 AND NOT (${c} GLOB '*[^${sqliteClass(cps)}]*'))`);
  } else {
    out.push(`CONSTRAINT ${name}_cp1252 CHECK (${c} !~ '[^${postgresClass(cps)}]')`);
  }
  return out;
}

/** The statements that create every table of the layout, with its indexes. */
export function layoutDdl(layout: TableLayout): string[] {
  const out: string[] = [];
  for (const t of layout.tables) {
    const physical = layout.physical(t.name);
    const cols = t.columns.map(([c, ty]) => {
      const type = columnType(ty);
      return [`  ${sqlName(c)} ${sqlType(type, layout.engine)}`, ...textConstraints(t.name, c, type, layout.engine)].join(' ');
    });
    out.push(`CREATE TABLE ${physical} (\n${cols.join(',\n')}\n)`);
    for (const u of t.unique ?? []) out.push(indexStatement(layout, physical, u, true));
    for (const i of t.index ?? []) out.push(indexStatement(layout, physical, i, false));
  }
  return out;
}
