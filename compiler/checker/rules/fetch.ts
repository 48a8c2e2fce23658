/**
 * `fetch` and `lookup` steps: a read operation call (rules/step-call.ts), an optional declared type
 * that must accept the result (FLOW3014), step policies (rules/policy.ts), and the step's name.
 * Fixtures: test/fixtures/check/declared-type-mismatch.flow, not-an-operation-call.flow, unused-steps.flow
 */
import type * as A from '../../../grammar/ast.js';
import { hintText } from '../../diagnostics/diagnostic.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { assignable, isLoose, nonNull, typeToString } from '../../schema/types.js';
import type { CheckContext, Rule } from '../context.js';
import { checkUseBeforeDeclare, declare } from './declarations.js';
import { checkPolicy } from './policy.js';
import { stepCall } from './step-call.js';
import { resolveTypeRef } from './type-ref.js';

function checkRead(item: A.Fetch | A.Lookup, ctx: CheckContext): void {
  checkUseBeforeDeclare(ctx, item.value);
  const t = stepCall(item.value, 'read', ctx);
  let type = t;
  if (item.type) {
    const declaredType = resolveTypeRef(item.type, ctx.schemas, ctx.report);
    if (!isLoose(declaredType) && !isLoose(t) && (!assignable(nonNull(t), nonNull(declaredType)) || (t.nullable && !declaredType.nullable))) {
      ctx.report(Diagnostics.Declared_type_0_does_not_match_1, item.type.span, [typeToString(declaredType), typeToString(t)],
        t.nullable && !declaredType.nullable ? { hint: hintText(Hints.Operation_may_return_null_declare_0, [typeToString(declaredType)]) } : {});
    }
    if (!isLoose(declaredType)) type = declaredType;
  }
  for (const p of item.policies) checkPolicy(p, ctx.report);
  declare(ctx, item.name, type, item.kind === 'Fetch' ? 'fetch' : 'lookup', item.kind);
  ctx.steps.push(item);
}

export const fetchRule: Rule = { name: 'fetch', steps: { Fetch: checkRead, Lookup: checkRead } };
