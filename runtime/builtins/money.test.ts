import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { mulberry32 as rng } from '../../test/support/prng.js';
import { throwsFlow } from './test-support/flow-error.js';

// ---------------------------------------------------------------------------------------------
// Exact reference arithmetic (BigInt, micro units) for randomized checks
// ---------------------------------------------------------------------------------------------

const M = 1000000n;
function toMicroStr(s: string): bigint {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i!) * M + BigInt((f + '000000').slice(0, 6));
  return neg ? -v : v;
}
function microToNum(v: bigint): number {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const s = `${a / M}.${(a % M).toString().padStart(6, '0')}`;
  return neg && a !== 0n ? -Number(s) : Number(s);
}
/** n / d rounded half away from zero (d > 0). */
function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  if ((a % d) * 2n >= d) q += 1n;
  return neg ? -q : q;
}
function randomDecimal(r: () => number, maxInt: number): string {
  const int = Math.floor(r() * maxInt);
  const dp = Math.floor(r() * 7);
  let frac = '';
  for (let i = 0; i < dp; i++) frac += String(Math.floor(r() * 10));
  const sign = r() < 0.3 ? '-' : '';
  return sign + String(int) + (dp > 0 ? '.' + frac : '');
}

// ---------------------------------------------------------------------------------------------
// Decimals
// ---------------------------------------------------------------------------------------------

