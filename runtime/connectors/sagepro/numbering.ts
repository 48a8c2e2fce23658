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
