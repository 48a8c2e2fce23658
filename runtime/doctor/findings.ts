/**
 * A doctor finding: one thing that will or will not work on this install. The JSON fields are an
 * interface (`flowd doctor --format json`): flow, operation, check, severity, message, fix.
 */

/** error: will not work (exit 1); warning: works, but not as configured or not verifiable; info: worth knowing; ok: checked, will work. */
export type Severity = 'error' | 'warning' | 'info' | 'ok';

export type Check =
  | 'connection' | 'trigger' | 'token' | 'token-write' | 'changed-filter'
  | 'table' | 'column' | 'optional-column' | 'width' | 'text' | 'numbering' | 'lookup-value' | 'default-location' | 'comparison' | 'lookup-key' | 'operation' | 'tracking';

export interface Finding {
  /** Flow name; `*` for a check of the install as a whole (a connection, a token). */
  readonly flow: string;
  /** Catalog operation (`sagepro.sales_orders.create`), a trigger (`trigger sagepro.SalesOrderStatus`), or the system (`xcart`, `sagepro`). */
  readonly operation: string;
  readonly check: Check;
  readonly severity: Severity;
  /** What is wrong and where (table.column, file, flow site), and why it matters. */
  readonly message: string;
  /** What to set or change; empty for ok findings. */
  readonly fix: string;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, ok: 3 };

/** Install-wide findings first, then by flow, operation, severity, check, message (stable output). */
export function sortFindings(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) =>
    (a.flow === '*' ? 0 : 1) - (b.flow === '*' ? 0 : 1) || a.flow.localeCompare(b.flow) || a.operation.localeCompare(b.operation)
    || ORDER[a.severity] - ORDER[b.severity] || a.check.localeCompare(b.check) || a.message.localeCompare(b.message));
}
