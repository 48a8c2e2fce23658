/**
 * The rows of the store's tables as both stores read them (the same columns on SQLite and
 * PostgreSQL; PostgreSQL adds the lease's fencing token) and their mapping to the Store API's
 * records.
 */
import type { DeadLetter, DeadLetterSummary, EventSource, Job, JobState, RunOutcome, RunRecord } from './store.js';
import type { PreparedEvent } from './validate.js';

/** A job's row: the event's columns as enqueue writes them (validate.ts), then its state. */
export interface JobRow extends PreparedEvent {
  id: number;
  state: JobState;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** PostgreSQL only: the fencing token of the current lease. */
  lease_fence?: number | null;
  last_error: string | null;
  last_error_class: string | null;
  reason: string | null;
  replay_of: number | null;
  created_at: number;
  changed_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

export interface DeadLetterRow {
  id: number;
  job_id: number;
  flow: string;
  flow_version: string;
  source: EventSource;
  event_type: string;
  entity_id: string | null;
  updated_at: string | null;
  payload: string;
  dedupe_key: string;
  error: string;
  error_class: string;
  reason: string;
  site: string | null;
  attempts: number;
  created_at: number;
  changed_at: number;
  replayed_at: number | null;
  replay_job_id: number | null;
  /** Schema version 2 (SELECT * only). */
  discarded_at?: number | null;
  discard_reason?: string | null;
}

export interface RunRow {
  id: number;
  job_id: number | null;
  flow: string;
  flow_version: string;
  trigger: string;
  outcome: RunOutcome;
  started_at: number;
  duration_ms: number;
  error: string | null;
  error_class: string | null;
  site: string | null;
  correlation_id: string;
  recorded_at: number;
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    flow: r.flow,
    flowVersion: r.flow_version,
    source: r.source,
    eventType: r.event_type,
    entityId: r.entity_id,
    updatedAt: r.updated_at,
    payload: JSON.parse(r.payload) as unknown,
    dedupeKey: r.dedupe_key,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    ...(r.lease_fence !== undefined ? { fence: r.lease_fence } : {}),
    lastError: r.last_error,
    lastErrorClass: r.last_error_class,
    replayOf: r.replay_of,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  };
}

export function toDeadLetterSummary(r: DeadLetterRow): DeadLetterSummary {
  return {
    id: r.id,
    jobId: r.job_id,
    flow: r.flow,
    flowVersion: r.flow_version,
    source: r.source,
    eventType: r.event_type,
    entityId: r.entity_id,
    errorClass: r.error_class,
    reason: r.reason,
    site: r.site,
    attempts: r.attempts,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    replayedAt: r.replayed_at,
    replayJobId: r.replay_job_id,
  };
}

export function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return {
    ...toDeadLetterSummary(r),
    updatedAt: r.updated_at,
    payload: JSON.parse(r.payload) as unknown,
    dedupeKey: r.dedupe_key,
    error: r.error,
    ...(r.discarded_at !== null && r.discarded_at !== undefined ? { discardedAt: Number(r.discarded_at), discardReason: r.discard_reason ?? '' } : {}),
  };
}

export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    flow: r.flow,
    flowVersion: r.flow_version,
    trigger: r.trigger,
    outcome: r.outcome,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    error: r.error,
    errorClass: r.error_class,
    site: r.site,
    correlationId: r.correlation_id,
    recordedAt: r.recorded_at,
  };
}
