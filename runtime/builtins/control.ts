/**
 * Control: `reject` (the `reject "..."` statement), `check_width` (the fixed-width check the compiler
 * writes), `at` (locates an error at its .flow site), and the warnings of a map: `no_warn` (the
 * warning sink when nothing listens) and `each_skip` (`each ... skip invalid`) (BUILTINS.md, "Control").
 */
import { FlowError, type Site } from '../contract.js';
import { cpLeft, cpLen, describe, type Opt } from './internal.js';

/** `reject "..."`: throws FlowError(reason, site) (class invalid). */
export function reject(reason: Opt<string>, site?: Site): never {
  throw new FlowError(reason == null || reason === '' ? 'rejected' : reason, site);
}

/**
 * Returns value when it has at most `width` characters (null passes); otherwise throws
 * FlowError "value 'xyz' is longer than <what> (C(<width>))" (values over 40 characters shown cut, with "...").
 */
export function check_width(value: Opt<string>, width: number, what: string, site?: Site): string | null {
  if (value == null) return null;
  if (value.length <= width || cpLen(value) <= width) return value;
  const shown = cpLen(value) > 40 ? cpLeft(value, 40) + '...' : value;
  throw new FlowError(`value '${shown}' is longer than ${what} (C(${width}))`, site);
}

const ERROR_CLASSES: ReadonlySet<unknown> = new Set(['transient', 'invalid', 'not_found', 'permission', 'conflict']);

/**
 * Rethrows err located at site: a FlowError without a site gets this one; a FlowError with a site,
 * or any error carrying a valid `errorClass` (connector errors), is rethrown unchanged; anything
 * else becomes FlowError(`internal error: <message>`, site, 'invalid', { cause: err }).
 */
export function at(err: unknown, site: Site): never {
  if (err instanceof FlowError) {
    if (err.site !== undefined) throw err;
    throw new FlowError(err.message, site, err.errorClass, err.cause === undefined ? undefined : { cause: err.cause });
  }
  if (err !== null && typeof err === 'object' && ERROR_CLASSES.has((err as { errorClass?: unknown }).errorClass)) throw err;
  const message = err instanceof Error ? err.message : describe(err);
  throw new FlowError(`internal error: ${message}`, site, 'invalid', { cause: err });
}

/** The warning sink of a `map_*` function called without one (flow tests, benchmarks): drops the warning. */
export function no_warn(_message?: string, _site?: number): void {}

/**
 * `each x in xs skip invalid { ... }`: f applied to every element, in order; an element whose f throws
 * an error of class `invalid` (FlowError, rejects, bad conversions) is left out and reported with
 * warn(`line skipped: <message>`, site). Any other error (transient, internal...) is rethrown.
 */
export function each_skip<T, R>(xs: readonly T[], f: (x: T) => R, warn: (m: string, s: number) => void, site: number): R[] {
  const out: R[] = [];
  for (const x of xs) {
    try { out.push(f(x)); }
    catch (err) { if ((err as { errorClass?: string }).errorClass !== 'invalid') throw err; warn(`line skipped: ${(err as Error).message}`, site); }
  }
  return out;
}
