/**
 * The engine: workers lease jobs from the store, run the flow's generated module with a context
 * whose `call` reaches the connectors (with a per-connection concurrency limit), and record the
 * outcome: done / skipped / duplicate, a retry with backoff, or a dead-letter entry with the reason
 * and the `.flow` site. It executes only what the store hands it; triggers only enqueue.
 */
import { randomUUID } from 'node:crypto';
import type { FlowContext, FlowResult, Site, System, TriggerEvent } from '../contract.js';
import { StoreError, type Job, type RunCall, type RunKey, type Store } from '../store/store.js';
import { keysOf } from '../console/search/keys.js';
import { Masker, truncate } from '../console/mask.js';
import type { AnomalyMonitor, RunWatch } from '../anomaly/monitor.js';
import type { Flag } from '../anomaly/detector.js';
import type { LoadedFlow } from './flows.js';
import { decide, errorClassOf, retryFor } from './policy.js';

export interface Connector { call(operation: string, args: Record<string, unknown>): Promise<unknown> }

export interface EngineLogger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EngineMetrics {
  jobFinished(flow: string, outcome: string, seconds: number): void;
  retried(flow: string, errorClass: string): void;
  connectorCall(system: string, operation: string, outcome: string, seconds: number): void;
}

export interface EngineOptions {
  readonly store: Store;
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  readonly connectors: Partial<Record<System, Connector>>;
  /** Calls in flight at once per connection. */
  readonly concurrency?: Partial<Record<System, number>>;
  readonly workers?: number;
  readonly leaseMs?: number;
  /**
   * The longest a worker sleeps between empty leases (it backs off from 10 ms, doubling). Default
   * 250 ms. Triggers in this process wake the workers at once (`wake()`), so a longer pause only
   * delays what nothing here announces: a retry coming due, a job another process enqueued (a
   * `flowd dlq replay`, or another flowd on the same PostgreSQL). Each empty lease is a store
   * transaction: 4 workers at 250 ms are 16 a second on an idle service.
   */
  readonly idleMaxMs?: number;
  /** Unfinished runs of one job (its worker died) after which it is dead-lettered whatever its policy. */
  readonly maxAttempts?: number;
  readonly logger?: EngineLogger;
  readonly metrics?: EngineMetrics;
  /** Called when a job is dead-lettered or a policy says `alert`. */
  readonly alert?: (message: string, details: Record<string, unknown>) => void;
  readonly now?: () => number;
  readonly workerPrefix?: string;
  /**
   * Anomaly detection (runtime/anomaly/): every write's arguments are checked against the flow's
   * profile before the call; a flag is a run-log warning, a log line and an alert, and with
   * `hold when anomaly` the write is not made and the run is held (dead-lettered, class `anomaly`).
   */
  readonly anomaly?: AnomalyMonitor;
}

/** The error class of a run held by `hold when anomaly`: a replay of its dead letter releases it. */
export const HELD_CLASS = 'anomaly';

class AnomalyHeld extends Error {
  constructor(readonly flags: readonly Flag[]) {
    super(`held: anomaly: ${flags.map((f) => f.message).join('; ')}`);
    this.name = 'AnomalyHeld';
  }
}

/** Calls recorded per run (the rest still run, unrecorded): a run with more is not one a person reads call by call. */
const MAX_RECORDED_CALLS = 200;
/** Secret-named fields never reach the store (the console masks configured secret values again when it serves them). */
const nameMasker = new Masker();

const silent: EngineLogger = { info() {}, warn() {}, error() {} };

class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) { this.active++; return; }
    await new Promise<void>((r) => this.waiters.push(r));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next(); else this.active--;
  }
}

export function siteText(site: Site | undefined): string | undefined {
  return site ? `${site.file}:${site.line}:${site.column}` : undefined;
}

export class Engine {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private wakers: (() => void)[] = [];
  private readonly sems = new Map<System, Semaphore>();
  private readonly inFlight = new Set<number>();
  readonly workerIds: string[] = [];

  constructor(private readonly o: EngineOptions) {
    for (const sys of ['xcart', 'sagepro'] as const) this.sems.set(sys, new Semaphore(o.concurrency?.[sys] ?? 4));
  }

  get busy(): number { return this.inFlight.size; }

