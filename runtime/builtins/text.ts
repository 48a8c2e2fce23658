/**
 * Strings: trimming, case, lengths, padding, cutting (`left`, `right`, `substr`, and `truncate`,
 * which fits a Sage Pro C(n) column by the install's code-page rules), splitting and joining,
 * search and replace, `concat` (string `+`), blanks and digits. Lengths and positions count Unicode
 * code points, not UTF-16 units (BUILTINS.md, "Strings").
 */
import { FlowError } from '../contract.js';
import { fitText, TextRuleError, textRules } from '../text/codepage.js';
import { cpLeft, cpLen, unitIndex, type Opt } from './internal.js';
import { string } from './conversions.js';

export function trim(s: Opt<string>): string | null {
  return s == null ? null : s.trim();
}

export function upper(s: Opt<string>): string | null {
  return s == null ? null : s.toUpperCase();
}

export function lower(s: Opt<string>): string | null {
  return s == null ? null : s.toLowerCase();
}

/** Number of characters (code points) of a string, or of elements of a list. */
export function length(s: Opt<string | readonly unknown[]>): number | null {
  if (s == null) return null;
  if (typeof s === 'string') return cpLen(s);
  return s.length;
}

function padChar(ch: string, fn: string): string {
  if (cpLen(ch) !== 1) throw new FlowError(`${fn}: pad character must be a single character, got '${ch}'`, undefined);
  return ch;
}

/** Pads on the left to `width` characters; never truncates. A number is padded as its text (`string`). */
export function pad_left(x: Opt<string | number>, width: Opt<number>, ch: Opt<string> = ' '): string | null {
  if (x == null || width == null || ch == null) return null;
  const s = typeof x === 'string' ? x : string(x)!;
  const n = width - cpLen(s);
  if (n <= 0) return s;
  return (ch === ' ' || ch === '0' ? ch : padChar(ch, 'pad_left')).repeat(n) + s;
}

/** Pads on the right to `width` characters; never truncates. A number is padded as its text (`string`). */
export function pad_right(x: Opt<string | number>, width: Opt<number>, ch: Opt<string> = ' '): string | null {
  if (x == null || width == null || ch == null) return null;
  const s = typeof x === 'string' ? x : string(x)!;
  const n = width - cpLen(s);
  if (n <= 0) return s;
  return s + (ch === ' ' || ch === '0' ? ch : padChar(ch, 'pad_right')).repeat(n);
}

/** The first n characters (all of s when shorter; '' when n <= 0). */
export function left(s: Opt<string>, n: Opt<number>): string | null {
  if (s == null || n == null) return null;
  return cpLeft(s, n);
}

/** The last n characters (all of s when shorter; '' when n <= 0). */
export function right(s: Opt<string>, n: Opt<number>): string | null {
  if (s == null || n == null) return null;
  if (n <= 0) return '';
  const len = cpLen(s);
  if (n >= len) return s;
  return s.slice(unitIndex(s, len - n));
}

/** Characters from 0-based `start`, `len` of them (to the end when omitted/null). Out-of-range parts are clipped. */
export function substr(s: Opt<string>, start: Opt<number>, len?: Opt<number>): string | null {
  if (s == null || start == null) return null;
  const b = start < 0 ? 0 : start;
  const i = unitIndex(s, b);
  if (len == null) return s.slice(i);
  if (len <= 0) return '';
  return s.slice(i, unitIndex(s, b + len));
}

/**
 * Fits s to a Sage Pro C(n) column: the install's code-page rule applied first (a character the code
 * page lacks is transliterated, replaced by '?', or rejected), then cut to at most n bytes of the
 * code page, which is what the column holds. Control characters are kept (1 byte each): the
 * connector strips them with a warning or rejects them. Never longer than n characters.
 */
export function truncate(s: Opt<string>, n: Opt<number>): string | null {
  if (s == null || n == null) return null;
  try {
    return fitText(s, n);
  } catch (e) {
    if (e instanceof TextRuleError) throw new FlowError(`truncate: ${e.message} (sagepro text rule unmappable: ${textRules().unmappable})`, undefined);
    throw e;
  }
}

/** Splits on a literal separator. `split("", ",") == []`; an empty separator splits into characters. */
export function split(s: Opt<string>, sep: Opt<string>): string[] | null {
  if (s == null || sep == null) return null;
  if (s === '') return [];
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

/** Joins list elements (converted with `string`, null as '') with a separator. */
export function join(xs: Opt<readonly unknown[]>, sep: Opt<string>): string | null {
  if (xs == null || sep == null) return null;
  let out = '';
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) out += sep;
    const x = xs[i];
    if (x != null) out += typeof x === 'string' ? x : string(x);
  }
  return out;
}

/** Replaces every occurrence of `find` (literal text, not a pattern); an empty `find` changes nothing. */
export function replace(s: Opt<string>, find: Opt<string>, repl: Opt<string>): string | null {
  if (s == null || find == null || repl == null) return null;
  if (find === '' || s.indexOf(find) < 0) return s;
  return s.split(find).join(repl);
}

export function contains(s: Opt<string>, part: Opt<string>): boolean | null {
  if (s == null || part == null) return null;
  return s.includes(part);
}

export function starts_with(s: Opt<string>, prefix: Opt<string>): boolean | null {
  if (s == null || prefix == null) return null;
  return s.startsWith(prefix);
}

export function ends_with(s: Opt<string>, suffix: Opt<string>): boolean | null {
  if (s == null || suffix == null) return null;
  return s.endsWith(suffix);
}

/** String `+`: null on either side counts as ''; non-strings are converted with `string`. Never null. */
export function concat(a: unknown, b: unknown): string {
  const x = a == null ? '' : typeof a === 'string' ? a : string(a)!;
  const y = b == null ? '' : typeof b === 'string' ? b : string(b)!;
  return x + y;
}

const NON_SPACE_RE = /\S/;

/** True for null, '' and whitespace-only strings (NOT null-propagating). */
export function is_blank(s: unknown): boolean {
  if (s == null) return true;
  if (typeof s !== 'string') return false;
  return !NON_SPACE_RE.test(s);
}

/** null for a blank string (see is_blank), otherwise s unchanged (not trimmed). */
export function blank_to_null(s: Opt<string>): string | null {
  if (s == null || !NON_SPACE_RE.test(s)) return null;
  return s;
}

/** Keeps only the ASCII digits 0-9: `digits("(555) 123-4567") == "5551234567"`. */
export function digits(s: Opt<string>): string | null {
  if (s == null) return null;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      if (i > from) out += s.slice(from, i);
      from = i + 1;
    }
  }
  if (from === 0) return s;
  if (s.length > from) out += s.slice(from);
  return out;
}
