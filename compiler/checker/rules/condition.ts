/**
 * `require <condition> else <reason>` and `skip when <condition>`: a bool condition (FLOW3009), a
 * string reason (FLOW3009), and null narrowing: the names a step proves non-null are non-null in
 * the steps after it (the generated code narrows the same way).
 * Fixtures: test/fixtures/check/expected-found.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { STRING, nonNull } from '../../schema/types.js';
import type { CheckContext, Rule } from '../context.js';
import type { Scope } from '../scope.js';
import { checkUseBeforeDeclare } from './declarations.js';

/**
 * Names a step proves non-null for the steps after it: `skip when x == null [|| y == null]` and
 * `require x != null [&& y != null] else ...`. The generated code narrows the same way (TypeScript
 * follows the early return / the `never` of reject).
 */
export function narrowedNames(step: A.SkipWhen | A.Require): string[] {
  const out: string[] = [];
  const want = step.kind === 'SkipWhen' ? { join: '||', test: '==' } : { join: '&&', test: '!=' };
  const visit = (e: A.Expr): void => {
    if (e.kind === 'Binary' && e.op === want.join) { visit(e.left); visit(e.right); return; }
    if (e.kind === 'Binary' && e.op === want.test) {
      if (e.left.kind === 'Ident' && e.right.kind === 'NullLit') out.push(e.left.name);
      else if (e.right.kind === 'Ident' && e.left.kind === 'NullLit') out.push(e.right.name);
    }
  };
  visit(step.condition);
  return out;
}

function narrow(names: string[], scope: Scope): void {
  for (const n of names) { const b = scope.lookup(n); if (b && b.decl !== 'event') b.type = nonNull(b.type); }
}

function checkGuard(item: A.Require | A.SkipWhen, ctx: CheckContext): void {
  checkUseBeforeDeclare(ctx, item.condition);
  ctx.ec.condition(item.condition, ctx.root);
  if (item.kind === 'Require') ctx.ec.expectType(item.reason, ctx.ec.check(item.reason, ctx.root), STRING, Diagnostics.Reason_must_be_string_found_0);
  narrow(narrowedNames(item), ctx.root);
  ctx.steps.push(item);
}

export const conditionRule: Rule = { name: 'condition', steps: { Require: checkGuard, SkipWhen: checkGuard } };
