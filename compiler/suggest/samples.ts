/**
 * `--samples FILE`: real records of both systems, a JSON or YAML object whose keys name what each
 * value holds and whose values are a record or a list of records:
 *   xcart.Order: [ {...an order as the X-Cart connector returns it (the fixtures' form)...} ]
 *   sagepro.SalesOrder: [ { customer: DOEJA1, ... } ]       # by field name
 *   SOMAST: [ { SONO: "  100", CUSTNO: DOEJA1, ... } ]     # a Sage Pro table's rows, by column
 * Nested records count for their own entity (an order's items are xcart.OrderItem samples, its
 * shipping_address an xcart.Address sample). Values are compared by shape and by overlap.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { fieldsOf, type EntityType, type Type } from '../schema/types.js';
import type { SchemaSet } from '../schema/load-schemas.js';

/** Values per entity field: `xcart.Address.city` → ['New York', ...]. */
export type SampleValues = ReadonlyMap<string, readonly unknown[]>;

export class SamplesError extends Error {}

export function readSamplesFile(file: string, schemas: SchemaSet): SampleValues {
  let doc: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    doc = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new SamplesError(`${file}: cannot read the samples: ${(e as Error).message}`);
  }
  return collectSamples(doc, schemas, file);
}

export function collectSamples(doc: unknown, schemas: SchemaSet, file = 'samples'): SampleValues {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new SamplesError(`${file}: expected an object whose keys are entities (xcart.Order) or Sage Pro tables (SOMAST)`);
  const out = new Map<string, unknown[]>();
  const add = (key: string, v: unknown) => { if (v === undefined) return; let a = out.get(key); if (!a) out.set(key, a = []); a.push(v); };
  const visit = (t: Type, v: unknown): void => {
    if (v === null || v === undefined) return;
    if (t.kind === 'list') { if (Array.isArray(v)) for (const x of v) visit(t.element, x); return; }
    if (t.kind !== 'entity' || typeof v !== 'object' || Array.isArray(v)) return;
    const rec = v as Record<string, unknown>;
    for (const f of t.fields.values()) {
      const x = rec[f.name] ?? (f.storage?.column ? rec[f.storage.column] : undefined);
      if (x === undefined) continue;
      if (f.type.kind === 'prim') add(`${t.system}.${t.name}.${f.name}`, x);
      else visit(f.type, x);
    }
  };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const records = Array.isArray(value) ? value : [value];
    const entity = schemas.entities.get(key);
    if (entity) { for (const r of records) visit(entity, r); continue; }
    if (/^[A-Z][A-Z0-9_]*$/.test(key)) {
      const byTable = [...schemas.entities.values()].filter((e) => e.system === 'sagepro' && [...e.fields.values()].some((f) => f.storage?.table === key));
      if (byTable.length === 0) throw new SamplesError(`${file}: '${key}' is neither an entity nor a Sage Pro table of the schemas`);
      for (const e of byTable) for (const r of records) visitTable(e, key, r, add);
      continue;
    }
    throw new SamplesError(`${file}: '${key}' is neither an entity (such as xcart.Order) nor a Sage Pro table (such as SOMAST)`);
  }
  return out;
}

function visitTable(e: EntityType, table: string, row: unknown, add: (k: string, v: unknown) => void): void {
  if (!row || typeof row !== 'object') return;
  const rec = row as Record<string, unknown>;
  const upper = new Map(Object.entries(rec).map(([k, v]) => [k.toUpperCase(), v]));
  for (const f of fieldsOf(e)!.values()) {
    if (f.storage?.table !== table || !f.storage.column) continue;
    const v = upper.get(f.storage.column.toUpperCase());
    if (v !== undefined) add(`${e.system}.${e.name}.${f.name}`, v);
  }
}

/** A value's shape: what kind of text or number it is. */
export function shapeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'decimal';
  const s = String(v).trim();
  if (s === '') return 'blank';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return 'date';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return 'datetime';
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)) return 'email';
  if (/^[+-]?\d+$/.test(s)) return s.length >= 7 ? 'digits' : 'int';
  if (/^[+-]?\d*\.\d+$/.test(s)) return 'decimal';
  if (/^[+(]?[\d][\d\s().-]{6,}$/.test(s)) return 'phone';
  if (/^[A-Z0-9][A-Z0-9_.-]{0,19}$/.test(s)) return 'code';
  return /\s/.test(s) ? 'text' : 'word';
}

/** The forms a value may take in the other system (trimmed upper text, a datetime's date, a number's text). */
function forms(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'number') return [String(Math.round(v * 1e6) / 1e6)];
  const s = String(v).trim().toUpperCase();
  if (s === '') return [];
  const out = [s];
  const dt = /^(\d{4}-\d{2}-\d{2})T/.exec(s);
  if (dt) out.push(dt[1]!);
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) out.push(String(Number(s)));
  return out;
}

export interface SampleMatch { readonly score: number; readonly reason: string }

/** How well the source's sample values match the target's: overlap first, shape else. */
export function compareSamples(source: readonly unknown[] | undefined, target: readonly unknown[] | undefined): SampleMatch | undefined {
  if (!source?.length || !target?.length) return undefined;
  const have = new Set(source.flatMap(forms));
  const prefixes = [...have];
  const distinct = [...new Set(target.map((v) => forms(v)[0]).filter((x): x is string => x !== undefined))];
  let equal = 0;
  for (const t of distinct) if (have.has(t) || (t.length >= 4 && prefixes.some((p) => p.startsWith(t)))) equal++;
  const overlap = distinct.length ? equal / distinct.length : 0;
  const bag = (vs: readonly unknown[]) => { const m = new Map<string, number>(); for (const v of vs) { const s = shapeOf(v); if (s !== 'null' && s !== 'blank') m.set(s, (m.get(s) ?? 0) + 1 / vs.length); } return m; };
  const a = bag(source), b = bag(target);
  let shape = 0;
  for (const [k, x] of a) shape += Math.min(x, b.get(k) ?? 0);
  if (overlap > 0) return { score: Math.max(overlap, 0.6 * shape), reason: `samples: ${equal} of ${distinct.length} target value${distinct.length === 1 ? '' : 's'} found in the source (${distinct.slice(0, 2).join(', ')})` };
  return { score: 0.6 * shape, reason: shape > 0.5 ? `samples: values of the same shape (${[...b.keys()].join(', ')}), none equal` : 'samples: values of another shape' };
}
