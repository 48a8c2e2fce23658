/**
 * Error policies, of the flow and of a step: known error classes (FLOW2009), actions (FLOW2012) and
 * backoffs (FLOW2013), retry counts 1 to 100 (FLOW4003), budgets above zero (FLOW1012), backoff
 * ranges that are not inverted (FLOW4004); and the 10-minute rule (FLOW4008) for a write retried by a
 * stated policy (retry-budget.ts computes budgets as the runtime applies them).
 * Fixtures: test/fixtures/check/unknown-error-class.flow, unknown-policy-action.flow, unknown-backoff.flow,
 * retry-count-range.flow, backoff-range-inverted.flow, retry-budget-too-short.flow, zero-duration.flow
 */
import type * as A from '../../../grammar/ast.js';
import { hintText } from '../../diagnostics/diagnostic.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { ERROR_CLASSES } from '../../schema/load-schemas.js';
import type { Report, Rule } from '../context.js';
import { DEFAULT_TRANSIENT_RETRY } from '../model.js';
import { durationText, MIN_RETRY_BUDGET_MS, resolveRetry, retryBudgetMs, transientPolicy } from '../retry-budget.js';

const POLICY_CLASSES = [...ERROR_CLASSES, 'error'];
const POLICY_ACTIONS = ['dead_letter', 'skip', 'fail'];
const BACKOFFS = ['exponential', 'linear', 'fixed'];

export function checkPolicy(p: A.Policy, report: Report): void {
  if (p.span === undefined || (p as unknown as A.Missing).kind === 'Missing') return;
  if (!POLICY_CLASSES.includes(p.errorClass.text)) report(Diagnostics.Unknown_error_class_0, p.errorClass.span, [p.errorClass.text, POLICY_CLASSES.join(', ')], { hint: didYouMean(p.errorClass.text, POLICY_CLASSES) });
  if (p.then && !POLICY_ACTIONS.includes(p.then.text)) report(Diagnostics.Unknown_policy_action_0, p.then.span, [p.then.text], { hint: didYouMean(p.then.text, POLICY_ACTIONS) });
  if (p.retry) {
    if (p.retry.max !== undefined && !(p.retry.max >= 1 && p.retry.max <= 100)) report(Diagnostics.Retry_count_0_out_of_range, p.retry.span, [p.retry.max]);
    if (p.retry.budget && p.retry.budget.ms <= 0 && p.retry.budget.text) report(Diagnostics.Duration_0_is_zero, p.retry.budget.span, [p.retry.budget.text]);
    if (p.retry.backoff && !BACKOFFS.includes(p.retry.backoff.text)) report(Diagnostics.Unknown_backoff_0, p.retry.backoff.span, [p.retry.backoff.text], { hint: didYouMean(p.retry.backoff.text, BACKOFFS) });
    if (p.retry.initial && p.retry.max_ && p.retry.initial.ms > p.retry.max_.ms) report(Diagnostics.Backoff_range_0_1_inverted, p.retry.max_.span, [p.retry.initial.text, p.retry.max_.text]);
  }
}

/** Whether a write with these step policies is retried on transient errors (the flow's, else the default). */
export function retriesTransient(stepPolicies: readonly A.Policy[], flowPolicies: readonly A.Policy[]): boolean {
  const p = transientPolicy(stepPolicies, flowPolicies);
  if (!p) return DEFAULT_TRANSIENT_RETRY.max > 0;
  return !!p.retry && (p.retry.budget !== undefined || (p.retry.max ?? 0) > 0);
}

export const policyRule: Rule = {
  name: 'policy',
  steps: { Policy(item, ctx) { checkPolicy(item, ctx.report); ctx.policies.push(item); } },
  // FLOW4008: a write retried by a stated policy whose whole budget is shorter than an ordinary outage.
  end(ctx) {
    for (const w of ctx.writes) {
      const r = ctx.model.resolution.get(w.call);
      const p = transientPolicy(w.policies, ctx.policies);
      if (!r || r.kind !== 'operation' || !p?.retry || (p as unknown as A.Missing).kind === 'Missing') continue;
      const retry = resolveRetry(p.retry);
      // A policy with an error of its own (FLOW4003, FLOW2013, FLOW4004, FLOW1012) is not judged twice.
      if (retry.forMs === undefined && !(retry.max >= 1 && retry.max <= 100)) continue;
      if (retry.forMs !== undefined && retry.forMs <= 0) continue;
      if (!BACKOFFS.includes(retry.backoff) || (p.retry.initial && p.retry.max_ && p.retry.initial.ms > p.retry.max_.ms)) continue;
      const budget = retryBudgetMs(retry);
      if (budget < MIN_RETRY_BUDGET_MS) {
        ctx.report(Diagnostics.Retry_budget_of_0_is_1, p.retry.span, [`${r.op.system}.${r.op.name}`, durationText(budget)],
          { hint: hintText(Hints.Retry_budget_of_retry_n) });
      }
    }
  },
};
