import { afterEach, describe, it, expect } from 'vitest';
import * as $ from './builtins.js';
import { FlowError, type Site } from './contract.js';
import { resetTextRules, setTextRules, storedBytes } from './text/codepage.js';
import { mulberry32 as rng } from '../test/support/prng.js';

const site: Site = { file: 'orders.flow', line: 12, column: 5, endLine: 12, endColumn: 30 };

/** Asserts fn throws a FlowError with exactly this reason (and returns it). */
function throwsFlow(fn: () => unknown, reason: string): FlowError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlowError);
    expect((e as FlowError).reason).toBe(reason);
    return e as FlowError;
  }
  throw new Error(`expected FlowError '${reason}'`);
}

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

  it.each([
    [' 12.50 ', 12.5],
    ['-3', -3],
    ['+4.25', 4.25],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['0.1234565', 0.123457],
    ['19.999999999', 20],
    [12.3456789, 12.345679],
    [0.1 + 0.2, 0.3],
    [7, 7],
  ] as const)('decimal(%j) = %s', (x, want) => {
    expect($.decimal(x)).toBe(want);
  });

  it.each([['abc'], [''], ['  '], ['1,234.56'], ['12abc'], ['0x10'], ['Infinity'], ['NaN']])('decimal(%j) throws', (x) => {
    throwsFlow(() => $.decimal(x), `cannot convert '${x}' to decimal`);
  });

  it('decimal rejects non-numbers', () => {
    throwsFlow(() => $.decimal(true), "cannot convert 'true' to decimal");
    throwsFlow(() => $.decimal(Number.NaN), "cannot convert 'NaN' to decimal");
  });

  it.each([
    [' 42 ', 42],
    ['-7', -7],
    ['1.9', 1],
    ['-1.9', -1],
    ['1.00', 1],
    [3.99, 3],
    [-3.99, -3],
    [2.9999999999999996, 3],
    [0.7 * 3 * 10, 21], // 20.999999999999996
    ['9007199254740991', 9007199254740991],
  ] as const)('int(%j) = %s', (x, want) => {
    expect($.int(x)).toBe(want);
  });

  it('int rejects non-numeric values', () => {
    throwsFlow(() => $.int('abc'), "cannot convert 'abc' to int");
    throwsFlow(() => $.int(''), "cannot convert '' to int");
    throwsFlow(() => $.int(false), "cannot convert 'false' to int");
    throwsFlow(() => $.int(1e20), "cannot convert '100000000000000000000' to int");
    expect(Object.is($.int(-0.5), 0)).toBe(true);
  });

  it.each([
    [0.1 + 0.2, '0.3'],
    [1e21, '1000000000000000000000'],
    [123456789012345680000, '123456789012345680000'],
    [0.000001, '0.000001'],
    [1e-7, '0'],
    [-1.5, '-1.5'],
    [-0, '0'],
    [42, '42'],
    [true, 'true'],
    ['text', 'text'],
    [[1, 'a'], '[1,"a"]'],
    [{ a: 1 }, '{"a":1}'],
  ] as const)('string(%j) = %j', (x, want) => {
    expect($.string(x)).toBe(want);
  });

  it.each([
    [2.5, 2, '2.50'],
    [1.005, 2, '1.01'],
    [-1.005, 2, '-1.01'],
    [1234.5, 0, '1235'],
    [0.1 + 0.2, 4, '0.3000'],
    [3, 3, '3.000'],
    [-0.001, 2, '0.00'],
    [1.23456789, 8, '1.23456800'],
    [0, 0, '0'],
  ] as const)('to_fixed(%s, %s) = %j', (x, scale, want) => {
    expect($.to_fixed(x, scale)).toBe(want);
  });
});

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

