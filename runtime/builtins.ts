/**
 * Builtins: the pure helper functions generated flow modules call as `$.<name>(...)`.
 *
 * `flowc build` copies this file verbatim into every output folder, next to `contract.ts` and
 * `text/codepage.ts`, so it imports nothing but those two and uses only what Node 20 provides (Intl
 * for time zones). Everything here is pure, synchronous and deterministic (no clock, no locale, no
 * environment); the one setting is the Sage Pro install's text rules (code page, unmappable and
 * control rules), which `truncate` applies and which flowd sets once at start (text/codepage.ts).
 * Hot paths avoid allocations: no regex compilation or Intl object creation per call.
 *
 * Value representation (see BUILTINS.md):
 *   string   -> JS string
 *   int      -> JS integer number
 *   decimal  -> JS number, kept at most 6 decimal places by every d* operation (the nearest double
 *               to a decimal with <= 6 places), so money never drifts
 *   bool     -> JS boolean
 *   date     -> string `YYYY-MM-DD`
 *   datetime -> string `YYYY-MM-DDTHH:mm:ssZ` (UTC, no fraction)
 *   list     -> array, object -> plain object
 *   null     -> null (undefined is accepted wherever null is)
 *
 * Null propagation: unless documented otherwise, a function returns null when a required input
 * is null or undefined.
 */
import { FlowError, type Site } from './contract.js';
import { cpCount, fitText, TextRuleError, textRules } from './text/codepage.js';

type Opt<T> = T | null | undefined;

// ---------------------------------------------------------------------------------------------
// Decimal arithmetic
// ---------------------------------------------------------------------------------------------

const EPS4 = 4 * Number.EPSILON;
const EPS8 = 8 * Number.EPSILON;
const TWO52 = 4503599627370496; // 2^52: every double at or above is an integer
/** Above this magnitude a double cannot hold 6 decimal places; values are left as they are. */
const NORM_LIMIT = TWO52 / 1e6; // ~4.5e9
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Rounds v >= 0 to an integer, half away from zero, treating v as the decimal it stands for:
 * a fraction within 4 ulps below .5 (representational error, e.g. 1.005 * 100 = 100.49999999999999)
 * counts as a half. Exact for values of up to 6 decimal places below ~1e9.
 */
function rhalf(v: number): number {
  if (v >= TWO52) return v;
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) {
    const tol = v * EPS4;
    if (d < 0.5 - (tol < 1e-3 ? tol : 1e-3)) return f;
  }
  return f + 1;
}

/** Normalises a number to at most 6 decimal places (half away from zero); never returns -0. */
function norm(x: number): number {
  if (x >= 0) {
    if (x >= NORM_LIMIT) return x;
    return (rhalf(x * 1e6) + 0) / 1e6;
  }
  if (x <= -NORM_LIMIT) return x;
  return 0 - rhalf(-x * 1e6) / 1e6;
}

/**
 * Rounds v = |exact result| * 1e6 (computed in floating point with a few ulps of error) to the
 * nearest integer; returns NaN when v is too close to a half to decide, so the caller computes
 * exactly.
 */
function rfast(v: number): number {
  if (v >= TWO52) return v;
  const f = Math.floor(v);
  const dd = v - f - 0.5;
  const tol = v * EPS8 + 1e-300;
  if (dd > tol) return f + 1;
  if (dd < -tol) return f;
  return NaN;
}

/** |x| in micro units (an integer), x taken as its 6-place decimal. */
function micro(x: number): number {
  return rhalf(x < 0 ? -x * 1e6 : x * 1e6);
}

/** round(A * B / 1e6) for non-negative micro-unit integers; NaN if the result is out of range. */
function mulMicro(A: number, B: number): number {
  const a1 = Math.floor(A / 1e6), a0 = A - a1 * 1e6;
  const b1 = Math.floor(B / 1e6), b0 = B - b1 * 1e6;
  const lo = a0 * b0; // < 1e12, exact
  let q = Math.floor(lo / 1e6);
  let r = lo - q * 1e6;
  if (r < 0) { q--; r += 1e6; } else if (r >= 1e6) { q++; r -= 1e6; }
  if (r * 2 >= 1e6) q++;
  const m = a1 * b1 * 1e6 + a1 * b0 + a0 * b1 + q;
  return m <= MAX_SAFE ? m : NaN;
}

/** round(A * 1e6 / B) for non-negative micro-unit integers, B > 0; NaN if it cannot be exact. */
function divMicro(A: number, B: number): number {
  if (B > 9e14 || A > MAX_SAFE) return NaN;
  let q = Math.floor(A / B);
  let r = A - q * B;
  if (r < 0) { q--; r += B; } else if (r >= B) { q++; r -= B; }
  if (q >= 9e9) return NaN;
  for (let k = 0; k < 6; k++) {
    r *= 10;
    let dg = Math.floor(r / B);
    r -= dg * B;
    if (r < 0) { dg--; r += B; } else if (r >= B) { dg++; r -= B; }
    q = q * 10 + dg;
  }
  if (r * 2 >= B) q++;
  return q;
}

/** `a + b` on decimals, rounded to 6 places. */
export function dadd(a: Opt<number>, b: Opt<number>): number | null {
  if (a == null || b == null) return null;
  return norm(a + b);
}

/** `a - b` on decimals, rounded to 6 places. */
export function dsub(a: Opt<number>, b: Opt<number>): number | null {
  if (a == null || b == null) return null;
  return norm(a - b);
}

/** `a * b` on decimals: the exact product of the 6-place operands, rounded to 6 places half away from zero. */
export function dmul(a: Opt<number>, b: Opt<number>): number | null {
  if (a == null || b == null) return null;
  const p = a * b;
  const neg = p < 0;
  const v = neg ? -p * 1e6 : p * 1e6;
  if (v >= TWO52 || v !== v) return p === 0 ? 0 : p;
  let m = rfast(v);
  if (m !== m) {
    m = mulMicro(micro(a), micro(b));
    if (m !== m) m = rhalf(v);
  }
  return neg ? 0 - m / 1e6 : (m + 0) / 1e6;
}

