/**
 * The operations console's server side, mounted by flowd's HTTP server: the JSON API under `/api/`
 * (API.md) and the single-page application at `/console`. Every API route but login needs a live
 * session (401), the route's role (403 `forbidden`), and, when it changes something, the session's
 * CSRF token in `X-CSRF-Token` (403 `csrf`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import type { LoadedFlow } from '../engine/flows.js';
import type { Store } from '../store/store.js';
import { Audit } from './audit.js';
import { ConnectionWatch } from './connections.js';
import { ROLE_RANK, type ConsoleDeps, type ResyncOne, type Route } from './context.js';
import { CHANGING, csrfOk } from './csrf.js';
import { ApiError, sendError } from './http.js';
import { Masker } from './mask.js';
import { LoginRateLimit, type RateLimitOptions } from './rate-limit.js';
import { Sessions, DEFAULT_SESSION_TTL_MS } from './sessions.js';
import { FlowSources } from './sources.js';
import { serveConsoleFile } from './static.js';
import { auditRoutes } from './routes/audit.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { designerRoutes, type DesignerOptions } from './routes/designer.js';
import { flowRoutes } from './routes/flows.js';
import { overviewRoutes, Streams } from './routes/overview.js';
import { resyncRoutes } from './routes/resync.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { designerMapperRoutes } from './routes/designer-mapper.js';

/** The repository's `dist/console/` (what F2's Vite build writes), the default console.dir. */
export const DEFAULT_CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/console');

export interface ConsoleOptions {
  readonly store: Store;
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  /** Every secret of connect.yaml (resolved): masked wherever it would appear. */
  readonly secrets?: readonly string[];
  /** console.session_ttl (default 8 h). */
  readonly sessionTtlMs?: number;
  /** Where the built SPA is (console.dir; default dist/console of this install). */
  readonly staticDir?: string;
  /** Folders holding the `.flow` sources (for the lines around an error). */
  readonly sourceDirs?: readonly string[];
  readonly resync?: ResyncOne;
  /** The visual designer: its folder (console.designer_dir or found from sourceDirs) and core. */
  readonly designer?: DesignerOptions;
  readonly wake?: () => void;
  readonly connections?: ConnectionWatch;
  readonly rateLimit?: RateLimitOptions;
  readonly secureCookies?: boolean;
  readonly now?: () => number;
  /** Stream tick (default 1 s); tests shorten it. */
  readonly streamEveryMs?: number;
  readonly onError?: (err: unknown, where: string) => void;
}

export interface ConsoleServer {
  /** Handles `/api/...` and `/console...`; false for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean>;
  readonly connections: ConnectionWatch;
  /** Ends the event streams (flowd is stopping). */
  close(): void;
}

export function createConsole(o: ConsoleOptions): ConsoleServer {
  const now = o.now ?? Date.now;
  const masker = new Masker(o.secrets ?? []);
  const connections = o.connections ?? new ConnectionWatch(now);
  const deps: ConsoleDeps = {
    store: o.store, flows: o.flows, masker, now, connections,
    sessions: new Sessions(o.store, o.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, now),
    audit: new Audit(o.store, masker),
    rateLimit: new LoginRateLimit({ now, ...o.rateLimit }),
    sources: new FlowSources(o.sourceDirs ?? []),
    ...(o.resync ? { resync: o.resync } : {}),
    ...(o.designer ? { designer: o.designer } : {}),
    wake: o.wake ?? (() => undefined),
    secureCookies: o.secureCookies ?? false,
  };
  const streams = new Streams(deps, o.streamEveryMs ?? 1000);
  const routes: Route[] = [...sessionRoutes, ...runRoutes, ...deadLetterRoutes, ...overviewRoutes(streams), ...flowRoutes, ...auditRoutes, ...userRoutes, ...resyncRoutes, ...designerRoutes];
  const mapper = o.designer?.backend?.mapper?.bind(o.designer.backend);
  routes.push(...designerMapperRoutes(o.designer?.root ? [o.designer.root] : o.sourceDirs ?? [], mapper)); // the designer's field mapper (routes/designer-mapper.ts)
  const staticDir = o.staticDir ?? DEFAULT_CONSOLE_DIR;

  async function api(req: http.IncomingMessage, res: http.ServerResponse, sub: string, query: URLSearchParams): Promise<void> {
    const matching = routes.filter((r) => r.path.test(sub));
    if (matching.length === 0) throw new ApiError('not_found', `no API endpoint ${sub === '' ? '/api' : `/api${sub}`}`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new ApiError('invalid', `${req.method} is not allowed on /api${sub} (allowed: ${[...new Set(matching.map((r) => r.method))].join(', ')})`, { allow: [...new Set(matching.map((r) => r.method))].join(', ') });
    const params = route.path.exec(sub)!.slice(1);
    if (route.role === 'public') {
      return route.handle({ req, res, params, query, deps, session: undefined as never });
    }
    const session = await deps.sessions.of(req);
    if (!session) throw new ApiError('unauthenticated', 'log in first (POST /api/login)');
    if (ROLE_RANK[session.role] < ROLE_RANK[route.role]) throw new ApiError('forbidden', `${route.method} /api${sub} needs the ${route.role} role; ${session.user} is ${session.role}`);
    if (CHANGING.has(route.method) && !csrfOk(req, session.csrf)) throw new ApiError('csrf', 'missing or wrong X-CSRF-Token header (GET /api/me returns the token)');
    return route.handle({ req, res, params, query, deps, session });
  }

  return {
    connections,
    async handle(req, res, pathname) {
      if (pathname === '/console' || pathname.startsWith('/console/')) { serveConsoleFile(staticDir, pathname, req, res); return true; }
      if (pathname !== '/api' && !pathname.startsWith('/api/')) return false;
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        await api(req, res, pathname.slice('/api'.length), url.searchParams);
      } catch (err) {
        if (res.headersSent) { res.destroy(); return true; }
        if (err instanceof ApiError) sendError(res, err);
        else {
          o.onError?.(err, pathname);
          sendError(res, new ApiError('unavailable', 'the console could not answer (the store may be restarting); try again'));
        }
      }
      return true;
    },
    close() { streams.close(); },
  };
}
