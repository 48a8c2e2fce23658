/**
 * Decimal arithmetic and rounding: the operators `+ - * /` and unary `-` on decimals (`dadd`, `dsub`,
 * `dmul`, `ddiv`, `dneg`), `round`, `floor`, `ceil`, `abs`, `min`, `max`. Every result is kept at
 * most 6 decimal places (the nearest double to that decimal), so money never drifts (BUILTINS.md,
 * "Decimal arithmetic").
 */
import { FlowError } from '../contract.js';
import { EPS4, EPS8, MAX_SAFE, POW10, TWO52, norm, rhalf, type Opt } from './internal.js';
import { cmp } from './compare.js';

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
