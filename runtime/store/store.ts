/**
 * The runtime's durable store: jobs (the event queue), leases, idempotency keys, watermarks, row
 * hashes, the dead-letter queue, the run log and a few runtime facts.
 *
 * Every method is asynchronous so that a PostgreSQL implementation (several flowd processes sharing
 * one database) can implement the same interface; `SqliteStore` is the default implementation.
 *
 * Contract every implementation keeps (see README.md for the full rules):
 * - A method that changes state commits exactly one transaction before its promise resolves; once it
 *   has resolved, the change survives a crash of the process (and, for SQLite, of the machine).
 *   A method that rejects changed nothing.
 * - Time is milliseconds since the epoch, taken from the store's clock (`now`), never from callers,
 *   except where a method takes an explicit time (`nextAttemptAt`, `startedAt`).
 * - Several stores (processes) may share one database. Leases are the only coordination: a job is
 *   handed to one worker at a time, and only the worker holding the lease may finish it.
 * - Payloads are JSON: what `enqueue` is given comes back from `lease`, `getJob` and the dead-letter
 *   queue as `JSON.parse(JSON.stringify(payload))`.
 */
import type { ErrorClass } from '../contract.js';

export type { ErrorClass };

/** Where an event came from. */
export type EventSource = 'xcart' | 'sagepro' | 'schedule';

/**
 * A job's state. `queued` → (lease) → `running` → one of the final states, or back to `queued`
 * (retry, release, or a lease that expired and is taken again).
 */
export type JobState = 'queued' | 'running' | 'done' | 'skipped' | 'duplicate' | 'dead_letter';

/** How a run finished successfully (the flow module's `FlowResult.outcome`). */
export type CompleteOutcome = 'done' | 'skipped' | 'duplicate';

/** What the run log records for one run. */
export type RunOutcome = CompleteOutcome | 'retry' | 'dead_letter';

/** The event a trigger hands to the store. */
export interface EnqueueInput {
  readonly flow: string;
  /** Version of the flow the event was received for (informational: the engine picks the version at run time). */
  readonly flowVersion?: string | null;
  readonly source: EventSource;
  /** e.g. `order.created`, `InventoryLevel.changed`, `schedule`. */
  readonly eventType: string;
  /** The entity the event is about. Required unless `dedupeKey` is given. */
  readonly entityId?: string | null;
  /** The entity's update time (or, for a Sage Pro row, its hash). Required unless `dedupeKey` is given. */
  readonly updatedAt?: string | null;
  /** JSON-serialisable event payload (the contract's `TriggerEvent.data`). */
  readonly payload: unknown;
  /**
   * Dedupe key, unique per flow. Default: `defaultDedupeKey(source, entityId, updatedAt)`, so the key
   * is (flow, source, entityId, updatedAt) — exactly-once layer 1.
   */
  readonly dedupeKey?: string;
}

export interface EnqueueResult {
  readonly jobId: number;
  /** True when a job with the same (flow, dedupe key) already existed; `jobId` is that job. */
  readonly duplicate: boolean;
}

/** Changes to apply to one row-hash scope: `hash: null` deletes the key. */
export interface RowHashChange {
  readonly key: string;
  readonly hash: string | null;
}

/** Other state to commit in the same transaction as a batch of events (a poll's progress). */
export interface EnqueueBatchOptions {
  /** Advance this watermark together with the events. */
  readonly watermark?: { readonly name: string; readonly value: string };
  /** Apply these row-hash changes together with the events. */
  readonly rowHashes?: { readonly scope: string; readonly changes: readonly RowHashChange[] };
  /**
   * The poll source whose leadership this batch was polled under (`leader(source)`). PostgreSQL
   * checks, in the batch's own transaction and holding the leadership row, that this process still
   * leads it; if its leadership expired or was taken over (it stalled past `store.leader_ttl`), the
   * batch writes nothing (events, watermark, hashes) and is refused with a StoreError: the new leader
   * polls from the stored watermark, so nothing is lost, and a stale watermark never overwrites its.
   * SQLite (one process) ignores it.
   */
  readonly leader?: string;
}

