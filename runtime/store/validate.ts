/**
 * Argument checks of the Store contract (what every implementation refuses, with the same
 * messages) and the event normalisation before it is written: the default dedupe key, the payload
 * as JSON text. Used by both stores (SqliteStore, PostgresStore); the contract suite checks both
 * refuse the same things.
 */
import { defaultDedupeKey, StoreError, type EnqueueInput, type EventSource, type RowHashChange, type RunInput } from './store.js';

const SOURCES: ReadonlySet<string> = new Set(['xcart', 'sagepro', 'schedule']);
export const COMPLETE_OUTCOMES: ReadonlySet<string> = new Set(['done', 'skipped', 'duplicate']);
const RUN_OUTCOMES: ReadonlySet<string> = new Set(['done', 'skipped', 'duplicate', 'retry', 'dead_letter']);

/** An event ready to be written: column names, payload as JSON text, the dedupe key decided. */
export interface PreparedEvent {
  flow: string;
  flow_version: string | null;
  source: EventSource;
  event_type: string;
  entity_id: string | null;
  updated_at: string | null;
  payload: string;
  dedupe_key: string;
}

export function checkName(what: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0) throw new StoreError(`${what} must be a non-empty string`);
}

export function checkDuration(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new StoreError(`${what} must be a non-negative number of ms`);
  return Math.floor(v);
}

export function checkLimit(limit: number | undefined): number {
  const l = limit ?? 100;
  if (!Number.isInteger(l) || l < 1) throw new StoreError(`limit must be a positive integer, got ${l}`);
  return l;
}

export function checkRun(run: RunInput): void {
  checkName('run.flow', run.flow);
  checkName('run.flowVersion', run.flowVersion);
  checkName('run.trigger', run.trigger);
  checkName('run.correlationId', run.correlationId);
  if (!RUN_OUTCOMES.has(run.outcome)) throw new StoreError(`run.outcome: unknown outcome ${String(run.outcome)}`);
}

export function checkRowHashChanges(scope: string, changes: readonly RowHashChange[]): void {
  checkName('row-hash scope', scope);
  for (const c of changes) {
    if (typeof c.key !== 'string') throw new StoreError('row-hash key must be a string');
    if (c.hash !== null && typeof c.hash !== 'string') throw new StoreError(`row hash of ${c.key} must be a string or null`);
  }
}

export function prepareEvent(e: EnqueueInput): PreparedEvent {
  checkName('flow', e.flow);
  if (!SOURCES.has(e.source)) throw new StoreError(`enqueue: unknown source ${String(e.source)}`);
  checkName('eventType', e.eventType);
  const entityId = e.entityId ?? null;
  const updatedAt = e.updatedAt ?? null;
  let dedupeKey = e.dedupeKey;
  if (dedupeKey === undefined) {
    if (entityId === null || updatedAt === null) {
      throw new StoreError(`enqueue ${e.flow}: entityId and updatedAt are required without an explicit dedupeKey`);
    }
    dedupeKey = defaultDedupeKey(e.source, entityId, updatedAt);
  }
  checkName('dedupeKey', dedupeKey);
  const payload = JSON.stringify(e.payload);
  if (payload === undefined) throw new StoreError(`enqueue ${e.flow}: payload is not JSON-serialisable`);
  return {
    flow: e.flow,
    flow_version: e.flowVersion ?? null,
    source: e.source,
    event_type: e.eventType,
    entity_id: entityId,
    updated_at: updatedAt,
    payload,
    dedupe_key: dedupeKey,
  };
}

/** The first line of an error, at most 500 characters: a dead-letter entry's default reason. */
export function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).slice(0, 500);
}
