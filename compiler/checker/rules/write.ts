/**
 * `write <operation>(...) [when <condition>] [as name]`: a write operation call (rules/step-call.ts),
 * a bool condition, step policies; a conditional write's result may be null. Over the whole flow:
 * a flow that writes nothing (FLOW4002) and an X-Cart event flow writing back to X-Cart (FLOW4007).
 * Fixtures: test/fixtures/check/read-operation-in-write.flow, writes-nothing.flow, trigger-loop.flow
 */
import { Diagnostics } from '../../diagnostics/messages.js';
import { withNullable } from '../../schema/types.js';
import type { Rule } from '../context.js';
import { checkUseBeforeDeclare, declare } from './declarations.js';
import { checkPolicy } from './policy.js';
import { stepCall } from './step-call.js';

export const writeRule: Rule = {
  name: 'write',
  steps: {
    Write(item, ctx) {
      checkUseBeforeDeclare(ctx, item.call);
      if (item.when) { checkUseBeforeDeclare(ctx, item.when); ctx.ec.condition(item.when, ctx.root); }
      const t = stepCall(item.call, 'write', ctx);
      for (const p of item.policies) checkPolicy(p, ctx.report);
      // A conditional write may not happen: its result may be null.
      if (item.as) declare(ctx, item.as, item.when ? withNullable(t, true) : t, 'write', 'Write');
      ctx.writes.push(item);
      ctx.steps.push(item);
    },
  },
  end(ctx) {
    const { flow, trigger, writes, report } = ctx;
    if (writes.length === 0 && flow.items.length > 0) report(Diagnostics.Flow_0_writes_nothing, flow.name.span, [flow.name.text]);
    if (trigger?.kind === 'EventTrigger' && trigger.system.text === 'xcart') {
      const w = writes.find((x) => { const r = ctx.model.resolution.get(x.call); return r?.kind === 'operation' && r.op.system === 'xcart'; });
      if (w) report(Diagnostics.Write_target_system_0_trigger_loop, w.span, ['X-Cart']);
    }
  },
};
