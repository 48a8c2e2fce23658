/**
 * Signatures of the builtin functions a flow may call (implemented in runtime/builtins.ts under the
 * same names). Each signature checks its argument types and computes the result type, including
 * the string length bound (`maxLength`) that the fixed-width column rule (FLOW3005) relies on.
 */
import {
  BOOL, DATE, DATETIME, DECIMAL, ERROR, INT, STRING, isLoose, listOf, prim, withNullable,
  type Field, type PrimName, type Type,
} from '../schema/types.js';

/** What the checker knows about one argument when it checks a call. */
export interface ArgInfo {
  readonly type: Type;
  /** The literal value when the argument is a literal (for formats, widths). */
  readonly literal?: string | number;
}

/** A parameter: the expected kind, or 'lambda' (its parameter is bound to the element type of arg 0). */
export type ParamKind = PrimName | 'number' | 'any' | 'list' | 'lambda' | 'textlike';

export interface BuiltinSig {
  readonly params: readonly ParamKind[];
  /** Number of trailing optional parameters. */
  readonly optional?: number;
  /** The lambda's result kind, when the function takes one ('bool' for predicates). */
  readonly lambdaResult?: 'bool' | 'any' | 'number';
  /** Result type from the argument infos (after they were checked). */
  readonly result: (args: readonly ArgInfo[]) => Type;
  /** True when the function is not null-propagating (its result is not nullable just because an arg is). */
  readonly total?: boolean;
  /** Index of an argument holding a date/time format pattern to validate (FLOW3016). */
  readonly formatArg?: number;
  readonly doc: string;
}

const nullableIfAny = (args: readonly ArgInfo[], t: Type): Type =>
  withNullable(t, t.nullable || args.some((a) => a.type.nullable && a.type.kind !== 'list'));
const len = (a: ArgInfo | undefined): number | undefined => (a && a.type.kind === 'prim' ? a.type.maxLength : undefined);
const str = (maxLength: number | undefined, nullable = false): Type =>
  ({ kind: 'prim', name: 'string', nullable, ...(maxLength !== undefined ? { maxLength } : {}) });
const num = (a: ArgInfo | undefined): number | undefined => (typeof a?.literal === 'number' ? a.literal : undefined);
/** A literal width: a negative one gives '' (length 0). */
const widthOf = (a: ArgInfo | undefined): number | undefined => { const n = num(a); return n === undefined ? undefined : Math.max(0, n); };
const elementOf = (t: Type | undefined): Type => (t && t.kind === 'list' ? t.element : ERROR);
const numericResult = (args: readonly ArgInfo[]): Type =>
  args.every((a) => a.type.kind === 'prim' && a.type.name === 'int') ? INT : DECIMAL;

function sameString(args: readonly ArgInfo[]): Type { return nullableIfAny(args, str(len(args[0]))); }

/**
 * The most characters one character becomes under JS toUpperCase / toLowerCase (ΐ → Ϊ́, İ → i̇);
 * the property test (test/builtin-widths.test.ts) checks every code point.
 */
export const UPPER_GROWTH = 3;
export const LOWER_GROWTH = 2;
function scaled(args: readonly ArgInfo[], factor: number): Type {
  const l = len(args[0]);
  return nullableIfAny(args, str(l === undefined ? undefined : l * factor));
}

const object = (fields: Record<string, Type>): Type => ({
  kind: 'object', nullable: false,
  fields: new Map<string, Field>(Object.entries(fields).map(([name, type]) => [name, { name, type, required: true, readOnly: false }])),
});