/** `a / b` on decimals, rounded to 6 places half away from zero. Throws on division by zero. */
export function ddiv(a: Opt<number>, b: Opt<number>): number | null {
  if (a == null || b == null) return null;
  if (b === 0) throw new FlowError('division by zero', undefined);
  const p = a / b;
  const neg = p < 0;
  const v = neg ? -p * 1e6 : p * 1e6;
  if (v >= TWO52 || v !== v) return p;
  let m = rfast(v);
  if (m !== m) {
    const B = micro(b);
    m = B === 0 ? NaN : divMicro(micro(a), B);
    if (m !== m) m = rhalf(v);
  }
  return neg ? 0 - m / 1e6 : (m + 0) / 1e6;
}

/** Unary minus (never -0). */
export function dneg(a: Opt<number>): number | null {
  if (a == null) return null;
  return 0 - a;
}

function checkScale(fn: string, scale: number): void {
  if (!Number.isInteger(scale) || scale < -15 || scale > 22) {
    throw new FlowError(`${fn}: scale must be an integer between -15 and 22, got ${String(scale)}`, undefined);
  }
}

/** Rounds half away from zero to `scale` places (negative: to tens, hundreds...). Exact for money. */
export function round(x: Opt<number>, scale: Opt<number> = 2): number | null {
  if (x == null || scale == null) return null;
  if (scale !== 2) {
    checkScale('round', scale);
    if (scale >= 6) return norm(x);
    if (scale < 0) {
      const p = POW10[-scale]!;
      const r = rhalf((x < 0 ? -x : x) / p) * p;
      return x < 0 ? 0 - r : r + 0;
    }
  }
  const p = POW10[scale]!;
  if (x >= 0) return (rhalf(x * p) + 0) / p;
  return 0 - rhalf(-x * p) / p;
}

function floorCeil(x: number, scale: number, up: boolean, fn: string): number {
  if (scale !== 0) {
    checkScale(fn, scale);
    if (scale >= 6) return norm(x);
  }
  const p = POW10[scale >= 0 ? scale : -scale]!;
  const v = scale >= 0 ? x * p : x / p;
  const av = v < 0 ? -v : v;
  if (av >= TWO52) return x;
  let t = av * EPS4;
  if (t > 1e-3) t = 1e-3;
  let r: number;
  if (up) {
    r = Math.ceil(v);
    if (r - v > 1 - t) r -= 1;
  } else {
    r = Math.floor(v);
    if (v - r > 1 - t) r += 1;
  }
  r = r + 0;
  return scale >= 0 ? r / p : r * p;
}

/** Largest value with `scale` places not above x (values within 4 ulps of a step snap to it). */
export function floor(x: Opt<number>, scale: Opt<number> = 0): number | null {
  if (x == null || scale == null) return null;
  return floorCeil(x, scale, false, 'floor');
}

/** Smallest value with `scale` places not below x (values within 4 ulps of a step snap to it). */
export function ceil(x: Opt<number>, scale: Opt<number> = 0): number | null {
  if (x == null || scale == null) return null;
  return floorCeil(x, scale, true, 'ceil');
}

export function abs(x: Opt<number>): number | null {
  if (x == null) return null;
  return x < 0 ? 0 - x : x + 0;
}

/** The smaller of two numbers, dates, datetimes or strings (compared like `<`). */
export function min<T extends number | string | boolean>(a: Opt<T>, b: Opt<T>): T | null {
  if (a == null || b == null) return null;
  if (typeof a === 'number' && typeof b === 'number') return b < a ? b : a;
  return cmp(b, a)! < 0 ? b : a;
}

/** The larger of two numbers, dates, datetimes or strings (compared like `>`). */
export function max<T extends number | string | boolean>(a: Opt<T>, b: Opt<T>): T | null {
  if (a == null || b == null) return null;
  if (typeof a === 'number' && typeof b === 'number') return b > a ? b : a;
  return cmp(b, a)! > 0 ? b : a;
}

const NUM_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function describe(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  try {
    const j = JSON.stringify(x);
    return j === undefined ? String(x) : j;
  } catch {
    return String(x);
  }
}

/** Converts a number or a numeric string (trimmed; `1.5`, `-2`, `.5`, `1e3`) to a decimal (6 places). */
export function decimal(x: unknown): number | null {
  if (x == null) return null;
  if (typeof x === 'number') {
    if (Number.isFinite(x)) return norm(x);
  } else if (typeof x === 'string') {
    const t = x.trim();
    if (NUM_RE.test(t)) {
      const n = Number(t);
      if (Number.isFinite(n)) return norm(n);
    }
  } else if (typeof x === 'bigint') {
    return Number(x);
  }
  throw new FlowError(`cannot convert '${describe(x)}' to decimal`, undefined);
}

/** Converts a number or numeric string to an int, truncating toward zero (`int("1.9") == 1`, `int(-1.9) == -1`). */
export function int(x: unknown): number | null {
  if (x == null) return null;
  let n = NaN;
  if (typeof x === 'number') n = x;
  else if (typeof x === 'string') {
    const t = x.trim();
    if (NUM_RE.test(t)) n = Number(t);
  } else if (typeof x === 'bigint') n = Number(x);
  if (Number.isFinite(n)) {
    // snap representational noise (2.9999999999999996 -> 3) before truncating
    const a = n < 0 ? -n : n;
    let t = Math.floor(a);
    if (a < TWO52) {
      const tol = a * EPS4;
      if (a - t > 1 - (tol < 1e-3 ? tol : 1e-3)) t += 1;
    }
    if (t <= MAX_SAFE) return n < 0 ? 0 - t : t;
  }
  throw new FlowError(`cannot convert '${describe(x)}' to int`, undefined);
}

