/**
 * entityTree: an entity's fields nested as its schema nests them (an X-Cart Order's items,
 * addresses, surcharges; a Sage Pro SalesOrder's lines, ship-to), each with its type, nullability,
 * whether it is required, its description, its x-codes, and for Sage Pro its table, column,
 * storage type and width. Built once per entity and schema set (a WeakMap on the schemas), so a
 * tree of 500 fields costs its walk once; a type met again below itself is not expanded again.
 */
import type { SchemaSet } from '../schema/load-schemas.js';
import { typeToString, type Field, type Type } from '../schema/types.js';
import type { DesignContext, EntityNode, EntityTree } from './api.js';

const cache = new WeakMap<SchemaSet, Map<string, EntityTree>>();
const MAX_DEPTH = 8;

export function entityTreeImpl(ctx: DesignContext, entity: string): EntityTree {
  const s = ctx.schemas();
  let byName = cache.get(s);
  if (!byName) { byName = new Map(); cache.set(s, byName); }
  const hit = byName.get(entity);
  if (hit) return hit;
  const e = s.entities.get(entity);
  if (!e) {
    const stem = (entity.split('.').pop() ?? '').toLowerCase().slice(0, 5);
    const near = stem ? [...s.entities.keys()].filter((k) => (k.split('.')[1] ?? '').toLowerCase().startsWith(stem)).slice(0, 5) : [];
    throw new Error(`no entity '${entity}' in the schemas${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
  }
  const tree: EntityTree = { entity, ...(e.description ? { description: e.description } : {}), fields: fieldsOf(e.fields, '', new Set([entity]), 0) };
  byName.set(entity, tree);
  return tree;
}

function elementOf(t: Type): Type { return t.kind === 'list' ? t.element : t; }

function fieldsOf(fields: Map<string, Field>, prefix: string, seen: Set<string>, depth: number): EntityNode[] {
  const out: EntityNode[] = [];
  for (const f of fields.values()) {
    const list = f.type.kind === 'list';
    const path = prefix + f.name;
    const el = elementOf(f.type);
    const codes = el.kind === 'prim' ? el.codes : undefined;
    let children: EntityNode[] | undefined;
    if ((el.kind === 'entity' || el.kind === 'object') && depth < MAX_DEPTH) {
      const id = el.kind === 'entity' ? `${el.system}.${el.name}` : undefined;
      if (!id || !seen.has(id)) {
        const below = new Set(seen); if (id) below.add(id);
        children = fieldsOf(el.fields, `${path}${list ? '[]' : ''}.`, below, depth + 1);
      }
    }
    const st = f.storage;
    out.push({
      path, name: f.name, type: typeToString(f.type), nullable: f.type.nullable, required: f.required, readOnly: f.readOnly, list,
      ...(f.description ? { description: f.description } : {}), ...(codes?.length ? { codes: [...codes] } : {}),
      ...(st && (st.table || st.column || st.type) ? { sagepro: { ...(st.table ? { table: st.table } : {}), ...(st.column ? { column: st.column } : {}), ...(st.type ? { storage: st.type } : {}), ...(st.width !== undefined ? { width: st.width } : {}) } } : {}),
      ...(children ? { children } : {}),
    });
  }
  return out;
}
