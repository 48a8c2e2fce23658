import { describe, expect, it } from 'vitest';
import * as $ from '../builtins.js';
import { site, throwsFlow } from './test-support/flow-error.js';

describe('table', () => {
  const entries = new Map<string, string>([['USD', 'A'], ['EUR', 'B']]);

  it('finds a key the table holds, whatever the missing policy', () => {
    for (const missing of ['reject', 'null', { default: () => 'Z' }] as const) {
      expect($.table('price_level', entries, missing)('EUR', site)).toBe('B');
    }
  });

  it('on missing reject: FlowError naming the key (as JSON) and the table, at the lookup site, class invalid', () => {
    const lookup = $.table('price_level', entries, 'reject');
    const e = throwsFlow(() => lookup('GBP', site), 'no entry for "GBP" in table price_level');
    expect(e.site).toBe(site);
    expect(e.errorClass).toBe('invalid');
    throwsFlow(() => lookup(null, site), 'no entry for null in table price_level');
    throwsFlow(() => lookup('usd', site), 'no entry for "usd" in table price_level');
  });

  it('on missing null: null', () => {
    const lookup = $.table('ship_vias', entries, 'null');
    expect(lookup('GBP', site)).toBeNull();
    expect(lookup(undefined, site)).toBeNull();
  });

  it('on missing default: the default, computed again on every miss', () => {
    let calls = 0;
    const lookup = $.table('terms', entries, { default: () => `COD${++calls}` });
    expect(lookup('GBP', site)).toBe('COD1');
    expect(lookup('USD', site)).toBe('A');
    expect(lookup('JPY', site)).toBe('COD2');
  });

  it('number keys match by value; a stored falsy value is found, not a miss', () => {
    const lookup = $.table('line_discounts', new Map<number, number>([[1, 0], [10, 2.5]]), { default: () => 7.5 });
    expect(lookup(1, site)).toBe(0);
    expect(lookup(10.0, site)).toBe(2.5);
    expect(lookup('10', site)).toBe(7.5);
    const flags = $.table('web_warehouse', new Map<string, boolean>([['MAIN', false], ['WH1', true]]), 'reject');
    expect(flags('MAIN', site)).toBe(false);
  });
});