describe('strings', () => {
  it('trim, upper, lower, length', () => {
    expect($.trim('  a b \t\n')).toBe('a b');
    expect($.trim('\u00a0\u3000Zoë\u2003')).toBe('Zoë');
    expect($.upper('straße')).toBe('STRASSE');
    expect($.lower('ÉCOLE')).toBe('école');
    expect($.length('héllo')).toBe(5);
    expect($.length('a😀b')).toBe(3);
    expect($.length('')).toBe(0);
    expect($.length([1, 2, 3])).toBe(3);
    for (const fn of ['trim', 'upper', 'lower', 'length', 'digits'] as const) expect(($[fn] as (x: unknown) => unknown)(null)).toBeNull();
  });

  it.each([
    ['pad_left', '42', 6, '0', '000042'],
    ['pad_left', 'abc', 5, ' ', '  abc'],
    ['pad_left', 'toolong', 3, ' ', 'toolong'],
    ['pad_left', 'é', 3, '*', '**é'],
    ['pad_left', '😀', 3, '·', '··😀'],
    ['pad_left', 'x', 3, '😀', '😀😀x'],
    ['pad_right', 'abc', 5, ' ', 'abc  '],
    ['pad_right', 'Zoë', 5, '.', 'Zoë..'],
    ['pad_right', 'abcdef', 3, ' ', 'abcdef'],
    ['pad_right', '', 2, '-', '--'],
  ] as const)('%s(%j, %s, %j) = %j', (fn, s, w, ch, want) => {
    expect($[fn](s, w, ch)).toBe(want);
  });

  it('pad defaults to spaces, rejects multi-character pads, propagates null', () => {
    expect($.pad_left('a', 3)).toBe('  a');
    expect($.pad_right('a', 3)).toBe('a  ');
    throwsFlow(() => $.pad_left('a', 3, 'ab'), "pad_left: pad character must be a single character, got 'ab'");
    throwsFlow(() => $.pad_right('a', 3, ''), "pad_right: pad character must be a single character, got ''");
    expect($.pad_left(null, 3)).toBeNull();
    expect($.pad_right('a', null)).toBeNull();
  });

  it.each([
    ['left', 'abcdef', 3, 'abc'],
    ['left', 'ab', 5, 'ab'],
    ['left', 'abc', 0, ''],
    ['left', 'abc', -1, ''],
    ['left', '😀😀😀', 2, '😀😀'],
    ['right', 'abcdef', 2, 'ef'],
    ['right', 'ab', 5, 'ab'],
    ['right', 'abc', 0, ''],
    ['right', 'a😀b😀', 2, 'b😀'],
    ['truncate', 'ACME Corporation International', 10, 'ACME Corpo'],
    ['truncate', 'short', 10, 'short'],
    // Sage Pro text is code-page text: the emoji cannot be stored and becomes '?' (the default rule).
    ['truncate', 'Müller😀x', 7, 'Müller?'],
  ] as const)('%s(%j, %s) = %j', (fn, s, n, want) => {
    expect($[fn](s, n)).toBe(want);
  });

  describe('truncate fits what the install stores (code-page bytes after the text rule)', () => {
    afterEach(() => resetTextRules());
    const name = 'Widget 😀 deluxe edition with a very long marketing name that goes on';

    it('an emoji among the first 50 characters: 50 characters, 50 bytes in windows-1252', () => {
      const t = $.truncate(name, 50)!;
      expect(storedBytes(t)).toBe(50);
      expect(t.length).toBe(50); // UTF-16 units too: nothing outside the code page is left
      expect(t.startsWith('Widget ? deluxe')).toBe(true);
    });
    it('transliterates only what the code page lacks', () => {
      expect($.truncate('Łódź café', 20)).toBe('Lódz café');
      setTextRules({ codePage: 'windows-1251', unmappable: 'transliterate', control: 'strip' });
      expect($.truncate('Łódź café', 20)).toBe('Lodz cafe');
      setTextRules({ codePage: 'windows-1250', unmappable: 'transliterate', control: 'strip' });
      expect($.truncate('Łódź café', 20)).toBe('Łódź café');
    });
    it('replace gives ?, reject names the character', () => {
      setTextRules({ codePage: 'windows-1252', unmappable: 'replace', control: 'strip' });
      expect($.truncate('Łódź', 10)).toBe('?ód?');
      setTextRules({ codePage: 'windows-1252', unmappable: 'reject', control: 'strip' });
      expect(() => $.truncate('Widget 😀', 10)).toThrow(/truncate: character '😀' \(U\+1F600\) at position 8 is not in code page windows-1252/);
    });
    it('keeps control characters (one byte each) for the connector to strip or reject', () => {
      expect($.truncate('Line2\u0000NUL', 20)).toBe('Line2\u0000NUL');
    });
    it('composes accents first: e + combining acute is one byte', () => {
      expect($.truncate('Cafe\u0301 noir', 6)).toBe('Café n');
    });
  });

  it('substr is 0-based and clips', () => {
    expect($.substr('abcdef', 2)).toBe('cdef');
    expect($.substr('abcdef', 2, 3)).toBe('cde');
    expect($.substr('abcdef', 4, 10)).toBe('ef');
    expect($.substr('abcdef', 10, 2)).toBe('');
    expect($.substr('abcdef', -2, 2)).toBe('ab');
    expect($.substr('abcdef', 1, 0)).toBe('');
    expect($.substr('a😀bc', 1, 2)).toBe('😀b');
    expect($.substr('abc', 1, null)).toBe('bc');
    expect($.substr(null, 1)).toBeNull();
    expect($.substr('abc', null)).toBeNull();
  });

  it('split and join', () => {
    expect($.split('a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect($.split('a, b', ', ')).toEqual(['a', 'b']);
    expect($.split('', ',')).toEqual([]);
    expect($.split('abc', ';')).toEqual(['abc']);
    expect($.split('a😀', '')).toEqual(['a', '😀']);
    expect($.split(null, ',')).toBeNull();
    expect($.join(['a', 'b'], ', ')).toBe('a, b');
    expect($.join([1, 0.1 + 0.2, null, true], '|')).toBe('1|0.3||true');
    expect($.join([], ',')).toBe('');
    expect($.join(null, ',')).toBeNull();
  });

  it('replace is literal and global', () => {
    expect($.replace('a.b.c', '.', '-')).toBe('a-b-c');
    expect($.replace('1+1=2', '+', '$&')).toBe('1$&1=2');
    expect($.replace('aaa', 'aa', 'b')).toBe('ba');
    expect($.replace('abc', '', 'x')).toBe('abc');
    expect($.replace('abc', 'z', 'x')).toBe('abc');
    expect($.replace('(a)(a)', '(a)', '')).toBe('');
    expect($.replace(null, 'a', 'b')).toBeNull();
    expect($.replace('a', 'a', null)).toBeNull();
  });

  it('contains, starts_with, ends_with', () => {
    expect($.contains('hello world', 'o w')).toBe(true);
    expect($.contains('hello', 'x')).toBe(false);
    expect($.contains('abc', '')).toBe(true);
    expect($.starts_with('SKU-123', 'SKU-')).toBe(true);
    expect($.starts_with('SKU-123', 'sku')).toBe(false);
    expect($.ends_with('file.csv', '.csv')).toBe(true);
    expect($.contains(null, 'a')).toBeNull();
    expect($.starts_with('a', null)).toBeNull();
    expect($.ends_with(undefined, 'a')).toBeNull();
  });

  it('concat treats null as empty', () => {
    expect($.concat('a', 'b')).toBe('ab');
    expect($.concat(null, 'b')).toBe('b');
    expect($.concat('a', undefined)).toBe('a');
    expect($.concat(null, null)).toBe('');
    expect($.concat('Order #', 1042)).toBe('Order #1042');
    expect($.concat('total ', 0.1 + 0.2)).toBe('total 0.3');
  });

  it('is_blank and blank_to_null', () => {
    expect($.is_blank(null)).toBe(true);
    expect($.is_blank(undefined)).toBe(true);
    expect($.is_blank('')).toBe(true);
    expect($.is_blank(' \t\n\u00a0')).toBe(true);
    expect($.is_blank(' x ')).toBe(false);
    expect($.is_blank(0)).toBe(false);
    expect($.blank_to_null('   ')).toBeNull();
    expect($.blank_to_null(null)).toBeNull();
    expect($.blank_to_null(' x ')).toBe(' x ');
  });

  it('digits keeps only 0-9', () => {
    expect($.digits('(555) 123-4567')).toBe('5551234567');
    expect($.digits('+1 800 FLOWERS')).toBe('1800');
    expect($.digits('12345')).toBe('12345');
    expect($.digits('abc')).toBe('');
    expect($.digits('٣4')).toBe('4');
    expect($.digits('')).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// Collections
// ---------------------------------------------------------------------------------------------

describe('collections', () => {
  const lines = [
    { sku: 'A', qty: 2, price: 19.99, cat: 'x' },
    { sku: 'B', qty: 1, price: 0.1, cat: 'y' },
    { sku: 'C', qty: 3, price: 0.2, cat: 'x' },
    { sku: 'D', qty: 0, price: null, cat: null },
  ];

  it('count, sum', () => {
    expect($.count(lines)).toBe(4);
    expect($.count(lines, (l) => l.qty > 0)).toBe(3);
    expect($.count(null)).toBe(0);
    expect($.count(null, () => true)).toBe(0);
    expect($.sum(lines, (l) => l.price)).toBe(20.29);
    expect($.sum(lines, (l) => $.dmul(l.price, l.qty))).toBe(40.68);
    expect($.sum([0.1, 0.2, 0.3])).toBe(0.6);
    expect($.sum(Array.from({ length: 10000 }, () => 0.1))).toBe(1000);
    expect($.sum([], (x: number) => x)).toBe(0);
    expect($.sum(null, (x: number) => x)).toBe(0);
  });

  it('filter, map, first, any, all', () => {
    expect($.filter(lines, (l) => l.cat === 'x').map((l) => l.sku)).toEqual(['A', 'C']);
    expect($.filter(null, () => true)).toEqual([]);
    expect($.map(lines, (l) => l.sku)).toEqual(['A', 'B', 'C', 'D']);
    expect($.map(['a', 'b'], (x, i) => `${i}:${x}`)).toEqual(['0:a', '1:b']);
    expect($.map(null, (x) => x)).toEqual([]);
    expect($.first(lines)?.sku).toBe('A');
    expect($.first(lines, (l) => l.qty === 3)?.sku).toBe('C');
    expect($.first(lines, (l) => l.qty === 99)).toBeNull();
    expect($.first([])).toBeNull();
    expect($.first(null)).toBeNull();
    expect($.any(lines, (l) => l.price === null)).toBe(true);
    expect($.any(lines, () => null)).toBe(false);
    expect($.any(null, () => true)).toBe(false);
    expect($.all(lines, (l) => l.qty >= 0)).toBe(true);
    expect($.all(lines, (l) => l.qty > 0)).toBe(false);
    expect($.all([1], () => null)).toBe(false);
    expect($.all(null, () => false)).toBe(true);
    expect($.all([], () => false)).toBe(true);
  });

  it('distinct, group_by', () => {
    expect($.distinct([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
    expect($.distinct(['a', 'b', 'a', null, undefined])).toEqual(['a', 'b', null]);
    expect($.distinct(null)).toBeNull();
    const g = $.group_by(lines, (l) => l.cat)!;
    expect(g.map((x) => [x.key, x.items.map((l) => l.sku)])).toEqual([
      ['x', ['A', 'C']],
      ['y', ['B']],
      [null, ['D']],
    ]);
    expect($.group_by([], (x) => x)).toEqual([]);
    expect($.group_by(null, (x) => x)).toBeNull();
  });

  it('min_of, max_of, index', () => {
    expect($.min_of(lines, (l) => l.price)).toBe(0.1);
    expect($.max_of(lines, (l) => l.price)).toBe(19.99);
    expect($.max_of(['2024-05-01', '2024-05-03', '2024-05-02'])).toBe('2024-05-03');
    expect($.min_of([], (x: number) => x)).toBeNull();
    expect($.min_of([null, null])).toBeNull();
    expect($.max_of(null)).toBeNull();
    expect($.index(['a', 'b'], 1)).toBe('b');
    expect($.index(['a', 'b'], 2)).toBeNull();
    expect($.index(['a', 'b'], -1)).toBeNull();
    expect($.index(null, 0)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------------------------

describe('datetime', () => {
  it.each([
    ['2024-05-02T10:11:12Z', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12+0000', '2024-05-02T10:11:12Z'], // X-Cart
    ['2024-05-02T10:11:12+00:00', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12', '2024-05-02T10:11:12Z'],
    ['2024-05-02 10:11:12', '2024-05-02T10:11:12Z'],
    ['2024-05-02T06:11:12-0400', '2024-05-02T10:11:12Z'],
    ['2024-05-02T06:11:12-04:00', '2024-05-02T10:11:12Z'],
    ['2024-05-02T15:41:12+05:30', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12.987Z', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11Z', '2024-05-02T10:11:00Z'],
    ['2024-05-02T10:11:12 +0000', '2024-05-02T10:11:12Z'],
    ['2024-05-02', '2024-05-02T00:00:00Z'],
    ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00Z'],
    ['2024-03-01T00:30:00+01:00', '2024-02-29T23:30:00Z'],
    [' 2024-05-02T10:11:12Z ', '2024-05-02T10:11:12Z'],
    [1714644672, '2024-05-02T10:11:12Z'],
    [1714644672.9, '2024-05-02T10:11:12Z'],
    ['1714644672', '2024-05-02T10:11:12Z'],
    [0, '1970-01-01T00:00:00Z'],
    [-1, '1969-12-31T23:59:59Z'],
  ] as const)('datetime(%j) = %s', (x, want) => {
    expect($.datetime(x)).toBe(want);
  });

  it.each([
    ['2024-02-30T10:00:00Z'],
    ['2023-02-29T10:00:00Z'],
    ['2024-05-02T24:00:00Z'],
    ['2024-05-02T10:60:00Z'],
    ['2024-05-02T10:11:12+2500'],
    ['2024-13-01T00:00:00Z'],
    ['2024-5-2T10:11:12Z'],
    ['2024-05-02T10:11:12ZZ'],
    ['2024-05-02X10:11:12'],
    ['yesterday'],
    [''],
  ])('datetime(%j) throws', (x) => {
    throwsFlow(() => $.datetime(x), `cannot parse '${x}' as a datetime`);
  });

  it('datetime null and Date', () => {
    expect($.datetime(null)).toBeNull();
    expect($.datetime(new Date(Date.UTC(2024, 4, 2, 10, 11, 12, 500)))).toBe('2024-05-02T10:11:12Z');
  });
});

describe('dates and time zones', () => {
  it.each([
    ['2024-05-02T10:11:12Z', 'UTC', '2024-05-02'],
    ['2024-05-02T02:11:12Z', 'America/New_York', '2024-05-01'],
    ['2024-05-02T04:00:00Z', 'America/New_York', '2024-05-02'], // 00:00 EDT
    ['2024-05-02T03:59:59Z', 'America/New_York', '2024-05-01'],
    ['2024-01-02T04:59:59Z', 'America/New_York', '2024-01-01'], // EST: -05:00
    ['2024-05-02T22:30:00Z', 'Europe/Berlin', '2024-05-03'],
    ['2024-05-02T18:30:00Z', 'Asia/Kolkata', '2024-05-03'],
    ['2024-05-02T10:11:12+0000', 'Australia/Sydney', '2024-05-02'],
    ['2024-05-02', 'America/New_York', '2024-05-02'],
    [1714644672, 'UTC', '2024-05-02'],
  ] as const)('date(%j, %s) = %s', (x, tz, want) => {
    expect($.date(x, tz)).toBe(want);
  });

  it('date validation, defaults and nulls', () => {
    expect($.date('2024-05-02T23:00:00Z')).toBe('2024-05-02');
    expect($.date('2024-02-29')).toBe('2024-02-29');
    throwsFlow(() => $.date('2023-02-29'), "cannot parse '2023-02-29' as a date");
    throwsFlow(() => $.date('02/05/2024'), "cannot parse '02/05/2024' as a date");
    throwsFlow(() => $.date('2024-05-02T10:00:00Z', 'Mars/Olympus'), "unknown time zone 'Mars/Olympus'");
    expect($.date(null)).toBeNull();
    expect($.date('2024-05-02', null)).toBeNull();
  });

  it.each([
    // America/New_York, spring forward 2024-03-10 02:00 EST -> 03:00 EDT (07:00Z)
    ['2024-03-10T06:59:59Z', 'America/New_York', '2024-03-10T01:59:59-05:00'],
    ['2024-03-10T07:00:00Z', 'America/New_York', '2024-03-10T03:00:00-04:00'],
    // fall back 2024-11-03 02:00 EDT -> 01:00 EST (06:00Z)
    ['2024-11-03T05:59:59Z', 'America/New_York', '2024-11-03T01:59:59-04:00'],
    ['2024-11-03T06:00:00Z', 'America/New_York', '2024-11-03T01:00:00-05:00'],
    ['2024-05-02T10:11:12+0000', 'America/New_York', '2024-05-02T06:11:12-04:00'],
    ['2024-05-02T10:11:12Z', 'UTC', '2024-05-02T10:11:12+00:00'],
    ['2024-05-02T10:11:12Z', 'Asia/Kathmandu', '2024-05-02T15:56:12+05:45'],
    ['2024-03-31T00:59:59Z', 'Europe/London', '2024-03-31T00:59:59+00:00'],
    ['2024-03-31T01:00:00Z', 'Europe/London', '2024-03-31T02:00:00+01:00'],
    ['2024-10-06T16:00:00Z', 'Australia/Sydney', '2024-10-07T03:00:00+11:00'],
    ['1990-07-01T12:00:00Z', 'America/Chicago', '1990-07-01T07:00:00-05:00'],
    ['2038-07-01T12:00:00Z', 'America/Chicago', '2038-07-01T07:00:00-05:00'],
  ] as const)('to_zone(%s, %s) = %s', (dt, tz, want) => {
    expect($.to_zone(dt, tz)).toBe(want);
  });

  it('to_zone agrees with Intl every 20 minutes across 2024 in New York', () => {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    const start = Date.UTC(2024, 0, 1) / 1000;
    for (let t = start; t < start + 366 * 86400; t += 1200) {
      const p = f.format(t * 1000); // MM/DD/YYYY, HH:mm:ss
      const want = `${p.slice(6, 10)}-${p.slice(0, 2)}-${p.slice(3, 5)}T${p.slice(12, 20)}`;
      expect($.to_zone(t, 'America/New_York')!.slice(0, 19)).toBe(want);
    }
  });

  it.each([
    ['31/12/2024', 'dd/MM/yyyy', '2024-12-31'],
    ['05/02/2024', 'MM/dd/yyyy', '2024-05-02'],
    ['5/2/2024', 'MM/dd/yyyy', '2024-05-02'],
    ['20240502', 'yyyyMMdd', '2024-05-02'],
    ['2024-05-02', 'yyyy-MM-dd', '2024-05-02'],
    ['29.02.2024', 'dd.MM.yyyy', '2024-02-29'],
    [' 02.05.2024 ', 'dd.MM.yyyy', '2024-05-02'],
    ['2024-05-02 10:11', 'yyyy-MM-dd HH:mm', '2024-05-02'],
  ] as const)('parse_date(%j, %j) = %s', (s, fmt, want) => {
    expect($.parse_date(s, fmt)).toBe(want);
  });

  it.each([
    ['31/02/2024', 'dd/MM/yyyy'],
    ['29/02/2023', 'dd/MM/yyyy'],
    ['00/01/2024', 'dd/MM/yyyy'],
    ['01/13/2024', 'dd/MM/yyyy'],
    ['2024-05-02', 'dd/MM/yyyy'],
    ['02/05/24', 'dd/MM/yyyy'],
    ['02/05/2024x', 'dd/MM/yyyy'],
    ['', 'dd/MM/yyyy'],
  ])('parse_date(%j, %j) throws', (s, fmt) => {
    throwsFlow(() => $.parse_date(s, fmt), `cannot parse '${s}' as a date with format '${fmt}'`);
  });

  it('parse_date rejects unsupported formats', () => {
    throwsFlow(() => $.parse_date('2/5/24', 'd/M/yy'), "unsupported date format 'd/M/yy': use the tokens yyyy MM dd HH mm ss");
    throwsFlow(() => $.parse_date('10:11', 'HH:mm'), "date format 'HH:mm' must contain yyyy, MM and dd");
    expect($.parse_date(null, 'dd/MM/yyyy')).toBeNull();
    expect($.parse_date('01/01/2024', null)).toBeNull();
  });

  it.each([
    ['05/02/2024 06:11:12', 'MM/dd/yyyy HH:mm:ss', 'America/New_York', '2024-05-02T10:11:12Z'],
    ['2024-05-02 10:11:12', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11', 'yyyy-MM-ddTHH:mm', 'UTC', '2024-05-02T10:11:00Z'],
    ['2024-05-02', 'yyyy-MM-dd', 'Europe/Berlin', '2024-05-01T22:00:00Z'],
    // DST gap: 02:30 does not exist on 2024-03-10 in New York -> 03:30 EDT
    ['2024-03-10 02:30', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T07:30:00Z'],
    ['2024-03-10 01:59', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T06:59:00Z'],
    ['2024-03-10 03:00', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T07:00:00Z'],
    // DST fold: 01:30 happens twice on 2024-11-03 -> the first (EDT)
    ['2024-11-03 01:30', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-11-03T05:30:00Z'],
    ['2024-11-03 02:00', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-11-03T07:00:00Z'],
  ] as const)('parse_datetime(%j, %j, %s) = %s', (s, fmt, tz, want) => {
    expect($.parse_datetime(s, fmt, tz)).toBe(want);
  });

  it('parse_datetime errors', () => {
    throwsFlow(() => $.parse_datetime('2024-05-02 25:00', 'yyyy-MM-dd HH:mm'), "cannot parse '2024-05-02 25:00' as a datetime with format 'yyyy-MM-dd HH:mm'");
    throwsFlow(() => $.parse_datetime('2024-05-02 10:00', 'yyyy-MM-dd HH:mm', 'Nowhere/City'), "unknown time zone 'Nowhere/City'");
  });

  it('format_date and format_datetime', () => {
    expect($.format_date('2024-05-02', 'MM/dd/yyyy')).toBe('05/02/2024');
    expect($.format_date('2024-05-02', 'yyyyMMdd')).toBe('20240502');
    expect($.format_date('2024-05-02T23:59:59Z', 'dd.MM.yyyy')).toBe('02.05.2024');
    expect($.format_date('2024-05-02', 'yyyy-MM-dd HH:mm')).toBe('2024-05-02 00:00');
    expect($.format_datetime('2024-05-02T10:11:12Z', 'MM/dd/yyyy HH:mm:ss')).toBe('05/02/2024 10:11:12');
    expect($.format_datetime('2024-05-02T02:11:12+0000', 'MM/dd/yyyy HH:mm', 'America/New_York')).toBe('05/01/2024 22:11');
    expect($.format_datetime('2024-03-10T07:00:00Z', 'HH:mm', 'America/New_York')).toBe('03:00');
    expect($.format_datetime('2024-03-10T06:59:00Z', 'HH:mm', 'America/New_York')).toBe('01:59');
    expect($.format_datetime('2024-05-02T10:11:12Z', 'HHmmss')).toBe('101112');
    expect($.format_date(null, 'yyyy')).toBeNull();
    expect($.format_datetime('2024-05-02T10:11:12Z', null)).toBeNull();
    throwsFlow(() => $.format_date('2024-02-30', 'yyyy'), "cannot parse '2024-02-30' as a date");
  });

  it('add_days and days_between', () => {
    expect($.add_days('2024-02-28', 1)).toBe('2024-02-29');
    expect($.add_days('2024-02-28', 2)).toBe('2024-03-01');
    expect($.add_days('2024-12-31', 1)).toBe('2025-01-01');
    expect($.add_days('2024-03-01', -1)).toBe('2024-02-29');
    expect($.add_days('2024-01-01', 366)).toBe('2025-01-01');
    expect($.add_days('2024-03-09T12:00:00Z', 1)).toBe('2024-03-10T12:00:00Z');
    expect($.add_days('2024-05-02', null)).toBeNull();
    throwsFlow(() => $.add_days('2024-05-02', 1.5), 'add_days: day count must be an int, got 1.5');
    expect($.days_between('2024-01-01', '2024-01-31')).toBe(30);
    expect($.days_between('2024-03-01', '2024-02-01')).toBe(-29);
    expect($.days_between('2024-01-01', '2025-01-01')).toBe(366);
    expect($.days_between('2024-03-09', '2024-03-11')).toBe(2);
    expect($.days_between('2024-05-01T23:59:59Z', '2024-05-02T00:00:01Z')).toBe(1);
    expect($.days_between(null, '2024-01-01')).toBeNull();
  });

  it('null propagation in time-zone functions', () => {
    expect($.to_zone(null, 'UTC')).toBeNull();
    expect($.to_zone('2024-05-02T10:11:12Z', null)).toBeNull();
    expect($.parse_datetime('2024-05-02', 'yyyy-MM-dd', null)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Addresses and names
// ---------------------------------------------------------------------------------------------

describe('split_street', () => {
  it.each([
    ['1200 North Lake Shore Drive', 30, ['1200 North Lake Shore Drive', '', '']],
    ['Apartment 4B, 1200 North Lake Shore Drive, Building C', 30, ['Apartment 4B', '1200 North Lake Shore Drive', 'Building C']],
    ['Apt 4B, 12 Main St', 30, ['Apt 4B, 12 Main St', '', '']],
    ['Suite 100, Floor 2, 350 Fifth Avenue, Empire State Building', 30, ['Suite 100, Floor 2', '350 Fifth Avenue', 'Empire State Building']],
    ['1200 North Lake Shore Drive\nApartment 4B', 30, ['1200 North Lake Shore Drive', 'Apartment 4B', '']],
    ['1200 North Lake Shore Drive\r\n\r\n  Apt   4B  ', 30, ['1200 North Lake Shore Drive', 'Apt 4B', '']],
    ['Unit B,1,200 Industrial Parkway', 30, ['Unit B', '1,200 Industrial Parkway', '']],
    ['Unit B,1,200 Industrial Parkway', 40, ['Unit B,1,200 Industrial Parkway', '', '']],
    ['Unit 5,1200 Industrial Parkway North', 30, ['Unit 5,1200 Industrial Parkway', 'North', '']],
    ['Rheinland-Pfälzische Straßenverkehrsbehörde Hauptstraße 7', 30, ['Rheinland-Pfälzische', 'Straßenverkehrsbehörde', 'Hauptstraße 7']],
    ['Attn: Receiving\nBuilding 7\nDock 3\n100 Main St', 30, ['Attn: Receiving, Building 7', 'Dock 3, 100 Main St', '']],
    [
      'c/o Northwind Traders International Purchasing Department, 4567 Commerce Boulevard Northwest, Suite 1200, Mailstop 42',
      30,
      ['c/o Northwind Traders', 'International Purchasing', 'Department, 4567 Commerce Boul'],
    ],
    ['Supercalifragilisticexpialidocious Road 1', 10, ['Supercalif', 'ragilistic', 'expialidoc']],
    ['  ,  ', 30, ['', '', '']],
    ['', 30, ['', '', '']],
    ['PO Box 12, ', 30, ['PO Box 12', '', '']],
  ] as const)('split_street(%j, %s)', (s, width, [line1, line2, line3]) => {
    expect($.split_street(s, width)).toEqual({ line1, line2, line3 });
  });

  it('never produces a line longer than width', () => {
    const r = rng(99);
    const words = ['Apt', '4B', '1200', 'North', 'Lake', 'Shore', 'Drive,', 'Building', 'C,', 'Suite', '100', 'Receiving\n', 'Schlossallee', 'Straße', '😀😀'];
    for (let k = 0; k < 2000; k++) {
      let s = '';
      const n = 1 + Math.floor(r() * 20);
      for (let i = 0; i < n; i++) s += words[Math.floor(r() * words.length)] + (r() < 0.1 ? '' : ' ');
      const width = 5 + Math.floor(r() * 30);
      const out = $.split_street(s, width)!;
      for (const line of [out.line1, out.line2, out.line3]) {
        expect($.length(line), `${JSON.stringify(s)} @${width}`).toBeLessThanOrEqual(width);
        expect(line).toBe(line.trim());
      }
    }
  });

  it('defaults to 30 and propagates null', () => {
    expect($.split_street('1200 North Lake Shore Drive, Building C')).toEqual({ line1: '1200 North Lake Shore Drive', line2: 'Building C', line3: '' });
    expect($.split_street(null)).toBeNull();
    throwsFlow(() => $.split_street('x', 0), 'split_street: width must be a positive int, got 0');
  });
});

describe('split_name', () => {
  it.each([
    ['John Smith', 'John', 'Smith'],
    ['  John   Smith ', 'John', 'Smith'],
    ['Smith, John', 'John', 'Smith'],
    ['Smith,John', 'John', 'Smith'],
    ['Mary Ann van der Berg', 'Mary Ann', 'van der Berg'],
    ['van der Berg, Mary Ann', 'Mary Ann', 'van der Berg'],
    ['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
    ['Leonardo da Vinci', 'Leonardo', 'da Vinci'],
    ['Maria de la Cruz', 'Maria', 'de la Cruz'],
    ['Otto von Bismarck', 'Otto', 'von Bismarck'],
    ['Mary St. John', 'Mary', 'St. John'],
    ['Van Morrison', 'Van', 'Morrison'],
    ['John F. Kennedy', 'John F.', 'Kennedy'],
    ['John Smith Jr.', 'John', 'Smith Jr.'],
    ['John Smith, Jr.', 'John', 'Smith Jr.'],
    ['Martin Luther King Jr', 'Martin Luther', 'King Jr'],
    ['Henry Ford III', 'Henry', 'Ford III'],
    ['Smith, John, Jr.', 'John', 'Smith Jr.'],
    ['Cher', '', 'Cher'],
    ['Jr.', '', 'Jr.'],
    ['José Núñez', 'José', 'Núñez'],
    ['Smith,', '', 'Smith'],
    ['', '', ''],
    ['   ', '', ''],
  ] as const)('split_name(%j) = %j / %j', (s, first, last) => {
    expect($.split_name(s)).toEqual({ first, last });
  });

  it('propagates null', () => {
    expect($.split_name(null)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

describe('control', () => {
  it('reject throws FlowError with the site', () => {
    const e = throwsFlow(() => $.reject('order has no lines', site), 'order has no lines');
    expect(e.site).toBe(site);
    expect(e.message).toBe('orders.flow:12:5: order has no lines');
    expect(e.errorClass).toBe('invalid');
    expect(throwsFlow(() => $.reject('no site'), 'no site').site).toBeUndefined();
  });

  it('check_width', () => {
    expect($.check_width('ABC123', 6, 'customer code')).toBe('ABC123');
    expect($.check_width('Zoë😀', 4, 'name')).toBe('Zoë😀');
    expect($.check_width(null, 6, 'customer code')).toBeNull();
    const e = throwsFlow(() => $.check_width('ABC1234', 6, 'customer code', site), "value 'ABC1234' is longer than customer code (C(6))");
    expect(e.site).toBe(site);
    throwsFlow(
      () => $.check_width('x'.repeat(50), 30, 'address line'),
      `value '${'x'.repeat(40)}...' is longer than address line (C(30))`,
    );
  });

  it('at adds the site to a FlowError without one', () => {
    try {
      $.at(new FlowError('division by zero', undefined), site);
    } catch (e) {
      expect(e).toBeInstanceOf(FlowError);
      expect((e as FlowError).site).toBe(site);
      expect((e as FlowError).message).toBe('orders.flow:12:5: division by zero');
      expect((e as FlowError).reason).toBe('division by zero');
    }
    const other: Site = { ...site, line: 99 };
    const located = new FlowError('x', other, 'not_found');
    expect(() => $.at(located, site)).toThrow(located);
    const classed = new FlowError('gone', undefined, 'not_found');
    try {
      $.at(classed, site);
    } catch (e) {
      expect((e as FlowError).errorClass).toBe('not_found');
    }
  });

  it('at wraps other errors as internal errors', () => {
    const cause = new TypeError("Cannot read properties of undefined (reading 'sku')");
    try {
      $.at(cause, site);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FlowError);
      const f = e as FlowError;
      expect(f.reason).toBe("internal error: Cannot read properties of undefined (reading 'sku')");
      expect(f.site).toBe(site);
      expect(f.errorClass).toBe('invalid');
      expect(f.cause).toBe(cause);
    }
    expect(() => $.at('boom', site)).toThrow('orders.flow:12:5: internal error: boom');
  });

  it('at rethrows errors that carry an error class (connector errors) unchanged', () => {
    const transient = Object.assign(new Error('X-Cart orders.get: 503'), { errorClass: 'transient' });
    expect(() => $.at(transient, site)).toThrow(transient);
  });
});

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

describe('eq and cmp', () => {
  it.each([
    [0.1 + 0.2, 0.3, true],
    [1, 1.0, true],
    [1, 1.000001, false],
    ['a', 'a', true],
    ['a', 'A', false],
    ['1', 1, false],
    [null, null, true],
    [null, undefined, true],
    [null, 0, false],
    ['', null, false],
    [true, true, true],
    [true, false, false],
    ['2024-05-02', '2024-05-02', true],
    [[1, 'a'], [1, 'a'], true],
    [[1, 'a'], [1, 'b'], false],
    [{ a: 1, b: [2] }, { b: [2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [[1], { 0: 1 }, false],
  ] as const)('eq(%j, %j) = %s', (a, b, want) => {
    expect($.eq(a, b)).toBe(want);
  });

  it.each([
    [1, 2, -1],
    [2, 1, 1],
    [2, 2, 0],
    [0.1 + 0.2, 0.3, 0],
    [-1.5, -1.49, -1],
    ['2024-05-02', '2024-05-10', -1],
    ['2024-12-31', '2024-02-01', 1],
    ['2024-05-02T10:11:12Z', '2024-05-02T09:11:12Z', 1],
    ['abc', 'abd', -1],
    [false, true, -1],
    [null, 1, null],
    [1, undefined, null],
  ] as const)('cmp(%j, %j) = %s', (a, b, want) => {
    expect($.cmp(a, b)).toBe(want);
  });

  it('cmp refuses mixed types', () => {
    throwsFlow(() => $.cmp(1, '1'), 'cannot compare 1 with 1');
    throwsFlow(() => $.cmp([1], [2]), 'cannot compare [1] with [2]');
  });
});

describe('module rules', () => {
  it('imports nothing but ./contract.js and ./text/codepage.js (which imports nothing)', async () => {
    const { readFileSync } = await import('node:fs');
    const src = readFileSync(new URL('./builtins.ts', import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(imports).toEqual(['./contract.js', './text/codepage.js']);
    expect(src).not.toMatch(/\bimport\(/);
    const cp = readFileSync(new URL('./text/codepage.ts', import.meta.url), 'utf8');
    expect([...cp.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)]).toEqual([]);
    expect(cp).not.toMatch(/\bimport\(/);
  });
});
