/**
 * Storage rules for every Sage Pro write and read.
 *
 * Writes: every column of the table is supplied (no NULLs: blank, 0, empty date 1899-12-30, false);
 * text (C(n) and memo) is what the install stores, code-page text under the install's declared
 * rules (runtime/text/codepage.ts, connect.yaml `connections.sagepro.text`): characters the code
 * page lacks are transliterated, replaced by '?' or rejected; control characters (a NUL would cut
 * the value at the driver) are stripped, each strip reported through `TextOptions.warn`, or
 * rejected; C(n) values are padded to n (right-justified keys such as SONO / INVNO are left-padded);
 * a value longer than its column, in bytes of the code page, is rejected with an `invalid`
 * ConnectorError naming table and column;
 * numbers are rounded to the column's scale and rejected when they overflow its precision.
 * Reads: trailing pad trimmed (leading pad too for right-justified keys), the empty date → null,
 * numeric strings → numbers, logicals → booleans.
 */
import { ConnectorError } from '../errors.js';
import type { Dialect } from './dialect.js';
import { EMPTY_DATE, formatStorageType, type StorageType } from './types.js';
import { encodeText, TextRuleError, textRules, type Encoded, type TextRules } from '../../text/codepage.js';

/** How text is written: the install's rules and where stripped control characters are reported. */
export interface TextOptions {
  /** The install's code page and rules; the process-wide ones (flowd sets them from connect.yaml) when absent. */
  readonly rules?: TextRules;
  /** Told once per value whose control characters were stripped (rule `control: strip`). */
  readonly warn?: (message: string, where: { table: string; column: string }) => void;
}

export interface ColumnSpec {
  name: string;
  type: StorageType;
  justify: 'left' | 'right';
}

/** The real columns of one table of the install (from SQLColumns), merged with the schemas' justification. */
export interface TableShape {
  table: string;
  columns: Map<string, ColumnSpec>;
}

export type Bound = string | number;

function invalid(message: string, table: string, column: string, operation?: string): ConnectorError {
  return new ConnectorError(message, { errorClass: 'invalid', system: 'sagepro', table, column, ...(operation ? { operation } : {}) });
}

function pad(s: string, width: number, justify: 'left' | 'right'): string {
  return justify === 'right' ? s.padStart(width, ' ') : s.padEnd(width, ' ');
}

/** Text as the install stores it, or an `invalid` error naming the column and the character. */
function storedText(v: string, table: string, column: string, memo: boolean, text: TextOptions | undefined, operation?: string): Encoded {
  const rules = text?.rules ?? textRules();
  let e: Encoded;
  try {
    e = encodeText(v, rules, { memo });
  } catch (err) {
    if (!(err instanceof TextRuleError)) throw err;
    const rule = err.kind === 'control' ? `control: ${rules.control}` : `unmappable: ${rules.unmappable}`;
    throw invalid(`${table}.${column}: ${err.message} (text rule ${rule})`, table, column, operation);
  }
  if (e.stripped > 0) {
    text?.warn?.(`${table}.${column}: ${e.stripped} control character${e.stripped === 1 ? '' : 's'} stripped (text rule control: strip)`, { table, column });
  }
  return e;
}

/** Pads a key for comparison (`WHERE SONO = ?`), with the same text rules and width check as a write. */
export function padKey(value: string, width: number, justify: 'left' | 'right', table: string, column: string, text?: TextOptions): string {
  const raw = justify === 'right' ? value.trim() : value.replace(/\s+$/, '');
  const v = storedText(raw, table, column, false, text ? { ...text, warn: undefined } : undefined).text;
  if (v.length > width) throw invalid(`${table}.${column}: '${v}' is longer than ${width} characters`, table, column);
  return pad(v, width, justify);
}

