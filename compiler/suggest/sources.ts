/**
 * The values a suggestion may read: the map's source (and, in a flow, the names declared before the
 * map), walked through entity and object fields to a depth of three. A leaf is a primitive value; a
 * list of entities (order.items) or an entity (order.shipping_address) is a structure that a nested
 * target (lines[], ship_to) can be built from.
 */
import { fieldsOf, typeToString, withNullable, type Field, type Type } from '../schema/types.js';
import { nameWords, textWords } from './tokens.js';
import type { LookupFile } from './lookups.js';

export interface Root {
  /** The name as the expression writes it (`order`, `item`, `ship`). */
  readonly name: string;
  readonly type: Type;
  /** `map source`, `each element`, `let`, `fetch`, `lookup`. */
  readonly role: string;
}

export interface SourceValue {
  /** `order.shipping_address?.city` */
  readonly expr: string;
  /** Field names from the root: `['shipping_address', 'city']`. */
  readonly path: readonly string[];
  readonly root: Root;
  /** The value's type, nullable when any step may be null. */
  readonly type: Type;
  /** The leaf field (undefined when the root itself is the value). */
  readonly field?: Field;
  /** `xcart.Address.city`: the entity field, for the corpus and the samples. */
  readonly key: string;
  readonly words: readonly string[];
  /** Words of the enclosing fields (shipping, address), a weaker name signal. */
  readonly contextWords: readonly string[];
  readonly descWords: readonly string[];
  /** A value through a lookup file whose header names the column it maps to (lookups.ts). */
  readonly lookup?: LookupFile;
}

const MAX_DEPTH = 3;

function ownerName(t: Type): string | undefined {
  return t.kind === 'entity' ? `${t.system}.${t.name}` : undefined;
}

function leafKey(root: Root, owner: string | undefined, path: readonly string[]): string {
  return owner ? `${owner}.${path[path.length - 1]}` : `${root.name}.${path.join('.')}`;
}

/** Walks a root: primitive leaves and structures (lists of entities, entities). */
export function walk(root: Root): { leaves: SourceValue[]; lists: SourceValue[]; objects: SourceValue[] } {
  const leaves: SourceValue[] = [], lists: SourceValue[] = [], objects: SourceValue[] = [];
  const visit = (t: Type, expr: string, path: string[], nullable: boolean, ctx: string[], depth: number, field: Field | undefined, owner: string | undefined): void => {
    const v: SourceValue = {
      expr, path, root, type: withNullable(t, nullable || t.nullable), field,
      key: field ? leafKey(root, owner, path) : root.name,
      words: nameWords(field ? field.name : root.name), contextWords: ctx, descWords: textWords(field?.description),
    };
    if (t.kind === 'prim') { leaves.push(v); return; }
    if (t.kind === 'list') { if (t.element.kind === 'entity' || t.element.kind === 'object') lists.push(v); return; }
    const fs = fieldsOf(t);
    if (!fs) return;
    if (path.length > 0) objects.push(v);
    if (depth >= MAX_DEPTH) return;
    const here = ownerName(t);
    const step = nullable || t.nullable ? '?.' : '.';
    for (const f of fs.values()) {
      // As the checker reads it: a field the schema does not require may be absent, so it is nullable.
      visit(f.type, `${expr}${step}${f.name}`, [...path, f.name], nullable || t.nullable || f.type.nullable || (!f.required && isEntityField(t)),
        field ? [...ctx, ...nameWords(field.name)] : ctx, depth + 1, f, here);
    }
  };
  visit(root.type, root.name, [], false, [], 0, undefined, undefined);
  return { leaves, lists, objects };
}

function isEntityField(t: Type): boolean { return t.kind === 'entity'; }

export function describeType(t: Type): string {
  const base = typeToString(t);
  return t.kind === 'prim' && t.maxLength !== undefined ? `${base} (up to ${t.maxLength})` : base;
}
