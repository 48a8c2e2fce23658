/**
 * A `map` block as the field mapper shows it, from the designer core's model (compiler/designer/:
 * assignments with target paths, spans and source fields; diagnostics with the compiler's quick
 * fixes; unmapped required targets), and the mapper's own edit requests: a dragged source field
 * becomes the expression the flow would write at that target (relative to the `each` alias inside a
 * line block, `?.` after a nullable part), which the core's `map` edit then inserts.
 */
import type * as A from '../../grammar/ast.js';
import { bindingType, declaredName } from '../lsp/completion.js';
import { pathToUri, type Workspace } from '../lsp/documents/workspace.js';
import { nonNull, typeToString } from '../schema/types.js';
import type { DesignAssignment, DesignDiagnostic, DesignMap, DesignModel, EntityNode } from '../designer/index.js';
import { ApiError } from '../../runtime/console/http.js';

export interface Fix { id: string; title: string }
export interface DiagView { code: string; severity: string; message: string; hint?: string; line: number; column: number; start: number; end: number; target?: string; fixes: Fix[] }
export interface AssignmentView { id: string; target: string; expr: string; line: number; start: number; end: number; exprStart: number; exprEnd: number; sources: string[]; diagnostics: DiagView[] }
export interface MapView {
  name: string; source: string; sourceEntity: string; targetEntity: string; start: number; end: number; firstLine: number; text: string;
  assignments: AssignmentView[]; unmappedRequired: string[]; diagnostics: DiagView[];
}

export type MapperEdit =
  | { kind: 'map'; target: string; expr?: string; source?: string }
  | { kind: 'unmap'; target: string }
  | { kind: 'setExpr'; target: string; expr: string }
  | { kind: 'quickFix'; fixId: string };

export function parseEdit(v: unknown): MapperEdit {
  const e = v as Record<string, unknown> | null;
  if (!e || typeof e !== 'object') throw new ApiError('invalid', 'edit: required, an object { kind, ... }');
  const s = (k: string, req = true): string | undefined => {
    const x = e[k];
    if (x === undefined && !req) return undefined;
    if (typeof x !== 'string' || (req && x.trim() === '')) throw new ApiError('invalid', `edit.${k}: required, a non-empty string`);
    if (x.length > 20_000) throw new ApiError('invalid', `edit.${k}: at most 20000 characters`);
    return x;
  };
  switch (e.kind) {
    case 'map': {
      const expr = s('expr', false), source = s('source', false);
      if (!expr && !source) throw new ApiError('invalid', 'edit: a map edit needs `source` (a source field path) or `expr`');
      return { kind: 'map', target: s('target')!, ...(expr ? { expr } : {}), ...(source ? { source } : {}) };
    }
    case 'unmap': return { kind: 'unmap', target: s('target')! };
    case 'setExpr': return { kind: 'setExpr', target: s('target')!, expr: s('expr')! };
    case 'quickFix': return { kind: 'quickFix', fixId: s('fixId')! };
    default: throw new ApiError('invalid', `edit.kind: '${String(e.kind)}' is not one of map, unmap, setExpr, quickFix`);
  }
}

const lineStartOf = (text: string, offset: number) => Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;

function diagView(d: DesignDiagnostic, target: string | undefined): DiagView {
  return {
    code: d.code, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
    line: d.span?.line ?? 0, column: d.span?.column ?? 0, start: d.span?.start ?? 0, end: d.span?.end ?? 0,
    ...(target ? { target } : {}), fixes: d.fixes.map((f) => ({ id: f.id, title: f.title })),
  };
}

export function mapView(model: DesignModel, map: DesignMap, text: string, facts: { entity?: string; sources: Map<number, string[]> }): MapView {
  const byId = new Map(map.assignments.map((a) => [a.id, a]));
  const leaves = map.assignments.filter((a) => !a.children);
  const inMap = model.diagnostics.filter((d) => d.span && d.span.start >= map.span.start && d.span.end <= map.span.end);
  const targetOf = (d: DesignDiagnostic): string | undefined => {
    if (d.assignment) return byId.get(d.assignment)?.target;
    const missing = d.code === 'FLOW3003' ? /Required field '([^']+)'/.exec(d.message)?.[1] : undefined;
    return missing ? map.unmappedRequired.find((p) => p === missing || p.endsWith(`.${missing}`)) : undefined;
  };
  const diagnostics = inMap.map((d) => diagView(d, targetOf(d)));
  const start = lineStartOf(text, map.span.start);
  return {
    name: map.name, source: map.source ?? '', sourceEntity: facts.entity ?? '', targetEntity: map.target,
    start, end: map.span.end, firstLine: map.span.line, text: text.slice(start, map.span.end),
    assignments: leaves.map((a) => ({
      id: a.id, target: a.target, expr: a.expr, line: a.span.line, start: a.span.start, end: a.span.end,
      exprStart: a.exprSpan.start, exprEnd: a.exprSpan.end, sources: facts.sources.get(a.exprSpan.start) ?? [...a.sources],
      diagnostics: inMap.filter((d) => d.assignment === a.id).map((d) => diagView(d, a.target)),
    })),
    unmappedRequired: [...map.unmappedRequired], diagnostics,
  };
}

