/**
 * CREATE TABLE / CREATE INDEX statements of the sandbox, in plain SQL for SQLite and PostgreSQL
 * (and VFP DDL text, for reading).
 *
 * A table's physical name may carry a schema: `ardata.arcust01` is a table in the SQLite database
 * attached as `ardata` (or the PostgreSQL schema `ardata`). SQLite puts the schema on the index name
 * (`CREATE INDEX ardata.x ON arcust01`), PostgreSQL on the table (`CREATE INDEX x ON ardata.arcust01`).
 */
import { columnType, sqlName, sqlType, type Engine } from './types.js';
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

/** The statements that create every table of the layout, with its indexes. */
export function layoutDdl(layout: TableLayout): string[] {
  const out: string[] = [];
  for (const t of layout.tables) {
    const physical = layout.physical(t.name);
    const cols = t.columns.map(([c, ty]) => `  ${sqlName(c)} ${sqlType(columnType(ty), layout.engine)}`);
    out.push(`CREATE TABLE ${physical} (\n${cols.join(',\n')}\n)`);
    for (const u of t.unique ?? []) out.push(indexStatement(layout, physical, u, true));
    for (const i of t.index ?? []) out.push(indexStatement(layout, physical, i, false));
  }
  return out;
}
