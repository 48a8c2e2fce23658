/**
 * Quick fixes for the checker's diagnostics at a range:
 *  - FLOW3005 (a value too wide for its fixed-width column): wrap it in `truncate(value, N)`;
 *  - a "Did you mean 'x'?" hint: replace the name with each suggestion;
 *  - FLOW3003 (required target fields never assigned): add them, each with a placeholder of its type;
 *  - FLOW3006 (a `match` that misses known codes and has no `else`): add an `else` arm;
 *  - FLOW4001 (a retried write that is not idempotent, no idempotency key): add an `idempotency` line
 *    before the first step, keyed on the trigger's event.
 * The diagnostics are the analysis's own (the same as `flowc check`), so a fix never depends on what
 * the client sent back.
 * And, with the cursor on a `map` block's header line, "Suggest mappings" (a refactoring): the top
 * type-checked suggestion of compiler/suggest/ for each target field the map leaves unassigned. For a
 * client that resolves code actions it is offered without computing, and computed in `codeAction/resolve`.
 */
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fieldsOf, nonNull, type Type } from '../schema/types.js';
import type { Analysis, Workspace } from './documents/workspace.js';
import { toLspDiagnostic } from './diagnostics.js';
import { flowAt, nodesOf, rangeOf } from './nodes.js';
import { suggestionEdits } from '../suggest/index.js';

export function codeActions(ws: Workspace, uri: string, range: Range, opts: CodeActionOptions = {}): CodeAction[] {
  const a = ws.analysis(uri);
  if (!a) return [];
  return codeActionsOf(a, uri, range, opts);
}

/** The quick fixes of an analysis (the designer's core asks for them as data, compiler/designer/). */
export function codeActionsOf(a: Analysis, uri: string, range: Range, opts: CodeActionOptions = {}): CodeAction[] {
  const start = a.doc.offsetAt(range.start), end = a.doc.offsetAt(range.end);
  const here = a.diagnostics.filter((d) => d.span && d.span.start <= end && d.span.end >= start);
  const out: CodeAction[] = [];
  const fix = (title: string, d: Diagnostic, edits: TextEdit[], preferred = false): void => {
    out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [toLspDiagnostic(a, d) as LspDiagnostic], isPreferred: preferred, edit: { changes: { [uri]: edits } } });
  };
  const missingFields = new Map<string, Diagnostic[]>();
  for (const d of here) {
    const span = d.span!;
    const text = a.text.slice(span.start, span.end);
    if (d.code === 3005) {
      const width = /of width (\d+)/.exec(d.message)?.[1];
      if (width) fix(`Wrap in truncate(value, ${width})`, d, [{ range: rangeOf(a.doc, span), newText: `truncate(${text}, ${width})` }], true);
    }
    const names = d.hint?.startsWith('Did you mean') ? [...d.hint.matchAll(/'([^']+)'/g)].map((m) => m[1]!) : [];
    for (const n of names) fix(`Change to '${n}'`, d, [{ range: rangeOf(a.doc, identifierSpan(a, span)), newText: n }], names.length === 1);
    if (d.code === 3003) {
      const key = `${span.start}:${span.end}`;
      missingFields.set(key, [...(missingFields.get(key) ?? []), d]);
    }
    if (d.code === 3006) {
      const m = nodesOf(a.ast).filter((n): n is A.Match => n.kind === 'Match' && n.span.start <= span.start && n.span.end >= span.end).pop();
      if (m) fix("Add an 'else' arm", d, [elseArm(a, m)], true);
    }
    if (d.code === 4001) {
      const at = flowAt(a, span.start);
      if (at) fix('Add an idempotency key', d, [idempotencyLine(a, at.flow, at.model?.eventType)], true);
    }
  }
  out.push(...suggestMappingsActions(a, uri, start, opts));
  for (const ds of missingFields.values()) {
    const obj = nodesOf(a.ast).find((n): n is A.ObjectExpr => n.kind === 'ObjectExpr' && n.span.start === ds[0]!.span!.start && n.span.end === ds[0]!.span!.end);
    const target = obj ? a.models.map((m) => m.objectTarget.get(obj)).find(Boolean) : undefined;
    const fields = target ? fieldsOf(nonNull(target)) : undefined;
    const names = ds.map((d) => /Required field '([^']+)'/.exec(d.message)?.[1]).filter((x): x is string => !!x);
    if (obj && names.length) {
      const assignments = names.map((n) => `${n} = ${placeholder(fields?.get(n)?.type)}`);
      out.push({ title: `Add the missing required field${names.length > 1 ? 's' : ''} (${names.join(', ')})`, kind: CodeActionKind.QuickFix,
        diagnostics: ds.map((d) => toLspDiagnostic(a, d) as LspDiagnostic), isPreferred: true,
        edit: { changes: { [uri]: [insertMembers(a, obj, assignments)] } } });
    }
  }
  return out;
}

