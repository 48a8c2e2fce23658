import { describe, expect, test } from 'vitest';
import { damerauLevenshtein, didYouMean, suggest } from './did-you-mean.js';

const orderFields = ['order_id', 'order_number', 'total', 'totals', 'subtotal', 'currency', 'customer_id', 'status'];

describe('damerauLevenshtein', () => {
  test.each([
    ['', '', 0], ['', 'abc', 3], ['abc', '', 3], ['total', 'total', 0],
    ['totl', 'total', 1], ['toatl', 'total', 1], ['ca', 'abc', 2], ['kitten', 'sitting', 3],
  ] as const)('%s ↔ %s = %i', (a, b, d) => {
    expect(damerauLevenshtein(a, b)).toBe(d);
    expect(damerauLevenshtein(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  test('one missing letter', () => {
    expect(suggest('totl', orderFields)).toEqual(['total']);
  });
  test('missing letter in a longer name', () => {
    expect(suggest('order_numbr', orderFields)).toEqual(['order_number']);
  });
  test('transposition counts as one edit', () => {
    expect(suggest('toatl', orderFields)).toEqual(['total']);
    expect(suggest('ordre_number', orderFields)).toEqual(['order_number']);
  });
  test('nothing close', () => {
    expect(suggest('xyz', orderFields)).toEqual([]);
    expect(suggest('zzzzzzzz', orderFields)).toEqual([]);
  });
  test('case variants rank first', () => {
    expect(suggest('Total', orderFields)).toEqual(['total', 'totals']);
    expect(suggest('TOTAL', orderFields)).toEqual(['total', 'totals']);
    expect(suggest('ORDER_ID', orderFields)).toEqual(['order_id']);
    expect(suggest('totals', ['Totals', 'total', 'totalz'])).toEqual(['Totals', 'totalz', 'total']);
  });
  test('separator and camelCase variants rank above typos', () => {
    expect(suggest('orderNumber', orderFields)).toEqual(['order_number']);
    expect(suggest('ordernumber', ['order_numbers', 'order_number'])).toEqual(['order_number', 'order_numbers']);
  });
  test('whole-word prefix and suffix variants', () => {
    expect(suggest('customer', orderFields)).toEqual(['customer_id']);
    expect(suggest('amount', ['total_amount', 'amounts'])).toEqual(['amounts', 'total_amount']);
    expect(suggest('number', orderFields)).toEqual(['order_number']);
  });
  test('the name itself, duplicates and empty candidates are not suggested', () => {
    expect(suggest('total', ['total', 'totals', 'totals', ''])).toEqual(['totals']);
  });
  test('at most three, by distance, then length difference, then alphabetically', () => {
    expect(suggest('cat', ['bat', 'cut', 'cot', 'hat', 'cast'])).toEqual(['bat', 'cot', 'cut']);
    expect(suggest('ab', ['ax', 'abc', 'b'])).toEqual(['ax', 'abc', 'b']);
  });
  test('threshold is max(1, floor(len / 3))', () => {
    expect(suggest('id', ['ix'])).toEqual(['ix']);
    expect(suggest('stat', ['status'])).toEqual([]); // 2 edits > floor(4/3)
    expect(suggest('statu', ['status'])).toEqual(['status']);
    expect(suggest('sttus', ['status'])).toEqual(['status']);
  });
  test('accepts any iterable', () => {
    expect(suggest('totl', new Set(['total'])).slice()).toEqual(['total']);
    expect(suggest('totl', new Map([['total', 1]]).keys())).toEqual(['total']);
  });
});

describe('didYouMean', () => {
  test('one, two and three suggestions', () => {
    expect(didYouMean('totl', orderFields)).toBe("Did you mean 'total'?");
    expect(didYouMean('Total', orderFields)).toBe("Did you mean 'total' or 'totals'?");
    expect(didYouMean('cat', ['bat', 'cot', 'cast'])).toBe("Did you mean 'bat', 'cot' or 'cast'?");
  });
  test('no suggestion', () => {
    expect(didYouMean('xyz', orderFields)).toBeUndefined();
    expect(didYouMean('total', [])).toBeUndefined();
  });
});
