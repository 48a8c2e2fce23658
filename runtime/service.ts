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
import { PostgresStore } from './store/postgres-store.js';
import { describeStore, openConfiguredStore, type ConfiguredStore } from './store/open.js';
import type { Store } from './store/store.js';
import { XcartConnector } from './connectors/xcart/connector.js';
import { SageProConnector } from './connectors/sagepro/connector.js';
import { setTextRules } from './text/codepage.js';
import { ConnectorError } from './connectors/errors.js';
import { loadFlows, type LoadedFlow } from './engine/flows.js';
import { Engine, type Connector } from './engine/engine.js';
import { XcartPoller } from './triggers/xcart-poll.js';
import { SageProPoller } from './triggers/sagepro-poll.js';
import { XcartPushTrigger } from './triggers/xcart-push.js';
import { ScheduleTrigger } from './triggers/schedule.js';
import type { Trigger } from './triggers/trigger.js';
import { describeCutover } from './cutover.js';
import { startHttpServer } from './http/server.js';
import { createConsole, type ConsoleServer } from './console/api.js';
import { findDesignerRoot, type DesignerBackend } from './console/routes/designer.js';
import { resyncOrders } from './resync.js';
import { AnomalyMonitor } from './anomaly/monitor.js';
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
  /** The visual designer's core (compiler/designer/ behind runtime/console/routes/designer.ts), given by bin/flowd.js or a test: the runtime never imports the compiler. */
  readonly designer?: DesignerBackend;
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
  /** The operations console (`/api/`, `/console`), unless console.enabled is false. */
  readonly console?: ConsoleServer;
  /** Anomaly detection: the flows' profiles (runtime/anomaly/). */
  readonly anomaly: AnomalyMonitor;
  /** Runs every poll once now (tests and the demo use it to avoid waiting for intervals). */
  pollNow(): Promise<number>;
  stop(): Promise<void>;
}

export { REJECTED_PUSH_FLOW, xcartEventFromPush, deadLetterRejectedPush } from './triggers/xcart-push.js';

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const secrets = config.secrets.map((s) => s.reveal());
  const logger = options.logger ?? createLogger({ level: config.log.level, ...(config.log.file ? { file: config.log.file } : {}), name: 'flowd', secrets });
  for (const w of config.warnings) logger.warn({}, w);
  // store.kind: the SQLite file, or the PostgreSQL database several flowd processes share.
  const store = await openConfiguredStore(config.store);
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

