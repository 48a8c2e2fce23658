/**
 * `let` steps: the value's type, or the declared type when it accepts the value (FLOW3014).
 * Fixtures: test/fixtures/check/declared-type-mismatch.flow, unused-steps.flow
 */
import { hintText } from '../../diagnostics/diagnostic.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { assignable, isLoose, nonNull, typeToString } from '../../schema/types.js';
import type { Rule } from '../context.js';
import { checkUseBeforeDeclare, declare } from './declarations.js';
import { resolveTypeRef } from './type-ref.js';

export const letRule: Rule = {
  name: 'let',
  steps: {
    Let(item, ctx) {
      checkUseBeforeDeclare(ctx, item.value);
      let t = ctx.ec.check(item.value, ctx.root);
      if (item.type) {
        const dt = resolveTypeRef(item.type, ctx.schemas, ctx.report);
        if (!isLoose(dt) && !isLoose(t) && (!assignable(nonNull(t), nonNull(dt)) || (t.nullable && !dt.nullable))) {
          ctx.report(Diagnostics.Declared_type_0_does_not_match_1, item.type.span, [typeToString(dt), typeToString(t)],
            t.nullable && !dt.nullable ? { hint: hintText(Hints.Value_may_be_null_declare_0, [typeToString(dt)]) } : {});
        }
        if (!isLoose(dt)) t = dt;
      }
      declare(ctx, item.name, t, 'let', 'Let');
      ctx.steps.push(item);
    },
  },
};
