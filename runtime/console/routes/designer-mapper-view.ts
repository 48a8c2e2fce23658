/**
 * A `map` block as the field mapper shows it, read from the compiler's analysis of the flow text (the
 * language service's Workspace: parser, checker, diagnostics exactly as `flowc check`): each
 * assignment with its target path (`lines[].item`, `ship_to.city`), expression and spans, the source
 * fields it reads; the diagnostics inside the map with the target they concern and the compiler's own
 * quick fixes (compiler/lsp/code-actions.ts); the unmapped required targets (FLOW3003); and the source
 * and target entities as trees (the checker's types: nesting, nullability, Sage Pro storage).
 *
 * Scoping and typing are the checker's: the source's type is its binding's type (typeOf), an `each`
 * alias stands for the element of its list, and nothing is inferred here that the checker did not say.
 */
import type * as A from '../../../grammar/ast.js';
import { bindingType, declaredName } from '../../../compiler/lsp/completion.js';
import { codeActions } from '../../../compiler/lsp/code-actions.js';
import type { Analysis, Workspace } from '../../../compiler/lsp/documents/workspace.js';
import { fieldsOf, nonNull, typeToString, type Type } from '../../../compiler/schema/types.js';
import type { TextEdit as LspTextEdit } from 'vscode-languageserver';
import { ApiError } from '../http.js';

export interface FieldNode {
  path: string; name: string; type: string; nullable: boolean; required?: boolean; readOnly?: boolean; list?: boolean;
  description?: string; codes?: string[]; sagepro?: { table?: string; column?: string; storage?: string; width?: number };
  children?: FieldNode[];
}
export interface Fix { id: string; title: string }
export interface DiagView { code: string; severity: string; message: string; hint?: string; line: number; column: number; start: number; end: number; target?: string; fixes: Fix[] }
export interface AssignmentView { id: string; target: string; expr: string; line: number; start: number; end: number; exprStart: number; exprEnd: number; sources: string[]; diagnostics: DiagView[] }
export interface MapView {
  name: string; source: string; sourceEntity: string; targetEntity: string; start: number; end: number; firstLine: number; text: string;
  assignments: AssignmentView[]; unmappedRequired: string[]; diagnostics: DiagView[];
}

/** One object literal of the map (its body, an `each` body, a nested object) and what its paths start with. */
export interface Scope { obj: A.ObjectExpr; prefix: string; alias?: { name: string; path: string } ; inWhen: boolean }

export function findMap(a: Analysis, name: string | undefined): { flow: A.Flow; map: A.MapDecl } {
  const maps = a.ast.flows.filter(Boolean).flatMap((f) => f.items.filter((i): i is A.MapDecl => i?.kind === 'MapDecl').map((m) => ({ flow: f, map: m })));
  if (maps.length === 0) throw new ApiError('invalid', `${a.file}: no map block${a.issues.length ? ` (the text does not parse: ${a.diagnostics[0]?.span ? `line ${a.diagnostics[0].span.line}: ` : ''}${a.diagnostics[0]?.message ?? 'syntax error'})` : ''}`);
  if (!name) return maps[0]!;
  const m = maps.find((x) => x.map.name.text === name);
  if (!m) throw new ApiError('not_found', `map: '${name}' is not a map of ${a.file} (maps: ${maps.map((x) => x.map.name.text).join(', ')})`);
  return m;
}

export const mapNames = (a: Analysis): string[] => a.ast.flows.filter(Boolean).flatMap((f) => f.items.filter((i): i is A.MapDecl => i?.kind === 'MapDecl').map((m) => m.name.text));

/** The dotted path an expression reads (`order.payment_status?.code` -> ['order','payment_status','code']), else undefined. */
function memberPath(e: A.Expr): string[] | undefined {
  if (e.kind === 'Ident') return [e.name];
  if (e.kind === 'Member') { const o = memberPath(e.object); return o ? [...o, e.name.text] : undefined; }
  return undefined;
}

/** Every source field an expression reads, as tree paths (`item.sku` inside `each order.items as item` -> `order.items[].sku`). */
function sourcesOf(e: A.Node, roots: ReadonlyMap<string, string | readonly string[]>): string[] {
  const out = new Set<string>();
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) { n.forEach(visit); return; }
    const node = n as A.Node;
    if (node.kind === 'Member' || node.kind === 'Ident') {
      const p = memberPath(node as A.Expr);
      if (p && p.length > 0 && roots.has(p[0]!)) {
        const r = roots.get(p[0]!)!;
        for (const head of typeof r === 'string' ? [r] : r) out.add([head, ...p.slice(1)].join('.'));
        return;
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'opSpan') visit(v);
  };
  visit(e);
  return [...out].map((p) => p.replace(/\.\[\]/g, '[]'));
}