/** Text form of a value: numbers without exponent or float noise, booleans `true`/`false`, lists/objects as JSON. */
export function string(x: unknown): string | null {
  if (x == null) return null;
  switch (typeof x) {
    case 'string':
      return x;
    case 'number':
      if (Number.isInteger(x)) return x < 1e21 && x > -1e21 ? String(x + 0) : BigInt(x).toString();
      if (!Number.isFinite(x)) return String(x);
      return String(norm(x));
    case 'boolean':
      return x ? 'true' : 'false';
    case 'bigint':
      return x.toString();
    default:
      if (x instanceof Date) return datetime(x);
      return describe(x);
  }
}

/** Decimal text with exactly `scale` places (rounded half away from zero): `to_fixed(2.5, 2) == "2.50"`. */
export function to_fixed(x: Opt<number>, scale: Opt<number>): string | null {
  if (x == null || scale == null) return null;
  if (!Number.isInteger(scale) || scale < 0 || scale > 20) {
    throw new FlowError(`to_fixed: scale must be an integer between 0 and 20, got ${String(scale)}`, undefined);
  }
  if (x >= 1e21 || x <= -1e21 || !Number.isFinite(x)) return string(x);
  if (scale <= 6) return round(x, scale)!.toFixed(scale);
  const s = norm(x).toFixed(6);
  return s + '0'.repeat(scale - 6);
}

// ---------------------------------------------------------------------------------------------
// Strings (lengths and positions count Unicode code points, not UTF-16 units)
// ---------------------------------------------------------------------------------------------

const SURROGATE_RE = /[\uD800-\uDFFF]/;

function cpLen(s: string): number {
  return SURROGATE_RE.test(s) ? cpCount(s) : s.length;
}

/** UTF-16 index of code point number `cp` (clamped to the string). */
function unitIndex(s: string, cp: number): number {
  if (cp <= 0) return 0;
  if (!SURROGATE_RE.test(s)) return cp < s.length ? cp : s.length;
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const c2 = s.charCodeAt(i + 1);
      i += c2 >= 0xdc00 && c2 <= 0xdfff ? 2 : 1;
    } else i++;
  }
  return i;
}

function cpLeft(s: string, n: number): string {
  if (n <= 0) return '';
  // Fast path: a string of at most n UTF-16 units has at most n characters.
  if (s.length <= n) return s;
  return s.slice(0, unitIndex(s, n));
}

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

/** Pads on the left to `width` characters; never truncates. */
export function pad_left(s: Opt<string>, width: Opt<number>, ch: Opt<string> = ' '): string | null {
  if (s == null || width == null || ch == null) return null;
  const n = width - cpLen(s);
  if (n <= 0) return s;
  return (ch === ' ' || ch === '0' ? ch : padChar(ch, 'pad_left')).repeat(n) + s;
}

/** Pads on the right to `width` characters; never truncates. */
export function pad_right(s: Opt<string>, width: Opt<number>, ch: Opt<string> = ' '): string | null {
  if (s == null || width == null || ch == null) return null;
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

// ---------------------------------------------------------------------------------------------
// Collections (lambdas are plain functions called as f(item, index); only `true` counts as true)
// ---------------------------------------------------------------------------------------------

type Pred<T> = (x: T, i: number) => unknown;
type Fn<T, R> = (x: T, i: number) => R;

/** Number of elements (matching pred when given). A null list counts as empty. */
export function count<T>(xs: Opt<readonly T[]>, pred?: Opt<Pred<T>>): number {
  if (xs == null) return 0;
  if (pred == null) return xs.length;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) === true) n++;
  return n;
}

/** Decimal-safe sum of f(x) (of the elements themselves when f is omitted); null values are skipped. Null/empty list: 0. */
export function sum<T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<number>>>): number {
  if (xs == null) return 0;
  let acc = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = f == null ? (xs[i] as unknown as Opt<number>) : f(xs[i]!, i);
    if (v != null) acc = norm(acc + v);
  }
  return acc;
}

/** The elements for which pred is true. A null list counts as empty. */
export function filter<T>(xs: Opt<readonly T[]>, pred: Pred<T>): T[] {
  const out: T[] = [];
  if (xs == null) return out;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (pred(x, i) === true) out.push(x);
  }
  return out;
}

/** f applied to every element. A null list counts as empty. */
export function map<T, R>(xs: Opt<readonly T[]>, f: Fn<T, R>): R[] {
  const out: R[] = [];
  if (xs == null) return out;
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]!, i));
  return out;
}

/** The first element (matching pred when given), or null. */
/** The flow name of map (`map` is a statement keyword in flows). */
export const collect = map;

export function first<T>(xs: Opt<readonly T[]>, pred?: Opt<Pred<T>>): T | null {
  if (xs == null) return null;
  if (pred == null) return xs.length > 0 ? (xs[0] ?? null) : null;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (pred(x, i) === true) return x;
  }
  return null;
}

/** True when pred is true for some element (false for a null or empty list). */
export function any<T>(xs: Opt<readonly T[]>, pred: Pred<T>): boolean {
  if (xs == null) return false;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) === true) return true;
  return false;
}

/** True when pred is true for every element (true for a null or empty list). */
export function all<T>(xs: Opt<readonly T[]>, pred: Pred<T>): boolean {
  if (xs == null) return true;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) !== true) return false;
  return true;
}

