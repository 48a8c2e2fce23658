/**
 * The checker's types. Entity types come from the JSON Schemas (schema-to-type); primitive types
 * from literals, builtins and declarations. `error` is compatible with everything so that one
 * unresolved name yields one diagnostic, not a cascade.
 */
import type { Span } from '../../grammar/span.js';

export type PrimName = 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'datetime' | 'duration';

/** Sage Pro storage facts from a field's `x-sagepro` extension. */
export interface SageStorage {
  readonly table?: string;
  readonly column?: string;
  /** The VFP storage type as written: `C(10)`, `N(12,2)`, `D`, ... */
  readonly type?: string;
  /** Width of a C(n) column. */
  readonly width?: number;
  readonly justify?: 'left' | 'right';
  readonly computed?: string;
  /** `TABLE.COLUMN` whose rows the value must exist in (`references: ARCUST.CUSTNO`). */
  readonly references?: string;
}

export interface Field {
  readonly name: string;
  readonly type: Type;
  readonly required: boolean;
  readonly readOnly: boolean;
  readonly description?: string;
  readonly storage?: SageStorage;
  /** Where the field is declared (a schema file). */
  readonly span?: Span;
}

export interface EntityType {
  readonly kind: 'entity';
  readonly system: 'xcart' | 'sagepro';
  /** `Order`, or `SalesOrder.Line` for a `$defs` entry. */
  readonly name: string;
  readonly fields: Map<string, Field>;
  readonly description?: string;
  readonly span?: Span;
  readonly nullable: boolean;
}

export type Type =
  | { readonly kind: 'prim'; readonly name: PrimName; readonly nullable: boolean; readonly maxLength?: number; readonly codes?: readonly string[] }
  | EntityType
  | { readonly kind: 'list'; readonly element: Type; readonly nullable: boolean }
  /** Anonymous object: object literals, `split_street(...)`, group_by groups. */
  | { readonly kind: 'object'; readonly fields: Map<string, Field>; readonly nullable: boolean }
  | { readonly kind: 'lambda'; readonly param: Type; readonly result: Type; readonly nullable: false }
  /** Untyped JSON (event payload fields): anything goes, checked at run time. */
  | { readonly kind: 'any'; readonly nullable: boolean }
  | { readonly kind: 'null'; readonly nullable: true }
  | { readonly kind: 'never'; readonly nullable: false }
  | { readonly kind: 'error'; readonly nullable: false };

export const ERROR: Type = { kind: 'error', nullable: false };
export const NEVER: Type = { kind: 'never', nullable: false };
export const NULL: Type = { kind: 'null', nullable: true };
export const ANY: Type = { kind: 'any', nullable: true };

const prims = new Map<string, Type>();
export function prim(name: PrimName, nullable = false): Type {
  const key = name + (nullable ? '?' : '');
  let t = prims.get(key);
  if (!t) { t = { kind: 'prim', name, nullable }; prims.set(key, t); }
  return t;
}
export const STRING = prim('string'), INT = prim('int'), DECIMAL = prim('decimal'), BOOL = prim('bool');
export const DATE = prim('date'), DATETIME = prim('datetime'), DURATION = prim('duration');

export function listOf(element: Type, nullable = false): Type { return { kind: 'list', element, nullable }; }

export function withNullable(t: Type, nullable: boolean): Type {
  if (t.kind === 'error' || t.kind === 'never' || t.kind === 'null' || t.kind === 'lambda') return t;
  if (t.nullable === nullable) return t;
  return { ...t, nullable } as Type;
}
export const nonNull = (t: Type): Type => withNullable(t, false);

export function isNumeric(t: Type): boolean { return t.kind === 'prim' && (t.name === 'int' || t.name === 'decimal'); }
export function isPrim(t: Type, name: PrimName): boolean { return t.kind === 'prim' && t.name === name; }
export function isLoose(t: Type): boolean { return t.kind === 'error' || t.kind === 'any' || t.kind === 'never'; }

export function typeToString(t: Type): string {
  const q = t.nullable && t.kind !== 'null' ? '?' : '';
  switch (t.kind) {
    case 'prim': return t.name + q;
    case 'entity': return `${t.system}.${t.name}${q}`;
    case 'list': return `${typeToString(t.element)}[]${q}`;
    case 'object': return `{ ${[...t.fields.values()].map((f) => `${f.name}: ${typeToString(f.type)}`).join(', ')} }${q}`;
    case 'lambda': return `(${typeToString(t.param)}) => ${typeToString(t.result)}`;
    case 'any': return 'any';
    case 'null': return 'null';
    case 'never': return 'never';
    case 'error': return 'unknown';
  }
}

/** Fields of an entity or object type (undefined for other types). */
export function fieldsOf(t: Type): Map<string, Field> | undefined {
  return t.kind === 'entity' || t.kind === 'object' ? t.fields : undefined;
}

/**
 * Can a value of type `from` go where `to` is expected? Nullability is checked separately (3004),
 * so this compares the non-null shapes. int widens to decimal; date widens to datetime is NOT allowed
 * (a conversion must be explicit).
 */
export function assignable(from: Type, to: Type): boolean {
  if (isLoose(from) || isLoose(to)) return true;
  if (from.kind === 'null') return true;
  if (to.kind === 'prim' && from.kind === 'prim') {
    if (from.name === to.name) return true;
    return from.name === 'int' && to.name === 'decimal';
  }
  if (to.kind === 'entity' && from.kind === 'entity') return to.system === from.system && to.name === from.name;
  if (to.kind === 'entity' && from.kind === 'object') return true; // checked field by field where it is built
  if (to.kind === 'object' && (from.kind === 'object' || from.kind === 'entity')) return true;
  if (to.kind === 'list' && from.kind === 'list') return assignable(from.element, to.element);
  return false;
}

/** The common type of two branches (if/match/??), or undefined when they do not meet. */
export function unify(a: Type, b: Type): Type | undefined {
  if (a.kind === 'never' || a.kind === 'error') return b.kind === 'error' ? a : b;
  if (b.kind === 'never' || b.kind === 'error') return a;
  if (a.kind === 'null') return withNullable(b, true);
  if (b.kind === 'null') return withNullable(a, true);
  const nullable = a.nullable || b.nullable;
  if (a.kind === 'any' || b.kind === 'any') return withNullable(a.kind === 'any' ? b : a, nullable);
  if (a.kind === 'prim' && b.kind === 'prim') {
    if (a.name === b.name) {
      const maxLength = a.maxLength !== undefined && b.maxLength !== undefined ? Math.max(a.maxLength, b.maxLength) : undefined;
      return { kind: 'prim', name: a.name, nullable, ...(maxLength !== undefined ? { maxLength } : {}) };
    }
    if (isNumeric(a) && isNumeric(b)) return prim('decimal', nullable);
    return undefined;
  }
  if (assignable(a, b)) return withNullable(b, nullable);
  if (assignable(b, a)) return withNullable(a, nullable);
  return undefined;
}