  start(): void {
    if (this.running) return;
    this.running = true;
    const n = this.o.workers ?? 4;
    const prefix = this.o.workerPrefix ?? `flowd-${process.pid}-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < n; i++) {
      const id = `${prefix}-w${i}`;
      this.workerIds.push(id);
      this.loops.push(this.loop(id));
    }
  }

  /** Wakes idle workers at once (a trigger just enqueued). */
  wake(): void { const w = this.wakers; this.wakers = []; for (const f of w) f(); }

  /** Stops leasing; waits for in-flight jobs to finish (their outcome is recorded). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.wakers.push(done);
    });
  }

  private async loop(workerId: string): Promise<void> {
    let idle = 10;
    while (this.running) {
      let jobs: Job[] = [];
      try {
        jobs = await this.o.store.lease(workerId, { leaseMs: this.o.leaseMs ?? 60_000, limit: 1, flows: [...this.o.flows.keys()] });
      } catch (err) {
        (this.o.logger ?? silent).error({ err: (err as Error).message, workerId }, 'lease failed');
      }
      if (jobs.length === 0) { await this.sleep(idle); idle = Math.min(idle * 2, this.o.idleMaxMs ?? 250); continue; }
      idle = 10;
      for (const job of jobs) {
        try {
          await this.runJob(job, workerId);
        } catch (err) {
          // The store refused or lost the outcome (it is restarting, the session was cut). The job
          // stays leased to this worker until the lease expires; then it runs again, and the
          // write guards (idempotency keys, references checked inside the ERP transaction) make
          // that second run a no-op for what the first one committed. The worker goes on.
          (this.o.logger ?? silent).error({ err: (err as Error).message, workerId, jobId: job.id }, 'outcome not recorded: the job runs again when its lease expires');
          await this.sleep(Math.min(1000, this.o.idleMaxMs ?? 250));
        }
      }
    }
  }

  /**
   * Records a job's outcome, trying again while the store is unreachable (a PostgreSQL restart, a
   * cut session) for up to half the lease: the work is done, and recording it is cheaper than
   * running it again. A refusal by the store itself (`StoreError`: a bad argument) is not retried;
   * neither is a lost lease, which the store reports as `false`/`null`, not as an error. Past the
   * deadline the error goes to the worker loop, and the job runs again when its lease expires.
   */
  private async persist<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.o.leaseMs ?? 60_000) / 2;
    for (let pause = 50; ; pause = Math.min(pause * 2, 2000)) {
      try {
        return await write();
      } catch (err) {
        if (err instanceof StoreError || Date.now() + pause > deadline) throw err;
        (this.o.logger ?? silent).warn({ err: (err as Error).message, retryInMs: pause }, 'store unavailable while recording an outcome; trying again');
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /** Runs one leased job to an outcome. Exposed for tests. */
  async runJob(job: Job, workerId: string): Promise<void> {
    const now = this.o.now ?? Date.now;
    const log = this.o.logger ?? silent;
    const correlationId = `job-${job.id}-${job.attempts}`;
    const flow = this.o.flows.get(job.flow);
    const startedAt = now();
    const trigger = `${job.source}:${job.eventType}`;
    if (!flow) {
      await this.persist(() => this.o.store.deadLetter(job.id, workerId, { error: `flow '${job.flow}' is not deployed`, errorClass: 'invalid', flowVersion: job.flowVersion ?? 'unknown',
        run: { jobId: job.id, flow: job.flow, flowVersion: job.flowVersion ?? 'unknown', trigger, outcome: 'dead_letter', startedAt, durationMs: 0, error: 'flow not deployed', errorClass: 'invalid', correlationId } }));
      return;
    }
    const version = flow.version;
    const meta = flow.module.meta;
    if (job.attempts > (this.o.maxAttempts ?? 50) && (await this.unfinishedRuns(job)) >= (this.o.maxAttempts ?? 50)) {
      const msg = `gave up after ${await this.unfinishedRuns(job)} runs that did not finish (the worker died each time)`;
      await this.persist(() => this.o.store.deadLetter(job.id, workerId, { error: msg, errorClass: 'invalid', flowVersion: version,
        run: { jobId: job.id, flow: flow.name, flowVersion: version, trigger, outcome: 'dead_letter', startedAt, durationMs: 0, error: msg, errorClass: 'invalid', correlationId } }));
      this.o.alert?.(`${flow.name}: job ${job.id} dead-lettered: ${msg}`, { flow: flow.name, jobId: job.id });
      return;
    }
    const event: TriggerEvent = {
      type: job.eventType, source: job.source as TriggerEvent['source'],
      ...(job.entityId !== null ? { id: job.entityId } : {}), ...(job.updatedAt !== null ? { updated_at: job.updatedAt } : {}),
      data: (job.payload ?? {}) as Record<string, unknown>,
    };
    let idem: { key: string; keepMs: number } | undefined;
    const warnings: string[] = [];
    // Anomalies: the jobs of one poll share their enqueue time (one enqueueBatch transaction). A
    // replay of a held run's dead letter is its release: its anomalies are accepted, once.
    const watch = this.o.anomaly ? await this.watchFor(flow.name, job) : undefined;
    let held: AnomalyHeld | undefined;
    // What the run fetched and wrote, for the console's run page and search (masked, truncated).
    const calls: RunCall[] = [];
    const extras = (): { keys: RunKey[]; calls: RunCall[] } => ({ keys: keysOf(event, calls), calls });
    const ctx: FlowContext = {
      call: async (system, operation, args, site) => {
        const connector = this.o.connectors[system];
        if (!connector) throw Object.assign(new Error(`no ${system} connection is configured`), { errorClass: 'permission', callSite: site });
        const sem = this.sems.get(system)!;
        await sem.acquire();
        const t0 = performance.now();
        log.debug?.({ correlationId, system, operation }, 'call');
        const kind = meta.operations.find((u) => u.system === system && u.operation === operation)?.kind ?? 'read';
        if (kind === 'write' && watch) {
          try {
            this.anomalies(watch, system, operation, args, { flow: flow.name, jobId: job.id, correlationId, site: siteText(meta.sites[site]) }, warnings);
          } catch (err) {
            sem.release();
            if (err instanceof AnomalyHeld) { held = err; (err as { callSite?: number }).callSite = meta.holdOnAnomaly?.site ?? site; }
            throw err;
          }
        }
        try {
          const r = await connector.call(operation, args as Record<string, unknown>);
          this.o.metrics?.connectorCall(system, operation, 'ok', (performance.now() - t0) / 1000);
          if (calls.length < MAX_RECORDED_CALLS) calls.push({ system, operation, kind, args: truncate(nameMasker.mask(args)), result: truncate(nameMasker.mask(r ?? null)), durationMs: performance.now() - t0 });
          return r;
        } catch (err) {
          this.o.metrics?.connectorCall(system, operation, errorClassOf(err), (performance.now() - t0) / 1000);
          if (calls.length < MAX_RECORDED_CALLS) calls.push({ system, operation, kind, args: truncate(nameMasker.mask(args)), error: String((err as Error)?.message ?? err).slice(0, 2000), durationMs: performance.now() - t0 });
          if (err && typeof err === 'object') (err as { callSite?: number }).callSite = site;
          throw err;
        } finally { sem.release(); }
      },
      claim: async (key, keepMs) => {
        let done: boolean;
        try {
          done = await this.o.store.isKeyDone(flow.name, key);
        } catch (err) {
          // The store is unreachable (a PostgreSQL restart): the run cannot know whether the key was
          // used, so it must not go on; a transient error, retried by the flow's policy (before,
          // as an unclassified error, it dead-lettered the order as `invalid`).
          if (err instanceof StoreError) throw err;
          throw Object.assign(new Error(`the store is unavailable (checking the idempotency key): ${(err as Error).message}`), { errorClass: 'transient', cause: err });
        }
        if (done) return false;
        idem = { key, keepMs };
        return true;
      },
      now: () => new Date(now()).toISOString(),
      warn: (message, site) => { warnings.push(message); log.warn({ correlationId, flow: flow.name, site: siteText(meta.sites[site]) }, message); },
    };
    this.inFlight.add(job.id);
    const leaseMs = this.o.leaseMs ?? 60_000;
    const hb = setInterval(() => { void this.o.store.heartbeat(job.id, workerId, leaseMs).catch(() => {}); }, Math.max(1000, leaseMs / 3));
    try {
      let result: FlowResult;
      try {
        result = await flow.module.run(event, ctx);
      } catch (err) {
        if (held && watch) {
          watch.finish('held');
          await this.hold(job, workerId, flow, held, startedAt, correlationId, trigger, extras());
          return;
        }
        const dl = await this.failed(job, workerId, flow, err, startedAt, correlationId, trigger, extras());
        if (watch && dl !== 'retry') this.finishWatch(watch, dl === 'dead_letter' ? 'dead_letter' : 'final', { flow: flow.name, jobId: job.id, correlationId });
        return;
      }
      if (watch) this.finishWatch(watch, 'final', { flow: flow.name, jobId: job.id, correlationId });
      const durationMs = now() - startedAt;
      const ok = await this.persist(() => this.o.store.complete(job.id, workerId, {
        outcome: result.outcome, durationMs, flowVersion: version, ...(result.reason ? { reason: result.reason } : {}),
        ...(result.outcome === 'done' && idem ? { idempotencyKey: idem } : {}),
        run: { jobId: job.id, flow: flow.name, flowVersion: version, trigger, outcome: result.outcome, startedAt, durationMs, error: warnings.length ? warnings.join('; ') : null, correlationId, ...extras() },
      }));
      if (!ok) log.warn({ correlationId, flow: flow.name, jobId: job.id }, 'lease lost before completion: another worker owns the job now');
      this.o.metrics?.jobFinished(flow.name, result.outcome, durationMs / 1000);
      log.info({ correlationId, flow: flow.name, jobId: job.id, outcome: result.outcome, durationMs, ...(result.reason ? { reason: result.reason } : {}) }, 'job finished');
    } finally {
      clearInterval(hb);
      this.inFlight.delete(job.id);
    }
  }

  /**
   * When the job's first failed run started: the oldest of its runs that ended in a retry, or
   * `current` (this run's start) when none did. A job runs at most once per lease, so its last
   * `attempts` runs are all of them.
   */
  private async firstFailureAt(job: Job, current: number): Promise<number> {
    const runs = await this.o.store.listRuns({ jobId: job.id, limit: Math.max(1, job.attempts) });
    let first = current;
    for (const r of runs) if (r.outcome === 'retry' && r.startedAt < first) first = r.startedAt;
    return first;
  }

  /**
   * Earlier leases of the job that recorded no run (the worker died or was stopped before it
   * finished). Retries of a long `retry for` budget are runs that finished, so they do not count.
   */
  private async unfinishedRuns(job: Job): Promise<number> {
    const runs = await this.o.store.listRuns({ jobId: job.id, limit: Math.max(1, job.attempts) });
    return Math.max(0, job.attempts - 1 - runs.length);
  }

  private async failed(job: Job, workerId: string, flow: LoadedFlow, err: unknown, startedAt: number, correlationId: string, trigger: string,
    recorded: { keys: RunKey[]; calls: RunCall[] } = { keys: [], calls: [] }): Promise<'retry' | 'skip' | 'dead_letter'> {
    const now = this.o.now ?? Date.now;
    const log = this.o.logger ?? silent;
    const meta = flow.module.meta;
    const errorClass = errorClassOf(err);
    const e = err as { message?: string; reason?: string; site?: Site; callSite?: number; retryAfterMs?: number };
    const site = e.site ?? (e.callSite !== undefined ? meta.sites[e.callSite] : undefined);
    const where = siteText(site);
    const message = e.message ?? String(err);
    const reason = e.reason ?? message;
    const durationMs = now() - startedAt;
    // `retry for D`: D counts from the job's first failed attempt, which the store's runs record.
    const budgeted = retryFor(meta, errorClass, e.callSite)?.forMs !== undefined;
    const sinceFirstFailureMs = budgeted ? now() - (await this.firstFailureAt(job, startedAt)) : undefined;
    const decision = decide(meta, errorClass, job.attempts, e.callSite, e.retryAfterMs, undefined, sinceFirstFailureMs);
    const run = { jobId: job.id, flow: flow.name, flowVersion: flow.version, trigger, startedAt, durationMs, error: message, errorClass, site: where ?? null, correlationId, ...recorded };
    if (decision.alert) this.o.alert?.(`${flow.name}: ${decision.alert}`, { flow: flow.name, jobId: job.id, error: message, site: where });
    switch (decision.action) {
      case 'retry': {
        await this.persist(() => this.o.store.retry(job.id, workerId, { error: message, errorClass, nextAttemptAt: now() + decision.delayMs, run: { ...run, outcome: 'retry' } }));
        this.o.metrics?.retried(flow.name, errorClass);
        this.o.metrics?.jobFinished(flow.name, 'retry', durationMs / 1000);
        log.warn({ correlationId, flow: flow.name, jobId: job.id, errorClass, error: message, site: where, retryInMs: decision.delayMs, attempt: job.attempts }, 'job will be retried');
        return 'retry';
      }
      case 'skip': {
        await this.persist(() => this.o.store.complete(job.id, workerId, { outcome: 'skipped', durationMs, flowVersion: flow.version, reason, run: { ...run, outcome: 'skipped' } }));
        this.o.metrics?.jobFinished(flow.name, 'skipped', durationMs / 1000);
        log.info({ correlationId, flow: flow.name, jobId: job.id, errorClass, reason, site: where }, 'job skipped by policy');
        return 'skip';
      }
      default: {
        const id = await this.persist(() => this.o.store.deadLetter(job.id, workerId, { error: message, errorClass, reason, ...(where ? { site: where } : {}), flowVersion: flow.version, run: { ...run, outcome: 'dead_letter' } }));
        this.o.metrics?.jobFinished(flow.name, 'dead_letter', durationMs / 1000);
        log.error({ correlationId, flow: flow.name, jobId: job.id, deadLetterId: id, errorClass, reason, site: where }, 'job dead-lettered');
        this.o.alert?.(`${flow.name}: job ${job.id} dead-lettered (${errorClass}): ${reason}${where ? ` at ${where}` : ''}`, { flow: flow.name, jobId: job.id, deadLetterId: id, errorClass, site: where });
        return 'dead_letter';
      }
    }
  }

  private async watchFor(flow: string, job: Job): Promise<RunWatch> {
    const w = await this.o.anomaly!.watch(flow, String(job.createdAt));
    if (job.replayOf !== null) {
      const dl = await this.o.store.getDeadLetter(job.replayOf);
      if (dl?.errorClass === HELD_CLASS) w.accepted = dl.id;
    }
    return w;
  }

  /** Checks one write: each flag a run-log warning, a log line and an alert; held when the flow says so (and the run is not a release). */
  private anomalies(watch: RunWatch, system: string, operation: string, args: unknown,
    where: { flow: string; jobId: number; correlationId: string; site: string | undefined }, warnings: string[]): void {
    const flags = watch.beforeWrite(system, operation, args);
    if (!flags.length) return;
    const log = this.o.logger ?? silent;
    const meta = this.o.flows.get(where.flow)?.module.meta;
    const hold = meta?.holdOnAnomaly !== undefined && watch.accepted === undefined;
    for (const f of flags) {
      const accepted = watch.accepted !== undefined ? ` (accepted: released from dead letter ${watch.accepted})` : '';
      warnings.push(`anomaly: ${f.message}${accepted}`);
      log.warn({ correlationId: where.correlationId, flow: where.flow, jobId: where.jobId, anomaly: f.kind, field: f.field, value: f.value, usual: f.usual, site: where.site, held: hold }, `anomaly: ${f.message}${accepted}`);
      if (f.alert && watch.accepted === undefined) {
        this.o.alert?.(`${where.flow}: anomaly${hold ? ' (run held)' : ''}: ${f.message}`, { flow: where.flow, jobId: where.jobId, anomaly: f.kind, field: f.field, value: f.value, usual: f.usual, held: hold });
      }
    }
    if (hold) throw new AnomalyHeld(flags);
  }

  private finishWatch(watch: RunWatch, outcome: 'final' | 'dead_letter', where: { flow: string; jobId: number; correlationId: string }): void {
    const f = watch.finish(outcome);
    if (!f) return;
    (this.o.logger ?? silent).warn({ correlationId: where.correlationId, flow: where.flow, jobId: where.jobId, anomaly: f.kind, value: f.value, usual: f.usual }, `anomaly: ${f.message}`);
    this.o.alert?.(`${where.flow}: anomaly: ${f.message}`, { flow: where.flow, jobId: where.jobId, anomaly: f.kind, field: f.field, value: f.value, usual: f.usual, held: false });
  }

  /** A held run: dead-lettered with class `anomaly` and the reason; nothing was written by the flagged call. */
  private async hold(job: Job, workerId: string, flow: LoadedFlow, held: AnomalyHeld, startedAt: number, correlationId: string, trigger: string,
    recorded: { keys: RunKey[]; calls: RunCall[] }): Promise<void> {
    const now = this.o.now ?? Date.now;
    const meta = flow.module.meta;
    const where = siteText(meta.holdOnAnomaly ? meta.sites[meta.holdOnAnomaly.site] : undefined) ?? null;
    const durationMs = now() - startedAt;
    const reason = held.message.split('\n')[0]!.slice(0, 1000);
    const id = await this.persist(() => this.o.store.deadLetter(job.id, workerId, { error: `${held.message}\nTo release it, replay this dead letter (the console's Release, or flowd dlq replay <id>): the run then writes once as it is. To drop it, discard it.`,
      errorClass: HELD_CLASS, reason, site: where, flowVersion: flow.version,
      run: { jobId: job.id, flow: flow.name, flowVersion: flow.version, trigger, startedAt, durationMs, error: held.message, errorClass: HELD_CLASS, site: where, correlationId, outcome: 'dead_letter', ...recorded } }));
    this.o.metrics?.jobFinished(flow.name, 'dead_letter', durationMs / 1000);
    (this.o.logger ?? silent).warn({ correlationId, flow: flow.name, jobId: job.id, deadLetterId: id, reason, site: where }, 'run held for a person (hold when anomaly)');
  }
}
