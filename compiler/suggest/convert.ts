/**
 * The conversion that makes a source value type-check and fit its target field: the names are the
 * builtins of runtime/BUILTINS.md. A text column C(n) gets `truncate(…, n)` unless the source is known
 * to fit (upper-casing first for key columns such as ITEM, whose values Sage Pro stores upper-case);
 * a date column from a datetime gets `date(…, tz)`; a numeric column N(p,s) from a decimal gets
 * `round(…, s)`; a possibly-null source for a field that is not nullable gets the blank of its type.
 * Returns undefined when no builtin converts the one into the other.
 */
import type { Field, Type } from '../schema/types.js';
import type { SourceValue } from './sources.js';

export interface Conversion {
  readonly expr: string;
  /** The builtins applied, outermost last (`trim`, `upper`, `truncate`). */
  readonly steps: readonly string[];
  /** How natural the conversion is: 1 none or fitting only, down to 0.2 for a parse of text. */
  readonly fit: number;
  readonly note: string;
}

/** Key columns: their values are codes that another table holds upper-case and trimmed. */
const KEY_COLUMNS = new Set(['ITEM', 'CUSTNO', 'LOCTID', 'DEFLOC']);

export function scaleOf(storageType: string | undefined): number | undefined {
  const m = /^N\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(storageType ?? '');
  if (m) return Number(m[1]);
  return storageType === 'Y' ? 4 : undefined;
}

function blankOf(t: Type): string | undefined {
  if (t.kind !== 'prim') return undefined;
  switch (t.name) {
    case 'string': return '""';
    case 'int': case 'decimal': return '0';
    case 'bool': return 'false';
    default: return undefined;
  }
}

/** `x ?? blank` when a possibly-null value must not be null. */
function orBlank(expr: string, t: Type, targetNullable: boolean): string {
  if (!t.nullable || targetNullable) return expr;
  const b = blankOf(t);
  return b === undefined ? expr : `${expr} ?? ${b}`;
}

export function convert(src: SourceValue, target: Field, tz: string): Conversion | undefined {
  const from = src.type, to = target.type;
  if (from.kind !== 'prim' || to.kind !== 'prim') return undefined;
  const targetNullable = to.nullable;
  const steps: string[] = [];
  let fit = 1;
  const notes: string[] = [];
  let e = src.expr;
  switch (to.name) {
    case 'string': {
      if (from.name === 'string') {
        e = orBlank(e, from, targetNullable && !target.storage?.width);
        if (from.nullable && !targetNullable) notes.push('blank when null');
      } else if (from.name === 'int' || from.name === 'decimal') {
        e = `string(${orBlank(e, from, false)})`; steps.push('string'); fit = 0.5; notes.push('number as text');
      } else if (from.name === 'bool') {
        const codes = to.codes ?? [];
        if (codes.includes('Y') && codes.includes('N')) { e = `if ${orBlank(e, from, false)} then "Y" else "N"`; steps.push('if'); fit = 0.8; notes.push('Y/N'); }
        else return undefined;
      } else return undefined;
      const width = target.storage?.width ?? to.maxLength;
      const isKey = KEY_COLUMNS.has(target.storage?.column ?? '') || target.storage?.references !== undefined;
      if (isKey && from.name === 'string') { e = `upper(trim(${e}))`; steps.push('trim', 'upper'); notes.push('a key column: trimmed, upper-case'); }
      const known = from.name === 'string' ? from.maxLength : from.name === 'bool' ? 1 : undefined;
      if (width !== undefined && (isKey || known === undefined || known > width)) {
        e = `truncate(${e}, ${width})`; steps.push('truncate'); notes.push(`fits ${target.storage?.type ?? `${width} characters`}`);
        if (known !== undefined && known > width * 4) fit *= 0.95;
      }
      break;
    }
    case 'decimal': {
      if (from.name === 'decimal') {
        e = orBlank(e, from, targetNullable);
        const s = scaleOf(target.storage?.type);
        if (s !== undefined) { e = `round(${e}, ${s})`; steps.push('round'); notes.push(`${s} places (${target.storage!.type})`); }
      } else if (from.name === 'int') {
        e = orBlank(e, from, targetNullable); fit = 0.95;
      } else if (from.name === 'string') {
        e = `decimal(${e})`; steps.push('decimal'); fit = 0.2; notes.push('parses text');
        if (!targetNullable) e = `${e} ?? 0`;
      } else return undefined;
      break;
    }
    case 'int': {
      if (from.name === 'int') e = orBlank(e, from, targetNullable);
      else if (from.name === 'decimal') { e = `int(${e})`; steps.push('int'); fit = 0.6; if (!targetNullable) e = `${e} ?? 0`; }
      else if (from.name === 'string') { e = `int(${e})`; steps.push('int'); fit = 0.2; if (!targetNullable) e = `${e} ?? 0`; }
      else return undefined;
      break;
    }
    case 'date': {
      if (from.name === 'date') e = orBlank(e, from, targetNullable);
      else if (from.name === 'datetime') { e = `date(${e}, ${JSON.stringify(tz)})`; steps.push('date'); notes.push(`the calendar date in ${tz}`); fit = 0.95; }
      else if (from.name === 'string') { e = `date(${e})`; steps.push('date'); fit = 0.2; notes.push('parses text'); }
      else return undefined;
      if (!targetNullable && from.nullable) return undefined;
      break;
    }
    case 'datetime': {
      if (from.name === 'datetime') e = orBlank(e, from, targetNullable);
      else if (from.name === 'string') { e = `datetime(${e})`; steps.push('datetime'); fit = 0.2; }
      else return undefined;
      if (!targetNullable && from.nullable) return undefined;
      break;
    }
    case 'bool': {
      if (from.name === 'bool') e = orBlank(e, from, targetNullable);
      else if (from.name === 'string' && (from.codes ?? []).includes('Y')) { e = `${e} == "Y"`; steps.push('=='); fit = 0.6; }
      else return undefined;
      break;
    }
    default:
      return undefined;
  }
  return { expr: e, steps, fit, note: notes.join('; ') };
}
