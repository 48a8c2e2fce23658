/**
 * `idempotency <key> [keep D]`: a string or int key (FLOW4006), keep above zero (FLOW1012), one per
 * flow (FLOW2006 with a FLOW9004 note); and the FLOW4001 rule: a non-idempotent write that is retried
 * on transient errors needs one.
 * Fixtures: test/fixtures/check/idempotency-key-type.flow, retried-coupon-without-key.flow, duplicate-declaration.flow
 */
import { createRelated, hintText } from '../../diagnostics/diagnostic.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { isLoose, typeToString } from '../../schema/types.js';
import type { Rule } from '../context.js';
import { checkUseBeforeDeclare } from './declarations.js';
import { retriesTransient } from './policy.js';

export const idempotencyRule: Rule = {
  name: 'idempotency',
  steps: {
    Idempotency(item, ctx) {
      checkUseBeforeDeclare(ctx, item.key);
      const t = ctx.ec.check(item.key, ctx.root);
      if (!isLoose(t) && !(t.kind === 'prim' && (t.name === 'string' || t.name === 'int'))) ctx.report(Diagnostics.Idempotency_key_must_be_string, item.key.span, [typeToString(t)]);
      if (item.keep && item.keep.ms <= 0) ctx.report(Diagnostics.Duration_0_is_zero, item.keep.span, [item.keep.text]);
      if (ctx.idempotency) ctx.report(Diagnostics._0_is_declared_more_than_once, item.span, ['idempotency'], { related: [createRelated(Diagnostics._0_was_first_declared_here, ctx.idempotency.span, ['idempotency'])] });
      ctx.idempotency = item;
      ctx.steps.push(item);
    },
  },
  // FLOW4001: a non-idempotent write that is retried needs an idempotency key.
  end(ctx) {
    for (const w of ctx.writes) {
      const r = ctx.model.resolution.get(w.call);
      if (!r || r.kind !== 'operation' || r.op.idempotent || ctx.idempotency) continue;
      if (retriesTransient(w.policies, ctx.policies)) {
        ctx.report(Diagnostics.Retried_non_idempotent_write_0_without_key, w.call.span, [`${r.op.system}.${r.op.name}`],
          { hint: hintText(Hints.Add_idempotency_key) });
      }
    }
  },
};
