import { describe, expect, test } from 'vitest';
import { isRight, normalise, shape } from './right.js';

describe('what "right" means for bench:suggest', () => {
  test('normalising: whitespace, ?. and ?? <literal> defaults', () => {
    expect(normalise('truncate(order.shipping_address?.city ?? "", 20)')).toBe('truncate(order.shipping_address.city,20)');
    expect(normalise('split_street((ship?.street ?? ""), 35).line1')).toBe('split_street(ship.street,35).line1');
    expect(normalise('"a b" + x')).toBe('"a b"+x');
  });
  test('same fields and conversions, other literal arguments', () => {
    expect(isRight('date(order.create_date, "UTC")', ['date(order.create_date, "America/New_York")'])).toBe(true);
    expect(isRight('date(order.update_date, "America/New_York")', ['date(order.create_date, "America/New_York")'])).toBe(false);
    expect(isRight('truncate(item.sku, 15)', ['truncate(upper(trim(item.sku)), 15)'])).toBe(false);
    expect(isRight('split_street(a.street, 35).line2', ['split_street(a.street ?? "", 35).line1'])).toBe(false);
    expect(isRight('truncate(order.shipping_method_name ?? "", 12)', ['carrier[order.shipping_method_name ?? ""]'])).toBe(false);
  });
  test('a table lookup is one conversion, not a field', () => {
    expect(shape('carrier[order.shipping_method_name ?? ""]')).toEqual({ fields: ['order.shipping_method_name'], steps: ['[]'] });
  });
});
