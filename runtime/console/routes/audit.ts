/** GET /api/audit: the audit log, newest first, with a cursor. */
import type { Route } from '../context.js';
import { intParam, iso, sendJson } from '../http.js';

export const auditRoutes: Route[] = [
  { method: 'GET', path: /^\/audit$/, role: 'viewer', async handle({ res, query, deps }) {
    const limit = intParam(query, 'limit', 50)!;
    const before = intParam(query, 'before', undefined, 1, Number.MAX_SAFE_INTEGER);
    const entries = await deps.store.console.listAudit({ limit, ...(before !== undefined ? { before } : {}) });
    sendJson(res, 200, {
      entries: entries.map((e) => ({ id: e.id, at: iso(e.at), user: e.user, action: e.action, target: e.target,
        ...(e.before !== undefined ? { before: deps.masker.mask(e.before) } : {}), ...(e.after !== undefined ? { after: deps.masker.mask(e.after) } : {}) })),
      next: entries.length === limit ? String(entries[entries.length - 1]!.id) : null,
    });
  } },
];