/** Elements without repeats, first occurrence kept (primitives by value, objects by identity). */
export function distinct<T>(xs: Opt<readonly T[]>): T[] | null {
  if (xs == null) return null;
  const seen = new Set<T>();
  const out: T[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const k = (x === undefined ? null : x) as T;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

export interface Group<K, T> {
  key: K;
  items: T[];
}

/** Groups elements by keyOf(x) (compared by value), groups and items in first-seen order. */
export function group_by<T, K>(xs: Opt<readonly T[]>, keyOf: Fn<T, K>): Group<K, T>[] | null {
  if (xs == null) return null;
  const byKey = new Map<unknown, Group<K, T>>();
  const out: Group<K, T>[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    let k: unknown = keyOf(x, i);
    if (k === undefined) k = null;
    let g = byKey.get(k);
    if (g === undefined) {
      g = { key: k as K, items: [] };
      byKey.set(k, g);
      out.push(g);
    }
    g.items.push(x);
  }
  return out;
}

function extreme<T>(xs: Opt<readonly T[]>, f: Opt<Fn<T, unknown>>, sign: number): unknown {
  if (xs == null) return null;
  let best: unknown = null;
  for (let i = 0; i < xs.length; i++) {
    const v = f == null ? xs[i] : f(xs[i]!, i);
    if (v == null) continue;
    if (best === null || cmp(v, best)! * sign > 0) best = v;
  }
  return best;
}

/** Smallest f(x) (of the elements when f is omitted), nulls skipped; null when there is none. */
export function min_of<T, R = T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<R>>>): R | null {
  return extreme(xs, f, -1) as R | null;
}

/** Largest f(x) (of the elements when f is omitted), nulls skipped; null when there is none. */
export function max_of<T, R = T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<R>>>): R | null {
  return extreme(xs, f, 1) as R | null;
}

/** Element at 0-based position i; null when out of range (negative included). */
export function index<T>(xs: Opt<readonly T[]>, i: Opt<number>): T | null {
  if (xs == null || i == null) return null;
  if (i < 0 || i >= xs.length || !Number.isInteger(i)) return null;
  return xs[i] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------------------------

const P2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i));

function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// results of civil(): module-level to avoid allocating
let cY = 0, cM = 0, cD = 0;
function civil(z: number): void {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  cD = doy - Math.floor((153 * mp + 2) / 5) + 1;
  cM = mp < 10 ? mp + 3 : mp - 9;
  cY = yoe + era * 400 + (cM <= 2 ? 1 : 0);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function year4(y: number): string {
  if (y >= 1000 && y <= 9999) return String(y);
  if (y >= 0 && y < 1000) return (y < 10 ? '000' : y < 100 ? '00' : '0') + String(y);
  return String(y);
}

function fmtDate(days: number): string {
  civil(days);
  return year4(cY) + '-' + P2[cM] + '-' + P2[cD];
}

/** Local/UTC seconds since the epoch -> `YYYY-MM-DDTHH:mm:ss` (no zone suffix). */
function fmtWall(sec: number): string {
  const days = Math.floor(sec / 86400);
  const rem = sec - days * 86400;
  civil(days);
  const h = Math.floor(rem / 3600);
  const mi = Math.floor((rem - h * 3600) / 60);
  const s = rem - h * 3600 - mi * 60;
  return year4(cY) + '-' + P2[cM] + '-' + P2[cD] + 'T' + P2[h] + ':' + P2[mi] + ':' + P2[s];
}

function fmtOffset(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.floor((off < 0 ? -off : off) / 60);
  return sign + P2[Math.floor(a / 60)] + ':' + P2[a % 60];
}

function dig(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}
function dig2(s: string, i: number): number {
  return dig(s, i) * 10 + dig(s, i + 1);
}

/** Parses `YYYY-MM-DD` at the start of s into days since the epoch; NaN when invalid. */
function parseYmd(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = dig2(s, 0) * 100 + dig2(s, 2);
  const m = dig2(s, 5);
  const d = dig2(s, 8);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

/**
 * ISO-8601 date-time -> seconds since the epoch, NaN when invalid. Accepts `T`, `t` or a space
 * between date and time, optional seconds, an optional fraction (dropped), and an offset `Z`,
 * `+HH:MM`, `+HHMM`, `+HH` (optionally after one space) or none (UTC). A bare date is midnight UTC.
 */
function parseIsoSec(s: string): number {
  const len = s.length;
  if (len < 10) return NaN;
  const days = parseYmd(s);
  if (days !== days) return NaN;
  if (len === 10) return days * 86400;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return NaN;
  if (len < 16 || s.charCodeAt(13) !== 58) return NaN;
  const h = dig2(s, 11);
  const mi = dig2(s, 14);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  let sec = 0;
  let i = 16;
  if (i < len && s.charCodeAt(i) === 58) {
    if (len < 19) return NaN;
    sec = dig2(s, 17);
    if (sec < 0 || sec > 59) return NaN;
    i = 19;
    const c = s.charCodeAt(i);
    if (i < len && (c === 46 || c === 44)) {
      i++;
      const from = i;
      while (i < len && dig(s, i) >= 0) i++;
      if (i === from) return NaN;
    }
  }
  if (i < len && s.charCodeAt(i) === 32) i++;
  let off = 0;
  if (i < len) {
    const c = s.charCodeAt(i);
    if (c === 90 || c === 122) {
      if (i + 1 !== len) return NaN;
    } else if (c === 43 || c === 45) {
      const oh = dig2(s, i + 1);
      if (oh < 0 || oh > 23) return NaN;
      let om = 0;
      let j = i + 3;
      if (j < len && s.charCodeAt(j) === 58) j++;
      if (j < len) {
        om = dig2(s, j);
        if (om < 0 || om > 59) return NaN;
        j += 2;
      }
      if (j !== len) return NaN;
      off = (oh * 60 + om) * 60;
      if (c === 45) off = -off;
    } else return NaN;
  }
  return days * 86400 + h * 3600 + mi * 60 + sec - off;
}

function isAllDigits(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) if (dig(s, i) < 0) return false;
  return true;
}

/** Any datetime input -> seconds since the epoch (throws FlowError). */
function toSec(x: unknown, what: string): number {
  if (typeof x === 'string') {
    let s = x;
    if (s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32)) s = s.trim();
    let v = parseIsoSec(s);
    if (v !== v && isAllDigits(s)) v = Number(s);
    if (v === v && Number.isFinite(v)) return v;
  } else if (typeof x === 'number') {
    if (Number.isFinite(x)) return Math.floor(x);
  } else if (x instanceof Date) {
    const ms = x.getTime();
    if (ms === ms) return Math.floor(ms / 1000);
  }
  throw new FlowError(`cannot parse '${describe(x)}' as a ${what}`, undefined);
}

