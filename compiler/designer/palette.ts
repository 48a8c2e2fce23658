/**
 * palette: what the designer offers to add: the operations of both catalogs
 * (mappings/schemas/<system>/operations.yaml) with their typed parameters, read or write; the
 * lookup files of lookups/ with a suggested table name and key / value types; the entity types; the
 * error classes a policy may name.
 */
import fs from 'node:fs';
import { ERROR_CLASSES } from '../schema/load-schemas.js';
import { typeToString } from '../schema/types.js';
import type { DesignContext, Palette, PaletteLookup, PaletteOperation } from './api.js';
import { lookupTypes } from './edit-steps.js';
import { EditRefused } from './refused.js';

export function paletteImpl(ctx: DesignContext): Palette {
  const s = ctx.schemas();
  const operations: PaletteOperation[] = [...s.operations.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, op]) => ({
    id, system: op.system, name: op.name, kind: op.kind,
    params: op.params.map((p) => ({ name: p.name, type: typeToString(p.type), nullable: p.type.nullable })),
    ...(op.returns ? { returns: typeToString(op.returns) } : {}), idempotent: op.idempotent, errors: [...op.errors],
    ...(op.description ? { description: op.description } : {}),
  }));
  const files = fs.existsSync(ctx.lookupsDir) ? fs.readdirSync(ctx.lookupsDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  const lookups: PaletteLookup[] = files.map((file) => {
    const name = file.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1');
    try {
      const t = lookupTypes(ctx, file);
      return { file, name, entries: t.entries, keyType: t.key, valueType: t.value };
    } catch (e) {
      return { file, name, entries: 0, keyType: 'string', valueType: 'string', problem: e instanceof EditRefused ? e.message : String(e) };
    }
  });
  const entities = [...s.entities.keys()].filter((k) => !k.split('.').slice(1).join('.').includes('.')).sort();
  return { operations, lookups, entities, errorClasses: [...ERROR_CLASSES] };
}
