/**
 * The diagnostic model: one model, several renderers (pretty, json, baseline). Message text lives
 * only in messages.ts; call sites pass a catalog entry and its arguments.
 */
import type { Span } from '../../grammar/span.js';
import type { DiagnosticMessage, HintMessage } from './messages.js';

export type Category = 'error' | 'warning' | 'message';

export interface RelatedInfo {
  /** Where the related thing is: a .flow span, or a place in a schema / lookup file. */
  readonly span: Span;
  readonly message: string;
  /** The 9xxx catalog code of the note (set by `createRelated`). */
  readonly code?: number;
}

export interface Diagnostic {
  /** Stable numeric code; rendered as FLOW<code>. */
  readonly code: number;
  readonly category: Category;
  /** One sentence ending in '.', arguments applied. */
  readonly message: string;
  /** Absent only for option / configuration problems. */
  readonly span?: Span;
  readonly related?: readonly RelatedInfo[];
  /** "Did you mean 'total'?" and similar advice, shown on its own line. */
  readonly hint?: string;
  /** A short label under the code frame ("unknown field"). */
  readonly label?: string;
}

export function formatMessage(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));
}

export function createDiagnostic(
  msg: DiagnosticMessage, span: Span | undefined, args: readonly (string | number)[] = [],
  extra: { hint?: string; related?: RelatedInfo[]; label?: string } = {},
): Diagnostic {
  return {
    code: msg.code, category: msg.category, message: formatMessage(msg.template, args), span,
    ...(extra.hint ? { hint: extra.hint } : {}),
    ...(extra.related && extra.related.length ? { related: extra.related } : {}),
    ...(extra.label ? { label: extra.label } : {}),
  };
}

/** A hint from the catalog's `Hints`, arguments applied. */
export function hintText(h: HintMessage, args: readonly (string | number)[] = []): string { return formatMessage(h.hint, args); }

/** A related-information note: only from a catalog entry (9xxx), like a diagnostic. */
export function createRelated(msg: DiagnosticMessage, span: Span, args: readonly (string | number)[] = []): RelatedInfo {
  return { span, message: formatMessage(msg.template, args), code: msg.code };
}

export function codeOf(d: Pick<Diagnostic, 'code'>): string { return `FLOW${d.code}`; }

/** Collects diagnostics; sorted by file and position; capped so one broken file cannot flood the output. */
export class DiagnosticBag {
  static readonly MAX = 100;
  private readonly items: Diagnostic[] = [];
  private dropped = 0;

  private errors = 0;

  add(d: Diagnostic): void {
    if (d.category === 'error') this.errors++;
    if (this.items.length >= DiagnosticBag.MAX) { this.dropped++; return; }
    this.items.push(d);
  }
  addAll(ds: Iterable<Diagnostic>): void { for (const d of ds) this.add(d); }
  /** True when any error was added, including ones dropped past the cap. */
  get hasErrors(): boolean { return this.errors > 0; }
  get count(): number { return this.items.length; }
  get droppedCount(): number { return this.dropped; }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) =>
      (a.span?.file ?? '').localeCompare(b.span?.file ?? '') || (a.span?.start ?? -1) - (b.span?.start ?? -1) || a.code - b.code);
  }
}
