/** What every console route gets: the request, its session, and the console's parts. */
import type http from 'node:http';
import type { LoadedFlow } from '../engine/flows.js';
import type { ConsoleRole, ConsoleSession, Store } from '../store/store.js';
import type { Audit } from './audit.js';
import type { ConnectionWatch } from './connections.js';
import type { LoginRateLimit } from './rate-limit.js';
import type { Masker } from './mask.js';
import type { Sessions } from './sessions.js';
import type { FlowSources } from './sources.js';
import type { DesignerOptions } from './routes/designer.js';

export interface ResyncOne {
  (number: string, user: string): Promise<{ jobId: number | null; alreadyQueued: boolean; status: string; reason?: string }>;
}

export interface ConsoleDeps {
  readonly store: Store;
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  readonly masker: Masker;
  readonly sessions: Sessions;
  readonly audit: Audit;
  readonly rateLimit: LoginRateLimit;
  readonly connections: ConnectionWatch;
  readonly sources: FlowSources;
  readonly resync?: ResyncOne;
  /** The visual designer's folder and core (routes/designer.ts); absent: its routes answer 503. */
  readonly designer?: DesignerOptions;
  /** Wakes this process's workers after a replay or resubmit. */
  readonly wake: () => void;
  readonly now: () => number;
  /** Set the cookie's Secure flag (flowd behind HTTPS). */
  readonly secureCookies: boolean;
}

export interface RouteContext {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** Set on every route but the public ones (login). */
  readonly session: ConsoleSession;
  readonly deps: ConsoleDeps;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Matched against the path after `/api`; groups become `params`. */
  readonly path: RegExp;
  /** The least role allowed; `public` needs no session (login). */
  readonly role: ConsoleRole | 'public';
  handle(ctx: RouteContext): Promise<void>;
}

export const ROLE_RANK: Record<ConsoleRole, number> = { viewer: 1, operator: 2, admin: 3 };
