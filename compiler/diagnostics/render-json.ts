/**
 * Machine output for CI scripts and editors: a JSON array (2-space indent), one object per
 * diagnostic, in the order given. CI scripts key on exactly these fields; do not rename or drop any:
 *
 *   { file, line, column, endLine, endColumn, severity, code, message, hint? }
 *
 * exactly that set (the CLI's documented interface); related locations appear in the pretty and
 * baseline formats.
 *
 * severity is the category ('error' | 'warning' | 'message'); code is the string "FLOW3001".
 * Lines and columns are 1-based; endColumn is exclusive. A diagnostic without a span (an option or
 * configuration problem) has null file and positions. hint is present only when set.
 * The text ends with a newline.
 */
import { codeOf, type Category, type Diagnostic } from './diagnostic.js';

export interface JsonDiagnostic {
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly endLine: number | null;
  readonly endColumn: number | null;
  readonly severity: Category;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const s = d.span;
  return {
    file: s?.file ?? null,
    line: s?.line ?? null,
    column: s?.column ?? null,
    endLine: s?.endLine ?? null,
    endColumn: s?.endColumn ?? null,
    severity: d.category,
    code: codeOf(d),
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  };
}

export function renderJson(diags: readonly Diagnostic[]): string {
  return JSON.stringify(diags.map(toJsonDiagnostic), null, 2) + '\n';
}
