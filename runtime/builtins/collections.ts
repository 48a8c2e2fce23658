/**
 * Lists: `count`, `sum`, `filter`, `map` (`collect` in flows), `first`, `any`, `all`, `distinct`,
 * `group_by`, `min_of`, `max_of`, `index`. Lambdas are plain functions called as f(item, index);
 * only `true` counts as true (BUILTINS.md, "Collections").
 */
import { norm, type Opt } from './internal.js';
import { cmp } from './compare.js';

type Pred<T> = (x: T, i: number) => unknown;
type Fn<T, R> = (x: T, i: number) => R;

/** Number of elements (matching pred when given). A null list counts as empty. */
export function count<T>(xs: Opt<readonly T[]>, pred?: Opt<Pred<T>>): number {
  if (xs == null) return 0;
  if (pred == null) return xs.length;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) === true) n++;
  return n;
}

/** Decimal-safe sum of f(x) (of the elements themselves when f is omitted); null values are skipped. Null/empty list: 0. */
export function sum<T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<number>>>): number {
  if (xs == null) return 0;
  let acc = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = f == null ? (xs[i] as unknown as Opt<number>) : f(xs[i]!, i);
    if (v != null) acc = norm(acc + v);
  }
  return acc;
}

/** The elements for which pred is true. A null list counts as empty. */
export function filter<T>(xs: Opt<readonly T[]>, pred: Pred<T>): T[] {
  const out: T[] = [];
  if (xs == null) return out;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (pred(x, i) === true) out.push(x);
  }
  return out;
}

/** f applied to every element. A null list counts as empty. */
export function map<T, R>(xs: Opt<readonly T[]>, f: Fn<T, R>): R[] {
  const out: R[] = [];
  if (xs == null) return out;
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]!, i));
  return out;
}

/** The first element (matching pred when given), or null. */
/** The flow name of map (`map` is a statement keyword in flows). */
export const collect = map;

export function first<T>(xs: Opt<readonly T[]>, pred?: Opt<Pred<T>>): T | null {
  if (xs == null) return null;
  if (pred == null) return xs.length > 0 ? (xs[0] ?? null) : null;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (pred(x, i) === true) return x;
  }
  return null;
}

/** True when pred is true for some element (false for a null or empty list). */
export function any<T>(xs: Opt<readonly T[]>, pred: Pred<T>): boolean {
  if (xs == null) return false;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) === true) return true;
  return false;
}

/** True when pred is true for every element (true for a null or empty list). */
export function all<T>(xs: Opt<readonly T[]>, pred: Pred<T>): boolean {
  if (xs == null) return true;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i) !== true) return false;
  return true;
}

/** Elements without repeats, first occurrence kept (primitives by value, objects by identity). */
export function distinct<T>(xs: Opt<readonly T[]>): T[] | null {
  if (xs == null) return null;
  const seen = new Set<T>();
  const out: T[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const k = (x === undefined ? null : x) as T;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

export interface Group<K, T> {
  key: K;
  items: T[];
}

/** Groups elements by keyOf(x) (compared by value), groups and items in first-seen order. */
export function group_by<T, K>(xs: Opt<readonly T[]>, keyOf: Fn<T, K>): Group<K, T>[] | null {
  if (xs == null) return null;
  const byKey = new Map<unknown, Group<K, T>>();
  const out: Group<K, T>[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    let k: unknown = keyOf(x, i);
    if (k === undefined) k = null;
    let g = byKey.get(k);
    if (g === undefined) {
      g = { key: k as K, items: [] };
      byKey.set(k, g);
      out.push(g);
    }
    g.items.push(x);
  }
  return out;
}

function extreme<T>(xs: Opt<readonly T[]>, f: Opt<Fn<T, unknown>>, sign: number): unknown {
  if (xs == null) return null;
  let best: unknown = null;
  for (let i = 0; i < xs.length; i++) {
    const v = f == null ? xs[i] : f(xs[i]!, i);
    if (v == null) continue;
    if (best === null || cmp(v, best)! * sign > 0) best = v;
  }
  return best;
}

/** Smallest f(x) (of the elements when f is omitted), nulls skipped; null when there is none. */
export function min_of<T, R = T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<R>>>): R | null {
  return extreme(xs, f, -1) as R | null;
}

/** Largest f(x) (of the elements when f is omitted), nulls skipped; null when there is none. */
export function max_of<T, R = T>(xs: Opt<readonly T[]>, f?: Opt<Fn<T, Opt<R>>>): R | null {
  return extreme(xs, f, 1) as R | null;
}

/** Element at 0-based position i; null when out of range (negative included). */
export function index<T>(xs: Opt<readonly T[]>, i: Opt<number>): T | null {
  if (xs == null || i == null) return null;
  if (i < 0 || i >= xs.length || !Number.isInteger(i)) return null;
  return xs[i] ?? null;
}
