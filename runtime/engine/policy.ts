/**
 * What happens after a failed run: retry with exponential backoff and jitter, or dead-letter,
 * skip or fail, as the flow's policies say (a step's own policies first, then the flow's, then
 * the default: transient errors retry 5 times from 1s up to 5m; everything else is dead-lettered).
 */
import type { ErrorClass, ErrorPolicy, FlowMeta, RetryPolicy } from '../contract.js';

export const DEFAULT_RETRY: RetryPolicy = { max: 5, backoff: 'exponential', initialMs: 1000, maxMs: 300_000 };

export type Decision =
  | { readonly action: 'retry'; readonly delayMs: number; readonly alert?: string }
  | { readonly action: 'dead_letter' | 'skip' | 'fail'; readonly alert?: string };

export const KNOWN_CLASSES: readonly ErrorClass[] = ['transient', 'invalid', 'not_found', 'permission', 'conflict'];

export function errorClassOf(err: unknown): ErrorClass {
  const c = (err as { errorClass?: unknown } | null)?.errorClass;
  return typeof c === 'string' && (KNOWN_CLASSES as readonly string[]).includes(c) ? (c as ErrorClass) : 'invalid';
}

export function backoffMs(r: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = r.backoff === 'fixed' ? r.initialMs : r.backoff === 'linear' ? r.initialMs * attempt : r.initialMs * 2 ** (attempt - 1);
  const capped = Math.min(base, r.maxMs);
  // "Equal jitter": half fixed, half random, so retries of many jobs spread out but never collapse to 0.
  return Math.round(capped / 2 + random() * (capped / 2));
}

/**
 * @param attempts how many times the job has run, this failed run included
 * @param callSite the site of the operation call that failed, if the error came from one
 */
export function decide(meta: FlowMeta, errClass: ErrorClass, attempts: number, callSite?: number, retryAfterMs?: number, random?: () => number): Decision {
  const step = callSite === undefined ? undefined : meta.operations.find((o) => o.site === callSite);
  const pick = (ps: readonly ErrorPolicy[] | undefined) => ps?.find((p) => p.on === errClass) ?? ps?.find((p) => p.on === 'error');
  const policy = pick(step?.policies) ?? pick(meta.policies);
  const retry = policy ? policy.retry : errClass === 'transient' ? DEFAULT_RETRY : undefined;
  if (retry && attempts <= retry.max) {
    const delay = Math.max(backoffMs(retry, attempts, random), retryAfterMs ?? 0);
    return { action: 'retry', delayMs: delay, ...(policy?.alert ? { alert: policy.alert } : {}) };
  }
  return { action: policy?.then ?? 'dead_letter', ...(policy?.alert ? { alert: policy.alert } : {}) };
}
