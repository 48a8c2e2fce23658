/**
 * `hold when anomaly`: a flow-level clause, like the flow's error policies: when the runtime's
 * anomaly detector (runtime/anomaly/) flags a write of a run, the run is held for a person instead
 * of writing. At most one per flow (FLOW2006 with a FLOW9004 note on the first). The emitter records
 * it as `meta.holdOnAnomaly: { site }` (runtime/contract.ts FlowMeta).
 * Fixtures: test/fixtures/check/duplicate-hold-when-anomaly.flow
 */
import { createRelated } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import type { Rule } from '../context.js';

const CLAUSE = 'hold when anomaly';

export const holdRule: Rule = {
  name: 'hold',
  steps: {
    HoldWhenAnomaly(item, ctx) {
      if (ctx.holdOnAnomaly) {
        ctx.report(Diagnostics._0_is_declared_more_than_once, item.span, [CLAUSE], { related: [createRelated(Diagnostics._0_was_first_declared_here, ctx.holdOnAnomaly.span, [CLAUSE])] });
        return;
      }
      ctx.holdOnAnomaly = item;
    },
  },
};
