import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { throwsFlow } from './test-support/flow-error.js';

describe('conversions', () => {
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