export const BUILTINS: Record<string, BuiltinSig> = {
  // strings
  trim: { params: ['string'], result: sameString, doc: 'Removes leading and trailing white space.' },
  // Full Unicode case mapping can lengthen text: upper('ß') is 'SS', upper('ΐ') three characters,
  // lower('İ') two (UPPER_GROWTH, LOWER_GROWTH). Truncate after changing case to fit a column.
  upper: { params: ['string'], result: (a) => scaled(a, UPPER_GROWTH), doc: 'Upper case (full Unicode mapping: ß becomes SS).' },
  lower: { params: ['string'], result: (a) => scaled(a, LOWER_GROWTH), doc: 'Lower case (full Unicode mapping).' },
  length: { params: ['string'], result: (a) => nullableIfAny(a, INT), doc: 'Number of characters.' },
  pad_left: { params: ['textlike', 'int', 'string'], optional: 1, doc: 'Pads on the left to a width (never truncates).',
    result: (a) => nullableIfAny(a, str(len(a[0]) !== undefined && num(a[1]) !== undefined ? Math.max(len(a[0])!, num(a[1])!) : undefined)) },
  pad_right: { params: ['textlike', 'int', 'string'], optional: 1, doc: 'Pads on the right to a width (never truncates).',
    result: (a) => nullableIfAny(a, str(len(a[0]) !== undefined && num(a[1]) !== undefined ? Math.max(len(a[0])!, num(a[1])!) : undefined)) },
  left: { params: ['string', 'int'], doc: 'The first n characters.', result: (a) => nullableIfAny(a, str(widthOf(a[1]) ?? len(a[0]))) },
  right: { params: ['string', 'int'], doc: 'The last n characters.', result: (a) => nullableIfAny(a, str(widthOf(a[1]) ?? len(a[0]))) },
  truncate: { params: ['string', 'int'], doc: 'Fits a Sage Pro C(n) column: the code-page rule applied, then cut to at most n bytes (= characters).', result: (a) => nullableIfAny(a, str(widthOf(a[1]) ?? len(a[0]))) },
  substr: { params: ['string', 'int', 'int'], optional: 1, doc: 'Substring from a 0-based start.', result: (a) => nullableIfAny(a, str(widthOf(a[2]) ?? len(a[0]))) },
  split: { params: ['string', 'string'], doc: 'Splits on a separator.', result: (a) => nullableIfAny(a, listOf(str(len(a[0])))) },
  join: { params: ['list', 'string'], doc: 'Joins a list of strings.', result: (a) => nullableIfAny(a, STRING) },
  replace: { params: ['string', 'string', 'string'], doc: 'Replaces every occurrence (literal text).', result: (a) => nullableIfAny(a, STRING) },
  contains: { params: ['string', 'string'], doc: 'True when s contains the text.', result: (a) => nullableIfAny(a, BOOL) },
  starts_with: { params: ['string', 'string'], doc: 'Prefix test.', result: (a) => nullableIfAny(a, BOOL) },
  ends_with: { params: ['string', 'string'], doc: 'Suffix test.', result: (a) => nullableIfAny(a, BOOL) },
  is_blank: { params: ['string'], total: true, doc: 'True for null or white space only.', result: () => BOOL },
  blank_to_null: { params: ['string'], doc: 'Null for a blank string.', result: (a) => withNullable(str(len(a[0])), true) },
  digits: { params: ['string'], doc: 'Keeps only the digits.', result: sameString },
  string: { params: ['any'], doc: 'Text form of a number, date or bool.', result: (a) => nullableIfAny(a, str(textWidth(a[0]?.type))) },
  // numbers
  decimal: { params: ['textlike'], doc: 'Converts a number or numeric text to decimal (rejects other text).', result: (a) => nullableIfAny(a, DECIMAL) },
  int: { params: ['textlike'], doc: 'Converts to int (numbers truncate; non-numeric text is rejected).', result: (a) => nullableIfAny(a, INT) },
  round: { params: ['number', 'int'], optional: 1, doc: 'Rounds half away from zero to a scale (default 2).', result: (a) => nullableIfAny(a, DECIMAL) },
  floor: { params: ['number', 'int'], optional: 1, doc: 'Rounds down.', result: (a) => nullableIfAny(a, numericResult(a.slice(0, 1))) },
  ceil: { params: ['number', 'int'], optional: 1, doc: 'Rounds up.', result: (a) => nullableIfAny(a, numericResult(a.slice(0, 1))) },
  abs: { params: ['number'], doc: 'Absolute value.', result: (a) => nullableIfAny(a, numericResult(a)) },
  min: { params: ['number', 'number'], doc: 'The smaller.', result: (a) => nullableIfAny(a, numericResult(a)) },
  max: { params: ['number', 'number'], doc: 'The larger.', result: (a) => nullableIfAny(a, numericResult(a)) },
  to_fixed: { params: ['number', 'int'], doc: 'Text with exactly `scale` decimals.', result: (a) => nullableIfAny(a, STRING) },
  // collections
  count: { params: ['list', 'lambda'], optional: 1, lambdaResult: 'bool', total: true, doc: 'Number of items (matching the predicate).', result: () => INT },
  sum: { params: ['list', 'lambda'], lambdaResult: 'number', total: true, doc: 'Decimal-safe sum of f(item).', result: () => DECIMAL },
  filter: { params: ['list', 'lambda'], lambdaResult: 'bool', total: true, doc: 'Items matching the predicate.', result: (a) => listOf(elementOf(a[0]?.type)) },
  // `map` is a statement keyword, so the list function is called collect.
  collect: { params: ['list', 'lambda'], lambdaResult: 'any', total: true, doc: 'f(item) for each item (the list function usually called map).', result: () => listOf(ERROR) },
  first: { params: ['list', 'lambda'], optional: 1, lambdaResult: 'bool', total: true, doc: 'First item (matching), or null.', result: (a) => withNullable(elementOf(a[0]?.type), true) },
  any: { params: ['list', 'lambda'], lambdaResult: 'bool', total: true, doc: 'True when some item matches.', result: () => BOOL },
  all: { params: ['list', 'lambda'], lambdaResult: 'bool', total: true, doc: 'True when every item matches.', result: () => BOOL },
  distinct: { params: ['list'], total: true, doc: 'Items without repeats.', result: (a) => a[0]?.type ?? ERROR },
  group_by: { params: ['list', 'lambda'], lambdaResult: 'any', total: true, doc: 'Groups `{ key, items }` in first-seen order.',
    result: () => ERROR },
  min_of: { params: ['list', 'lambda'], lambdaResult: 'number', total: true, doc: 'Smallest f(item), or null.', result: () => prim('decimal', true) },
  max_of: { params: ['list', 'lambda'], lambdaResult: 'number', total: true, doc: 'Largest f(item), or null.', result: () => prim('decimal', true) },
  // dates
  datetime: { params: ['textlike'], doc: 'Parses ISO 8601 (Z, +0000, +00:00) or unix seconds into a UTC datetime.', result: (a) => nullableIfAny(a, DATETIME) },
  date: { params: ['textlike', 'string'], optional: 1, doc: 'Calendar date of a datetime in a time zone (default UTC).', result: (a) => nullableIfAny(a, DATE) },
  parse_date: { params: ['string', 'string'], formatArg: 1, doc: 'Parses text with a pattern (yyyy MM dd).', result: (a) => nullableIfAny(a, DATE) },
  parse_datetime: { params: ['string', 'string', 'string'], optional: 1, formatArg: 1, doc: 'Parses text with a pattern in a zone.', result: (a) => nullableIfAny(a, DATETIME) },
  format_date: { params: ['date', 'string'], formatArg: 1, doc: 'Formats a date with a pattern.', result: (a) => nullableIfAny(a, str(formatLength(a[1]))) },
  format_datetime: { params: ['datetime', 'string', 'string'], optional: 1, formatArg: 1, doc: 'Formats a datetime with a pattern in a zone.', result: (a) => nullableIfAny(a, str(formatLength(a[1]))) },
  add_days: { params: ['date', 'int'], doc: 'Date plus n days.', result: (a) => nullableIfAny(a, DATE) },
  days_between: { params: ['date', 'date'], doc: 'Whole days from a to b.', result: (a) => nullableIfAny(a, INT) },
  to_zone: { params: ['datetime', 'string'], doc: 'Local wall-clock time with offset in a zone.', result: (a) => nullableIfAny(a, STRING) },
  // addresses and names
  split_street: { params: ['string', 'int'], optional: 1, doc: 'One street text into { line1, line2, line3 } of at most width (30) characters.',
    result: (a) => { const w = num(a[1]) ?? 30; return object({ line1: str(w), line2: str(w), line3: str(w) }); } },
  split_name: { params: ['string'], doc: 'A full name into { first, last }.', result: () => object({ first: STRING, last: STRING }) },
};