/** The object literals of a map with their path prefixes, outermost first. */
export function scopesOf(map: A.MapDecl, source: string | undefined): Scope[] {
  const out: Scope[] = [];
  const walkObj = (obj: A.ObjectExpr, prefix: string, alias: Scope['alias'], inWhen: boolean): void => {
    out.push({ obj, prefix, ...(alias ? { alias } : {}), inWhen });
    for (const m of obj.members) {
      if (m.kind === 'WhenBlock') { walkObj(m.then, prefix, alias, true); if (m.else) walkObj(m.else, prefix, alias, true); }
      else if (m.kind === 'Assignment') {
        const v = m.value;
        if (v.kind === 'ObjectExpr') walkObj(v, `${prefix}${m.name.text}.`, alias, inWhen);
        else if (v.kind === 'Each') {
          const src = memberPath(v.source);
          const roots = new Map<string, string>(source ? [[source, source]] : []);
          if (alias) roots.set(alias.name, alias.path);
          const srcPath = src && roots.has(src[0]!) ? [roots.get(src[0]!)!, ...src.slice(1)].join('.') : undefined;
          walkObj(v.body, `${prefix}${m.name.text}[].`, srcPath ? { name: v.item.text, path: `${srcPath}[]` } : undefined, inWhen);
        }
      }
    }
  };
  walkObj(map.body, '', undefined, false);
  return out;
}

const lineOf = (text: string, offset: number) => { let n = 1; for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++; return n; };

export function mapView(ws: Workspace, a: Analysis, flow: A.Flow, map: A.MapDecl): MapView {
  const model = a.models.find((m) => m.flow === flow);
  const source = map.source?.text;
  const scopes = scopesOf(map, source);
  const assignments: AssignmentView[] = [];
  const seen = new Map<string, number>();
  const lets = letRoots(flow, map, source);
  for (const s of scopes) {
    const roots = new Map<string, string | readonly string[]>(lets);
    if (source) roots.set(source, source);
    if (s.alias) roots.set(s.alias.name, s.alias.path);
    for (const m of s.obj.members) {
      if (m.kind !== 'Assignment' || m.value.kind === 'ObjectExpr' || m.value.kind === 'Each') continue;
      const target = `${s.prefix}${m.name.text}`;
      const n = (seen.get(target) ?? 0) + 1;
      seen.set(target, n);
      assignments.push({ id: n === 1 ? target : `${target}#${n}`, target, expr: a.text.slice(m.value.span.start, m.value.span.end), line: m.span.line,
        start: m.span.start, end: m.span.end, exprStart: m.value.span.start, exprEnd: m.value.span.end, sources: sourcesOf(m.value, roots), diagnostics: [] });
    }
  }
  // Diagnostics inside the map (the checker's, as flowc check prints them), with the quick fixes the language service offers for each.
  const inMap = a.diagnostics.filter((d) => d.span && d.span.start >= map.span.start && d.span.end <= map.span.end);
  const diagnostics: DiagView[] = [];
  const unmapped: string[] = [];
  for (const d of inMap) {
    const span = d.span!;
    const owner = [...assignments].filter((x) => x.start <= span.start && x.end >= span.end).sort((x, y) => (x.end - x.start) - (y.end - y.start))[0];
    const missing = d.code === 3003 ? /Required field '([^']+)'/.exec(d.message)?.[1] : undefined;
    const scope = missing ? scopes.find((s) => s.obj.span.start === span.start && s.obj.span.end === span.end) : undefined;
    const target = missing ? `${scope?.prefix ?? ''}${missing}` : owner?.target;
    if (missing && target) unmapped.push(target);
    const fixes = fixesFor(ws, a, span.start, span.end, d.code).map((f) => ({ id: f.id, title: f.title }));
    const view: DiagView = { code: `FLOW${d.code}`, severity: d.category, message: d.message, ...(d.hint ? { hint: d.hint } : {}), line: span.line, column: span.column,
      start: span.start, end: span.end, ...(target ? { target } : {}), fixes };
    diagnostics.push(view);
    if (owner) owner.diagnostics.push(view);
  }
  const targetType = model?.objectTarget.get(map.body) ?? (map.type ? a.schemas.entities.get(map.type.parts.map((p) => p.text).join('.')) : undefined);
  const sourceItem = source ? flow.items.find((i) => i && i.span.start < map.span.start && declaredName(i) === source) : undefined;
  const sourceType = sourceItem && model ? bindingType(model.typeOf, sourceItem) : undefined;
  return {
    name: map.name.text, source: source ?? '', sourceEntity: sourceType ? typeToString(sourceType) : '?', targetEntity: targetType ? typeToString(nonNull(targetType)) : map.type.parts.map((p) => p.text).join('.'),
    start: lineStartOf(a.text, map.span.start), end: map.span.end, firstLine: map.span.line, text: a.text.slice(lineStartOf(a.text, map.span.start), map.span.end),
    assignments, unmappedRequired: unmapped, diagnostics,
  };
}

