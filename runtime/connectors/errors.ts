/**
 * Error classes shared by every connector (X-Cart, Sage Pro).
 *
 * A connector turns whatever went wrong (a socket error, an HTTP status, an ODBC state, a schema
 * violation) into one ConnectorError carrying an `errorClass`. The engine decides what to do from
 * the class alone: transient → retry per policy; invalid / not_found / permission / conflict →
 * dead-letter (see ../shared/architecture.md, "Error classes").
 *
 * Messages must never contain tokens, passwords or connection strings: callers build them from
 * operation names, ids and field paths only.
 */

export type ErrorClass = 'transient' | 'invalid' | 'not_found' | 'permission' | 'conflict';
export type SystemName = 'xcart' | 'sagepro';

export const ERROR_CLASSES: readonly ErrorClass[] = ['transient', 'invalid', 'not_found', 'permission', 'conflict'];

export interface ConnectorErrorOptions {
  /** What the engine does with it. */
  errorClass: ErrorClass;
  /** Which system raised it. */
  system: SystemName;
  /** Catalog operation name, e.g. `orders.get`. */
  operation?: string;
  /** HTTP status (X-Cart) when there was a response. */
  status?: number;
  /** How long the server asked us to wait (429 Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** JSON pointer / field name of the offending value (invalid). */
  field?: string;
  /** ERP table involved (Sage Pro). */
  table?: string;
  /** ERP column involved (Sage Pro). */
  column?: string;
  /** Underlying error. */
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly errorClass: ErrorClass;
  readonly system: SystemName;
  readonly operation?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly field?: string;
  readonly table?: string;
  readonly column?: string;

  constructor(message: string, opts: ConnectorErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectorError';
    this.errorClass = opts.errorClass;
    this.system = opts.system;
    if (opts.operation !== undefined) this.operation = opts.operation;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.table !== undefined) this.table = opts.table;
    if (opts.column !== undefined) this.column = opts.column;
  }

  /** Plain object for logs and dead-letter entries (the cause is reduced to its message). */
  toJSON(): Record<string, unknown> {
    const cause = (this as { cause?: unknown }).cause;
    return {
      name: this.name,
      message: this.message,
      errorClass: this.errorClass,
      system: this.system,
      operation: this.operation,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      field: this.field,
      table: this.table,
      column: this.column,
      cause: cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause),
    };
  }
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError;
}

/** True when repeating the call later may succeed (connection loss, timeout, 5xx, 429, lock timeout). */
export function isTransient(e: unknown): boolean {
  return e instanceof ConnectorError && e.errorClass === 'transient';
}

/** The error class of anything thrown; errors that are not ConnectorErrors count as `invalid` (a bug, not worth retrying). */
export function errorClassOf(e: unknown): ErrorClass {
  return e instanceof ConnectorError ? e.errorClass : 'invalid';
}
