/**
 * flowd as a service: wires the configuration to the store, the connectors, the compiled flows,
 * the engine's workers, the triggers (X-Cart poll and signed push, Sage Pro poll, schedules) and the
 * HTTP server (/hooks/xcart, /metrics, /healthz, /readyz). One direction only: triggers enqueue,
 * the engine executes what the store hands it, flows call connectors through the engine's context.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Config } from './config/config.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { Store, EnqueueInput } from './store/store.js';
import { XcartConnector } from './connectors/xcart/connector.js';
import { SageProConnector } from './connectors/sagepro/connector.js';
import { setTextRules } from './text/codepage.js';
import { ConnectorError } from './connectors/errors.js';
import { loadFlows, type LoadedFlow } from './engine/flows.js';
import { Engine, type Connector } from './engine/engine.js';
import { XcartPoller } from './triggers/xcart-poll.js';
import { SageProPoller } from './triggers/sagepro-poll.js';
import { jobsForXcartEvent, type XcartEvent } from './triggers/routing.js';
import { startHttpServer, type PushedEvent } from './http/server.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';

export interface ServiceOptions {
  readonly logger?: Logger;
  /** Poll every Sage Pro flow this often instead of its own interval (the demo, tests). */
  readonly sageproEveryMs?: number;
  /** Where X-Cart polling starts on a new store: `now` (default) or an ISO date. */
  readonly xcartStart?: string;
  /** Receives alerts (besides the log line and the optional alert URL). */
  readonly onAlert?: (message: string, details: Record<string, unknown>) => void;
}

export interface Service {
  readonly url: string;
  readonly store: Store;
  readonly engine: Engine;
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly xcart: XcartConnector;
  readonly sagepro: SageProConnector;
  readonly xcartPoller: XcartPoller;
  readonly sageproPoller: SageProPoller;
  /** Runs every poll once now (tests and the demo use it to avoid waiting for intervals). */
  pollNow(): Promise<number>;
  stop(): Promise<void>;
}

/** The pseudo-flow under which rejected pushes are dead-lettered (no flow runs them). */
export const REJECTED_PUSH_FLOW = '(rejected push)';

export function xcartEventFromPush(e: PushedEvent): XcartEvent {
  const d = e.data as Record<string, unknown>;
  const updatedAt = typeof d.update_date === 'string' ? d.update_date : e.occurredAt;
  if (e.type.startsWith('customer.')) return { type: e.type, entityId: e.id, updatedAt, data: { profile_id: Number(e.id), email: (d.login ?? d.email ?? null) as string | null } };
  return { type: e.type, entityId: e.id, updatedAt, data: { order_id: Number(e.id), order_number: (d.order_number ?? null) as string | null } };
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const secrets = config.secrets.map((s) => s.reveal());
  const logger = options.logger ?? createLogger({ level: config.log.level, ...(config.log.file ? { file: config.log.file } : {}), name: 'flowd', secrets });
  for (const w of config.warnings) logger.warn({}, w);
  const store = SqliteStore.open(config.store.path);
  // Whatever start-up opened is closed again when a later step fails, so that a failed start
  // leaves nothing running (no timer, pool or socket keeps the process alive without listening).
  const cleanup: (() => unknown)[] = [() => store.close()];
  try {
    return await startOn(store, config, options, logger, cleanup);
  } catch (err) {
    for (const c of cleanup.reverse()) await Promise.resolve().then(c).catch(() => undefined);
    throw err;
  }
}

