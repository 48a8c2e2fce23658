/**
 * What a write's arguments tell the profile: each numeric field's value, each array's length, the
 * total of an array of lines (Σ quantity × price), and whether each field is filled. Paths name
 * fields as the flow's operation receives them: `order.lines[].quantity`, `order.ship_to.city`.
 *
 * Identifiers, numbers and dates are not values (an order number grows, a product id is any id):
 * a numeric field whose name says it is one (`id`, `product_id`, `number`, `zip`, `date` ...) is
 * observed for fill only.
 */
import { binOf } from './histogram.js';

export type MetricKind = 'value' | 'count' | 'total' | 'fill';

/** One observation: the metric (`<kind>|<system.operation>|<path>`), its bin, and the value (for messages). */
export interface Observation {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly path: string;
  readonly bin: number;
  /** The number observed (value, count, total), or for fill: 1 filled, 0 empty. */
  readonly value: number;
}

const KIND_TAG: Record<MetricKind, string> = { value: 'v', count: 'n', total: 't', fill: 'f' };
const TAG_KIND: Record<string, MetricKind> = { v: 'value', n: 'count', t: 'total', f: 'fill' };

export function metricName(kind: MetricKind, op: string, path: string): string {
  return `${KIND_TAG[kind]}|${op}|${path}`;
}

export function parseMetric(metric: string): { kind: MetricKind; op: string; path: string } | undefined {
  const m = /^([vntf])\|([^|]+)\|(.*)$/.exec(metric);
  return m ? { kind: TAG_KIND[m[1]!]!, op: m[2]!, path: m[3]! } : undefined;
}

/** A field name that says it holds an identifier, a number or a date, not a quantity. */
const NOT_A_VALUE = /(^|_)(id|ids|no|num|number|key|ref|code|phone|zip|zipcode|postcode|year|month|day)$|Id$|date|time|_at$/i;
/** Elements of one array observed at most (a run with more is sampled by its first ones). */
const MAX_ELEMENTS = 1000;
/** Depth of nesting walked. */
const MAX_DEPTH = 6;

export function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/**
 * The observations of one write. `knownChildren(path)` gives the field names the profile has
 * seen filled under an object path ('' is the arguments themselves), so that a field that is
 * missing altogether is observed as empty.
 */
export function observeWrite(op: string, args: unknown, knownChildren: (path: string) => Iterable<string> = () => []): Observation[] {
  const out: Observation[] = [];
  const fill = (path: string, filled: boolean) => out.push({ metric: metricName('fill', op, path), kind: 'fill', path, bin: filled ? 1 : 0, value: filled ? 1 : 0 });
  const num = (kind: MetricKind, path: string, x: number) => out.push({ metric: metricName(kind, op, path), kind, path, bin: binOf(x), value: x });

  const walkObject = (obj: Record<string, unknown>, path: string, depth: number) => {
    for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k, k, depth + 1);
    for (const k of knownChildren(path)) if (!(k in obj)) fill(path ? `${path}.${k}` : k, false);
  };
  const walk = (v: unknown, path: string, name: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    fill(path, !isEmpty(v));
    if (typeof v === 'number') {
      if (Number.isFinite(v) && !NOT_A_VALUE.test(name)) num('value', path, v);
    } else if (Array.isArray(v)) {
      num('count', path, v.length);
      let sum = 0;
      let priced = 0;
      for (const el of v.slice(0, MAX_ELEMENTS)) {
        if (el && typeof el === 'object' && !Array.isArray(el)) {
          const e = el as Record<string, unknown>;
          const q = e.quantity ?? e.qty;
          const p = e.price ?? e.unit_price;
          if (typeof q === 'number' && typeof p === 'number') { sum += q * p; priced++; }
          walkObject(e, `${path}[]`, depth);
        } else walk(el, `${path}[]`, name, depth + 1);
      }
      if (priced > 0) num('total', path, Math.round(sum * 100) / 100);
    } else if (v && typeof v === 'object') {
      walkObject(v as Record<string, unknown>, path, depth);
    }
  };
  if (args && typeof args === 'object' && !Array.isArray(args)) walkObject(args as Record<string, unknown>, '', 0);
  return out;
}