/** The name a did-you-mean diagnostic is about: the last identifier of its span (`order.totl` → `totl`). */
function identifierSpan(a: Analysis, span: { start: number; end: number }): { start: number; end: number } {
  const text = a.text.slice(span.start, span.end);
  const m = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return m ? { start: span.end - m[1]!.length, end: span.end } : span;
}

function placeholder(t: Type | undefined): string {
  if (t?.kind === 'prim') {
    if (t.name === 'string') return '""';
    if (t.name === 'int' || t.name === 'decimal') return '0';
    if (t.name === 'bool') return 'false';
  }
  if (t?.kind === 'list') return '[]';
  return 'null';
}

function lineIndent(a: Analysis, offset: number): string {
  const ls = Math.max(a.text.lastIndexOf('\n', offset - 1), a.text.lastIndexOf('\r', offset - 1)) + 1;
  return /^[ \t]*/.exec(a.text.slice(ls))![0];
}

function eolOf(a: Analysis): string { return /\r\n|\r|\n/.exec(a.text)?.[0] ?? '\n'; }

/** Inserts members before an object's closing brace, one per line when the object spans lines. */
function insertMembers(a: Analysis, obj: A.ObjectExpr, members: string[]): TextEdit {
  const close = obj.span.end - 1;
  const multiline = /[\r\n]/.test(a.text.slice(obj.span.start, obj.span.end));
  if (multiline) {
    const indent = lineIndent(a, close);
    const ls = Math.max(a.text.lastIndexOf('\n', close - 1), a.text.lastIndexOf('\r', close - 1)) + 1;
    const at = /^[ \t]*$/.test(a.text.slice(ls, close)) ? ls : close;
    const eol = eolOf(a);
    const text = members.map((m) => `${indent}  ${m}${eol}`).join('');
    return { range: rangeOf(a.doc, { start: at, end: at }), newText: at === ls ? text : `${eol}${text}${indent}` };
  }
  const inner = a.text.slice(obj.span.start + 1, close).trim();
  const text = inner ? `; ${members.join('; ')} ` : ` ${members.join('; ')} `;
  const at = inner ? obj.span.start + 1 + a.text.slice(obj.span.start + 1, close).trimEnd().length : obj.span.start + 1;
  return { range: rangeOf(a.doc, { start: at, end: close }), newText: text };
}

function elseArm(a: Analysis, m: A.Match): TextEdit {
  const arm = 'else => reject "unhandled code"';
  const close = m.span.end - 1;
  const last = m.arms[m.arms.length - 1];
  let at = last ? last.span.end : close;
  const sepMatch = /^\s*[;,]/.exec(a.text.slice(at, close));
  if (sepMatch) at += sepMatch[0].length;
  const multiline = /[\r\n]/.test(a.text.slice(m.span.start, m.span.end));
  const sep = sepMatch ? '' : multiline ? ',' : ';';
  const text = multiline ? `${sep}${eolOf(a)}${lineIndent(a, close)}  ${arm}` : `${sep} ${arm}`;
  return { range: rangeOf(a.doc, { start: at, end: at }), newText: text };
}