async function startOn(store: SqliteStore, config: Config, options: ServiceOptions, logger: Logger, cleanup: (() => unknown)[]): Promise<Service> {
  let queueDepth = 0;
  const metrics = createMetrics({ queueDepth: async () => { queueDepth = (await store.status()).queueDepth; return queueDepth; } });
  const flows = await loadFlows(config.flows.dir);
  const xc = config.connections.xcart;
  // The connectors validate against the schemas and catalogs of the build they run (flows.schemas).
  // A folder without them is refused when it has flows; an empty build (no flows: nothing is
  // validated) falls back to the connectors' default, mappings/schemas of the working directory.
  const schemaDir = (system: string): string | undefined => {
    const dir = path.join(config.flows.schemas, system);
    if (!fs.existsSync(path.join(dir, 'operations.yaml'))) {
      if (flows.size === 0) return undefined;
      throw new Error(`flows.schemas: ${dir} has no operations.yaml; rebuild the flows with flowc build (it writes schemas/ into ${config.flows.dir}) or set flows.schemas in ${config.file}`);
    }
    return dir;
  };
  const optional = (system: string): { schemaDir?: string } => { const d = schemaDir(system); return d === undefined ? {} : { schemaDir: d }; };
  const xcart = new XcartConnector({ ...optional('xcart'), baseUrl: xc.baseUrl, token: xc.token.reveal(), ratePerSecond: xc.ratePerSecond, timeoutMs: xc.timeoutMs, changedFilter: xc.changedFilter, retries: 0, connections: xc.concurrency });
  cleanup.push(() => xcart.close());
  const sp = config.connections.sagepro;
  // The install's text rules, for the connector and for truncate in the flow modules (all copies).
  setTextRules(sp.text);
  const sagepro = new SageProConnector({
    ...optional('sagepro'), dsn: sp.dsn.reveal(), ...(sp.dialect ? { dialect: sp.dialect } : {}), company: sp.company, externalRefColumn: sp.externalRefColumn, poolSize: sp.concurrency,
    defaultLocation: sp.defaultLocation, numbering: sp.numbering,
    text: sp.text, onWarning: (message, where) => logger.warn({ system: 'sagepro', ...where }, message),
    ...(sp.modules ? { modules: sp.modules } : {}), ...(sp.tables ? { tables: sp.tables } : {}), ...(sp.attach ? { attach: sp.attach } : {}),
  });
  cleanup.push(() => sagepro.close());
  // The Sage Pro settings against the install's catalog: a setting that cannot work (a default
  // location wider than LOCTID, a numbering table or column the install lacks) stops the start;
  // other gaps are logged. An unreachable database is left to the operations (retried).
  try {
    for (const p of await sagepro.verifyConfiguration()) {
      logger.warn({ table: p.table, column: p.column, operations: p.operations }, `Sage Pro install: ${p.message}`);
    }
  } catch (e) {
    if (e instanceof ConnectorError && e.errorClass === 'invalid' && e.operation === 'start') {
      throw e; // startService runs the cleanup (connectors, store)
    }
    logger.warn({ err: (e as Error).message }, 'Sage Pro install check skipped: the database cannot be read now');
  }

  const alert = (message: string, details: Record<string, unknown>) => {
    logger.error({ alert: true, ...details }, message);
    options.onAlert?.(message, details);
    if (config.alerts?.url) {
      void fetch(config.alerts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, ...details, at: new Date().toISOString() }), signal: AbortSignal.timeout(5000) })
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'alert delivery failed'));
    }
  };

  // The store's health: the open file is still the one at its path and accepts a real write.
  // Probed now and every second; while it fails, pushes get 503, /healthz and /readyz say why.
  let storeProblem: string | undefined;
  const probeStore = () => {
    const problem = store.isOpen ? store.probeWrite() : 'store is closed';
    metrics.storeUp.set(problem ? 0 : 1);
    if (problem && problem !== storeProblem) alert(`store unusable: ${problem}`, { system: 'store', file: config.store.path, problem });
    else if (!problem && storeProblem) logger.warn({ file: config.store.path }, 'store accepts writes again');
    storeProblem = problem;
    return problem;
  };
  probeStore();
  const connectors: Record<'xcart' | 'sagepro', Connector> = { xcart, sagepro };
  const engine = new Engine({
    store, flows, connectors, workers: config.workers.count, leaseMs: config.workers.leaseMs,
    concurrency: { xcart: xc.concurrency, sagepro: sp.concurrency }, logger, alert,
    metrics: {
      jobFinished: (flow, outcome, s) => metrics.recordJob(flow, outcome as Parameters<Metrics['recordJob']>[1], s),
      retried: (flow, cls) => metrics.retries.inc({ flow, error_class: cls }),
      connectorCall: (system, operation, outcome, s) => metrics.connectorCallDuration.observe({ system, operation, outcome }, s),
    },
  });
  const wake = () => engine.wake();
  const xcartPoller = new XcartPoller({ source: xcart, store, flows, everyMs: config.triggers.xcartPoll.everyMs, start: options.xcartStart ?? 'now', onEnqueued: wake,
    onEvent: (type) => metrics.eventsIn.inc({ source: 'xcart-poll', type }), logger });
  const sageproPoller = new SageProPoller({ source: sagepro, store, flows, defaultEveryMs: config.triggers.sageproPoll.everyMs, onEnqueued: wake, logger });
  if (options.sageproEveryMs) {
    for (const f of flows.values()) if (f.module.meta.trigger.kind === 'poll') (f.module.meta.trigger as { everyMs: number }).everyMs = options.sageproEveryMs;
  }

  // Schedules: one tick per interval, deduped by flow and tick time.
  const timers: NodeJS.Timeout[] = [];
  cleanup.push(() => { for (const t of timers) clearInterval(t); });
  for (const f of flows.values()) {
    const t = f.module.meta.trigger;
    if (t.kind !== 'schedule' || !t.everyMs) continue;
    timers.push(setInterval(() => {
      const tick = new Date(Math.floor(Date.now() / t.everyMs!) * t.everyMs!).toISOString();
      void store.enqueue({ flow: f.name, flowVersion: f.version, source: 'schedule', eventType: 'schedule', entityId: f.name, updatedAt: tick, payload: { tick } }).then(wake, (err: unknown) => logger.warn({ err: (err as Error).message }, 'schedule enqueue failed'));
    }, t.everyMs));
  }

  // Connection watch: alert once when a poller has failed for longer than the configured time.
  const downSince = new Map<string, number>();
  const watch = setInterval(() => {
    probeStore();
    for (const [name, p] of [['xcart', xcartPoller], ['sagepro', sageproPoller]] as const) {
      metrics.connectionUp.set({ system: name }, p.failures === 0 ? 1 : 0);
      if (p.failures === 0) { downSince.delete(name); continue; }
      const since = downSince.get(name) ?? Date.now();
      downSince.set(name, since);
      const limit = config.alerts?.afterConnectionDownMs ?? 120_000;
      if (Date.now() - since >= limit && !downSince.has(`${name}:alerted`)) {
        downSince.set(`${name}:alerted`, 1);
        alert(`${name} connection down for ${Math.round((Date.now() - since) / 1000)}s`, { system: name, failures: p.failures });
      }
    }
  }, 1000);
  cleanup.push(() => clearInterval(watch));

  let ready = false;
  const http = await startHttpServer({
    port: config.http.port, host: config.http.host, metrics, logger, maxConcurrentPushes: config.http.maxConcurrentPushes,
    ready: () => (storeProblem ? { ready: false, problem: storeProblem } : { ready }),
    health: async () => {
      const checks = { store: !storeProblem, xcart: xcartPoller.failures === 0, sagepro: sageproPoller.failures === 0 };
      const problems: Record<string, string> = storeProblem ? { store: storeProblem } : {};
      try { await store.status(); } catch (err) { checks.store = false; problems.store ??= `store cannot be read (${(err as Error).message})`; }
      return { ok: checks.store, checks, ...(Object.keys(problems).length ? { problems } : {}) };
    },
    ...(config.triggers.push.enabled && config.triggers.push.secret ? {
      push: {
        secret: config.triggers.push.secret, toleranceMs: config.triggers.push.toleranceMs,
        accept: async (e: PushedEvent) => {
          // Never acknowledge what cannot be kept: the enqueue itself re-checks the file's identity.
          if (storeProblem && probeStore()) throw new Error(`store unusable: ${storeProblem}`);
          const jobs = jobsForXcartEvent(flows, xcartEventFromPush(e));
          const r = await store.enqueueBatch(jobs);
          if (r.some((x) => !x.duplicate)) wake();
          return { jobIds: r.map((x) => x.jobId), duplicate: r.length > 0 && r.every((x) => x.duplicate) };
        },
        reject: async (raw: { body: string; reason: string; status: number }) => {
          if (storeProblem && probeStore()) throw new Error(`store unusable: ${storeProblem}`);
          await deadLetterRejectedPush(store, raw.body, raw.reason);
        },
      },
    } : {}),
  });

  engine.start();
  if (config.triggers.xcartPoll.enabled) xcartPoller.start();
  if (config.triggers.sageproPoll.enabled) sageproPoller.start();
  ready = true;
  logger.info({ url: http.url, flows: [...flows.keys()] }, 'flowd started');

  let stopped = false;
  return {
    url: http.url, store, engine, flows, metrics, logger, xcart, sagepro, xcartPoller, sageproPoller,
    async pollNow() { return (await xcartPoller.pollOnce()) + (await sageproPoller.pollAll()); },
    async stop() {
      if (stopped) return;
      stopped = true;
      ready = false;
      clearInterval(watch);
      for (const t of timers) clearInterval(t);
      await Promise.all([xcartPoller.stop(), sageproPoller.stop()]);
      await engine.stop();
      await http.close();
      await Promise.allSettled([xcart.close(), sagepro.close()]);
      await store.close();
      logger.info({}, 'flowd stopped');
    },
  };
}

/** A malformed (but correctly signed) push: kept in the dead-letter queue so nothing is lost. */
export async function deadLetterRejectedPush(store: Store, body: string, reason: string): Promise<number | null> {
  const input: EnqueueInput = {
    flow: REJECTED_PUSH_FLOW, source: 'xcart', eventType: 'push.rejected', payload: { body },
    dedupeKey: createHash('sha256').update(body).digest('hex'),
  };
  const { jobId, duplicate } = await store.enqueue(input);
  if (duplicate) return null;
  const worker = `push-rejector-${process.pid}`;
  const leased = await store.lease(worker, { leaseMs: 30_000, limit: 1, flows: [REJECTED_PUSH_FLOW] });
  const job = leased.find((j) => j.id === jobId) ?? leased[0];
  if (!job) return null;
  return store.deadLetter(job.id, worker, { error: `rejected push: ${reason}`, errorClass: 'invalid', reason, flowVersion: 'n/a' });
}