/**
 * Parses a datetime: ISO-8601 with `Z`, `+0000` (X-Cart), `+00:00` or no offset (= UTC), with `T`
 * or a space; or a unix timestamp in seconds (number or digit string). Returns canonical UTC.
 */
export function datetime(x: unknown): string | null {
  if (x == null) return null;
  if (typeof x === 'string' && x.length === 20 && x.charCodeAt(19) === 90 && x.charCodeAt(10) === 84) {
    const v = parseIsoSec(x);
    if (v === v) return x; // already canonical
  }
  return fmtWall(toSec(x, 'datetime')) + 'Z';
}

// --- time zones ---

const MIN_PROBE = -30610224000; // 1000-01-01T00:00:00Z
const MAX_PROBE = 253402300799; // 9999-12-31T23:59:59Z
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function dtf(zone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      });
    } catch {
      throw new FlowError(`unknown time zone '${zone}'`, undefined);
    }
    dtfCache.set(zone, f);
  }
  return f;
}

/** Offset (seconds east of UTC) of a zone at an instant, straight from Intl. */
function rawOffset(zone: string, sec: number): number {
  const t = sec < MIN_PROBE ? MIN_PROBE : sec > MAX_PROBE ? MAX_PROBE : sec;
  const s = dtf(zone).format(t * 1000); // "MM/DD/YYYY, HH:mm:ss"
  const local = daysFromCivil(dig2(s, 6) * 100 + dig2(s, 8), dig2(s, 0), dig2(s, 3)) * 86400
    + dig2(s, 12) * 3600 + dig2(s, 15) * 60 + dig2(s, 18);
  return local - t;
}

/*
 * Offsets are cached per zone in buckets of 2^25 s (~388 days): each bucket records the offset at
 * its start and every transition inside it (found by probing every 2^20 s (~12 days) and bisecting
 * to the second). Assumes no zone changes offset twice within 12 days (true of the tz database
 * since 1970). After the first call in a year, a lookup is a Map get and a short scan.
 */
const BUCKET = 33554432;
const STEP = 1048576;
interface ZoneBucket { at: number[]; off: number[] }
const zoneCache = new Map<string, Map<number, ZoneBucket>>();

function buildBucket(zone: string, b: number): ZoneBucket {
  const start = b * BUCKET;
  const end = start + BUCKET;
  const first = rawOffset(zone, start);
  const at = [start];
  const off = [first];
  let prevT = start;
  let prevO = first;
  for (let t = start + STEP; t <= end; t += STEP) {
    const o = rawOffset(zone, t);
    if (o !== prevO) {
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (rawOffset(zone, mid) === prevO) lo = mid;
        else hi = mid;
      }
      if (hi < end) {
        at.push(hi);
        off.push(o);
      }
    }
    prevT = t;
    prevO = o;
  }
  return { at, off };
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Z', 'GMT', 'Etc/GMT']);

function offsetAt(zone: string, sec: number): number {
  if (UTC_NAMES.has(zone)) return 0;
  let zc = zoneCache.get(zone);
  if (zc === undefined) {
    dtf(zone); // validates the zone name
    zc = new Map();
    zoneCache.set(zone, zc);
  }
  const b = Math.floor(sec / BUCKET);
  let e = zc.get(b);
  if (e === undefined) {
    if (zc.size > 4096) zc.clear();
    e = buildBucket(zone, b);
    zc.set(b, e);
  }
  const at = e.at;
  let i = at.length - 1;
  while (i > 0 && at[i]! > sec) i--;
  return e.off[i]!;
}

/**
 * Wall-clock seconds in a zone -> UTC seconds. A time skipped by a DST gap is read with the offset
 * before the gap (02:30 on 2024-03-10 in New York is 03:30 EDT); a time that occurs twice in a
 * fold is the first occurrence (01:30 on 2024-11-03 in New York is 01:30 EDT). Like Temporal's
 * 'compatible' disambiguation.
 */
function localToUtc(local: number, zone: string): number {
  if (UTC_NAMES.has(zone)) return local;
  const oA = offsetAt(zone, local - 86400);
  const oB = offsetAt(zone, local + 86400);
  if (oA === oB) return local - oA;
  const t1 = local - oA;
  const t2 = local - oB;
  const ok1 = t1 + offsetAt(zone, t1) === local;
  const ok2 = t2 + offsetAt(zone, t2) === local;
  if (ok1 && ok2) return t1 < t2 ? t1 : t2;
  if (ok2) return t2;
  return t1;
}

/**
 * The calendar date of a datetime in zone tz (default UTC), or a date string validated as it is
 * (a date has no zone, so tz does not change it).
 */
export function date(x: unknown, tz: Opt<string> = 'UTC'): string | null {
  if (x == null || tz == null) return null;
  if (typeof x === 'string' && x.length === 10) {
    const d = parseYmd(x);
    if (d === d) return x;
    throw new FlowError(`cannot parse '${x}' as a date`, undefined);
  }
  const sec = toSec(x, 'date');
  const local = sec + offsetAt(tz, sec);
  return fmtDate(Math.floor(local / 86400));
}

