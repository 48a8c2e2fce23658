/**
 * Completion: fields after `x.` / `x?.` (the type of `x` from the checker, nested and through `?.`),
 * operations after `xcart.` / `sagepro.`, entity types after `: xcart.`, the fields of the entity a
 * map or object literal builds (its target, from the checker's objectTarget), lookup tables and their
 * keys after `table[`, event names and error classes after `on`, policy keywords, builtins with their
 * signatures, the names in scope, statement keywords (`warn`, `hold when anomaly` among them; after `hold`, `when anomaly`). Every item carries its type in `detail`.
 *
 * While typing, the text at the cursor rarely parses (`order.` lacks its field name): the type of
 * what precedes the dot comes from the text with a placeholder name at the cursor, checked by the
 * checker (Workspace.analyzeText), so the checker's own scopes and types answer.
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import { BUILTINS } from '../checker/builtins.js';
import { XCART_EVENTS } from '../checker/checker.js';
import { ERROR_CLASSES } from '../schema/load-schemas.js';
import { fieldsOf, nonNull, typeToString, type Type } from '../schema/types.js';
import { builtinSignature, fieldDoc, operationSignature, typeText } from './describe.js';
import type { Analysis, Workspace } from './documents/workspace.js';
import type { FlowModel } from '../checker/model.js';
import { flowAt, nodesOf, pathAt } from './nodes.js';

const PLACEHOLDER = '__flowc_complete__';
const STATEMENTS = ['on', 'fetch', 'lookup', 'let', 'idempotency', 'require', 'skip when', 'warn', 'hold when anomaly', 'table', 'map', 'write'];
const EXPRESSION_WORDS = ['true', 'false', 'null', 'if', 'then', 'else', 'match', 'each', 'reject', 'not', 'and', 'or'];
const HOLD_DETAIL = 'hold the run for a person when the anomaly detector flags a write';
/** What may follow `on <error class>` (grammar/parser.ts `policy`; actions: checker/rules/policy.ts). */
export const POLICY_WORDS = ['retry', 'for', 'backoff', 'exponential', 'alert', 'then', 'dead_letter', 'skip', 'fail'];