export interface Job {
  readonly id: number;
  readonly flow: string;
  /** The version given at enqueue, or the last one recorded by `complete`/`deadLetter`; null when unknown. */
  readonly flowVersion: string | null;
  readonly source: EventSource;
  readonly eventType: string;
  readonly entityId: string | null;
  readonly updatedAt: string | null;
  readonly payload: unknown;
  readonly dedupeKey: string;
  readonly state: JobState;
  /** Number of times the job was leased (a graceful `release` does not count). */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  /**
   * The fencing token of the current lease (PostgreSQL store; absent on SQLite): every lease takes
   * a new, greater one, and an outcome written for an older lease of the job is refused.
   */
  readonly fence?: number | null;
  readonly lastError: string | null;
  readonly lastErrorClass: string | null;
  /** Dead-letter entry this job replays, or null. */
  readonly replayOf: number | null;
  readonly createdAt: number;
  readonly changedAt: number;
  readonly finishedAt: number | null;
  readonly durationMs: number | null;
}

export interface LeaseOptions {
  /** How long the lease lasts without a heartbeat. */
  readonly leaseMs: number;
  /** Most jobs to take (default 1). */
  readonly limit?: number;
  /** Only jobs of these flows (default: any flow). */
  readonly flows?: readonly string[];
}

/** A run-log entry. `jobId` is null for runs outside the queue (e.g. `flowd run` by hand). */
export interface RunInput {
  readonly jobId: number | null;
  readonly flow: string;
  readonly flowVersion: string;
  /** What started the run, e.g. `xcart:order.created`, `schedule`, `replay`. */
  readonly trigger: string;
  readonly outcome: RunOutcome;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly error?: string | null;
  readonly errorClass?: string | null;
  /** `file.flow:line:col` of the failing statement. */
  readonly site?: string | null;
  readonly correlationId: string;
  /** The run's business keys (order number, sales order, SKU, ...) for the console's search; stored with the run. */
  readonly keys?: readonly RunKey[];
  /** The run's connector calls in order (records fetched, writes made); stored with the run. */
  readonly calls?: readonly RunCall[];
}

/** A business key of a run: what the console's search box finds it by. Emails are kept lowercased. */
export type RunKeyKind = 'order_number' | 'order_id' | 'sales_order' | 'customer' | 'email' | 'sku';
export interface RunKey { readonly kind: RunKeyKind; readonly value: string }

/** One `ctx.call` of a run, as recorded: args and result already masked and truncated by the engine. */
export interface RunCall {
  readonly system: string;
  readonly operation: string;
  readonly kind: 'read' | 'write';
  readonly args: unknown;
  readonly result?: unknown;
  readonly error?: string | null;
  readonly durationMs: number;
}

export interface RunRecord extends RunInput {
  readonly id: number;
  readonly jobId: number | null;
  readonly error: string | null;
  readonly errorClass: string | null;
  readonly site: string | null;
  readonly recordedAt: number;
}

export interface CompleteInput {
  readonly outcome: CompleteOutcome;
  readonly durationMs: number;
  /** The flow version that ran. */
  readonly flowVersion?: string;
  /** Why (for `skipped`: the `skip when` reason). */
  readonly reason?: string;
  /** Record the flow's idempotency key as done, in the same transaction (exactly-once layer 2). */
  readonly idempotencyKey?: { readonly key: string; readonly keepMs: number };
  /** Append this run-log entry in the same transaction. */
  readonly run?: RunInput;
  /**
   * The fencing token of the lease this outcome is for (`Job.fence`). A store that has fencing
   * refuses the write when the job's current lease has another token; left out, the store uses
   * the token it handed to this worker for this job (the engine need not pass it).
   */
  readonly fence?: number;
}

export interface RetryInput {
  readonly error: string;
  readonly errorClass: ErrorClass | string;
  /** When the job becomes ready again (epoch ms). */
  readonly nextAttemptAt: number;
  readonly run?: RunInput;
  /**
   * The fencing token of the lease this outcome is for (`Job.fence`). A store that has fencing
   * refuses the write when the job's current lease has another token; left out, the store uses
   * the token it handed to this worker for this job (the engine need not pass it).
   */
  readonly fence?: number;
}

export interface DeadLetterInput {
  /** The full error (message, cause chain, stack). */
  readonly error: string;
  readonly errorClass: ErrorClass | string;
  /** A one-line reason for listings; default: the first line of `error`. */
  readonly reason?: string;
  /** `file.flow:line:col` of the failing statement. */
  readonly site?: string | null;
  /** The flow version that failed. */
  readonly flowVersion: string;
  readonly run?: RunInput;
  /**
   * The fencing token of the lease this outcome is for (`Job.fence`). A store that has fencing
   * refuses the write when the job's current lease has another token; left out, the store uses
   * the token it handed to this worker for this job (the engine need not pass it).
   */
  readonly fence?: number;
}

/** An event dead-lettered as it arrives (no flow can run it): `deadLetterEvent`. */
export interface DeadLetterEventInput extends EnqueueInput {
  readonly error: string;
  readonly errorClass: ErrorClass | string;
  /** A one-line reason for listings; default: the first line of `error`. */
  readonly reason?: string;
}

export interface DeadLetterEventResult {
  /** The job (state dead_letter) that holds the event, or the existing one of a duplicate. */
  readonly jobId: number;
  /** The new dead-letter entry; null for a duplicate. */
  readonly deadLetterId: number | null;
  /** True when (flow, dedupe key) existed already: nothing was written. */
  readonly duplicate: boolean;
}

export interface DeadLetterSummary {
  readonly id: number;
  /** The job that failed. */
  readonly jobId: number;
  readonly flow: string;
  readonly flowVersion: string;
  readonly source: EventSource;
  readonly eventType: string;
  readonly entityId: string | null;
  readonly errorClass: string;
  readonly reason: string;
  readonly site: string | null;
  readonly attempts: number;
  readonly createdAt: number;
  readonly changedAt: number;
  /** When it was replayed and as which job; null while pending. */
  readonly replayedAt: number | null;
  readonly replayJobId: number | null;
}

export interface DeadLetter extends DeadLetterSummary {
  readonly updatedAt: string | null;
  readonly payload: unknown;
  readonly dedupeKey: string;
  readonly error: string;
  /** Set only on an entry discarded from the console (`discardDeadLetter`). */
  readonly discardedAt?: number;
  readonly discardReason?: string;
}

export interface ListDeadLettersOptions {
  readonly flow?: string;
  /** Default 100. */
  readonly limit?: number;
  /** `pending` (default): neither replayed nor discarded; `replayed`; `all`. */
  readonly state?: 'pending' | 'replayed' | 'all';
  /** Only entries with this reason. */
  readonly reason?: string;
  /** Only entries whose runs have this business key (or whose entity id is it). */
  readonly key?: string;
}

export interface ReplayResult {
  readonly deadLetterId: number;
  /** The new job (or, when the entry had been replayed before, the job it was replayed as). */
  readonly jobId: number;
  readonly alreadyReplayed: boolean;
}

export interface FlowStatus {
  readonly flow: string;
  /** Jobs waiting (ready now or scheduled for a retry). */
  readonly queued: number;
  /** Queued jobs whose `nextAttemptAt` has come. */
  readonly ready: number;
  readonly running: number;
  /** Dead-letter entries not replayed yet. */
  readonly deadLettered: number;
  readonly lastRun: { readonly at: number; readonly outcome: RunOutcome; readonly jobId: number | null } | null;
  readonly lastError: {
    readonly at: number;
    readonly outcome: RunOutcome;
    readonly error: string;
    readonly errorClass: string | null;
    readonly site: string | null;
  } | null;
}

export interface StoreStatus {
  readonly flows: readonly FlowStatus[];
  readonly totals: { readonly queued: number; readonly ready: number; readonly running: number; readonly deadLettered: number };
  /** Unfinished jobs: queued + running. */
  readonly queueDepth: number;
  readonly now: number;
}

export interface Store {
  // ---- events → jobs (exactly-once layer 1) ----
  /** Inserts a job unless (flow, dedupe key) exists. Durable when it resolves. */
  enqueue(event: EnqueueInput): Promise<EnqueueResult>;
  /** Several events, plus optional watermark / row-hash progress, in one transaction. Results in input order. */
  enqueueBatch(events: readonly EnqueueInput[], opts?: EnqueueBatchOptions): Promise<EnqueueResult[]>;
  getJob(jobId: number): Promise<Job | undefined>;

  // ---- leases ----
  /**
   * Atomically takes up to `limit` ready jobs — queued with `nextAttemptAt <= now`, or running with
   * an expired lease (their worker died) — in (nextAttemptAt, id) order, marks them running for
   * `workerId` until now + leaseMs and increments `attempts`. No job is ever handed to two workers
   * whose leases are both unexpired.
   */
  lease(workerId: string, opts: LeaseOptions): Promise<Job[]>;
  /** Extends the lease to now + leaseMs. False when the worker no longer holds it. */
  heartbeat(jobId: number, workerId: string, leaseMs: number): Promise<boolean>;
  /** Graceful shutdown: back to queued, the attempt not counted. False when the lease was lost. */
  release(jobId: number, workerId: string): Promise<boolean>;

