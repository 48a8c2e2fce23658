/**
 * What happens after a failed run: retry with exponential backoff and jitter, or dead-letter,
 * skip or fail, as the flow's policies say (a step's own policies first, then the flow's, then
 * the default: transient errors retry 5 times from 1s up to 5m; everything else is dead-lettered).
 * A policy retries either N times (`retry N`: `max`) or until a time budget has passed since the
 * job's first failed attempt (`retry for 24h`: `forMs`; the engine finds that attempt in the store).
 */
import type { ErrorClass, ErrorPolicy, FlowMeta, RetryPolicy } from '../contract.js';
import { loadVocabulary } from '../vocabulary/vocabulary.js';

const vocabulary = loadVocabulary();

/** The default retry of a transient error (mappings/schemas/policy.yaml, default_retry). */
export const DEFAULT_RETRY: RetryPolicy = { ...vocabulary.defaultRetry };

export type Decision =
  | { readonly action: 'retry'; readonly delayMs: number; readonly alert?: string }
  | { readonly action: 'dead_letter' | 'skip' | 'fail'; readonly alert?: string };

/** The error classes (mappings/schemas/policy.yaml, error_classes). */
export const KNOWN_CLASSES: readonly ErrorClass[] = vocabulary.errorClasses as ErrorClass[];

export function errorClassOf(err: unknown): ErrorClass {
  const c = (err as { errorClass?: unknown } | null)?.errorClass;
  return typeof c === 'string' && (KNOWN_CLASSES as readonly string[]).includes(c) ? (c as ErrorClass) : (vocabulary.unclassified as ErrorClass);
}

export function backoffMs(r: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  // A time budget can mean hundreds of attempts: keep the power finite.
  const base = r.backoff === 'fixed' ? r.initialMs : r.backoff === 'linear' ? r.initialMs * attempt : r.initialMs * 2 ** Math.min(attempt - 1, 60);
  const capped = Math.min(base, r.maxMs);
  // "Equal jitter": half fixed, half random, so retries of many jobs spread out but never collapse to 0.
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** The policy that handles `errClass` for a failure at `callSite`: the step's own, then the flow's; undefined: the default. */
export function policyFor(meta: FlowMeta, errClass: ErrorClass, callSite?: number): ErrorPolicy | undefined {
  const step = callSite === undefined ? undefined : meta.operations.find((o) => o.site === callSite);
  const pick = (ps: readonly ErrorPolicy[] | undefined) => ps?.find((p) => p.on === errClass) ?? ps?.find((p) => p.on === 'error');
  return pick(step?.policies) ?? pick(meta.policies);
}

/** The retry clause that applies (the default one for a transient error under no policy), if any. */
export function retryFor(meta: FlowMeta, errClass: ErrorClass, callSite?: number): RetryPolicy | undefined {
  const policy = policyFor(meta, errClass, callSite);
  return policy ? policy.retry : errClass === 'transient' ? DEFAULT_RETRY : undefined;
}

/**
 * @param attempts how many times the job has run, this failed run included
 * @param callSite the site of the operation call that failed, if the error came from one
 * @param sinceFirstFailureMs for a `retry for D` policy: how long ago the job's first failed
 *   attempt started (0 when this is the first); it retries while that is less than D
 */
export function decide(meta: FlowMeta, errClass: ErrorClass, attempts: number, callSite?: number, retryAfterMs?: number, random?: () => number, sinceFirstFailureMs?: number): Decision {
  const policy = policyFor(meta, errClass, callSite);
  const retry = policy ? policy.retry : errClass === 'transient' ? DEFAULT_RETRY : undefined;
  const again = retry && (retry.forMs !== undefined ? (sinceFirstFailureMs ?? 0) < retry.forMs : attempts <= retry.max);
  if (retry && again) {
    const delay = Math.max(backoffMs(retry, attempts, random), retryAfterMs ?? 0);
    return { action: 'retry', delayMs: delay, ...(policy?.alert ? { alert: policy.alert } : {}) };
  }
  return { action: policy?.then ?? 'dead_letter', ...(policy?.alert ? { alert: policy.alert } : {}) };
}
