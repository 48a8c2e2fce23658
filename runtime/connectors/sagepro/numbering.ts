/**
 * How a site assigns next numbers (sales orders, AR posting sessions): a per-install choice.
 *
 * No public source shows SYSDATA's layout (reference 0b), so the connector invents none. A site
 * names one of three methods in connect.yaml (`sagepro.numbering.sales_order`, `.ar_session`):
 * - `table`: a numbering table of the site's own shape: the row `key_column = key` (and the optional
 *   `where` columns) of `table`, whose `number_column` holds the next number (`holds: next`) or the
 *   last one used (`holds: last`). The row is locked (raised) in the write's own transaction.
 * - `max_plus_one`: the highest number in use + 1 (SONO over SOMAST and SOYMST; ARSESS over ARDIST),
 *   read while the write holds its table lock.
 * - `flow`: the flow supplies the number (`order.number`, `invoice.session`).
 * Unset: an order without a number is an `invalid` error naming the key to set.
 */
import { ConnectorError } from '../errors.js';
import { ident } from './dialect.js';
import type { Param, Session } from './odbc.js';
import { padKey, type TableShape } from './storage.js';

export interface TableNumbering {
  method: 'table';
  table: string;
  keyColumn: string;
  key: string;
  numberColumn: string;
  holds: 'next' | 'last';
  where?: Record<string, string | number>;
}
export type NumberingMethod = TableNumbering | { method: 'max_plus_one' } | { method: 'flow' };

/** The two counters a Connect write may need. */
export type CounterName = 'sales_order' | 'ar_session';
export type NumberingOptions = Partial<Record<CounterName, NumberingMethod>>;

/** The connect.yaml key of a counter, as named in errors. */
export const numberingKey = (c: CounterName): string => `sagepro.numbering.${c}`;

/** The snake_case form of connect.yaml and of the sandbox profiles' `siteConfig`. */
export interface RawNumbering {
  method: 'table' | 'max_plus_one' | 'flow';
  table?: string; key_column?: string; key?: string; number_column?: string; holds?: 'next' | 'last';
  where?: Record<string, string | number>;
}

/** Converts (and checks) the connect.yaml form; every problem names its key. */
export function numberingFromRaw(raw: Partial<Record<CounterName, RawNumbering>> | undefined): NumberingOptions {
  const out: NumberingOptions = {};
  for (const [name, r] of Object.entries(raw ?? {}) as [CounterName, RawNumbering][]) {
    if (name !== 'sales_order' && name !== 'ar_session') throw new Error(`sagepro.numbering: unknown counter '${String(name)}' (sales_order, ar_session)`);
    const at = numberingKey(name);
    if (r.method === 'max_plus_one' || r.method === 'flow') { out[name] = { method: r.method }; continue; }
    if (r.method !== 'table') throw new Error(`${at}.method: must be table, max_plus_one or flow`);
    for (const k of ['table', 'key_column', 'key', 'number_column', 'holds'] as const) {
      if (r[k] === undefined || r[k] === '') throw new Error(`${at}.${k}: is required for method table`);
    }
    if (r.holds !== 'next' && r.holds !== 'last') throw new Error(`${at}.holds: must be next or last`);
    for (const [k, v] of [['table', r.table], ['key_column', r.key_column], ['number_column', r.number_column], ...Object.keys(r.where ?? {}).map((w) => [`where.${w}`, w])] as [string, string][]) {
      try { ident(v); } catch { throw new Error(`${at}.${k}: '${v}' is not a plain table or column name`); }
    }
    out[name] = {
      method: 'table', table: r.table!.toUpperCase(), keyColumn: r.key_column!.toUpperCase(), key: String(r.key),
      numberColumn: r.number_column!.toUpperCase(), holds: r.holds,
      ...(r.where ? { where: Object.fromEntries(Object.entries(r.where).map(([k, v]) => [k.toUpperCase(), v])) } : {}),
    };
  }
  return out;
}

export function notConfigured(counter: CounterName, what: string, operation: string, table: string, column: string, field: string): ConnectorError {
  return new ConnectorError(
    `${what}: the ${field.replace(/^.*\//, '')} is not given and ${numberingKey(counter)} is not set; set it in connect.yaml `
    + `(method table with the site's numbering table, max_plus_one, or flow) or give the number`,
    { errorClass: 'invalid', system: 'sagepro', operation, table, column, field },
  );
}

