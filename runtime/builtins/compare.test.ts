import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { throwsFlow } from './test-support/flow-error.js';

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
