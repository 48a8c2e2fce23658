import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';

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