function isoDate(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(value.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** The value bound for one column on a write (never null). */
export function encodeValue(spec: ColumnSpec, value: unknown, table: string, dialect: Dialect, operation?: string, text?: TextOptions): Bound {
  const where = `${table}.${spec.name}`;
  const t = spec.type;
  const blank = value === undefined || value === null;
  switch (t.kind) {
    case 'C': {
      if (blank) return pad('', t.width, spec.justify);
      if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`${where}: expected text, got ${typeof value}`, table, spec.name, operation);
      const raw = String(value);
      // Only the pad may be dropped: trailing blanks (and leading ones for right-justified keys).
      const trimmed = spec.justify === 'right' ? raw.trim() : raw.replace(/\s+$/, '');
      const e = storedText(trimmed, table, spec.name, false, text, operation);
      const v = spec.justify === 'right' ? e.text.trim() : e.text.replace(/\s+$/, '');
      // One byte per character of a single-byte code page: the length of the mapped text is its size.
      if (v.length > t.width) {
        throw invalid(`${where} (${formatStorageType(t)}): value of ${v.length} characters (${v.length} bytes in ${(text?.rules ?? textRules()).codePage}) is too long`, table, spec.name, operation);
      }
      return pad(v, t.width, spec.justify);
    }
    case 'M':
      if (blank) return '';
      if (typeof value !== 'string') throw invalid(`${where}: expected text, got ${typeof value}`, table, spec.name, operation);
      return storedText(value, table, spec.name, true, text, operation).text;
    case 'N': case 'Y': case 'I': {
      if (blank) return 0;
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw invalid(`${where}: '${String(value)}' is not a number`, table, spec.name, operation);
      const scale = t.kind === 'N' ? t.scale : t.kind === 'Y' ? 4 : 0;
      const precision = t.kind === 'N' ? t.precision : t.kind === 'Y' ? 19 : 10;
      if (t.kind === 'I' && !Number.isInteger(n)) throw invalid(`${where}: ${n} is not an integer`, table, spec.name, operation);
      const f = 10 ** scale;
      const r = Math.round(n * f) / f;
      // VFP N(p,s): p counts every character, sign and decimal point included.
      const intDigits = Math.max(1, precision - (scale > 0 ? scale + 1 : 0) - (r < 0 ? 1 : 0));
      if (Math.abs(Math.trunc(r)).toString().length > intDigits) {
        throw invalid(`${where} (${formatStorageType(t)}): ${n} does not fit`, table, spec.name, operation);
      }
      return r;
    }
    case 'D': {
      if (blank || value === '') return dialect.emptyDate;
      const d = isoDate(value);
      if (!d) throw invalid(`${where}: '${String(value)}' is not a date (YYYY-MM-DD)`, table, spec.name, operation);
      return d;
    }
    case 'T': {
      if (blank || value === '') return `${dialect.emptyDate} 00:00:00`;
      const s = value instanceof Date ? value.toISOString() : String(value);
      const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?/.exec(s);
      if (!m) throw invalid(`${where}: '${s}' is not a date-time`, table, spec.name, operation);
      return `${m[1]} ${m[2] ?? '00:00:00'}`;
    }
    case 'L': {
      if (blank) return dialect.boolParam(false);
      if (typeof value !== 'boolean') throw invalid(`${where}: expected true or false`, table, spec.name, operation);
      return dialect.boolParam(value);
    }
  }
}

/** A value read from the database, in logical form. */
export function decodeValue(type: StorageType, justify: 'left' | 'right', raw: unknown): unknown {
  switch (type.kind) {
    case 'C':
      if (raw === null || raw === undefined) return '';
      return justify === 'right' ? String(raw).trim() : String(raw).replace(/\s+$/, '');
    case 'M':
      return raw === null || raw === undefined ? '' : String(raw).replace(/\s+$/, '');
    case 'N': case 'Y': case 'I':
      if (raw === null || raw === undefined || raw === '') return 0;
      return typeof raw === 'number' ? raw : Number(raw);
    case 'D': {
      if (raw === null || raw === undefined || raw === '') return null;
      const d = isoDate(raw);
      return !d || d === EMPTY_DATE ? null : d;
    }
    case 'T': {
      if (raw === null || raw === undefined || raw === '') return null;
      const s = String(raw);
      return s.startsWith(EMPTY_DATE) ? null : s.replace(' ', 'T').replace(/\.\d+$/, '');
    }
    case 'L':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'number') return raw !== 0;
      return raw === '1' || raw === 't' || raw === 'true' || raw === 'T' || raw === '.T.';
  }
}

/**
 * A full row for an INSERT: the given columns encoded, every other column of the table with its
 * default. A given column the table does not have is an `invalid` error naming it.
 */
export function completeRow(shape: TableShape, values: Record<string, unknown>, dialect: Dialect, operation?: string, text?: TextOptions): { columns: string[]; params: Bound[] } {
  for (const c of Object.keys(values)) {
    if (!shape.columns.has(c)) throw invalid(`${shape.table} has no column ${c} on this install`, shape.table, c, operation);
  }
  const columns: string[] = [];
  const params: Bound[] = [];
  for (const spec of shape.columns.values()) {
    if (dialect.generatedColumns.includes(spec.name)) continue;
    columns.push(spec.name);
    params.push(encodeValue(spec, values[spec.name], shape.table, dialect, operation, text));
  }
  return { columns, params };
}

/** Encodes only the given columns (UPDATE ... SET). */
export function encodeSome(shape: TableShape, values: Record<string, unknown>, dialect: Dialect, operation?: string, text?: TextOptions): { columns: string[]; params: Bound[] } {
  const columns: string[] = [];
  const params: Bound[] = [];
  for (const [c, v] of Object.entries(values)) {
    const spec = shape.columns.get(c);
    if (!spec) throw invalid(`${shape.table} has no column ${c} on this install`, shape.table, c, operation);
    columns.push(c);
    params.push(encodeValue(spec, v, shape.table, dialect, operation, text));
  }
  return { columns, params };
}