async function startOn(store: ConfiguredStore, config: Config, options: ServiceOptions, logger: Logger, cleanup: (() => unknown)[]): Promise<Service> {
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
  const xcart = new XcartConnector({ ...optional('xcart'), baseUrl: xc.baseUrl, token: xc.token.reveal(), ratePerSecond: xc.ratePerSecond, timeoutMs: xc.timeoutMs, changedFilter: xc.changedFilter, retries: 0, connections: xc.concurrency,
    module: xc.module, tracking: xc.tracking, logger });
  cleanup.push(() => xcart.close());
  const sp = config.connections.sagepro;
  // The install's text rules, for the connector and for truncate in the flow modules (all copies).
  setTextRules(sp.text);
  const sageproOptions = (poolSize: number) => ({
    ...optional('sagepro'), dsn: sp.dsn.reveal(), ...(sp.dialect ? { dialect: sp.dialect } : {}), company: sp.company, externalRefColumn: sp.externalRefColumn, trackingColumn: sp.trackingColumn, poolSize,
    defaultLocation: sp.defaultLocation, numbering: sp.numbering,
    text: sp.text, onWarning: (message: string, where: { table: string; column: string }) => logger.warn({ system: 'sagepro', ...where }, message),
    ...(sp.modules ? { modules: sp.modules } : {}), ...(sp.tables ? { tables: sp.tables } : {}), ...(sp.attach ? { attach: sp.attach } : {}),
  });
  // The flows' calls: `concurrency` connections, and only them.
  const sagepro = new SageProConnector(sageproOptions(sp.concurrency));
  cleanup.push(() => sagepro.close());
  // The change polls (a whole-table cursor per polled flow, each on its own timer) on one connection
  // of their own: sharing the flows' pool, three scans every interval held both of its connections
  // and every customers.find_by_email / sales_orders.create waited behind them (bench/e2e.bench.ts:
  // find_by_email 13 ms without Sage Pro polls, 104 ms with them, flowd 10.7 orders/s).
  const sageproPolls = new SageProConnector(sageproOptions(1));
  cleanup.push(() => sageproPolls.close());
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
  // (PostgreSQL: the probe is asynchronous, so a check between two probes sees the last answer.)
  let storeProblem: string | undefined;
  const where = config.store.kind === 'sqlite' ? { file: config.store.path } : { url: describeStore(config.store) };
  const applyProbe = (problem: string | undefined) => {
    metrics.storeUp.set(problem ? 0 : 1);
    if (problem && problem !== storeProblem) alert(`store unusable: ${problem}`, { system: 'store', ...where, problem });
    else if (!problem && storeProblem) logger.warn(where, 'store accepts writes again');
    storeProblem = problem;
    return problem;
  };
  const probeStore = (): string | undefined => {
    if (store instanceof SqliteStore) return applyProbe(store.isOpen ? store.probeWrite() : 'store is closed');
    void store.probeWrite().then(applyProbe);
    return storeProblem;
  };
  if (store instanceof PostgresStore) applyProbe(await store.probeWrite());
  else probeStore();
  const connectors: Record<'xcart' | 'sagepro', Connector> = { xcart, sagepro };
  // Anomaly detection (runtime/anomaly/README.md): the flows' profiles in the store, counts
  // written once a second in one statement.
  const anomaly = new AnomalyMonitor(store.anomaly, { params: { warmupRuns: config.anomaly.warmupRuns }, onError: (message, err) => logger.warn({ err: (err as Error)?.message }, message) });
  if (config.anomaly.enabled) anomaly.start();
  const engine = new Engine({
    ...(config.anomaly.enabled ? { anomaly } : {}),
    store, flows, connectors, workers: config.workers.count, leaseMs: config.workers.leaseMs,
    // One process owns a SQLite store and wakes its own workers on every enqueue, so an idle worker
    // can sleep 1 s (4 empty leases a second, not 16); on PostgreSQL other processes enqueue too,
    // and nothing tells this one (no NOTIFY), so it keeps looking every 250 ms.
    idleMaxMs: store instanceof PostgresStore ? 250 : 1000,
    concurrency: { xcart: xc.concurrency, sagepro: sp.concurrency }, logger, alert,
    metrics: {
      jobFinished: (flow, outcome, s) => metrics.recordJob(flow, outcome as Parameters<Metrics['recordJob']>[1], s),
      retried: (flow, cls) => metrics.retries.inc({ flow, error_class: cls }),
      connectorCall: (system, operation, outcome, s) => metrics.connectorCallDuration.observe({ system, operation, outcome }, s),
    },
  });
  // The triggers (runtime/triggers/): each only enqueues into the store and wakes the engine.
  // On PostgreSQL each poll source is led by one process of the cluster at a time (store.leader).
  const leader = store instanceof PostgresStore ? { leader: (source: string) => store.leader(source) } : {};
  const deps = (source: string) => ({ sink: store, flows, logger, ...leader, onEnqueued: () => engine.wake(), onEvent: (type: string) => metrics.eventsIn.inc({ source, type }) });
  // connections.xcart.cutover: orders before it are never exported, polled or pushed (cutover.ts).
  // A push whose data lacks what the cutover compares is decided on the order as X-Cart returns it.
  // An order X-Cart does not have (404) or cannot serialise (500, xcart-api.md item 9) is left to the
  // flow, as without a cutover (it fails there by its own policy); any other failure (X-Cart down)
  // fails the push with 503, so the sender retries and nothing is guessed.
  const pushedOrder = async (id: number) => {
    try { return await xcart.getOrder(id); } catch (e) {
      if (e instanceof ConnectorError && (e.errorClass === 'not_found' || e.status === 500)) return {};
      throw e;
    }
  };
  const cutover = xc.cutover ? { cutover: xc.cutover } : {};
  const xcartPoller = new XcartPoller({ ...deps('xcart-poll'), ...cutover, source: xcart, everyMs: config.triggers.xcartPoll.everyMs, start: options.xcartStart ?? 'now',
    onBeforeCutover: (n) => metrics.beforeCutover.inc({ source: 'xcart-poll' }, n) });
  const sageproPoller = new SageProPoller({ ...deps('sagepro-poll'), source: sageproPolls, defaultEveryMs: config.triggers.sageproPoll.everyMs, ...(options.sageproEveryMs ? { everyMs: options.sageproEveryMs } : {}) });
  const schedules = new ScheduleTrigger(deps('schedule'));
  // Never acknowledge what cannot be kept: the enqueue itself re-checks the file's identity too.
  const xcartPush = new XcartPushTrigger({ ...deps('push'), ...cutover, guard: () => { if (storeProblem && probeStore()) throw new Error(`store unusable: ${storeProblem}`); },
    getOrder: pushedOrder, onBeforeCutover: () => metrics.beforeCutover.inc({ source: 'push' }) });
  const triggers: Trigger[] = [
    ...(config.triggers.xcartPoll.enabled ? [xcartPoller] : []),
    ...(config.triggers.sageproPoll.enabled ? [sageproPoller] : []),
    schedules,
  ];
  cleanup.push(() => Promise.all(triggers.map((t) => t.stop())));

  // The operations console (runtime/console/): the JSON API under /api/ and the SPA at /console.
  const flowDir = config.flows.dir;
  const configDir = path.dirname(config.file);
  const rootOf = (root: string | undefined) => (root ? { root } : {});
  const sourceDirs = [flowDir, path.dirname(flowDir), configDir, path.join(configDir, 'mappings'), process.cwd(), path.join(process.cwd(), 'mappings')];
  const consoleServer = config.console.enabled ? createConsole({
    store, flows, secrets: config.secrets.map((s) => s.reveal()), sessionTtlMs: config.console.sessionTtlMs,
    ...(config.console.dir ? { staticDir: config.console.dir } : {}),
    sourceDirs,
    designer: {
      ...(options.designer ? { backend: options.designer } : {}),
      ...rootOf(findDesignerRoot(config.console.designerDir, sourceDirs, [...flows.values()].map((f) => f.module.meta.source))),
    },
    wake: () => engine.wake(),
    resync: async (number) => {
      const r = await resyncOrders({ store, xcart, flows, ...(xc.cutover ? { cutover: xc.cutover } : {}), onEnqueued: () => engine.wake() }, { numbers: [number] });
      const one = r.results[0]!;
      return { jobId: one.jobIds[0] ?? null, alreadyQueued: one.status === 'already_queued', status: one.status, ...(one.reason ? { reason: one.reason } : {}) };
    },
    onError: (err, where) => logger.error({ err, path: where }, 'console request failed'),
  }) : undefined;

  // Connection watch: alert once when a poller has failed for longer than the configured time.
  const downSince = new Map<string, number>();
  const watch = setInterval(() => {
    probeStore();
    for (const [name, p] of [['xcart', xcartPoller], ['sagepro', sageproPoller]] as const) {
      // (schedules and pushes have no connection of their own to watch)
      metrics.connectionUp.set({ system: name }, p.failures === 0 ? 1 : 0);
      consoleServer?.connections.observe(name, p.failures === 0, p.failures ? `${p.failures} failed polls in a row` : undefined);
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
    ...(consoleServer ? { console: consoleServer } : {}),
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
        accept: (e) => xcartPush.accept(e),
        reject: (raw) => xcartPush.reject(raw),
      },
    } : {}),
  });

  engine.start();
  for (const t of triggers) t.start();
  ready = true;
  logger.info({ url: http.url, flows: [...flows.keys()], ...(xc.cutover ? { cutover: describeCutover(xc.cutover) } : {}) }, 'flowd started');

  let stopped = false;
  return {
    url: http.url, store, engine, flows, anomaly, metrics, logger, xcart, sagepro, xcartPoller, sageproPoller, ...(consoleServer ? { console: consoleServer } : {}),
    async pollNow() { return (await xcartPoller.pollNow()) + (await sageproPoller.pollNow()); },
    async stop() {
      if (stopped) return;
      stopped = true;
      ready = false;
      clearInterval(watch);
      await Promise.all([xcartPoller, sageproPoller, schedules, xcartPush].map((t) => t.stop()));
      await engine.stop();
      await anomaly.stop();
      await http.close();
      await Promise.allSettled([xcart.close(), sagepro.close(), sageproPolls.close()]);
      await store.close();
      logger.info({}, 'flowd stopped');
    },
  };
}