/** Date or datetime (its UTC date) -> days since the epoch. */
function toDays(x: unknown): number {
  if (typeof x === 'string' && x.length === 10) {
    const d = parseYmd(x);
    if (d === d) return d;
    throw new FlowError(`cannot parse '${x}' as a date`, undefined);
  }
  return Math.floor(toSec(x, 'date') / 86400);
}

// --- patterns: yyyy MM dd HH mm ss, everything else literal ---

const K_LIT = 0, K_Y = 1, K_MO = 2, K_D = 3, K_H = 4, K_MI = 5, K_S = 6;
interface Pattern { kinds: number[]; lits: string[]; hasDate: boolean }
const patternCache = new Map<string, Pattern>();
const TOKENS: ReadonlyArray<readonly [string, number]> = [['yyyy', K_Y], ['MM', K_MO], ['dd', K_D], ['HH', K_H], ['mm', K_MI], ['ss', K_S]];

function compilePattern(fmt: string): Pattern {
  let p = patternCache.get(fmt);
  if (p !== undefined) return p;
  const kinds: number[] = [];
  const lits: string[] = [];
  const seen = new Set<number>();
  let i = 0;
  let lit = '';
  outer: while (i < fmt.length) {
    for (const [tok, kind] of TOKENS) {
      if (fmt.startsWith(tok, i)) {
        if (lit !== '') { kinds.push(K_LIT); lits.push(lit); lit = ''; }
        kinds.push(kind);
        lits.push(tok);
        seen.add(kind);
        i += tok.length;
        continue outer;
      }
    }
    const ch = fmt[i]!;
    if ('yMdHms'.includes(ch)) {
      throw new FlowError(`unsupported date format '${fmt}': use the tokens yyyy MM dd HH mm ss`, undefined);
    }
    lit += ch;
    i++;
  }
  if (lit !== '') { kinds.push(K_LIT); lits.push(lit); }
  p = { kinds, lits, hasDate: seen.has(K_Y) && seen.has(K_MO) && seen.has(K_D) };
  if (patternCache.size > 1024) patternCache.clear();
  patternCache.set(fmt, p);
  return p;
}

let pY = 0, pMo = 0, pD = 0, pH = 0, pMi = 0, pS = 0;

/** Matches s against a pattern into pY..pS; false when it does not match or is not a valid calendar date/time. */
function matchPattern(s: string, p: Pattern): boolean {
  pY = 0; pMo = 1; pD = 1; pH = 0; pMi = 0; pS = 0;
  let i = 0;
  const n = s.length;
  for (let k = 0; k < p.kinds.length; k++) {
    const kind = p.kinds[k]!;
    if (kind === K_LIT) {
      const lit = p.lits[k]!;
      if (!s.startsWith(lit, i)) return false;
      i += lit.length;
      continue;
    }
    let v: number;
    if (kind === K_Y) {
      if (i + 4 > n) return false;
      v = dig2(s, i) * 100 + dig2(s, i + 2);
      if (v < 0) return false;
      i += 4;
    } else {
      // one or two digits
      const a = dig(s, i);
      if (a < 0) return false;
      i++;
      v = a;
      const b = i < n ? dig(s, i) : -1;
      if (b >= 0) { v = a * 10 + b; i++; }
    }
    switch (kind) {
      case K_Y: pY = v; break;
      case K_MO: pMo = v; break;
      case K_D: pD = v; break;
      case K_H: pH = v; break;
      case K_MI: pMi = v; break;
      default: pS = v;
    }
  }
  if (i !== n) return false;
  return pMo >= 1 && pMo <= 12 && pD >= 1 && pD <= daysInMonth(pY, pMo) && pH <= 23 && pMi <= 59 && pS <= 59;
}

function parseWith(s: string, fmt: string, what: string): void {
  const p = compilePattern(fmt);
  if (!p.hasDate) throw new FlowError(`date format '${fmt}' must contain yyyy, MM and dd`, undefined);
  if (!matchPattern(s.trim(), p)) throw new FlowError(`cannot parse '${s}' as a ${what} with format '${fmt}'`, undefined);
}

/** Parses a date with a pattern (`dd/MM/yyyy`); MM dd HH mm ss accept 1 or 2 digits. Throws on invalid dates. */
export function parse_date(s: Opt<string>, fmt: Opt<string>): string | null {
  if (s == null || fmt == null) return null;
  parseWith(s, fmt, 'date');
  return year4(pY) + '-' + P2[pMo] + '-' + P2[pD];
}

/** Parses a wall-clock date-time with a pattern, in zone tz (default UTC), to canonical UTC. */
export function parse_datetime(s: Opt<string>, fmt: Opt<string>, tz: Opt<string> = 'UTC'): string | null {
  if (s == null || fmt == null || tz == null) return null;
  parseWith(s, fmt, 'datetime');
  const local = daysFromCivil(pY, pMo, pD) * 86400 + pH * 3600 + pMi * 60 + pS;
  return fmtWall(localToUtc(local, tz)) + 'Z';
}

function formatWith(fmt: string, local: number): string {
  const p = compilePattern(fmt);
  const days = Math.floor(local / 86400);
  const rem = local - days * 86400;
  civil(days);
  let out = '';
  for (let k = 0; k < p.kinds.length; k++) {
    switch (p.kinds[k]) {
      case K_LIT: out += p.lits[k]; break;
      case K_Y: out += year4(cY); break;
      case K_MO: out += P2[cM]; break;
      case K_D: out += P2[cD]; break;
      case K_H: out += P2[Math.floor(rem / 3600)]; break;
      case K_MI: out += P2[Math.floor((rem % 3600) / 60)]; break;
      default: out += P2[rem % 60];
    }
  }
  return out;
}

