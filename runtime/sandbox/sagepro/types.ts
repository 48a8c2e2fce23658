/**
 * Column types of the sandbox tables, in Visual FoxPro notation (`C(10)`, `N(12,2)`, `Y`, `D`, `T`,
 * `L`, `M`, `I`), and the SQL type each gets in the back-ends the sandbox loads into.
 *
 * The sandbox's own code: it imports nothing from the connector it is used to test, so an encoding
 * bug in the connector cannot hide behind a shared helper.
 */

export type ColumnType =
  | { kind: 'C'; width: number }
  | { kind: 'N'; precision: number; scale: number }
  | { kind: 'Y' | 'D' | 'T' | 'L' | 'M' | 'I' };

/** Where the sandbox DDL goes: SQLite (the SQLite3 ODBC driver), PostgreSQL (psqlODBC), or VFP DDL text. */
export type Engine = 'sqlite' | 'postgres' | 'vfp';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres', 'vfp'];

/** Parses the VFP notation of tables.ts; throws on anything else (a typo in a table definition). */
export function columnType(text: string): ColumnType {
  const t = text.trim().toUpperCase();
  let m = /^C\((\d+)\)$/.exec(t);
  if (m) return { kind: 'C', width: Number(m[1]) };
  m = /^N\((\d+)(?:,(\d+))?\)$/.exec(t);
  if (m) return { kind: 'N', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
  if (/^[YDTLMI]$/.test(t)) return { kind: t as 'Y' | 'D' | 'T' | 'L' | 'M' | 'I' };
  throw new Error(`sandbox table definition: unknown column type '${text}'`);
}

/**
 * The SQL type of a column. SQLite keeps the declared type text, which the SQLite3 ODBC driver
 * reports back through SQLColumns (`CHAR(10)`, `NUMERIC(12,2)`); PostgreSQL has the same types.
 * Currency (Y) is NUMERIC(15,4), as the SQL edition's money columns hold four decimals.
 */
export function sqlType(t: ColumnType, engine: Engine): string {
  if (engine === 'vfp') return t.kind === 'C' ? `C(${t.width})` : t.kind === 'N' ? `N(${t.precision},${t.scale})` : t.kind;
  switch (t.kind) {
    case 'C': return `CHAR(${t.width})`;
    case 'N': return `NUMERIC(${t.precision},${t.scale})`;
    case 'Y': return 'NUMERIC(15,4)';
    case 'D': return 'DATE';
    case 'T': return 'TIMESTAMP';
    case 'L': return 'BOOLEAN';
    case 'M': return 'TEXT';
    case 'I': return 'INTEGER';
  }
}

/** Table and column names are spliced into SQL text: only plain identifiers are accepted. */
export function sqlName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`sandbox: not a plain SQL name: '${name}'`);
  return name;
}
