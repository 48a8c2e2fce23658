import { describe, it, expect } from 'vitest';
import { ConnectorError, isTransient, errorClassOf } from './errors.js';

describe('ConnectorError', () => {
  it('carries its class and fields', () => {
    const cause = new Error('ECONNRESET');
    const e = new ConnectorError('X-Cart orders.get: connection reset', {
      errorClass: 'transient', system: 'xcart', operation: 'orders.get', status: 503, retryAfterMs: 2000, cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConnectorError');
    expect(e.errorClass).toBe('transient');
    expect(e.retryAfterMs).toBe(2000);
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toMatchObject({ errorClass: 'transient', system: 'xcart', status: 503, cause: 'ECONNRESET' });
  });
  it('isTransient only for transient ConnectorErrors', () => {
    expect(isTransient(new ConnectorError('x', { errorClass: 'transient', system: 'sagepro' }))).toBe(true);
    expect(isTransient(new ConnectorError('x', { errorClass: 'invalid', system: 'sagepro', table: 'soordr', column: 'custno' }))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(errorClassOf(new Error('x'))).toBe('invalid');
  });
});