/** Formats a date (or the UTC date of a datetime) with a pattern; HH mm ss print `00`. */
export function format_date(d: unknown, fmt: Opt<string>): string | null {
  if (d == null || fmt == null) return null;
  return formatWith(fmt, toDays(d) * 86400);
}

/** Formats a datetime as wall-clock time in zone tz (default UTC) with a pattern. */
export function format_datetime(dt: unknown, fmt: Opt<string>, tz: Opt<string> = 'UTC'): string | null {
  if (dt == null || fmt == null || tz == null) return null;
  const sec = toSec(dt, 'datetime');
  return formatWith(fmt, sec + offsetAt(tz, sec));
}

/** A date n days later (n may be negative); for a datetime, n * 24 hours later. */
export function add_days(d: unknown, n: Opt<number>): string | null {
  if (d == null || n == null) return null;
  if (!Number.isInteger(n)) throw new FlowError(`add_days: day count must be an int, got ${String(n)}`, undefined);
  if (typeof d === 'string' && d.length === 10) return fmtDate(toDays(d) + n);
  return fmtWall(toSec(d, 'datetime') + n * 86400) + 'Z';
}

/** Calendar days from a to b (b - a; negative when b is earlier). Datetimes count by their UTC date. */
export function days_between(a: unknown, b: unknown): number | null {
  if (a == null || b == null) return null;
  return toDays(b) - toDays(a);
}

/** Local wall-clock ISO string with offset in zone tz: `2024-05-02T06:11:12-04:00`. */
export function to_zone(dt: unknown, tz: Opt<string>): string | null {
  if (dt == null || tz == null) return null;
  const sec = toSec(dt, 'datetime');
  const off = offsetAt(tz, sec);
  return fmtWall(sec + off) + fmtOffset(off);
}

// ---------------------------------------------------------------------------------------------
// Addresses and names
// ---------------------------------------------------------------------------------------------

export interface StreetLines {
  line1: string;
  line2: string;
  line3: string;
}

const WS_RUN_RE = /[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g;
const NEWLINE_RE = /\r\n?|\n|\u2028|\u2029/;
const EDGE_COMMAS_RE = /^[\s,]+|[\s,]+$/g;
/** A comma, except one between two digits ("1,200"). */
const COMMA_RE = /(?<!\d),|,(?!\d)/;

/** A piece of an address line and how it attaches to the piece before it. */
interface Seg { text: string; joiner: string }

function wrapWords(text: string, width: number, joiner: string, out: Seg[]): void {
  const words = text.split(' ');
  let cur = '';
  let curLen = 0;
  let j = joiner;
  for (const w0 of words) {
    let w = w0;
    if (w === '') continue;
    let wl = cpLen(w);
    if (cur !== '' && curLen + 1 + wl <= width) {
      cur += ' ' + w;
      curLen += 1 + wl;
      continue;
    }
    if (cur !== '') { out.push({ text: cur, joiner: j }); j = ' '; cur = ''; curLen = 0; }
    while (wl > width) {
      const head = cpLeft(w, width);
      out.push({ text: head, joiner: j });
      j = '';
      w = w.slice(head.length);
      wl -= width;
    }
    cur = w;
    curLen = wl;
  }
  if (cur !== '') out.push({ text: cur, joiner: j });
}

function packSegs(segs: readonly Seg[], width: number): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last !== undefined && cpLen(last.text) + cpLen(s.joiner) + cpLen(s.text) <= width) {
      last.text += s.joiner + s.text;
    } else out.push({ text: s.text, joiner: s.joiner });
  }
  return out;
}

/**
 * Splits one street text into three address lines of at most `width` characters:
 *  1. lines are split on newlines; whitespace runs collapse to one space; leading/trailing spaces
 *     and commas are removed; empty lines are dropped;
 *  2. a line longer than width is split at its commas, and consecutive parts are packed back
 *     together (joined with ", ") while they fit; a part still too long is word-wrapped (a word
 *     longer than width is cut);
 *  3. if that gives more than 3 lines, all pieces are packed greedily (joined with ", " across
 *     original lines/commas, " " within a wrapped part) while they fit;
 *  4. if still more than 3, line3 gets everything from the third piece on, joined the same way
 *     and cut to width (the rest is lost: use check_width on the source to refuse instead).
 * Missing lines are ''.
 */
export function split_street(s: Opt<string>, width: Opt<number> = 30): StreetLines | null {
  if (s == null || width == null) return null;
  if (!Number.isInteger(width) || width < 1) throw new FlowError(`split_street: width must be a positive int, got ${String(width)}`, undefined);
  let segs: Seg[] = [];
  for (const raw of s.split(NEWLINE_RE)) {
    const line = raw.replace(WS_RUN_RE, ' ').replace(EDGE_COMMAS_RE, '');
    if (line === '') continue;
    if (cpLen(line) <= width) {
      segs.push({ text: line, joiner: ', ' });
      continue;
    }
    const parts: Seg[] = [];
    for (const p0 of line.split(COMMA_RE)) {
      const p = p0.trim();
      if (p !== '') parts.push({ text: p, joiner: ', ' });
    }
    for (const part of packSegs(parts, width)) {
      if (cpLen(part.text) <= width) segs.push(part);
      else wrapWords(part.text, width, ', ', segs);
    }
  }
  if (segs.length > 3) segs = packSegs(segs, width);
  const line1 = segs[0]?.text ?? '';
  const line2 = segs[1]?.text ?? '';
  let line3 = segs[2]?.text ?? '';
  if (segs.length > 3) {
    for (let i = 3; i < segs.length; i++) line3 += segs[i]!.joiner + segs[i]!.text;
    line3 = cpLeft(line3, width).replace(EDGE_COMMAS_RE, '');
  }
  return { line1, line2, line3 };
}

export interface PersonName {
  first: string;
  last: string;
}