  // ---- outcomes (all return false / null when `workerId` no longer holds the lease) ----
  complete(jobId: number, workerId: string, result: CompleteInput): Promise<boolean>;
  retry(jobId: number, workerId: string, input: RetryInput): Promise<boolean>;
  /** Moves the job to the dead-letter queue; resolves to the entry's id. */
  deadLetter(jobId: number, workerId: string, input: DeadLetterInput): Promise<number | null>;
  /**
   * Dead-letters an event at once, without a job ever being queued or leased (a rejected push, an
   * order X-Cart cannot serialise): the job (state dead_letter, attempts 0) and its entry are
   * written in one durable transaction, deduped by (flow, dedupe key) like `enqueue`.
   */
  deadLetterEvent(input: DeadLetterEventInput): Promise<DeadLetterEventResult>;

  // ---- idempotency keys (exactly-once layer 2) ----
  /** True when the key was marked done and has not expired. */
  isKeyDone(flow: string, key: string): Promise<boolean>;
  /** Marks the key done until now + keepMs (replacing an earlier mark). */
  markKeyDone(flow: string, key: string, jobId: number | null, keepMs: number): Promise<void>;
  /** Deletes expired keys; resolves to how many. */
  purgeExpiredKeys(): Promise<number>;

  // ---- watermarks (X-Cart polling) ----
  getWatermark(name: string): Promise<string | undefined>;
  setWatermark(name: string, value: string): Promise<void>;

  // ---- row hashes (Sage Pro change detection) ----
  getRowHashes(scope: string): Promise<Map<string, string>>;
  getRowHash(scope: string, key: string): Promise<string | undefined>;
  /** Applies all changes in one transaction; `hash: null` deletes the key. */
  applyRowHashes(scope: string, changes: readonly RowHashChange[]): Promise<void>;
  countRowHashes(scope: string): Promise<number>;

  // ---- dead-letter queue ----
  listDeadLetters(opts?: ListDeadLettersOptions): Promise<DeadLetterSummary[]>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  /**
   * Re-enqueues the entry's original event as a new job (attempts 0, no flow version: the engine
   * runs it through the currently deployed version) and marks the entry replayed. Replaying an
   * entry twice returns the first replay's job. Undefined when there is no such entry.
   */
  replay(id: number): Promise<ReplayResult | undefined>;
  /** Replays every pending entry (of one flow), oldest first. */
  replayAll(opts?: { readonly flow?: string }): Promise<ReplayResult[]>;

  /**
   * Like `replay`, but the new job carries `payload` instead of the original event's (edit and
   * resubmit): same flow, event and entity, so the flow computes the same idempotency key and a
   * second resubmit of what already succeeded ends `duplicate`. Every call makes a new job.
   */
  resubmit(id: number, payload: unknown): Promise<ReplayResult | undefined>;
  /** Marks a pending entry discarded (it leaves the pending list and status); false when not pending. */
  discardDeadLetter(id: number, reason: string): Promise<boolean>;

  // ---- run log ----
  recordRun(run: RunInput): Promise<number>;
  /** Newest first. Default limit 100. */
  listRuns(opts?: { readonly flow?: string; readonly jobId?: number; readonly limit?: number }): Promise<RunRecord[]>;

  // ---- the operations console: users, sessions, audit, run search (console-tables.ts) ----
  readonly console: ConsoleStore;

  // ---- anomaly profiles of the flows (anomaly-tables.ts, runtime/anomaly/) ----
  readonly anomaly: AnomalyStore;

  // ---- status and small facts ----
  status(): Promise<StoreStatus>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}

/** One bin count of a flow's anomaly profile (runtime/anomaly/histogram.ts says what the bins are). */
export interface AnomalyCount { readonly flow: string; readonly metric: string; readonly bin: number; readonly n: number }

/** The flows' anomaly profiles: additive counts per (flow, metric, bin). */
export interface AnomalyStore {
  /** Every (metric, bin, count) of the flow's profile. */
  loadProfile(flow: string): Promise<{ metric: string; bin: number; n: number }[]>;
  /**
   * Adds the counts to what the store holds, in one statement (atomic); rows for the same key are
   * summed. Concurrent adds from several processes all count.
   */
  addProfileCounts(rows: readonly AnomalyCount[]): Promise<void>;
}

export type ConsoleRole = 'viewer' | 'operator' | 'admin';