function idempotencyLine(a: Analysis, flow: A.Flow, eventType: Type | undefined): TextEdit {
  const data = eventType ? fieldsOf(nonNull(eventType))?.get('data') : undefined;
  const firstField = data ? [...(fieldsOf(nonNull(data.type))?.values() ?? [])].find((f) => f.required) : undefined;
  const key = firstField ? `string(event.data.${firstField.name})` : 'string(event.data)';
  const slug = flow.name.text.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  // After the trigger and the reads: before the first write.
  const write = flow.items.find((i) => i?.kind === 'Write') ?? flow.items[flow.items.length - 1]!;
  const ls = Math.max(a.text.lastIndexOf('\n', write.span.start - 1), a.text.lastIndexOf('\r', write.span.start - 1)) + 1;
  const indent = lineIndent(a, write.span.start);
  return { range: rangeOf(a.doc, { start: ls, end: ls }), newText: `${indent}idempotency "${slug}-" + ${key} keep 90d${eolOf(a)}` };
}

/** Computed suggestions per document version and map (a code action request comes on every cursor move). */
const suggestCache = new Map<string, CodeAction | null>();

/** What a lazily offered "Suggest mappings" action carries to `codeAction/resolve`. */
export interface SuggestActionData { readonly suggest: { readonly uri: string; readonly version: number; readonly map: string } }

export interface CodeActionOptions {
  /**
   * The client resolves code actions (its `codeAction.resolveSupport.properties` has `edit`): "Suggest
   * mappings" is then offered without computing (title, kind and `data` only) and its edit is computed
   * in `codeAction/resolve` (resolveCodeAction), so the list a cursor move asks for stays cheap.
   * Otherwise (and by default) the edit is computed with the list, once per document version and map.
   */
  readonly lazy?: boolean;
}

function computeSuggestAction(a: Analysis, uri: string, map: string): CodeAction | null {
  const key = `${uri}@${a.version}#${map}`;
  if (!suggestCache.has(key)) {
    if (suggestCache.size > 50) suggestCache.clear();
    let action: CodeAction | null = null;
    try {
      const r = suggestionEdits({ schemas: a.schemas, schemasDir: a.schemasDir, lookupsDir: a.lookupsDir, flow: { file: a.absPath, text: a.text, map } });
      if (r.filled.length) {
        action = {
          title: `Suggest mappings (${r.filled.length} field${r.filled.length === 1 ? '' : 's'}: ${r.filled.map((f) => f.target).join(', ')})`,
          kind: CodeActionKind.RefactorRewrite,
          edit: { changes: { [uri]: r.edits.map((e) => ({ range: rangeOf(a.doc, { start: e.at, end: e.at }), newText: e.text })) } },
        };
      }
    } catch { action = null; }
    suggestCache.set(key, action);
  }
  return suggestCache.get(key) ?? null;
}

/** "Suggest mappings" on the header line of a `map` block (from `map` to its `{`). */
function suggestMappingsActions(a: Analysis, uri: string, offset: number, opts: CodeActionOptions): CodeAction[] {
  if (a.issues.length) return [];
  const m = nodesOf(a.ast).find((n): n is A.MapDecl => n.kind === 'MapDecl' && n.span.start <= offset && offset <= n.body.span.start + 1);
  if (!m) return [];
  const key = `${uri}@${a.version}#${m.name.text}`;
  // Already computed for this version (resolved once, or listed by a client that does not resolve): as is.
  if (suggestCache.has(key) || !opts.lazy) {
    const action = computeSuggestAction(a, uri, m.name.text);
    return action ? [action] : [];
  }
  const data: SuggestActionData = { suggest: { uri, version: a.version, map: m.name.text } };
  return [{ title: `Suggest mappings for the unassigned fields of '${m.name.text}'`, kind: CodeActionKind.RefactorRewrite, data }];
}

/**
 * `codeAction/resolve`: the edit of a lazily offered "Suggest mappings" (on the document's current
 * version: the one the client holds). When no field gets a suggestion, the action comes back with an
 * empty edit and the title says so. Other actions come back as they are (they carry their edit).
 */
export function resolveCodeAction(ws: Workspace, action: CodeAction): CodeAction {
  const d = (action.data as Partial<SuggestActionData> | undefined)?.suggest;
  if (!d) return action;
  const a = ws.analysis(d.uri);
  const computed = a && !a.issues.length ? computeSuggestAction(a, d.uri, d.map) : null;
  if (computed) return { ...computed, data: action.data };
  return { ...action, title: `Suggest mappings: no suggestion for '${d.map}'${a?.issues.length ? ' (the flow has syntax errors)' : ''}`, edit: { changes: {} } };
}