const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'la', 'le', 'du', 'del', 'della', 'dos', 'das', 'ten', 'ter', 'st.', 'st']);
const SUFFIXES = new Set(['jr', 'jr.', 'sr', 'sr.', 'ii', 'iii', 'iv', 'phd', 'ph.d.', 'md', 'm.d.', 'esq', 'esq.']);
const SPACES_RE = /\s+/;

/**
 * Splits a person's name into first and last name:
 *  - "John Smith" -> John / Smith; "John F. Kennedy" -> "John F." / Kennedy;
 *  - "Smith, John" -> John / Smith (text before the first comma is the last name), unless what
 *    follows the comma is only a suffix ("John Smith, Jr.");
 *  - particles before the last word belong to the last name: "Mary Ann van der Berg" ->
 *    "Mary Ann" / "van der Berg" (van von de der den da di la le du del della dos das ten ter st st.),
 *    but the first word always stays the first name ("Van Morrison" -> Van / Morrison);
 *  - trailing suffixes (Jr Jr. Sr Sr. II III IV PhD MD Esq) stay with the last name:
 *    "John Smith Jr." -> John / "Smith Jr.";
 *  - a single word is a last name: "Cher" -> '' / Cher; blank -> '' / ''.
 * Titles (Mr., Dr.) are not removed; case is kept as written.
 */
export function split_name(s: Opt<string>): PersonName | null {
  if (s == null) return null;
  const text = s.trim();
  if (text === '') return { first: '', last: '' };
  const comma = text.indexOf(',');
  if (comma >= 0) {
    const before = text.slice(0, comma).trim();
    const afterParts = text.slice(comma + 1).split(',').map((p) => p.trim()).filter((p) => p !== '');
    const onlySuffixes = afterParts.length > 0 && afterParts.every((p) => p.split(SPACES_RE).every((w) => SUFFIXES.has(w.toLowerCase())));
    if (!onlySuffixes) {
      // "Smith, John[, Jr.]": last, first, suffixes
      const firstName = (afterParts[0] ?? '').split(SPACES_RE).join(' ');
      const rest = afterParts.slice(1).join(' ');
      const lastName = before.split(SPACES_RE).join(' ');
      return { first: firstName, last: rest === '' ? lastName : (lastName === '' ? rest : lastName + ' ' + rest) };
    }
    return splitWords(before.split(SPACES_RE).filter((w) => w !== ''), afterParts.join(' '));
  }
  return splitWords(text.split(SPACES_RE), '');
}

function splitWords(words: string[], suffix0: string): PersonName {
  let end = words.length;
  while (end > 1 && SUFFIXES.has(words[end - 1]!.toLowerCase())) end--;
  let suffix = words.slice(end).join(' ');
  if (suffix0 !== '') suffix = suffix === '' ? suffix0 : suffix + ' ' + suffix0;
  if (end === 0) return { first: '', last: suffix };
  let start = end - 1;
  while (start > 1 && PARTICLES.has(words[start - 1]!.toLowerCase())) start--;
  const lastName = words.slice(start, end).join(' ');
  return {
    first: words.slice(0, start).join(' '),
    last: suffix === '' ? lastName : lastName + ' ' + suffix,
  };
}

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

/** `reject "..."`: throws FlowError(reason, site) (class invalid). */
export function reject(reason: Opt<string>, site?: Site): never {
  throw new FlowError(reason == null || reason === '' ? 'rejected' : reason, site);
}

/**
 * Returns value when it has at most `width` characters (null passes); otherwise throws
 * FlowError "value 'xyz' is longer than <what> (C(<width>))" (values over 40 characters shown cut, with "...").
 */
export function check_width(value: Opt<string>, width: number, what: string, site?: Site): string | null {
  if (value == null) return null;
  if (value.length <= width || cpLen(value) <= width) return value;
  const shown = cpLen(value) > 40 ? cpLeft(value, 40) + '...' : value;
  throw new FlowError(`value '${shown}' is longer than ${what} (C(${width}))`, site);
}

const ERROR_CLASSES: ReadonlySet<unknown> = new Set(['transient', 'invalid', 'not_found', 'permission', 'conflict']);

/**
 * Rethrows err located at site: a FlowError without a site gets this one; a FlowError with a site,
 * or any error carrying a valid `errorClass` (connector errors), is rethrown unchanged; anything
 * else becomes FlowError(`internal error: <message>`, site, 'invalid', { cause: err }).
 */
export function at(err: unknown, site: Site): never {
  if (err instanceof FlowError) {
    if (err.site !== undefined) throw err;
    throw new FlowError(err.message, site, err.errorClass, err.cause === undefined ? undefined : { cause: err.cause });
  }
  if (err !== null && typeof err === 'object' && ERROR_CLASSES.has((err as { errorClass?: unknown }).errorClass)) throw err;
  const message = err instanceof Error ? err.message : describe(err);
  throw new FlowError(`internal error: ${message}`, site, 'invalid', { cause: err });
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/**
 * `==`: numbers compare as decimals (6 places), strings/booleans exactly, null == null (and
 * null != anything else), lists and objects element by element. Values of different types are unequal.
 */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  const ta = typeof a;
  if (ta !== typeof b) return false;
  if (ta === 'number') return norm(a as number) === norm(b as number);
  if (ta !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `<` `<=` `>` `>=`: -1, 0 or 1. Numbers compare as decimals; strings (dates, canonical datetimes)
 * by UTF-16 code units; false < true. null when either side is null. Throws FlowError for values
 * of different types or for lists/objects.
 */
export function cmp(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (a == null || b == null) return null;
  const ta = typeof a;
  if (ta === 'number' && typeof b === 'number') {
    if (a === b) return 0;
    const x = norm(a as number), y = norm(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === typeof b && (ta === 'string' || ta === 'boolean')) {
    return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  }
  throw new FlowError(`cannot compare ${describe(a)} with ${describe(b)}`, undefined);
}