export interface ConsoleUser {
  readonly name: string;
  readonly role: ConsoleRole;
  /** `scrypt$N$r$p$salt$hash` (runtime/console/auth.ts); never leaves the server. */
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly changedAt: number;
}

export interface ConsoleSession {
  /** SHA-256 of the cookie's token (the token itself is never stored). */
  readonly id: string;
  readonly user: string;
  readonly role: ConsoleRole;
  readonly csrf: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface AuditInput {
  readonly user: string;
  readonly action: string;
  readonly target: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditEntry extends AuditInput {
  readonly id: number;
  readonly at: number;
}

export interface RunQuery {
  readonly flow?: string;
  readonly outcome?: RunOutcome;
  /** started_at >= from (epoch ms). */
  readonly from?: number;
  /** started_at < to (epoch ms). */
  readonly to?: number;
  /** A business key value (exact; an email also lowercased). */
  readonly key?: string;
  /** Runs with id < before (the cursor). */
  readonly before?: number;
  /** Default 50, at most 1000. */
  readonly limit?: number;
  /** Only runs the anomaly detector flagged (a warning `anomaly: ...`, or a run held as `held: anomaly: ...`). */
  readonly anomaly?: boolean;
}

/** Runs per flow, hour (epoch ms at the hour's start) and outcome: the rollup kept with every run. */
export interface RunCount { readonly flow: string; readonly hour: number; readonly outcome: RunOutcome; readonly n: number }

/** What the console reads and writes besides the queue. Single statements: each is atomic. */
export interface ConsoleStore {
  /** False when the name is taken. */
  createUser(user: { readonly name: string; readonly role: ConsoleRole; readonly passwordHash: string }): Promise<boolean>;
  getUser(name: string): Promise<ConsoleUser | undefined>;
  listUsers(): Promise<ConsoleUser[]>;
  /** False when there is no such user. */
  updateUser(name: string, change: { readonly role?: ConsoleRole; readonly passwordHash?: string }): Promise<boolean>;
  /** Deletes the user and their sessions; false when there was none. */
  deleteUser(name: string): Promise<boolean>;

  createSession(session: { readonly id: string; readonly user: string; readonly csrf: string; readonly expiresAt: number }): Promise<void>;
  /** The session if it exists, has not expired and its user still exists (with the user's current role). */
  getSession(id: string): Promise<ConsoleSession | undefined>;
  deleteSession(id: string): Promise<void>;
  deleteUserSessions(user: string): Promise<number>;
  /** Deletes expired sessions; resolves to how many. */
  purgeSessions(): Promise<number>;

  appendAudit(entry: AuditInput): Promise<number>;
  /** Newest first; `before` is an entry id (cursor). */
  listAudit(opts?: { readonly limit?: number; readonly before?: number }): Promise<AuditEntry[]>;

  /** Newest first (by id). */
  searchRuns(q?: RunQuery): Promise<RunRecord[]>;
  getRun(id: number): Promise<RunRecord | undefined>;
  /** Keys of these runs. */
  runKeys(runIds: readonly number[]): Promise<Map<number, RunKey[]>>;
  /** Keys of the runs of these jobs (a dead letter's job). */
  jobKeys(jobIds: readonly number[]): Promise<Map<number, RunKey[]>>;
  runCalls(runId: number): Promise<RunCall[]>;
  /** The hourly rollup since `since` (epoch ms, rounded down to the hour). */
  runCounts(since: number): Promise<RunCount[]>;
  /** All-time runs per flow and outcome. */
  runTotals(): Promise<{ flow: string; outcome: RunOutcome; n: number }[]>;
  /** Calls per flow and operation in runs started since `since`, and how many failed. */
  callStats(since: number): Promise<{ flow: string; system: string; operation: string; calls: number; errors: number }[]>;
  /** Failed runs per flow and `.flow` site since `since`. */
  siteErrors(since: number): Promise<{ flow: string; site: string; n: number }[]>;
  /** Pending dead letters per flow and reason. */
  deadLetterGroups(): Promise<{ flow: string; reason: string; count: number }[]>;
}

/**
 * The default dedupe key: (source, entity id, update time), JSON-encoded so no separator can make
 * two different events collide. Uniqueness is per flow.
 */
export function defaultDedupeKey(source: EventSource, entityId: string, updatedAt: string): string {
  return JSON.stringify([source, entityId, updatedAt]);
}

/** Thrown for programming errors (bad arguments, a database from a newer schema). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