/** Parses a number read from a numbering column or a key column ('  1004' → 1004); undefined when it is not a whole number. */
export function wholeNumber(v: unknown): number | undefined {
  const s = String(v ?? '').trim();
  if (!/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

// ---------------------------------------------------------------- assignment (in the write's transaction)

/** What the connector gives the numbering: the install's catalog and its SQL helpers. */
export interface NumberingContext {
  numbering: NumberingOptions;
  shapeOrNull(table: string): Promise<TableShape | null>;
  has(table: string, column: string): Promise<boolean>;
  /** SQL name of a logical table on this install. */
  tableSql(table: string): string;
  /** ` WHERE ...` with the dialect's deleted-row filter. */
  where(conds: string[]): string;
  update(s: Session, table: string, set: Record<string, unknown>, where: Record<string, unknown>, operation: string): Promise<number>;
}

/** The number wanted, for messages: e.g. 'sales order number', stored in SOMAST.SONO, flow field `number`. */
export interface NumberWanted { what: string; table: string; column: string; field: string }

const invalid = (message: string, operation: string, table?: string, column?: string, field?: string) =>
  new ConnectorError(message, { errorClass: 'invalid', system: 'sagepro', operation, ...(table ? { table } : {}), ...(column ? { column } : {}), ...(field ? { field } : {}) });

/** A number for `counter` the site's way, in the caller's transaction (which holds the document table's lock). */
export async function assignNumber(ctx: NumberingContext, s: Session, counter: CounterName, op: string, want: NumberWanted): Promise<string> {
  const cfg: NumberingMethod | undefined = ctx.numbering[counter];
  if (!cfg) throw notConfigured(counter, want.what, op, want.table, want.column, want.field);
  switch (cfg.method) {
    case 'flow':
      throw invalid(`${want.what}: ${numberingKey(counter)} is method flow, so the flow must give ${want.field.replace(/\//g, '.')}`, op, want.table, want.column, want.field);
    case 'table':
      return String(await takeFromTable(ctx, s, cfg, counter, op));
    case 'max_plus_one':
      return String(await maxPlusOne(ctx, s, counter === 'sales_order' ? [['SOMAST', 'SONO'], ['SOYMST', 'SONO']] : [['ARDIST', 'ARSESS']]));
  }
}

/** The where-values of a numbering row, padded / typed for their columns. */
async function numberingWhere(ctx: NumberingContext, cfg: TableNumbering, counter: CounterName, op: string): Promise<[string, Param][]> {
  const sh = await ctx.shapeOrNull(cfg.table);
  const at = numberingKey(counter);
  if (!sh) throw invalid(`${at}: table ${cfg.table} not found on this install`, op, cfg.table);
  const out: [string, Param][] = [];
  for (const [col, v] of [[cfg.keyColumn, cfg.key], ...Object.entries(cfg.where ?? {})] as [string, string | number][]) {
    const spec = sh.columns.get(col);
    if (!spec) throw invalid(`${at}: ${cfg.table} has no column ${col} on this install`, op, cfg.table, col);
    out.push([col, spec.type.kind === 'C' ? padKey(String(v), spec.type.width, spec.justify, cfg.table, col) : Number(v)]);
  }
  if (!sh.columns.has(cfg.numberColumn)) throw invalid(`${at}: ${cfg.table} has no column ${cfg.numberColumn} on this install`, op, cfg.table, cfg.numberColumn);
  return out;
}

/** Takes a number from the site's numbering table row (locked by the UPDATE that raises it). */
async function takeFromTable(ctx: NumberingContext, s: Session, cfg: TableNumbering, counter: CounterName, op: string): Promise<number> {
  const where = await numberingWhere(ctx, cfg, counter, op);
  const t = ctx.tableSql(cfg.table);
  const num = ident(cfg.numberColumn);
  const cond = ctx.where(where.map(([c]) => `${ident(c)} = ?`));
  const values = where.map(([, v]) => v);
  const locked = await s.execute(`UPDATE ${t} SET ${num} = ${num}${cond}`, values);
  const rowDesc = where.map(([c, v]) => `${c} = '${String(v).trim()}'`).join(' and ');
  if (locked === 0) throw invalid(`${numberingKey(counter)}: ${cfg.table} has no row ${rowDesc}`, op, cfg.table, cfg.keyColumn);
  if (locked > 1) throw invalid(`${numberingKey(counter)}: ${cfg.table} has ${locked} rows ${rowDesc}; add the distinguishing columns to where`, op, cfg.table, cfg.keyColumn);
  const r = await s.query(`SELECT ${num} FROM ${t}${cond}`, values);
  const current = wholeNumber(r[0]?.[cfg.numberColumn]);
  if (current === undefined) throw invalid(`${numberingKey(counter)}: ${cfg.table}.${cfg.numberColumn} of row ${rowDesc} is not a whole number`, op, cfg.table, cfg.numberColumn);
  const number = cfg.holds === 'next' ? current : current + 1;
  await ctx.update(s, cfg.table, { [cfg.numberColumn]: cfg.holds === 'next' ? number + 1 : number }, Object.fromEntries(where), op);
  return number;
}

/** The highest whole number in use in `table.column` + 1 (the caller holds the table's lock). */
async function maxPlusOne(ctx: NumberingContext, s: Session, sources: [string, string][]): Promise<number> {
  let max = 0;
  for (const [table, column] of sources) {
    if (!(await ctx.has(table, column))) continue;
    // Distinct values, scanned here: text keys that are not whole numbers are ignored.
    const rows = await s.query(`SELECT DISTINCT ${ident(column)} AS N FROM ${ctx.tableSql(table)}${ctx.where([])}`);
    for (const r of rows) { const n = wholeNumber(r.N); if (n !== undefined && n > max) max = n; }
  }
  return max + 1;
}
