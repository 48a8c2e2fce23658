/**
 * Retry policies as the runtime will apply them: the defaults filled in, the total time a policy
 * keeps retrying (its budget), and the rule behind FLOW4008 (a retried write whose budget is under
 * MIN_RETRY_BUDGET_MS dead-letters its jobs during any outage longer than that).
 *
 *   retry N ...      N retries; the budget is the sum of the N capped delays (jitter only shortens them)
 *   retry for D ...  retries until D has passed since the job's first failed attempt; the budget is D
 */
import type * as A from '../../grammar/ast.js';
import { DEFAULT_TRANSIENT_RETRY } from './model.js';

export const MIN_RETRY_BUDGET_MS = 10 * 60_000;

export interface ResolvedRetry {
  /** `retry N`: N. `retry for D`: the retries D allows at the full capped delays (see retriesWithin). */
  readonly max: number;
  /** `retry for D`: D in milliseconds. */
  readonly forMs?: number;
  readonly backoff: 'exponential' | 'linear' | 'fixed';
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The capped delay before retry `k` (1-based), without jitter; the runtime's backoffMs caps it the same way. */
export function cappedDelayMs(r: Pick<ResolvedRetry, 'backoff' | 'initialMs' | 'maxMs'>, k: number): number {
  const base = r.backoff === 'fixed' ? r.initialMs : r.backoff === 'linear' ? r.initialMs * k : r.initialMs * 2 ** Math.min(k - 1, 60);
  return Math.min(base, r.maxMs);
}

/** How many retries fit in `budgetMs` at the full capped delays (at least 1). */
export function retriesWithin(r: Pick<ResolvedRetry, 'backoff' | 'initialMs' | 'maxMs'>, budgetMs: number): number {
  let total = 0, k = 0;
  for (;;) {
    const d = Math.max(1, cappedDelayMs(r, k + 1));
    if (total + d > budgetMs) return Math.max(1, k);
    total += d; k++;
    // Once the delay stops growing (the cap, a fixed backoff, or a zero delay counted as 1 ms, as in
    // `5s..0s` while an integrator types), the rest is a division: counting it 1 ms at a time took
    // seconds for a 24 h budget (found by the language server's fuzz test).
    if (d === r.maxMs || r.backoff === 'fixed' || Math.max(1, cappedDelayMs(r, k + 1)) === d) return Math.max(1, k + Math.floor((budgetMs - total) / d));
  }
}

/** A policy's retry clause with the defaults the runtime uses (see grammar/README.md, Error policies). */
export function resolveRetry(r: NonNullable<A.Policy['retry']>): ResolvedRetry {
  const backoff = (r.backoff?.text ?? 'exponential') as ResolvedRetry['backoff'];
  const initialMs = r.initial?.ms ?? DEFAULT_TRANSIENT_RETRY.initialMs;
  const maxMs = r.max_?.ms ?? Math.max(r.initial?.ms ?? 0, DEFAULT_TRANSIENT_RETRY.maxMs);
  const shape = { backoff, initialMs, maxMs };
  if (r.budget) return { max: retriesWithin(shape, r.budget.ms), forMs: r.budget.ms, ...shape };
  return { max: r.max ?? 0, ...shape };
}

/** The total time a policy keeps retrying. */
export function retryBudgetMs(r: ResolvedRetry): number {
  if (r.forMs !== undefined) return r.forMs;
  let total = 0;
  for (let k = 1; k <= r.max; k++) total += cappedDelayMs(r, k);
  return total;
}

/** `1h 2m 3s` style text of a duration (for messages). */
export function durationText(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let s = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) { parts.push(`${Math.floor(s / size)}${unit}`); s %= size; }
  }
  return parts.join(' ');
}

/**
 * The policy that handles a transient error of a step, as the runtime picks it: the step's own
 * `on transient`, then its `on error`, then the flow's; undefined means the default policy.
 */
export function transientPolicy(stepPolicies: readonly A.Policy[], flowPolicies: readonly A.Policy[]): A.Policy | undefined {
  const pick = (ps: readonly A.Policy[]) => ps.find((p) => p.errorClass?.text === 'transient') ?? ps.find((p) => p.errorClass?.text === 'error');
  return pick(stepPolicies) ?? pick(flowPolicies);
}
