/**
 * Conversions between value types: `decimal`, `int`, `string`, `to_fixed` (BUILTINS.md, "Decimal
 * arithmetic": the conversion rows).
 */
import { FlowError } from '../contract.js';
import { EPS4, MAX_SAFE, TWO52, describe, norm, type Opt } from './internal.js';
import { round } from './money.js';
import { datetime } from './dates.js';

const NUM_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

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
