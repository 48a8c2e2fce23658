/**
 * Terminal rendering: a Gleam/codespan-style code frame per diagnostic, then a summary line.
 *
 *   error FLOW3001: Type 'Order' has no field 'totl'.
 *      ┌─ mappings/order-to-invoice.flow:12:18
 *      │
 *   11 │ mapping OrderToInvoice: Order -> Invoice {
 *   12 │   amount = order.totl * 1.2
 *      │                  ^^^^ unknown field
 *      │
 *      = hint: Did you mean 'total'?
 *      = note: 'Order' is declared here: mappings/schemas/order.yaml:3:3
 *
 *   1 error
 *
 * Diagnostics are rendered in the order given (DiagnosticBag.sorted() is the usual input). A
 * multi-line span is marked from its start to the end of its first line. Tabs are expanded to
 * 4-column tab stops in the frame so the carets stay aligned whatever the terminal's tab width;
 * East Asian wide characters and emoji count two columns.
 * Related information shows only its location (it may point into a YAML schema file).
 * ANSI color only with { color: true }.
 */
import type { Span } from '../../grammar/span.js';
import { LineMap } from '../../grammar/span.js';
import { codeOf, type Category, type Diagnostic } from './diagnostic.js';

export interface PrettyOptions { readonly color?: boolean }

const TAB_WIDTH = 4;

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m' } as const;
type Style = 'bold' | 'red' | 'yellow' | 'cyan';

export function renderPretty(
  diags: readonly Diagnostic[], sources: (file: string) => string | undefined, opts: PrettyOptions = {},
): string {
  const paint = (text: string, ...styles: Style[]): string =>
    opts.color && text.length > 0 ? `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}` : text;
  const maps = new Map<string, LineMap | undefined>();
  const mapOf = (file: string): LineMap | undefined => {
    if (!maps.has(file)) { const text = sources(file); maps.set(file, text === undefined ? undefined : new LineMap(text)); }
    return maps.get(file);
  };

  const out: string[] = [];
  for (const d of diags) {
    out.push(...renderOne(d, mapOf, paint));
    out.push('');
  }
  out.push(summary(diags));
  return out.join('\n') + '\n';
}

function renderOne(
  d: Diagnostic, mapOf: (file: string) => LineMap | undefined, paint: (text: string, ...styles: Style[]) => string,
): string[] {
  const color = severityColor(d.category);
  const lines: string[] = [`${paint(`${d.category} ${codeOf(d)}`, 'bold', color)}${paint(`: ${d.message}`, 'bold')}`];
  const span = d.span;
  const notes: string[] = [];
  if (d.hint) notes.push(`hint: ${d.hint}`);
  for (const r of d.related ?? []) notes.push(`note: ${r.message.replace(/\.$/, '')}: ${location(r.span)}`);
  if (!span) {
    // Configuration problems have no place in a file: header (and notes) only.
    for (const n of notes) lines.push(`${paint('=', 'cyan')} ${n}`);
    return lines;
  }

  const map = mapOf(span.file);
  const shown = map ? [span.line - 1, span.line].filter((l) => l >= 1) : [];
  const width = String(shown.length ? shown[shown.length - 1] : span.line).length;
  const pad = ' '.repeat(width);
  const bar = paint('│', 'cyan');
  lines.push(`${pad} ${paint('┌─', 'cyan')} ${location(span)}`);
  if (map) {
    lines.push(`${pad} ${bar}`);
    for (const l of shown) {
      const text = expandTabs(lineText(map, l)).trimEnd();
      lines.push(`${paint(String(l).padStart(width), 'cyan')} ${bar}${text ? ` ${text}` : ''}`);
    }
    const { indent, length } = caretRange(lineText(map, span.line), span);
    const label = d.label ? ` ${d.label}` : '';
    lines.push(`${pad} ${bar} ${' '.repeat(indent)}${paint('^'.repeat(length) + label, color)}`);
    if (notes.length) lines.push(`${pad} ${bar}`);
  }
  for (const n of notes) lines.push(`${pad} ${paint('=', 'cyan')} ${n}`);
  return lines;
}

/** Display columns before the span and of the span on its first line (at least one caret). */
function caretRange(raw: string, span: Span): { indent: number; length: number } {
  const startIdx = Math.max(0, span.column - 1);
  const endIdx = span.endLine > span.line ? Math.max(raw.length, startIdx) : Math.max(startIdx, span.endColumn - 1);
  // Past the end of the line (a span at end of file, or at the line break) counts one column per offset.
  const visual = (idx: number): number => displayWidth(raw, Math.min(idx, raw.length)) + Math.max(0, idx - raw.length);
  const indent = visual(startIdx);
  return { indent, length: Math.max(1, visual(endIdx) - indent) };
}

/**
 * The display width of raw.slice(0, upTo) (a UTF-16 index, as span columns are): tabs advance to the
 * next tab stop, East Asian wide characters and emoji take two columns, combining marks none.
 */
function displayWidth(raw: string, upTo: number): number {
  let col = 0;
  for (let i = 0; i < upTo;) {
    const cp = raw.codePointAt(i)!;
    col += cp === 9 ? TAB_WIDTH - (col % TAB_WIDTH) : charWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return col;
}

function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

function expandTabs(raw: string): string {
  let out = '';
  let col = 0;
  for (const ch of raw) {
    if (ch === '\t') { const n = TAB_WIDTH - (col % TAB_WIDTH); out += ' '.repeat(n); col += n; }
    else { out += ch; col += charWidth(ch.codePointAt(0)!); }
  }
  return out;
}

function lineText(map: LineMap, line: number): string {
  return line >= 1 && line <= map.lineCount ? map.lineText(line) : '';
}

function location(span: Span): string { return `${span.file}:${span.line}:${span.column}`; }

function severityColor(c: Category): Style {
  return c === 'error' ? 'red' : c === 'warning' ? 'yellow' : 'cyan';
}

/** "2 errors, 1 warning", "1 message", "no problems". */
export function summary(diags: readonly Diagnostic[]): string {
  const count = (c: Category): number => diags.filter((d) => d.category === c).length;
  const parts: string[] = [];
  const add = (n: number, word: string): void => { if (n > 0) parts.push(`${n} ${word}${n === 1 ? '' : 's'}`); };
  add(count('error'), 'error');
  add(count('warning'), 'warning');
  add(count('message'), 'message');
  return parts.length ? parts.join(', ') : 'no problems';
}
