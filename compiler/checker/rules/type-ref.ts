/**
 * Type names: the primitives and `system.Entity` (FLOW2011 unknown type, FLOW2005 unknown system,
 * FLOW2002 unknown entity), with `?` and `[]`.
 * Fixtures: test/fixtures/check/unknown-type.flow, unknown-entity.flow, unknown-system.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { SchemaSet } from '../../schema/load-schemas.js';
import { ERROR, listOf, prim, withNullable, type PrimName, type Type } from '../../schema/types.js';
import type { Report } from '../context.js';

export const PRIM_NAMES: readonly PrimName[] = ['string', 'int', 'decimal', 'bool', 'date', 'datetime'];

export function resolveTypeRef(ref: A.TypeRef, schemas: SchemaSet, report: Report): Type {
  const parts = ref.parts.map((p) => p.text);
  if (parts.length === 0) return ERROR;
  let base: Type | undefined;
  if (parts.length === 1) {
    if ((PRIM_NAMES as readonly string[]).includes(parts[0]!)) base = prim(parts[0] as PrimName);
    else { report(Diagnostics.Unknown_type_0, ref.span, [parts.join('.')], { hint: didYouMean(parts[0]!, PRIM_NAMES) }); return ERROR; }
  } else {
    const [system, ...rest] = parts;
    if (system !== 'xcart' && system !== 'sagepro') { report(Diagnostics.Unknown_system_0, ref.parts[0]!.span, [system!], { hint: didYouMean(system!, ['xcart', 'sagepro']) }); return ERROR; }
    base = schemas.entities.get(parts.join('.'));
    if (!base) {
      const names = [...schemas.entities.values()].filter((e) => e.system === system).map((e) => e.name);
      report(Diagnostics.Unknown_entity_0_in_1, ref.span, [rest.join('.'), system === 'xcart' ? 'X-Cart' : 'Sage Pro'], { hint: didYouMean(rest.join('.'), names) });
      return ERROR;
    }
  }
  return ref.list ? listOf(base, ref.nullable) : withNullable(base, ref.nullable);
}
