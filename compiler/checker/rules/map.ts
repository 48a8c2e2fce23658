/**
 * `map name[: source ->] Entity { ... }`: the type is an entity (FLOW3009), the source a known name
 * (FLOW2001), the body an object checked against the entity (expr/objects.ts: FLOW3001, 2007,
 * 3002-3005, 3019), and the flow-level names the body reads recorded as the map function's inputs.
 * Fixtures: test/fixtures/check/map-not-entity.flow, required-field-missing.flow, unknown-field.flow,
 * duplicate-assignment.flow, computed-field-write.flow, fixed-width-column.flow, unused-steps.flow
 */
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { isLoose, nonNull, typeToString } from '../../schema/types.js';
import type { Rule } from '../context.js';
import { checkUseBeforeDeclare, declare } from './declarations.js';
import { resolveTypeRef } from './type-ref.js';

export const mapRule: Rule = {
  name: 'map',
  steps: {
    MapDecl(item, ctx) {
      const { ec, root, report } = ctx;
      checkUseBeforeDeclare(ctx, item.body);
      const target = resolveTypeRef(item.type, ctx.schemas, report);
      if (item.source) {
        const b = root.lookup(item.source.text);
        if (!b) report(Diagnostics.Unknown_name_0, item.source.span, [item.source.text], { hint: didYouMean(item.source.text, root.allNames()) });
        else b.used = true;
      }
      if (!isLoose(target) && target.kind !== 'entity') report(Diagnostics.Map_type_must_be_entity_found_0, item.type.span, [typeToString(target)]);
      const t = ec.withInputs((inputs) => { ctx.model.mapInputs.set(item, inputs); }, () => ec.check(item.body, root, target.kind === 'entity' ? target : undefined));
      declare(ctx, item.name, target.kind === 'entity' ? nonNull(target) : t, 'map', 'MapDecl');
      ctx.steps.push(item);
    },
  },
};
