/**
 * The runtime contract: the only runtime types a generated flow module sees.
 * `flowc build` copies this file verbatim into its output folder (`<out>/runtime/contract.ts`),
 * so generated code stays self-contained; CONTRACT_VERSION is recorded in every module and in the
 * manifest, and the runtime refuses modules built against another major version.
 * This file must not import anything.
 */
export const CONTRACT_VERSION = 1;

export type System = 'xcart' | 'sagepro';
export type ErrorClass = 'transient' | 'invalid' | 'not_found' | 'permission' | 'conflict';

/** A place in a .flow file (1-based line and column). */
export interface Site {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** What started a run: an X-Cart event (polled or pushed), a Sage Pro change, or a schedule tick. */
export interface TriggerEvent {
  /** e.g. `order.created`, `InventoryLevel.changed`, `schedule`. */
  readonly type: string;
  readonly source: System | 'schedule';
  /** The entity id the event is about, as a string (dedupe key with `updated_at`). */
  readonly id?: string;
  readonly updated_at?: string;
  /** Event payload: `order_id`, `profile_id`, the changed row for a Sage Pro poll, ... */
  readonly data: Readonly<Record<string, unknown>>;
}

export type TriggerSpec =
  | { readonly kind: 'event'; readonly system: 'xcart'; readonly event: string }
  | { readonly kind: 'poll'; readonly system: System; readonly entity: string; readonly everyMs: number; readonly changed: boolean; readonly key: readonly string[] }
  | { readonly kind: 'schedule'; readonly everyMs?: number; readonly cron?: string };

export interface RetryPolicy {
  /**
   * `retry N`: at most N retries. For `retry for D` (forMs set), the retries D allows at the full
   * capped delays: what a runtime that predates forMs applies instead.
   */
  readonly max: number;
  /**
   * `retry for D`: keep retrying until D milliseconds have passed since the job's first failed
   * attempt, then the policy's `then` action; `max` does not limit it.
   */
  readonly forMs?: number;
  readonly backoff: 'exponential' | 'linear' | 'fixed';
  readonly initialMs: number;
  readonly maxMs: number;
}

/** `on <class> [retry ...] [alert "..."] [then] dead_letter|skip|fail` */
export interface ErrorPolicy {
  readonly on: ErrorClass | 'error';
  readonly retry?: RetryPolicy;
  readonly alert?: string;
  readonly then: 'dead_letter' | 'skip' | 'fail';
}

export interface OperationUse {
  readonly system: System;
  readonly operation: string;
  readonly kind: 'read' | 'write';
  readonly idempotent: boolean;
  /** Index into `FlowMeta.sites` of the call. */
  readonly site: number;
  /** Step-level policies (`write ... on transient retry 3 ...`); flow-level ones apply otherwise. */
  readonly policies: readonly ErrorPolicy[];
}

export interface FlowMeta {
  readonly name: string;
  readonly description: string;
  /** Hash of the flow's source and of every schema and lookup table it used. */
  readonly version: string;
  readonly contractVersion: number;
  /** Path of the .flow file, relative to the folder given to flowc. */
  readonly source: string;
  readonly trigger: TriggerSpec;
  readonly idempotency?: { readonly keepMs: number; readonly site: number };
  readonly policies: readonly ErrorPolicy[];
  /**
   * `hold when anomaly`: when the runtime's anomaly detector flags a write of a run, the run is held
   * for a person instead of writing. Present only when the flow declares it; `site` indexes `sites`.
   */
  readonly holdOnAnomaly?: { readonly site: number };
  readonly operations: readonly OperationUse[];
  /** Source map: statement sites, indexed by the numbers generated code passes around. */
  readonly sites: readonly Site[];
}

export interface FlowContext {
  /** Calls an operation of the catalog; `site` indexes FlowMeta.sites. Rejects with an error carrying `errorClass`. */
  call(system: System, operation: string, args: Readonly<Record<string, unknown>>, site: number): Promise<unknown>;
  /**
   * Claims the flow's idempotency key. Resolves false when a run with this key already succeeded
   * (within its keep period): the run then stops with outcome `duplicate` and writes nothing.
   */
  claim(key: string, keepMs: number): Promise<boolean>;
  /** The run's clock, ISO-8601 UTC. Fixed in flow tests. */
  now(): string;
  /** A warning the run log keeps (e.g. a skipped line), with its site. */
  warn(message: string, site: number): void;
}

export type Outcome = 'done' | 'skipped' | 'duplicate';

export interface FlowResult {
  readonly outcome: Outcome;
  /** For `skipped`: the `skip when` reason. */
  readonly reason?: string;
}

/** The shape of every generated module. */
export interface FlowModule {
  readonly meta: FlowMeta;
  run(event: TriggerEvent, ctx: FlowContext): Promise<FlowResult>;
}

/**
 * Raised by generated code: `reject "..."`, a failed `require`, a missing lookup key with
 * `on missing reject`, a value that cannot be converted. Class `invalid`: dead-lettered at once.
 */
export class FlowError extends Error {
  readonly errorClass: ErrorClass;
  readonly site: Site | undefined;
  constructor(message: string, site: Site | undefined, errorClass: ErrorClass = 'invalid', options?: { cause?: unknown }) {
    super(site ? `${site.file}:${site.line}:${site.column}: ${message}` : message, options);
    this.name = 'FlowError';
    this.errorClass = errorClass;
    this.site = site;
  }
  /** The message without the location prefix. */
  get reason(): string {
    return this.site ? this.message.slice(this.message.indexOf(': ') + 2) : this.message;
  }
}
