/**
 * Comparison: `eq` (`==`, `!=`) and `cmp` (`<` `<=` `>` `>=`); numbers compare as 6-place decimals
 * (BUILTINS.md, "Comparison").
 */
import { FlowError } from '../contract.js';
import { describe, norm } from './internal.js';

/**
 * `==`: numbers compare as decimals (6 places), strings/booleans exactly, null == null (and
 * null != anything else), lists and objects element by element. Values of different types are unequal.
 */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  const ta = typeof a;
  if (ta !== typeof b) return false;
  if (ta === 'number') return norm(a as number) === norm(b as number);
  if (ta !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `<` `<=` `>` `>=`: -1, 0 or 1. Numbers compare as decimals; strings (dates, canonical datetimes)
 * by UTF-16 code units; false < true. null when either side is null. Throws FlowError for values
 * of different types or for lists/objects.
 */
export function cmp(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (a == null || b == null) return null;
  const ta = typeof a;
  if (ta === 'number' && typeof b === 'number') {
    if (a === b) return 0;
    const x = norm(a as number), y = norm(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === typeof b && (ta === 'string' || ta === 'boolean')) {
    return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  }
  throw new FlowError(`cannot compare ${describe(a)} with ${describe(b)}`, undefined);
}