describe('decimal arithmetic', () => {
  it.each([
    ['dadd', 0.1, 0.2, 0.3],
    ['dadd', 1.1, 2.2, 3.3],
    ['dadd', 0.7, 0.1, 0.8],
    ['dadd', -0.1, 0.1, 0],
    ['dadd', 1e9, 0.000001, 1000000000.000001],
    ['dsub', 0.3, 0.1, 0.2],
    ['dsub', 1, 0.9, 0.1],
    ['dsub', 0.1, 0.3, -0.2],
    ['dmul', 1.15, 3, 3.45],
    ['dmul', 19.99, 3, 59.97],
    ['dmul', 0.1, 0.2, 0.02],
    ['dmul', 1.005, 1000, 1005],
    ['dmul', 0.000005, 0.1, 0.000001], // 0.0000005: half away from zero
    ['dmul', -0.000005, 0.1, -0.000001],
    ['dmul', 1234.567891, 0.5, 617.283946], // 617.2839455
    ['dmul', 4.35, 100, 435],
    ['dmul', 1.1, 1.1, 1.21],
    ['ddiv', 10, 3, 3.333333],
    ['ddiv', 20, 3, 6.666667],
    ['ddiv', -20, 3, -6.666667],
    ['ddiv', 0.3, 0.1, 3],
    ['ddiv', 1, 2000000, 0.000001], // 0.0000005
    ['ddiv', -1, 2000000, -0.000001],
    ['ddiv', 0.000001, 2, 0.000001],
    ['ddiv', 100, 8, 12.5],
    ['ddiv', 59.97, 3, 19.99],
  ] as const)('%s(%s, %s) = %s', (fn, a, b, want) => {
    const got = ($[fn] as (a: number, b: number) => number | null)(a, b);
    expect(got).toBe(want);
  });

  it('does not drift: 0.1 summed 10 000 times is exactly 1000', () => {
    let acc = 0;
    for (let i = 0; i < 10000; i++) acc = $.dadd(acc, 0.1)!;
    expect(acc).toBe(1000);
    let acc2 = 1000;
    for (let i = 0; i < 10000; i++) acc2 = $.dsub(acc2, 0.01)!;
    expect(acc2).toBe(900);
  });

  it('never returns -0', () => {
    expect(Object.is($.dsub(0.1, 0.1), 0)).toBe(true);
    expect(Object.is($.dneg(0), 0)).toBe(true);
    expect(Object.is($.dmul(-0.0000001, 1), 0)).toBe(true);
    expect(Object.is($.dmul(-1, 0), 0)).toBe(true);
    expect(Object.is($.ddiv(0, -5), 0)).toBe(true);
    expect(Object.is($.round(-0.001, 2), 0)).toBe(true);
    expect(Object.is($.abs(-0), 0)).toBe(true);
  });

  it('division by zero throws without site', () => {
    const e = throwsFlow(() => $.ddiv(1, 0), 'division by zero');
    expect(e.site).toBeUndefined();
    expect(e.errorClass).toBe('invalid');
    expect(e.message).toBe('division by zero');
  });

  it('propagates null', () => {
    for (const fn of ['dadd', 'dsub', 'dmul', 'ddiv', 'min', 'max'] as const) {
      const f = $[fn] as (a: unknown, b: unknown) => unknown;
      expect(f(null, 1)).toBeNull();
      expect(f(1, undefined)).toBeNull();
    }
    expect($.ddiv(null, 0)).toBeNull();
    expect($.dneg(null)).toBeNull();
    expect($.round(null)).toBeNull();
    expect($.round(1.5, null)).toBeNull();
    expect($.floor(null)).toBeNull();
    expect($.ceil(undefined)).toBeNull();
    expect($.abs(null)).toBeNull();
    expect($.decimal(null)).toBeNull();
    expect($.int(undefined)).toBeNull();
    expect($.string(null)).toBeNull();
    expect($.to_fixed(null, 2)).toBeNull();
  });

  it('matches exact BigInt arithmetic on random 6-place decimals', () => {
    const r = rng(20240502);
    for (let k = 0; k < 20000; k++) {
      // results stay within +-4.5e9, where 6 decimal places are representable
      const max = k % 3 === 0 ? 100 : k % 3 === 1 ? 100000 : 10000000;
      const sa = randomDecimal(r, max);
      const sb = randomDecimal(r, max === 10000000 ? 100 : 1000);
      const a = Number(sa), b = Number(sb);
      const A = toMicroStr(sa), B = toMicroStr(sb);
      const ctx = `${sa} ? ${sb}`;
      expect($.dadd(a, b), ctx).toBe(microToNum(A + B));
      expect($.dsub(a, b), ctx).toBe(microToNum(A - B));
      expect($.dmul(a, b), ctx).toBe(microToNum(divRound(A * B, M)));
      if (B !== 0n) {
        const q = B < 0n ? divRound(-A * M, -B) : divRound(A * M, B);
        expect($.ddiv(a, b), ctx).toBe(microToNum(q));
      }
      for (const scale of [0, 1, 2, 3, 4, 5]) {
        const p = 10n ** BigInt(6 - scale);
        expect($.round(a, scale), `${sa} round ${scale}`).toBe(microToNum(divRound(A, p) * p));
      }
    }
  });

  it('multiplies near-half products exactly', () => {
    // operands whose exact product ends in ...5 at the 7th place
    const r = rng(7);
    for (let k = 0; k < 5000; k++) {
      const A = BigInt(Math.floor(r() * 1e9)) * 2n + 1n; // odd micro value up to ~2000
      const sa = microToNum(A).toString();
      const B = 500000n + 1000000n * BigInt(Math.floor(r() * 50)); // n.5
      const a = Number(sa), b = microToNum(B);
      expect($.dmul(a, b), `${sa} * ${b}`).toBe(microToNum(divRound(A * B, M)));
      expect($.dmul(-a, b), `-${sa} * ${b}`).toBe(microToNum(-divRound(A * B, M)));
    }
  });

  it.each([
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [-1.005, 2, -1.01],
    [-2.675, 2, -2.68],
    [1.045, 2, 1.05],
    [1.255, 2, 1.26],
    [8.345, 2, 8.35],
    [0.125, 2, 0.13],
    [0.135, 2, 0.14],
    [1.4999, 0, 1],
    [1.5, 0, 2],
    [2.5, 0, 3],
    [-2.5, 0, -3],
    [-0.5, 0, -1],
    [1.0049999, 2, 1],
    [1234567.125, 2, 1234567.13],
    [99999999.995, 2, 100000000],
    [0.30000000000000004, 2, 0.3],
    [1.23456789, 6, 1.234568],
    [1.23456789, 8, 1.234568], // decimals keep at most 6 places
    [1250, -2, 1300],
    [-1250, -2, -1300],
    [1249.99, -2, 1200],
    [12, 0, 12],
  ] as const)('round(%s, %s) = %s', (x, scale, want) => {
    expect($.round(x, scale)).toBe(want);
  });

  it('round defaults to 2 places and rejects a non-integer scale', () => {
    expect($.round(3.14159)).toBe(3.14);
    throwsFlow(() => $.round(1, 1.5), 'round: scale must be an integer between -15 and 22, got 1.5');
  });

  it.each([
    ['floor', 1.7, 0, 1],
    ['floor', -1.2, 0, -2],
    ['floor', 0.29, 2, 0.29], // 0.29 * 100 = 28.999999999999996
    ['floor', 1.299, 2, 1.29],
    ['floor', -1.291, 2, -1.3],
    ['floor', 1255, -1, 1250],
    ['ceil', 1.2, 0, 2],
    ['ceil', -1.7, 0, -1],
    ['ceil', 1.1, 2, 1.1], // 1.1 * 100 = 110.00000000000001
    ['ceil', 1.101, 2, 1.11],
    ['ceil', 5, 0, 5],
    ['ceil', 1251, -1, 1260],
  ] as const)('%s(%s, %s) = %s', (fn, x, scale, want) => {
    expect($[fn](x, scale)).toBe(want);
  });

  it('abs, min, max, dneg', () => {
    expect($.abs(-1.5)).toBe(1.5);
    expect($.abs(2)).toBe(2);
    expect($.min(1.5, -2)).toBe(-2);
    expect($.max(1.5, -2)).toBe(1.5);
    expect($.min('2024-05-02', '2024-04-30')).toBe('2024-04-30');
    expect($.max('2024-05-02T10:00:00Z', '2024-05-02T09:00:00Z')).toBe('2024-05-02T10:00:00Z');
    expect($.dneg(2.5)).toBe(-2.5);
    expect($.dneg(-2.5)).toBe(2.5);
  });
});
