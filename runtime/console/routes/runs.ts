/** GET /api/runs (filters, business-key search, cursor) and GET /api/runs/:id (event, calls, attempts). */
import type { RunOutcome, RunRecord } from '../../store/store.js';
import type { Route } from '../context.js';
import { ApiError, intParam, sendJson, timeParam } from '../http.js';
import { attempt, runSummary } from './summaries.js';

const OUTCOMES = new Set<RunOutcome>(['done', 'skipped', 'duplicate', 'retry', 'dead_letter']);

/**
 * The anomaly mark of a run (runtime/anomaly/): `held` when the run was held (its dead letter's
 * class is `anomaly`), `warned` when it ran with flagged values; and each flag's one line. The
 * engine writes a flagged run's warnings as `anomaly: <field> is <value> (usual ...)` joined by
 * '; ', and a held run's error as `held: anomaly: <flag>; <flag>`.
 */
export function anomalyMark(r: RunRecord): { anomaly?: 'held' | 'warned'; anomalies?: string[] } {
  if (!r.error || !r.error.includes('anomaly: ')) return {};
  if (r.errorClass === 'anomaly' && r.error.startsWith('held: anomaly: ')) return { anomaly: 'held', anomalies: r.error.slice('held: anomaly: '.length).split('\n')[0]!.split('; ') };
  const anomalies = r.error.split('; ').filter((w) => w.startsWith('anomaly: ')).map((w) => w.slice('anomaly: '.length));
  return anomalies.length ? { anomaly: 'warned', anomalies } : {};
}

/** Flags name values written: configured secrets are scrubbed from them as from every error. */
function mask(m: ReturnType<typeof anomalyMark>, deps: { masker: { scrub(t: string): string } }): ReturnType<typeof anomalyMark> {
  return m.anomalies ? { ...m, anomalies: m.anomalies.map((a) => deps.masker.scrub(a)) } : m;
}

function parseFlag(v: string | null, name: string): boolean {
  if (v === null || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new ApiError('invalid', `${name}: '${v.slice(0, 40)}' is not 1, 0, true or false`);
}

export const runRoutes: Route[] = [
  { method: 'GET', path: /^\/runs$/, role: 'viewer', async handle({ res, query, deps }) {
    const outcome = query.get('outcome') || undefined;
    if (outcome !== undefined && !OUTCOMES.has(outcome as RunOutcome)) throw new ApiError('invalid', `outcome: '${outcome}' is not one of ${[...OUTCOMES].join(', ')}`);
    const limit = intParam(query, 'limit', 50)!;
    const before = intParam(query, 'before', undefined, 1, Number.MAX_SAFE_INTEGER);
    const q = (query.get('q') ?? '').trim();
    if (q.length > 200) throw new ApiError('invalid', 'q: at most 200 characters');
    const flow = query.get('flow') || undefined;
    const from = timeParam(query, 'from');
    const to = timeParam(query, 'to');
    const anomaly = parseFlag(query.get('anomaly'), 'anomaly');
    const runs = await deps.store.console.searchRuns({
      ...(flow ? { flow } : {}), ...(outcome ? { outcome: outcome as RunOutcome } : {}),
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(before !== undefined ? { before } : {}),
      ...(q ? { key: q.replace(/^#/, '') } : {}), ...(anomaly ? { anomaly: true } : {}), limit,
    });
    const keys = await deps.store.console.runKeys(runs.map((r) => r.id));
    sendJson(res, 200, { runs: runs.map((r) => ({ ...runSummary(r, keys.get(r.id), deps), ...mask(anomalyMark(r), deps) })), next: runs.length === limit ? String(runs[runs.length - 1]!.id) : null });
  } },
  { method: 'GET', path: /^\/runs\/(\d+)$/, role: 'viewer', async handle({ res, params, deps }) {
    const run = await deps.store.console.getRun(Number(params[0]));
    if (!run) throw new ApiError('not_found', `run ${params[0]}: no such run`);
    const keys = await deps.store.console.runKeys([run.id]);
    const job = run.jobId !== null ? await deps.store.getJob(run.jobId) : undefined;
    const attempts = run.jobId !== null ? (await deps.store.listRuns({ jobId: run.jobId, limit: 1000 })).reverse() : [run];
    const calls = await deps.store.console.runCalls(run.id);
    sendJson(res, 200, {
      run: { ...runSummary(run, keys.get(run.id), deps), ...mask(anomalyMark(run), deps) },
      event: job
        ? { type: job.eventType, source: job.source, ...(job.entityId !== null ? { id: job.entityId } : {}), payload: deps.masker.mask(job.payload) }
        : { type: run.trigger, source: run.trigger.split(':')[0], payload: null },
      calls: calls.map((c) => ({ ...c, args: deps.masker.mask(c.args), ...(c.result !== undefined ? { result: deps.masker.mask(c.result) } : {}),
        ...(c.error ? { error: deps.masker.scrub(c.error) } : {}), durationMs: Math.round(c.durationMs) })),
      attempts: attempts.map((a) => attempt(a, deps)),
      flowVersion: run.flowVersion,
    });
  } },
];
