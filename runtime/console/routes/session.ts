/** POST /api/login, POST /api/logout, GET /api/me. */
import { dummyHash, verifyPassword } from '../auth.js';
import type { Route } from '../context.js';
import { ApiError, readJson, sendEmpty, sendJson, str } from '../http.js';

const WRONG = 'wrong user name or password';

export const sessionRoutes: Route[] = [
  { method: 'POST', path: /^\/login$/, role: 'public', async handle({ req, res, deps }) {
    const body = await readJson(req);
    const username = str(body, 'username', { required: true, max: 64 })!;
    const password = str(body, 'password', { required: true, max: 1024 })!;
    const ip = req.socket.remoteAddress ?? '?';
    const wait = deps.rateLimit.retryAfter(username, ip);
    if (wait > 0) throw new ApiError('rate_limited', `too many failed logins for '${username}' from this address: try again in ${wait} s`, { 'retry-after': String(wait) });
    const user = await deps.store.console.getUser(username);
    // The same work and the same answer whether or not the user exists.
    const ok = await verifyPassword(password, user?.passwordHash ?? await dummyHash());
    if (!user || !ok) {
      deps.rateLimit.fail(username, ip);
      throw new ApiError('unauthenticated', WRONG);
    }
    deps.rateLimit.succeed(username, ip);
    const s = await deps.sessions.create(user.name);
    sendJson(res, 200, { user: { name: user.name, role: user.role }, csrf: s.csrf }, { 'set-cookie': deps.sessions.cookie(s.token, deps.secureCookies) });
  } },
  { method: 'POST', path: /^\/logout$/, role: 'viewer', async handle({ req, res, deps }) {
    await deps.sessions.end(req);
    sendEmpty(res, 204, { 'set-cookie': deps.sessions.cookie(null, deps.secureCookies) });
  } },
  { method: 'GET', path: /^\/me$/, role: 'viewer', async handle({ res, session }) {
    sendJson(res, 200, { user: { name: session.user, role: session.role }, csrf: session.csrf });
  } },
];