/** The longest text form of a value of this type (for the fixed-width rule). */
function textWidth(t: Type | undefined): number | undefined {
  if (!t || t.kind !== 'prim') return undefined;
  switch (t.name) {
    case 'int': return 20; case 'decimal': return 30; case 'bool': return 5; case 'date': return 10; case 'datetime': return 20;
    case 'string': return t.maxLength;
    default: return undefined;
  }
}

/** Length of the text a date pattern produces (every token has a fixed width). */
function formatLength(a: ArgInfo | undefined): number | undefined {
  return typeof a?.literal === 'string' ? a.literal.length : undefined;
}

const FORMAT_TOKEN = /yyyy|MM|dd|HH|mm|ss/g;
/** A pattern is valid when, after removing the tokens, only separators remain. */
export function isValidDateFormat(f: string): boolean {
  if (!f.match(FORMAT_TOKEN)) return false;
  return /^[\s\-/.:,T]*$/.test(f.replace(FORMAT_TOKEN, ''));
}

export function paramAccepts(kind: ParamKind, t: Type): boolean {
  if (isLoose(t) || t.kind === 'null') return true;
  switch (kind) {
    case 'any': return true;
    case 'list': return t.kind === 'list';
    case 'lambda': return t.kind === 'lambda';
    case 'number': return t.kind === 'prim' && (t.name === 'int' || t.name === 'decimal');
    case 'textlike': return t.kind === 'prim' && t.name !== 'bool' && t.name !== 'duration';
    case 'decimal': return t.kind === 'prim' && (t.name === 'int' || t.name === 'decimal');
    default: return t.kind === 'prim' && t.name === kind;
  }
}

export function paramKindText(kind: ParamKind): string {
  switch (kind) {
    case 'number': return 'a number';
    case 'textlike': return 'text, a number or a date';
    case 'list': return 'a list';
    case 'lambda': return 'a function such as x => x.value';
    case 'any': return 'a value';
    default: return `a ${kind}`;
  }
}
