/** GET /api/runs (filters, business-key search, cursor) and GET /api/runs/:id (event, calls, attempts). */
import type { RunOutcome } from '../../store/store.js';
import type { Route } from '../context.js';
import { ApiError, intParam, sendJson, timeParam } from '../http.js';
import { attempt, runSummary } from './summaries.js';

const OUTCOMES = new Set<RunOutcome>(['done', 'skipped', 'duplicate', 'retry', 'dead_letter']);

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
    const runs = await deps.store.console.searchRuns({
      ...(flow ? { flow } : {}), ...(outcome ? { outcome: outcome as RunOutcome } : {}),
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(before !== undefined ? { before } : {}),
      ...(q ? { key: q.replace(/^#/, '') } : {}), limit,
    });
    const keys = await deps.store.console.runKeys(runs.map((r) => r.id));
    sendJson(res, 200, { runs: runs.map((r) => runSummary(r, keys.get(r.id), deps)), next: runs.length === limit ? String(runs[runs.length - 1]!.id) : null });
  } },
  { method: 'GET', path: /^\/runs\/(\d+)$/, role: 'viewer', async handle({ res, params, deps }) {
    const run = await deps.store.console.getRun(Number(params[0]));
    if (!run) throw new ApiError('not_found', `run ${params[0]}: no such run`);
    const keys = await deps.store.console.runKeys([run.id]);
    const job = run.jobId !== null ? await deps.store.getJob(run.jobId) : undefined;
    const attempts = run.jobId !== null ? (await deps.store.listRuns({ jobId: run.jobId, limit: 1000 })).reverse() : [run];
    const calls = await deps.store.console.runCalls(run.id);
    sendJson(res, 200, {
      run: runSummary(run, keys.get(run.id), deps),
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