/**
 * What the mapper reads from the checker's analysis besides the core's model: the entity the map reads
 * (its source binding's type, `xcart.Order`) and, per assignment (by the start of its expression),
 * the source fields it reads through an `each` alias (`item.sku` in `each order.items as item` is
 * `order.items[].sku`) or a `let` bound to source fields (`ship?.city` with `let ship =
 * order.shipping_address ?? order.billing_address` reads both addresses' city), so its line is drawn.
 */
export function sourceFacts(text: string, abs: string, ws: Workspace, mapName: string): { entity?: string; sources: Map<number, string[]> } {
  const uri = `${pathToUri(abs)}#mapper-source`;
  const a = ws.open(uri, 0, text);
  const sources = new Map<number, string[]>();
  try {
    for (const flow of a.ast.flows.filter(Boolean)) {
      const map = flow.items.find((i): i is A.MapDecl => i?.kind === 'MapDecl' && i.name.text === mapName);
      if (!map) continue;
      const source = map.source?.text;
      const lets = letRoots(flow, map, source);
      for (const sc of scopesOf(map, source)) {
        const roots = new Map<string, string | readonly string[]>(lets);
        if (source) roots.set(source, source);
        if (sc.alias) roots.set(sc.alias.name, sc.alias.path);
        for (const m of sc.obj.members) if (m.kind === 'Assignment') sources.set(m.value.span.start, sourcesOf(m.value, roots));
      }
      const item = source ? flow.items.find((i) => i && i.span.start < map.span.start && declaredName(i) === source) : undefined;
      const model = a.models.find((m) => m.flow === flow);
      const t = item && model ? bindingType(model.typeOf, item) : undefined;
      const el = t ? nonNull(t) : undefined;
      return { ...(el && el.kind === 'entity' ? { entity: typeToString(el) } : {}), sources };
    }
    return { sources };
  } finally { ws.close(uri); }
}

export interface Scope { obj: A.ObjectExpr; prefix: string; alias?: { name: string; path: string } ; inWhen: boolean }


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

function findField(fields: readonly EntityNode[], path: string): EntityNode | undefined {
  for (const f of fields) {
    if (f.path === path) return f;
    if (f.children && path.startsWith(f.path)) { const r = findField(f.children, path); if (r) return r; }
  }
  return undefined;
}

/** The source field `source` (`order.items[].sku`) as the expression the flow would write at `target` (`lines[].item` -> `item.sku`). */
export function exprFor(source: string, target: string, map: DesignMap, sourceFields: readonly EntityNode[]): string {
  // The line block that holds the target: `lines[].item` is inside the assignment `lines = each order.items as item`.
  const block = target.includes('[]') ? target.slice(0, target.lastIndexOf('[]')) : undefined;
  const each = block !== undefined ? map.assignments.find((a: DesignAssignment) => a.target === block && a.each) : undefined;
  let expr: string;
  let path: string;
  let rest: string[];
  if (each?.each) {
    const listPath = `${each.each.source.replace(/\?\./g, '.')}[]`;
    if (source !== listPath && !source.startsWith(`${listPath}.`)) {
      if (source.includes('[]')) throw new ApiError('invalid', `edit.source: '${source}' is a field of each element of another list than ${block}'s (${each.each.source})`);
      return exprFor(source, target.slice(target.lastIndexOf('.') + 1), map, sourceFields);
    }
    expr = each.each.item; path = listPath; rest = source === listPath ? [] : source.slice(listPath.length + 1).split('.');
  } else {
    if (source.includes('[]')) throw new ApiError('invalid', `edit.source: '${source}' is a field of each element of a list; map it to a field of a line block (lines[]...) whose each reads that list`);
    const parts = source.split('.');
    expr = parts[0]!; path = parts[0]!; rest = parts.slice(1);
  }
  // `?.` after every nullable part, as the checker requires.
  for (const p of rest) {
    const node = findField(sourceFields, path);
    expr += `${node?.nullable ? '?.' : '.'}${p}`;
    path = `${path}.${p}`;
  }
  return expr;
}
