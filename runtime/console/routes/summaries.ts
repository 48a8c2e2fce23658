/** The shapes the API answers with: RunSummary, attempts with their `.flow` source, dead-letter items. */
import type { DeadLetterSummary, RunKey, RunRecord } from '../../store/store.js';
import type { ConsoleDeps } from '../context.js';
import { iso } from '../http.js';
import { parseSite } from '../sources.js';

export function keysObject(keys: readonly RunKey[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys ?? []) if (out[k.kind] === undefined) out[k.kind] = k.value; // the first of a kind (an order's first SKU)
  return out;
}

export function runSummary(r: RunRecord, keys: readonly RunKey[] | undefined, deps: ConsoleDeps) {
  const site = parseSite(r.site);
  return {
    id: r.id, jobId: r.jobId, flow: r.flow, flowVersion: r.flowVersion, outcome: r.outcome,
    startedAt: iso(r.startedAt), durationMs: r.durationMs,
    ...(r.errorClass ? { errorClass: r.errorClass } : {}), ...(r.error ? { error: deps.masker.scrub(r.error) } : {}),
    ...(site ? { site } : {}), keys: keysObject(keys),
  };
}

export function attempt(r: RunRecord, deps: ConsoleDeps) {
  const site = parseSite(r.site);
  const source = site ? deps.sources.around(site) : undefined;
  return {
    runId: r.id, startedAt: iso(r.startedAt), outcome: r.outcome,
    ...(r.errorClass ? { errorClass: r.errorClass } : {}), ...(r.error ? { error: deps.masker.scrub(r.error) } : {}),
    ...(site ? { site } : {}), ...(source ? { source } : {}),
  };
}

export function deadLetterItem(d: DeadLetterSummary, keys: readonly RunKey[] | undefined, deps: ConsoleDeps) {
  const site = parseSite(d.site);
  return {
    id: d.id, jobId: d.jobId, flow: d.flow, flowVersion: d.flowVersion, errorClass: d.errorClass, reason: deps.masker.scrub(d.reason),
    error: deps.masker.scrub(d.reason), ...(site ? { site } : {}), createdAt: iso(d.createdAt), attempts: d.attempts,
    eventType: d.eventType, entityId: d.entityId, keys: keysObject(keys),
  };
}
