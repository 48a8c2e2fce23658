/** POST /api/resync/order { number }: re-run one X-Cart order through the current flow (runtime/resync.ts), idempotently. */
import type { Route } from '../context.js';
import { ApiError, readJson, sendJson, str } from '../http.js';

export const resyncRoutes: Route[] = [
  { method: 'POST', path: /^\/resync\/order$/, role: 'operator', async handle({ req, res, session, deps }) {
    const body = await readJson(req);
    const raw = typeof body.number === 'number' ? String(body.number) : str(body, 'number', { required: true, max: 64 })!;
    const number = raw.trim().replace(/^#/, '');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(number)) throw new ApiError('invalid', `number: '${raw}' is not an X-Cart order number`);
    if (!deps.resync) throw new ApiError('unavailable', 're-sync needs the X-Cart connection, which this flowd does not have');
    const r = await deps.resync(number, session.user);
    if (r.status === 'not_found') throw new ApiError('not_found', r.reason ?? `X-Cart has no order number ${number}`);
    if (r.jobId === null) throw new ApiError('conflict', r.reason ?? `order ${number}: ${r.status}`);
    await deps.audit.record(session.user, 'order.resync', `X-Cart order ${number}`, undefined, { jobId: r.jobId, alreadyQueued: r.alreadyQueued });
    sendJson(res, 200, { jobId: r.jobId, alreadyQueued: r.alreadyQueued });
  } },
];