export function completion(ws: Workspace, uri: string, offset: number): CompletionItem[] {
  const a = ws.analysis(uri);
  if (!a) return [];
  const lineStart = Math.max(a.text.lastIndexOf('\n', offset - 1), a.text.lastIndexOf('\r', offset - 1)) + 1;
  const before = a.text.slice(lineStart, offset);

  // `hold when anomaly`: the only words that can follow `hold` (grammar/parser.ts holdWhenAnomaly).
  if (/^\s*hold\s+when\s+\w*$/.test(before)) return [{ label: 'anomaly', kind: CompletionItemKind.Keyword, detail: HOLD_DETAIL }];
  if (/^\s*hold\s+\w*$/.test(before)) return [{ label: 'when anomaly', kind: CompletionItemKind.Keyword, detail: HOLD_DETAIL }];
  let m = /:\s*(xcart|sagepro)\.([\w.]*)$/.exec(before);
  if (m) return entityItems(a, m[1]!);
  m = /(?:^|\{)\s*on\s+([\w.]*)$/.exec(before);
  if (m) return onItems();
  m = /(?:^|\{)\s*on\s+(\w+)\s+[^"]*$/.exec(before);
  if (m && ERROR_CLASSES.includes(m[1]!)) return POLICY_WORDS.map((w) => ({ label: w, kind: CompletionItemKind.Keyword, detail: 'policy keyword' }));
  m = /([A-Za-z_]\w*(?:\s*\??\.\s*[A-Za-z_]\w*)*)\s*\??\.\s*(\w*)$/.exec(before);
  if (m) return memberItems(ws, a, m[1]!.replace(/\s+/g, ''), offset - m[2]!.length);
  m = /([A-Za-z_]\w*)\s*\[\s*("?)([^"\]]*)$/.exec(before);
  if (m) {
    const table = withModel(ws, a, offset, PLACEHOLDER)?.model?.tables.get(m[1]!);
    if (table) {
      return table.entries.map(([k, v]) => ({
        label: typeof k === 'string' ? JSON.stringify(k) : String(k), kind: CompletionItemKind.Value,
        detail: `${typeToString(table.keyType)} -> ${typeToString(table.valueType)}: ${JSON.stringify(v)}`,
        insertText: m![2] ? String(k) : typeof k === 'string' ? JSON.stringify(k) : String(k),
      }));
    }
  }
  const targets = targetItems(ws, a, offset, before);
  if (targets) return targets;
  return scopeItems(withModel(ws, a, offset, PLACEHOLDER)?.analysis ?? a, offset, /^\s*\w*$/.test(before));
}

/**
 * The text with `insert` in place of `from..to` (and, with `closers`, the brackets still open before
 * the cursor closed after it), analysed in the document's place: an unfinished line made checkable.
 */
function repair(ws: Workspace, a: Analysis, from: number, to: number, insert: string, closers: boolean): Analysis | undefined {
  return ws.analyzeText(a.uri, a.text.slice(0, from) + insert + (closers ? unclosed(a.text, from) : '') + a.text.slice(to));
}

/** An analysis whose flow at `offset` has a model: the document's own, else a repaired one. */
function withModel(ws: Workspace, a: Analysis, offset: number, insert: string): { analysis: Analysis; model: FlowModel } | undefined {
  const repairs = () => [repair(ws, a, offset, offset, insert, false), repair(ws, a, offset, offset, insert, true)];
  // A text with syntax errors: the repaired one first (the recovered tree may lack the statement being typed).
  for (const candidate of a.issues.length ? [...repairs(), a] : [a, ...repairs()]) {
    const model = candidate && flowAt(candidate, offset)?.model;
    if (candidate && model) return { analysis: candidate, model };
  }
  return undefined;
}

/** The closing brackets for those opened and not closed since the last `flow` before `offset`. */
function unclosed(text: string, offset: number): string {
  const start = Math.max(0, text.lastIndexOf('flow ', offset));
  const stack: string[] = [];
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  for (let i = start; i < offset; i++) {
    const ch = text[i]!;
    if (ch === '"') { while (++i < offset && text[i] !== '"' && text[i] !== '\n') if (text[i] === '\\') i++; continue; }
    if (ch === '/' && text[i + 1] === '/') { while (i < offset && text[i] !== '\n') i++; continue; }
    if (pairs[ch]) stack.push(pairs[ch]!);
    else if (ch === ')' || ch === ']' || ch === '}') { if (stack[stack.length - 1] === ch) stack.pop(); }
  }
  return stack.reverse().join('');
}

function entityItems(a: Analysis, system: string): CompletionItem[] {
  return [...a.schemas.entities.values()].filter((e) => e.system === system).map((e) => ({
    label: e.name, kind: CompletionItemKind.Class, detail: `${e.system}.${e.name}`, documentation: e.description,
  }));
}

function onItems(): CompletionItem[] {
  const events = Object.entries(XCART_EVENTS).map(([name, payload]) => ({
    label: `xcart.${name}`, kind: CompletionItemKind.Event,
    detail: `event { ${Object.entries(payload).map(([k, t]) => `${k}: ${typeToString(t)}`).join(', ')} }`,
  }));
  const classes = ERROR_CLASSES.map((c) => ({ label: c, kind: CompletionItemKind.EnumMember, detail: 'error class (policy)' }));
  return [...events, ...classes,
    { label: 'every', kind: CompletionItemKind.Keyword, detail: 'poll trigger: every <duration> poll sagepro.<Entity>' },
    { label: 'schedule', kind: CompletionItemKind.Keyword, detail: 'schedule trigger: schedule every <duration> | "<cron>"' }];
}

function memberItems(ws: Workspace, a: Analysis, chain: string, nameStart: number): CompletionItem[] {
  const root = chain.split(/\??\./)[0]!;
  const local = flowAt(a, nameStart)?.flow.items.some((i) => declaredName(i) === root);
  if ((root === 'xcart' || root === 'sagepro') && !local) {
    const prefix = chain.replace(/\?/g, '') + '.';
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    for (const op of a.schemas.operations.values()) {
      const full = `${op.system}.${op.name}`;
      if (!full.startsWith(prefix)) continue;
      const rest = full.slice(prefix.length);
      const sig = operationSignature(op);
      const label = rest;
      if (seen.has(label)) continue;
      seen.add(label);
      items.push({ label, kind: CompletionItemKind.Method, detail: sig.label, documentation: sig.doc });
    }
    return items;
  }
  // The type of what precedes the dot: check the text with a placeholder name at the cursor.
  const end = nameStart + (/^\w*/.exec(a.text.slice(nameStart))?.[0].length ?? 0);
  let type: Type | undefined;
  for (const closers of [false, true]) {
    const repaired = repair(ws, a, nameStart, end, PLACEHOLDER, closers);
    const member = repaired && nodesOf(repaired.ast).find((n): n is A.Member => n.kind === 'Member' && n.name.text === PLACEHOLDER);
    if (!member) continue;
    for (const model of repaired.models) { type = model.typeOf.get(member.object); if (type) break; }
    if (type) break;
  }
  const fields = type ? fieldsOf(nonNull(type)) : undefined;
  if (!fields) return [];
  const owner = type && type.kind === 'entity' ? `${type.system}.${type.name}` : 'object';
  return [...fields.values()].map((f) => ({
    label: f.name, kind: CompletionItemKind.Field, detail: typeText(f.type), documentation: { kind: 'markdown', value: fieldDoc(owner, f) },
  }));
}

/** The fields of the entity an object literal builds, when the cursor is where a member starts. */
function targetItems(ws: Workspace, doc: Analysis, offset: number, before: string): CompletionItem[] | undefined {
  if (!/(^|[{;,])\s*\w*$/.test(before)) return undefined;
  const a = withModel(ws, doc, offset, `${PLACEHOLDER} = null`)?.analysis ?? doc;
  const objects = pathAt(a.ast, offset).filter((n): n is A.ObjectExpr => n.kind === 'ObjectExpr');
  const obj = objects[objects.length - 1];
  if (!obj || offset <= obj.span.start) return undefined;
  let target: Type | undefined;
  for (const model of a.models) { target = model.objectTarget.get(obj); if (target) break; }
  const fields = target ? fieldsOf(nonNull(target)) : undefined;
  if (!fields) return undefined;
  const assigned = new Set(obj.members.filter((m): m is A.Assignment => m?.kind === 'Assignment' && m.span.end < offset - 1 || (m?.kind === 'Assignment' && m.span.start > offset)).map((m) => (m as A.Assignment).name.text));
  const owner = target!.kind === 'entity' ? `${target!.system}.${target!.name}` : 'object';
  return [...fields.values()].filter((f) => !assigned.has(f.name) && !f.readOnly).map((f) => ({
    label: f.name, kind: CompletionItemKind.Field, detail: `${typeText(f.type)}${f.required ? ' (required)' : ''}`,
    documentation: { kind: 'markdown', value: fieldDoc(owner, f) }, insertText: `${f.name} = `,
    sortText: `${f.required ? '0' : '1'}${f.name}`,
  }));
}

export function declaredName(i: A.FlowItem): string | undefined {
  switch (i?.kind) {
    case 'Fetch': case 'Lookup': case 'Let': case 'MapDecl': case 'TableDecl': return i.name.text;
    case 'Write': return i.as?.text;
    default: return undefined;
  }
}

function scopeItems(a: Analysis, offset: number, lineStart: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  const at = flowAt(a, offset);
  if (at) {
    const { flow, model } = at;
    items.push({ label: 'event', kind: CompletionItemKind.Variable, detail: model ? typeToString(model.eventType) : 'event' });
    for (const i of flow.items) {
      if (!i || i.span.start >= offset || i.kind === 'TableDecl') continue;
      const name = declaredName(i);
      if (!name) continue;
      const t = model ? bindingType(model.typeOf, i) : undefined;
      items.push({ label: name, kind: CompletionItemKind.Variable, detail: t ? typeToString(t) : i.kind.toLowerCase() });
    }
    for (const n of pathAt(flow, offset)) {
      if (n.kind === 'Lambda') items.push({ label: n.param.text, kind: CompletionItemKind.Variable, detail: 'parameter' });
      if (n.kind === 'Each') {
        const src = model?.typeOf.get(n.source);
        items.push({ label: n.item.text, kind: CompletionItemKind.Variable, detail: src?.kind === 'list' ? typeToString(src.element) : 'item' });
      }
    }
    for (const t of model?.tables.values() ?? []) {
      items.push({ label: t.name, kind: CompletionItemKind.Constant, detail: `table ${typeToString(t.keyType)} -> ${typeToString(t.valueType)}` });
    }
  }
  for (const name of Object.keys(BUILTINS)) {
    const sig = builtinSignature(name)!;
    items.push({ label: name, kind: CompletionItemKind.Function, detail: sig.label, documentation: sig.doc,
      insertText: `${name}($1)`, insertTextFormat: InsertTextFormat.Snippet });
  }
  items.push({ label: 'xcart', kind: CompletionItemKind.Module, detail: 'X-Cart operations' }, { label: 'sagepro', kind: CompletionItemKind.Module, detail: 'Sage Pro operations' });
  for (const w of EXPRESSION_WORDS) items.push({ label: w, kind: CompletionItemKind.Keyword, detail: 'keyword' });
  if (lineStart) for (const w of STATEMENTS) items.push({ label: w, kind: CompletionItemKind.Keyword, detail: 'statement' });
  return items;
}

/** The type a step gives its name, from the checker's typeOf. */
export function bindingType(typeOf: WeakMap<A.Node, Type>, i: A.FlowItem): Type | undefined {
  switch (i.kind) {
    case 'Fetch': case 'Lookup': case 'Let': return typeOf.get(i.value);
    case 'Write': return typeOf.get(i.call);
    case 'MapDecl': return typeOf.get(i.body);
    default: return undefined;
  }
}
