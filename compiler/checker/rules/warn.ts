/**
 * `warn <message> [when <condition>]`: a run-log warning (FlowContext.warn). The message must be a
 * string that is never null (FLOW3009, its own catalog entry), the condition a bool (FLOW3009); both may use only the
 * names declared before the statement (FLOW4005). A `warn` is a statement of the flow body, never a
 * member of a `map` object or an `each` body: one warning per run names every line it is about
 * (`join(...)` over the lines), and maps stay pure.
 * Fixtures: test/fixtures/check/warn-message-type.flow
 */
import { Diagnostics } from '../../diagnostics/messages.js';
import { isLoose, STRING, typeToString } from '../../schema/types.js';
import type { Rule } from '../context.js';
import { checkUseBeforeDeclare } from './declarations.js';

export const warnRule: Rule = {
  name: 'warn',
  steps: {
    Warn(item, ctx) {
      checkUseBeforeDeclare(ctx, item.message);
      const t = ctx.ec.check(item.message, ctx.root);
      // A message that may be null would log nothing useful: a nullable string needs a default (`?? ""`).
      if (ctx.ec.expectType(item.message, t, STRING, Diagnostics.Warning_message_must_be_string_found_0) && !isLoose(t) && t.nullable) {
        ctx.report(Diagnostics.Warning_message_must_be_string_found_0, item.message.span, [typeToString(t)]);
      }
      if (item.when) { checkUseBeforeDeclare(ctx, item.when); ctx.ec.condition(item.when, ctx.root); }
      ctx.steps.push(item);
    },
  },
};
