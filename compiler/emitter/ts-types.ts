/**
 * Checker types → TypeScript type text, and entity interfaces (`entities.ts`) from the schemas.
 * Nullable values are `N<T>` (T | null | undefined): JSON from the stores has both absent and null.
 */
import type { SchemaSet } from '../schema/load-schemas.js';
import { withNullable, type EntityType, type Type } from '../schema/types.js';

export function entityTypeName(e: Pick<EntityType, 'system' | 'name'>): string {
  const sys = e.system === 'xcart' ? 'Xcart' : 'Sagepro';
  return sys + e.name.split('.').map((p) => p[0]!.toUpperCase() + p.slice(1)).join('_');
}

export function tsType(t: Type, entityPrefix = 'E.'): string {
  const wrap = (s: string) => (t.nullable && t.kind !== 'null' ? `N<${s}>` : s);
  switch (t.kind) {
    case 'prim':
      return wrap(t.name === 'int' || t.name === 'decimal' || t.name === 'duration' ? 'number' : t.name === 'bool' ? 'boolean' : 'string');
    case 'entity': return wrap(entityPrefix + entityTypeName(t));
    case 'list': { const inner = tsType(t.element, entityPrefix); return wrap(`${inner.includes(' ') || inner.includes('<') ? `Array<${inner}>` : inner + '[]'}`); }
    case 'object': return wrap(`{ ${[...t.fields.values()].map((f) => `${JSON.stringify(f.name)}: ${tsType(f.type, entityPrefix)}`).join('; ')} }`);
    case 'null': return 'null';
    default: return 'any';
  }
}

/** `entities.ts`: one interface per entity, in a stable order. */
export function emitEntities(schemas: SchemaSet, banner: string): string {
  const out: string[] = [banner, '', '/** A value that may be absent (undefined) or null. */', 'export type N<T> = T | null | undefined;', ''];
  const names = [...schemas.entities.keys()].sort();
  for (const key of names) {
    const e = schemas.entities.get(key)!;
    if (e.description) out.push(`/** ${e.system}.${e.name}: ${e.description.replace(/\*\//g, '* /').replace(/\s+/g, ' ').slice(0, 200)} */`);
    out.push(`export interface ${entityTypeName(e)} {`);
    for (const f of e.fields.values()) {
      const optional = !f.required || f.readOnly ? '?' : '';
      // Nullness is the flow checker's business (FLOW3004); TypeScript checks shapes and required keys.
      out.push(`  ${JSON.stringify(f.name)}${optional}: ${tsType(withNullable(f.type, true), '')};`);
    }
    out.push('  [extra: string]: unknown;');
    out.push('}', '');
  }
  return out.join('\n');
}
