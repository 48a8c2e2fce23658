/** What the builtins' tests share: a site to locate errors at, and the FlowError assertion. */
import { expect } from 'vitest';
import { FlowError, type Site } from '../../contract.js';

export const site: Site = { file: 'orders.flow', line: 12, column: 5, endLine: 12, endColumn: 30 };

/** Asserts fn throws a FlowError with exactly this reason (and returns it). */
export function throwsFlow(fn: () => unknown, reason: string): FlowError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlowError);
    expect((e as FlowError).reason).toBe(reason);
    return e as FlowError;
  }
  throw new Error(`expected FlowError '${reason}'`);
}
