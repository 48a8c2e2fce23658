/**
 * Baseline rendering for golden files (`--format=baseline`): colorless and byte-stable, TypeScript's
 * `.errors.txt` format with our codes.
 *
 *   mappings/order-to-invoice.flow(12,18): error FLOW3001: Type 'Order' has no field 'totl'.
 *
 *
 *   ==== mappings/order-to-invoice.flow (1 errors) ====
 *       mapping OrderToInvoice: Order -> Invoice {
 *         amount = order.totl * 1.2
 *                        ~~~~
 *   !!! error FLOW3001: Type 'Order' has no field 'totl'.
 *   !!! hint: Did you mean 'total'?
 *   !!! related FLOW9002 mappings/schemas/order.yaml:3:3: 'Order' is declared here.
 *       }
 *
 * As in TypeScript: the list of all diagnostics, two empty lines, diagnostics without a span as
 * `!!!` lines, then one section per file (sorted by name, separated by an empty line) with every
 * source line indented 4 spaces. Under each line a diagnostic covers comes a line of `~` (whitespace
 * before the span is kept, so tabs stay aligned; one character per UTF-16 unit, as columns count);
 * after the line where it ends come its `!!!` lines.
 * A zero-width span (e.g. at end of file) gets one `~`. Diagnostics are sorted by file, position, code
 * and message, whatever the input order. No diagnostics renders as ''.
 */
import type { Span } from '../../grammar/span.js';
import { LineMap } from '../../grammar/span.js';
import { codeOf, type Diagnostic, type RelatedInfo } from './diagnostic.js';
import { Diagnostics, type DiagnosticMessage } from './messages.js';

export function renderBaseline(diags: readonly Diagnostic[], sources: (file: string) => string | undefined): string {
  if (diags.length === 0) return '';
  const sorted = [...diags].sort(compareDiagnostics);
  const out: string[] = sorted.map((d) => (d.span ? `${d.span.file}(${d.span.line},${d.span.column}): ${headline(d)}` : headline(d)));
  out.push('', '');

  const sections: string[][] = [];
  const global = sorted.filter((d) => !d.span);
  if (global.length) sections.push(global.flatMap(bangLines));
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of sorted) if (d.span) byFile.set(d.span.file, [...(byFile.get(d.span.file) ?? []), d]);
  for (const [file, fileDiags] of byFile) sections.push(renderFile(file, fileDiags, sources(file)));
  sections.forEach((lines, i) => { if (i > 0) out.push(''); out.push(...lines); });
  return out.join('\n') + '\n';
}

/** Diagnostics without a span first; then by file (ordinal), start offset, code, message, end offset. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (!a.span || !b.span) {
    if (a.span || b.span) return a.span ? 1 : -1;
    return a.code - b.code || ordinal(a.message, b.message);
  }
  return ordinal(a.span.file, b.span.file) || a.span.start - b.span.start || a.code - b.code ||
    ordinal(a.message, b.message) || a.span.end - b.span.end;
}

function renderFile(file: string, diags: readonly Diagnostic[], text: string | undefined): string[] {
  const out = [`==== ${file} (${diags.length} errors) ====`];
  const done = new Set<Diagnostic>();
  if (text !== undefined) {
    const map = new LineMap(text);
    // The empty "line" after a final newline is shown only when a diagnostic points at it.
    let last = map.lineCount > 1 && map.lineText(map.lineCount) === '' ? map.lineCount - 1 : map.lineCount;
    for (const d of diags) last = Math.max(last, Math.min(d.span!.line, map.lineCount));
    for (let line = 1; line <= last; line++) {
      const src = map.lineText(line);
      out.push(src === '' ? '' : `    ${src}`);
      for (const d of diags) {
        const span = d.span!;
        const end = Math.min(endLineOf(span), last);
        if (line < span.line || line > end) continue;
        const squiggle = squiggleFor(src, span, line);
        if (squiggle !== undefined) out.push(`    ${squiggle}`);
        if (line === end) { out.push(...bangLines(d)); done.add(d); }
      }
    }
  }
  for (const d of diags) if (!done.has(d)) out.push(...bangLines(d));
  return out;
}

/** The last line a span covers, not counting a span that ends just after a line break. */
function endLineOf(span: Span): number {
  return span.endLine > span.line && span.endColumn <= 1 ? span.endLine - 1 : span.endLine;
}

/** Spaces (and the source's own whitespace) up to the span on `line`, then `~` under it. */
function squiggleFor(src: string, span: Span, line: number): string | undefined {
  const startIdx = line === span.line ? Math.max(0, span.column - 1) : 0;
  const endIdx = line === span.endLine ? Math.max(startIdx, span.endColumn - 1) : Math.max(startIdx, src.length);
  let width = endIdx - startIdx;
  if (width === 0) {
    if (line !== span.line) return undefined; // an empty line inside a multi-line span
    width = 1;
  }
  const prefix = src.slice(0, Math.min(startIdx, src.length)).replace(/\S/g, ' ') + ' '.repeat(Math.max(0, startIdx - src.length));
  return prefix + '~'.repeat(width);
}

function headline(d: Diagnostic): string { return `${d.category} ${codeOf(d)}: ${d.message}`; }

function bangLines(d: Diagnostic): string[] {
  const lines = [`!!! ${headline(d)}`];
  if (d.hint) lines.push(`!!! hint: ${d.hint}`);
  for (const r of d.related ?? []) {
    const code = relatedCode(r);
    lines.push(`!!! related ${code === undefined ? '' : `FLOW${code} `}${r.span.file}:${r.span.line}:${r.span.column}: ${r.message}`);
  }
  return lines;
}

/**
 * The catalog code of a related message. RelatedInfo carries no code, so it is recovered by matching
 * the message against the 9xxx (related information) templates; a `code` field, if a producer adds
 * one, wins. Undefined when nothing matches (the line is then rendered without a code).
 */
export function relatedCode(r: RelatedInfo): number | undefined {
  const explicit = (r as { readonly code?: unknown }).code;
  if (typeof explicit === 'number') return explicit;
  return relatedTemplates().find((t) => t.pattern.test(r.message))?.code;
}

let templates: { code: number; pattern: RegExp }[] | undefined;
function relatedTemplates(): { code: number; pattern: RegExp }[] {
  templates ??= (Object.values(Diagnostics) as DiagnosticMessage[])
    .filter((m) => m.code >= 9000 && m.code < 10000)
    .sort((a, b) => a.code - b.code)
    .map((m) => ({
      code: m.code,
      pattern: new RegExp(`^${m.template.split(/\{\d+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's'),
    }));
  return templates;
}

function ordinal(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }
