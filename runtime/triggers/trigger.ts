/**
 * The one shape of a trigger: something that finds events (by polling, on a push, on a clock) and
 * hands them to the store through `EventSink`, an enqueue-only view of it. A trigger never leases,
 * runs or finishes jobs (the engine does); an event no flow can run goes straight to the
 * dead-letter queue with `deadLetterEvent`. Which events each kind produces is data
 * (mappings/schemas/*\/events.yaml, runtime/vocabulary/vocabulary.ts). How to add a kind: README.md.
 */
import type { Store } from '../store/store.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { TriggerKind } from '../vocabulary/vocabulary.js';

/** What a trigger may do with the store: add events, dead-letter events, read its own progress. */
export type EventSink = Pick<Store, 'enqueue' | 'enqueueBatch' | 'deadLetterEvent' | 'getWatermark' | 'getRowHashes' | 'getRowHash'>;

export interface TriggerLogger { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void }

/** What every trigger is given. */
export interface TriggerDeps {
  readonly sink: EventSink;
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  /** Called with the number of new jobs after each commit that added some (wakes the engine). */
  readonly onEnqueued?: (n: number) => void;
  /** Called for each event found, by type (metrics). */
  readonly onEvent?: (type: string) => void;
  readonly logger?: TriggerLogger;
  /**
   * Poll leadership (PostgreSQL store): resolves true when this process polls `source` this round
   * (one process per source in the cluster). Absent: every process polls (SQLite).
   */
  readonly leader?: (source: string) => Promise<boolean>;
}

/** The guard at the top of a poll loop's round: does this process poll `source` now? */
export async function leadsHere(deps: Pick<TriggerDeps, 'leader'>, source: string): Promise<boolean> {
  return deps.leader ? deps.leader(source) : true;
}

export interface Trigger {
  readonly kind: TriggerKind;
  /** Consecutive failures of its source (0: healthy); the service alerts on a long outage. */
  readonly failures: number;
  /** Starts its timers (a push trigger has none: the HTTP server calls it). */
  start(): void;
  /** Finds events once now; resolves to the number of new jobs (tests, the demo). */
  pollNow(): Promise<number>;
  /** Stops its timers and waits for a run in progress. */
  stop(): Promise<void>;
}
