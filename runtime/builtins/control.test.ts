import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { FlowError, type Site } from '../contract.js';
import { site, throwsFlow } from './test-support/flow-error.js';

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

describe('warnings of a map', () => {
  it('no_warn drops the warning', () => {
    expect($.no_warn('line skipped: x', 3)).toBeUndefined();
  });

  it('each_skip leaves out elements whose function throws an invalid error and warns once for each, at the each site', () => {
    const warnings: [string, number][] = [];
    const out = $.each_skip([1, 2, 3, 4], (x) => (x % 2 === 0 ? $.reject(`odd one out ${x}`) : x * 10), (m, s) => warnings.push([m, s]), 9);
    expect(out).toEqual([10, 30]);
    expect(warnings).toEqual([['line skipped: odd one out 2', 9], ['line skipped: odd one out 4', 9]]);
    expect($.each_skip([], () => 1, () => { throw new Error('no warning expected'); }, 9)).toEqual([]);
  });

  it('each_skip rethrows any other error (a transient error, an internal error) unchanged', () => {
    const transient = Object.assign(new Error('Sage Pro is down'), { errorClass: 'transient' });
    const warn = () => { throw new Error('no warning expected'); };
    expect(() => $.each_skip([1], () => { throw transient; }, warn, 9)).toThrow(transient);
    const internal = new TypeError('x is undefined');
    expect(() => $.each_skip([1], () => { throw internal; }, warn, 9)).toThrow(internal);
  });
});
