/**
 * The dead-letter queue: list (grouped by flow and reason, filtered), one entry, and the operator's
 * actions: replay one, replay all that match a filter (after a dry run), edit-and-resubmit, discard.
 * Replays and resubmits run through the currently deployed flow version (the job carries no version,
 * as with `flowd dlq replay`). Every action is audited.
 */
import type { DeadLetter, Store } from '../../store/store.js';
import type { ConsoleDeps, Route } from '../context.js';
import { ApiError, intParam, readJson, sendEmpty, sendJson, str } from '../http.js';
import { isSecretName, MASK } from '../mask.js';
import { attempt, deadLetterItem } from './summaries.js';

interface Filter { flow?: string; reason?: string; q?: string }

function filterOf(get: (k: string) => unknown): Filter {
  const f: Filter = {};
  for (const k of ['flow', 'reason', 'q'] as const) {
    const v = get(k);
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || v.length > 500) throw new ApiError('invalid', `filter.${k}: must be a string of at most 500 characters`);
    f[k] = v.trim();
  }
  return f;
}

const list = (store: Store, f: Filter, limit: number) =>
  store.listDeadLetters({ ...(f.flow ? { flow: f.flow } : {}), ...(f.reason ? { reason: f.reason } : {}), ...(f.q ? { key: f.q.replace(/^#/, '') } : {}), limit });

async function entry(deps: ConsoleDeps, id: string): Promise<DeadLetter> {
  const d = await deps.store.getDeadLetter(Number(id));
  if (!d) throw new ApiError('not_found', `dead letter ${id}: no such entry`);
  return d;
}

const stateOf = (d: DeadLetter) => (d.discardedAt !== undefined ? 'discarded' : d.replayJobId !== null ? 'replayed' : 'pending');

/** The edited payload with every "••••" put back to the original's value (a masked field the operator left alone). */
export function unmask(edited: unknown, original: unknown, name = ''): unknown {
  if (edited === MASK && isSecretName(name)) return original;
  if (Array.isArray(edited)) return edited.map((v, i) => unmask(v, Array.isArray(original) ? original[i] : undefined, name));
  if (edited !== null && typeof edited === 'object') {
    const o = (original !== null && typeof original === 'object' ? original : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(edited).map(([k, v]) => [k, unmask(v, o[k], k)]));
  }
  return edited;
}

/** Leaf-by-leaf differences, paths like `items[0].sku`. */
export function diff(before: unknown, after: unknown, p = ''): { path: string; before: unknown; after: unknown }[] {
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const b = before as Record<string, unknown>, a = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.flatMap((k) => diff(b[k], a[k], Array.isArray(before) ? `${p}[${k}]` : p ? `${p}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: p || '(payload)', before, after }];
}

export const deadLetterRoutes: Route[] = [
  { method: 'GET', path: /^\/dead-letters$/, role: 'viewer', async handle({ res, query, deps }) {
    const f = filterOf((k) => query.get(k) ?? undefined);
    const limit = intParam(query, 'limit', 100)!;
    const [groups, items] = await Promise.all([deps.store.console.deadLetterGroups(), list(deps.store, f, limit)]);
    const keys = await deps.store.console.jobKeys(items.map((d) => d.jobId));
    sendJson(res, 200, {
      groups: groups.filter((g) => (!f.flow || g.flow === f.flow) && (!f.reason || g.reason === f.reason)).map((g) => ({ ...g, reason: deps.masker.scrub(g.reason) })),
      items: items.map((d) => ({ ...deadLetterItem(d, keys.get(d.jobId), deps), ...(d.errorClass === 'anomaly' ? { held: true } : {}) })),
    });
  } },
  { method: 'GET', path: /^\/dead-letters\/(\d+)$/, role: 'viewer', async handle({ res, params, deps }) {
    const d = await entry(deps, params[0]!);
    const keys = await deps.store.console.jobKeys([d.jobId]);
    const runs = (await deps.store.listRuns({ jobId: d.jobId, limit: 1000 })).reverse();
    sendJson(res, 200, {
      ...deadLetterItem(d, keys.get(d.jobId), deps), error: deps.masker.scrub(d.error), state: stateOf(d),
      // A run held by `hold when anomaly`: replaying it is its release (the engine accepts the anomaly once).
      ...(d.errorClass === 'anomaly' ? { held: true } : {}),
      ...(d.replayJobId !== null ? { replayJobId: d.replayJobId } : {}), ...(d.discardReason !== undefined ? { discardReason: d.discardReason } : {}),
      payload: deps.masker.mask(d.payload), attempts: runs.map((r) => attempt(r, deps)),
    });
  } },
  { method: 'POST', path: /^\/dead-letters\/replay$/, role: 'operator', async handle({ req, res, session, deps }) {
    const body = await readJson(req);
    const raw = body.filter ?? {};
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError('invalid', 'filter: must be an object { flow?, reason?, q? }');
    const f = filterOf((k) => (raw as Record<string, unknown>)[k]);
    if (typeof body.dryRun !== 'boolean') throw new ApiError('invalid', 'dryRun: required, true or false');
    const matching = await list(deps.store, f, 10_000);
    if (body.dryRun) return sendJson(res, 200, { count: matching.length, ids: matching.map((d) => d.id) });
    const replayed: { id: number; jobId: number }[] = [];
    for (const d of matching.slice().reverse()) { // oldest first, as flowd dlq replay --all
      const r = await deps.store.replay(d.id);
      if (r && !r.alreadyReplayed) replayed.push({ id: d.id, jobId: r.jobId });
    }
    deps.wake();
    await deps.audit.record(session.user, 'dead-letter.replay-all', `filter ${JSON.stringify(f)}`, { pending: matching.length }, { replayed });
    sendJson(res, 200, { replayed });
  } },
  { method: 'POST', path: /^\/dead-letters\/(\d+)\/replay$/, role: 'operator', async handle({ res, params, session, deps }) {
    const d = await entry(deps, params[0]!);
    if (d.discardedAt !== undefined) throw new ApiError('conflict', `dead letter ${d.id} was discarded (${d.discardReason}); it cannot be replayed`);
    const r = (await deps.store.replay(d.id))!;
    deps.wake();
    if (!r.alreadyReplayed) await deps.audit.record(session.user, 'dead-letter.replay', `dead letter ${d.id} (${d.flow})`, { state: 'pending' }, { state: 'replayed', jobId: r.jobId });
    sendJson(res, 200, { jobId: r.jobId, alreadyReplayed: r.alreadyReplayed });
  } },
  { method: 'POST', path: /^\/dead-letters\/(\d+)\/resubmit$/, role: 'operator', async handle({ req, res, params, session, deps }) {
    const body = await readJson(req);
    const d = await entry(deps, params[0]!);
    if (d.discardedAt !== undefined) throw new ApiError('conflict', `dead letter ${d.id} was discarded (${d.discardReason}); it cannot be resubmitted`);
    const edited = body.payload;
    if (edited === null || typeof edited !== 'object' || Array.isArray(edited)) throw new ApiError('invalid', 'payload: must be a JSON object (the event payload)');
    const payload = unmask(edited, d.payload);
    const changes = diff(d.payload, payload).map((c) => ({ path: c.path, before: deps.masker.mask(c.before), after: deps.masker.mask(c.after) }))
      .map((c) => (isSecretName(c.path.split(/[.[]/).pop() ?? '') ? { ...c, before: MASK, after: MASK } : c));
    const r = (await deps.store.resubmit(d.id, payload))!;
    deps.wake();
    await deps.audit.record(session.user, 'dead-letter.resubmit', `dead letter ${d.id} (${d.flow})`, { payload: d.payload }, { payload, jobId: r.jobId });
    sendJson(res, 200, { jobId: r.jobId, diff: changes });
  } },
  { method: 'POST', path: /^\/dead-letters\/(\d+)\/discard$/, role: 'operator', async handle({ req, res, params, session, deps }) {
    const body = await readJson(req);
    const reason = str(body, 'reason', { max: 500 })?.trim();
    if (!reason) throw new ApiError('invalid', 'reason: required (why the entry is discarded)');
    const d = await entry(deps, params[0]!);
    if (!(await deps.store.discardDeadLetter(d.id, reason))) throw new ApiError('conflict', `dead letter ${d.id} is ${stateOf(d)}, not pending: nothing to discard`);
    await deps.audit.record(session.user, 'dead-letter.discard', `dead letter ${d.id} (${d.flow})`, { state: 'pending' }, { state: 'discarded', reason });
    sendEmpty(res, 204);
  } },
];
