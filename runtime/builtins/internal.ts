/**
 * What several builtin files share, and no builtin: the `Opt` input type, the 6-place decimal
 * normalisation every number-handling builtin applies (`norm`, `rhalf`), code-point lengths and cuts
 * (`cpLen`, `cpLeft`, `unitIndex`) and the text shown for a value in an error (`describe`).
 * `../builtins.ts` does not re-export this file, so none of it is callable from generated code.
 */
import { cpCount } from '../text/codepage.js';

export type Opt<T> = T | null | undefined;

export const EPS4 = 4 * Number.EPSILON;
export const EPS8 = 8 * Number.EPSILON;
export const TWO52 = 4503599627370496; // 2^52: every double at or above is an integer
/** Above this magnitude a double cannot hold 6 decimal places; values are left as they are. */
export const NORM_LIMIT = TWO52 / 1e6; // ~4.5e9
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
export const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Rounds v >= 0 to an integer, half away from zero, treating v as the decimal it stands for:
 * a fraction within 4 ulps below .5 (representational error, e.g. 1.005 * 100 = 100.49999999999999)
 * counts as a half. Exact for values of up to 6 decimal places below ~1e9.
 */
export function rhalf(v: number): number {
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
export function norm(x: number): number {
  if (x >= 0) {
    if (x >= NORM_LIMIT) return x;
    return (rhalf(x * 1e6) + 0) / 1e6;
  }
  if (x <= -NORM_LIMIT) return x;
  return 0 - rhalf(-x * 1e6) / 1e6;
}

/** The text of a value in an error message: strings as they are, lists and objects as JSON. */
export function describe(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  try {
    const j = JSON.stringify(x);
    return j === undefined ? String(x) : j;
  } catch {
    return String(x);
  }
}


// Lengths and positions count Unicode code points, not UTF-16 units.

export const SURROGATE_RE = /[\uD800-\uDFFF]/;

export function cpLen(s: string): number {
  return SURROGATE_RE.test(s) ? cpCount(s) : s.length;
}

/** UTF-16 index of code point number `cp` (clamped to the string). */
export function unitIndex(s: string, cp: number): number {
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

export function cpLeft(s: string, n: number): string {
  if (n <= 0) return '';
  // Fast path: a string of at most n UTF-16 units has at most n characters.
  if (s.length <= n) return s;
  return s.slice(0, unitIndex(s, n));
}
