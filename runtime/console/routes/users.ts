/** Users (admin): list, add, set a password, change a role, remove. Password changes end the user's sessions. */
import type { ConsoleRole } from '../../store/store.js';
import { checkPassword, hashPassword } from '../auth.js';
import type { Route } from '../context.js';
import { ApiError, iso, readJson, sendEmpty, sendJson, str } from '../http.js';

const ROLES = ['viewer', 'operator', 'admin'];
const role = (v: string | undefined): ConsoleRole => {
  if (!v || !ROLES.includes(v)) throw new ApiError('invalid', `role: one of ${ROLES.join(', ')}`);
  return v as ConsoleRole;
};
const invalid = (e: unknown) => { const err = e as Error & { code?: string; name?: string }; return err.code === 'invalid' || err.name === 'StoreError' ? new ApiError('invalid', err.message) : err; };

export const userRoutes: Route[] = [
  { method: 'GET', path: /^\/users$/, role: 'admin', async handle({ res, deps }) {
    sendJson(res, 200, (await deps.store.console.listUsers()).map((u) => ({ name: u.name, role: u.role, createdAt: iso(u.createdAt) })));
  } },
  { method: 'POST', path: /^\/users$/, role: 'admin', async handle({ req, res, session, deps }) {
    const body = await readJson(req);
    const name = str(body, 'name', { required: true, max: 64 })!;
    const r = role(str(body, 'role', { required: true }));
    try { checkPassword(body.password); } catch (e) { throw invalid(e); }
    let created: boolean;
    try { created = await deps.store.console.createUser({ name, role: r, passwordHash: await hashPassword(body.password as string) }); } catch (e) { throw invalid(e); }
    if (!created) throw new ApiError('conflict', `user '${name}' exists already`);
    await deps.audit.record(session.user, 'user.add', `user ${name}`, undefined, { name, role: r });
    sendJson(res, 201, { name, role: r });
  } },
  { method: 'POST', path: /^\/users\/([^/]+)\/password$/, role: 'admin', async handle({ req, res, params, session, deps }) {
    const name = decodeURIComponent(params[0]!);
    const body = await readJson(req);
    try { checkPassword(body.password); } catch (e) { throw invalid(e); }
    if (!(await deps.store.console.updateUser(name, { passwordHash: await hashPassword(body.password as string) }))) throw new ApiError('not_found', `user '${name}': no such user`);
    await deps.store.console.deleteUserSessions(name);
    await deps.audit.record(session.user, 'user.passwd', `user ${name}`);
    sendEmpty(res, 204);
  } },
  { method: 'PATCH', path: /^\/users\/([^/]+)$/, role: 'admin', async handle({ req, res, params, session, deps }) {
    const name = decodeURIComponent(params[0]!);
    const body = await readJson(req);
    const r = role(str(body, 'role', { required: true }));
    const before = await deps.store.console.getUser(name);
    if (!before) throw new ApiError('not_found', `user '${name}': no such user`);
    await deps.store.console.updateUser(name, { role: r });
    await deps.audit.record(session.user, 'user.role', `user ${name}`, { role: before.role }, { role: r });
    sendJson(res, 200, { name, role: r });
  } },
  { method: 'DELETE', path: /^\/users\/([^/]+)$/, role: 'admin', async handle({ res, params, session, deps }) {
    const name = decodeURIComponent(params[0]!);
    if (name === session.user) throw new ApiError('conflict', 'you cannot remove yourself (another admin can)');
    const before = await deps.store.console.getUser(name);
    if (!before || !(await deps.store.console.deleteUser(name))) throw new ApiError('not_found', `user '${name}': no such user`);
    await deps.audit.record(session.user, 'user.remove', `user ${name}`, { name, role: before.role });
    sendEmpty(res, 204);
  } },
];