/**
 * Names bound before the map to a field (or fields, `a ?? b`) of the source: `let ship =
 * order.shipping_address ?? order.billing_address` makes `ship?.city` read both addresses' city.
 */
function letRoots(flow: A.Flow, map: A.MapDecl, source: string | undefined): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  if (!source) return out;
  const paths = (e: A.Expr): string[] | undefined => {
    if (e.kind === 'Binary' && e.op === '??') { const l = paths(e.left), r = paths(e.right); return l && r ? [...l, ...r] : undefined; }
    const p = memberPath(e);
    if (!p) return undefined;
    if (p[0] === source && p.length > 1) return [p.join('.')];
    const via = out.get(p[0]!);
    return via ? via.map((h) => [h, ...p.slice(1)].join('.')) : undefined;
  };
  for (const i of flow.items) {
    if (!i || i.span.start >= map.span.start || i.kind !== 'Let') continue;
    const p = paths(i.value);
    if (p) out.set(i.name.text, p);
  }
  return out;
}

export function lineStartOf(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

/** The quick fixes of the diagnostic at `start..end` (compiler/lsp/code-actions.ts), each with an id naming it in this text. */
export function fixesFor(ws: Workspace, a: Analysis, start: number, end: number, code: number): { id: string; title: string; edits: LspTextEdit[] }[] {
  const range = { start: a.doc.positionAt(start), end: a.doc.positionAt(end) };
  return codeActions(ws, a.uri, range)
    .filter((c) => c.diagnostics?.some((d) => d.code === code || d.code === `FLOW${code}` || String(d.code).endsWith(String(code))) && c.edit?.changes?.[a.uri])
    .map((c, i) => ({ id: `FLOW${code}@${start}-${end}#${i}`, title: c.title, edits: c.edit!.changes![a.uri]! }));
}

/** The source side: the map's source binding as a tree (`order.items[].sku`), from the checker's type. */
export function sourceTree(a: Analysis, flow: A.Flow, map: A.MapDecl): { entity: string; root: string; fields: FieldNode[] } {
  const model = a.models.find((m) => m.flow === flow);
  const source = map.source?.text;
  const item = source ? flow.items.find((i) => i && i.span.start < map.span.start && declaredName(i) === source) : undefined;
  const t = item && model ? bindingType(model.typeOf, item) : undefined;
  if (!source || !t) return { entity: '?', root: source ?? '', fields: [] };
  return { entity: typeToString(nonNull(t)), root: source, fields: treeOf(nonNull(t), source, 0) };
}

/** The target side: the entity the map builds (SalesOrder with its lines, charges, ship_to). */
export function targetTree(a: Analysis, flow: A.Flow, map: A.MapDecl): { entity: string; root: string; fields: FieldNode[] } {
  const model = a.models.find((m) => m.flow === flow);
  const t = model?.objectTarget.get(map.body) ?? a.schemas.entities.get(map.type.parts.map((p) => p.text).join('.'));
  if (!t) return { entity: map.type.parts.map((p) => p.text).join('.'), root: map.name.text, fields: [] };
  return { entity: typeToString(nonNull(t)), root: map.name.text, fields: treeOf(nonNull(t), '', 0) };
}

const MAX_DEPTH = 5;
export function treeOf(t: Type, prefix: string, depth: number): FieldNode[] {
  const fields = fieldsOf(nonNull(t));
  if (!fields || depth > MAX_DEPTH) return [];
  const out: FieldNode[] = [];
  for (const f of fields.values()) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    const ft = f.type;
    const el = ft.kind === 'list' ? ft.element : ft;
    const node: FieldNode = { path, name: f.name, type: typeToString(ft), nullable: ft.nullable };
    if (f.required) node.required = true;
    if (f.readOnly) node.readOnly = true;
    if (ft.kind === 'list') node.list = true;
    if (f.description) node.description = f.description;
    if (el.kind === 'prim' && el.codes) node.codes = [...el.codes];
    if (f.storage) node.sagepro = { ...(f.storage.table ? { table: f.storage.table } : {}), ...(f.storage.column ? { column: f.storage.column } : {}), ...(f.storage.type ? { storage: f.storage.type } : {}), ...(f.storage.width !== undefined ? { width: f.storage.width } : {}) };
    const kids = treeOf(el, ft.kind === 'list' ? `${path}[]` : path, depth + 1).map((k) => ({ ...k, path: k.path.replace(/\[\]\./g, '[].') }));
    if (kids.length) node.children = kids;
    out.push(node);
  }
  return out;
}

export { lineOf };
