/**
 * analyzeDesign: a flow's text as the designer shows it, on the compiler's own pipeline
 * (program.ts compileSource: the parser, the checker and the diagnostics `flowc check` gives; the
 * quick fixes of compiler/lsp/code-actions.ts). Nothing here scopes or types: dependencies come
 * from the checker's resolution of every name, target types from its `objectTarget`.
 *
 * Besides the JSON model, the analysis keeps what the edits need (the AST nodes behind each step,
 * policy, map container and assignment): `analyzeInternal`.
 */
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as A from '../../grammar/ast.js';
import { LineMap, type Span } from '../../grammar/span.js';
import { compileSource } from '../program.js';
import { DiagnosticBag, codeOf, type Diagnostic } from '../diagnostics/diagnostic.js';
import { checkFlowFile } from '../checker/checker.js';
import { loadLookups, referencedLookupFiles } from '../schema/load-lookups.js';
import type { FlowModel } from '../checker/model.js';
import { typeToString, type Type } from '../schema/types.js';
import { codeActionsOf } from '../lsp/code-actions.js';
import type { Analysis } from '../lsp/documents/workspace.js';
import { stateOf } from './context.js';
import { fieldsOf } from './fields.js';
import type {
  DesignAssignment, DesignContext, DesignDiagnostic, DesignMap, DesignMember, DesignModel, DesignPolicy, DesignStep,
  DesignStepField, DesignTrigger, DesignWhen, QuickFix, StepKind, TextEdit,
} from './api.js';

export interface StepInfo { readonly key: string; readonly node: A.FlowItem; readonly design: DesignStep }
export interface PolicyInfo { readonly key: string; readonly node: A.Policy; readonly step?: StepInfo; readonly design: DesignPolicy }
export interface AssignmentInfo { readonly map: string; readonly id: string; readonly target: string; readonly node: A.Assignment; readonly container: A.ObjectExpr }
export interface ContainerInfo { readonly map: string; readonly id: string; readonly targetPrefix: string; readonly node: A.ObjectExpr }

export interface Internal {
  readonly text: string;
  readonly file: string;
  readonly lines: LineMap;
  readonly model: DesignModel;
  readonly flow?: A.Flow;
  readonly flowModel?: FlowModel;
  readonly steps: readonly StepInfo[];
  readonly policies: readonly PolicyInfo[];
  readonly containers: readonly ContainerInfo[];
  readonly assignments: readonly AssignmentInfo[];
  readonly fixes: ReadonlyMap<string, QuickFix>;
  readonly errorCount: number;
  readonly errors: readonly Diagnostic[];
}

const MAX_CACHED = 8;

export function analyzeDesignImpl(text: string, file: string, ctx: DesignContext): DesignModel {
  return analyzeInternal(text, file, ctx).model;
}

export function analyzeInternal(text: string, file: string, ctx: DesignContext): Internal {
  const state = stateOf(ctx);
  const cacheKey = `${file}\0${text}`;
  const hit = state.analyses.get(cacheKey) as Internal | undefined;
  if (hit) return hit;
  const r = build(text, file, ctx);
  state.analyses.set(cacheKey, r);
  if (state.analyses.size > MAX_CACHED) state.analyses.delete(state.analyses.keys().next().value!);
  return r;
}

const TRIGGER_KINDS = new Set(['EventTrigger', 'PollTrigger', 'ScheduleTrigger']);

function build(text: string, file: string, ctx: DesignContext): Internal {
  const schemas = ctx.schemas();
  const state = stateOf(ctx);
  const absPath = path.resolve(ctx.displayBase, file);
  const bag = new DiagnosticBag();
  const unit = compileSource(text, file, absPath, schemas, ctx.lookupsDir, ctx.displayBase, bag, state.lookupCache);
  const diagnostics = bag.sorted().filter((d) => !d.span || d.span.file === file);
  let models = unit.models;
  if (unit.hasSyntaxErrors) {
    // As the language server does: the checker's side tables on the recovered tree (names, types), guarded.
    try {
      const lookups = loadLookups(referencedLookupFiles(unit.ast), ctx.lookupsDir, ctx.displayBase, state.lookupCache);
      models = checkFlowFile(withoutPolicies(unit.ast), file, schemas, { lookups }).models;
    } catch { models = []; }
  }
  const lines = new LineMap(text);
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const flow = unit.ast.flows[0];
  const fm = models.find((m) => m.flow.name.text === flow?.name.text) ?? models[0];
  const slice = (s: Span) => text.slice(s.start, s.end);

  // ---- quick fixes (the language server's, as data)
  const fixesByDiag = new Map<Diagnostic, QuickFix[]>();
  const fixes = new Map<string, QuickFix>();
  if (diagnostics.length) {
    const uri = 'file:///designer/' + encodeURIComponent(file);
    const doc = TextDocument.create(uri, 'flow', 1, text);
    const analysis: Analysis = {
      uri, version: 1, doc, text, file, absPath, ast: unit.ast, issues: [], diagnostics, models,
      schemas, schemasDir: ctx.schemasDir, lookupsDir: ctx.lookupsDir,
    };
    let actions: ReturnType<typeof codeActionsOf> = [];
    try { actions = codeActionsOf(analysis, uri, { start: doc.positionAt(0), end: doc.positionAt(text.length) }); } catch { actions = []; }
    for (const act of actions) {
      const edits: TextEdit[] = (act.edit?.changes?.[uri] ?? []).map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText }));
      for (const ld of act.diagnostics ?? []) {
        const d = diagnostics.find((x) => x.span && codeOf(x) === ld.code && doc.offsetAt(ld.range.start) === x.span.start && doc.offsetAt(ld.range.end) === x.span.end);
        if (!d) continue;
        const list = fixesByDiag.get(d) ?? [];
        const fix: QuickFix = { id: `${d.code}@${d.span!.start}-${d.span!.end}#${list.length + 1}`, title: act.title, preferred: !!act.isPreferred, edits };
        list.push(fix); fixesByDiag.set(d, list); fixes.set(fix.id, fix);
      }
    }
  }

  // ---- steps and their keys
  const steps: StepInfo[] = [];
  const policies: PolicyInfo[] = [];
  const flowPolicies: DesignPolicy[] = [];
  let trigger: DesignTrigger | undefined;
  const usedKeys = new Set<string>();
  const unique = (k: string) => { let key = k, n = 2; while (usedKeys.has(key)) key = `${k}~${n++}`; usedKeys.add(key); return key; };
  const policyInfo = (p: A.Policy, owner: StepInfo | undefined, taken: Set<string>): PolicyInfo => {
    const base = `${owner ? owner.key + '/' : ''}policy:${p.errorClass?.text ?? '?'}`;
    let key = base, n = 2; while (taken.has(key)) key = `${base}#${n++}`; taken.add(key);
    const retry = p.retry ? {
      ...(p.retry.max !== undefined ? { max: p.retry.max } : {}), ...(p.retry.budget ? { for: p.retry.budget.text } : {}),
      ...(p.retry.backoff ? { backoff: p.retry.backoff.text } : {}), ...(p.retry.initial ? { initial: p.retry.initial.text } : {}),
      ...(p.retry.max_ ? { maxDelay: p.retry.max_.text } : {}),
    } : undefined;
    const design: DesignPolicy = {
      key, class: p.errorClass?.text ?? '', ...(retry ? { retry } : {}), ...(p.alert ? { alert: p.alert.value } : {}),
      ...(p.then ? { then: p.then.text } : {}), ...(owner ? { step: owner.key } : {}), text: slice(p.span), span: p.span,
    };
    return { key, node: p, step: owner, design };
  };
  const flowPolicyKeys = new Set<string>();
  const declaredBy = new Map<string, string>(); // local name → step key (latest declaration)
  const tableKeys = new Map<string, string>();
  for (const item of flow?.items ?? []) {
    if (!item) continue;
    if (TRIGGER_KINDS.has(item.kind)) { trigger ??= triggerOf(item as A.Trigger, slice); continue; }
    if (item.kind === 'Policy' && (item as A.Policy).errorClass) {
      const p = policyInfo(item as A.Policy, undefined, flowPolicyKeys);
      policies.push(p); flowPolicies.push(p.design);
      continue;
    }
    if (item.kind === 'Missing' && item.span.start === item.span.end) continue;
    const info = stepOf(item, text, slice, unique, fm, declaredBy, tableKeys);
    const fields = fieldsOf(item, text, info.design.operation ? schemas.operations.get(info.design.operation) : undefined);
    if (fields.length) (info.design as unknown as { fields: DesignStepField[] }).fields = fields.map((f) => f.design);
    steps.push(info);
    const name = info.design.name;
    if (name && info.design.kind !== 'table') declaredBy.set(name, info.key);
    if (name && info.design.kind === 'table') tableKeys.set(name, info.key);
    if ('policies' in item && Array.isArray((item as A.Fetch).policies)) {
      const taken = new Set<string>();
      const own = (item as A.Fetch).policies.filter((p) => p?.kind === 'Policy' && p.errorClass).map((p) => policyInfo(p, info, taken));
      policies.push(...own);
      (info.design as unknown as { policies: DesignPolicy[] }).policies = own.map((p) => p.design);
    }
  }

  // ---- maps
  const containers: ContainerInfo[] = [];
  const assignments: AssignmentInfo[] = [];
  const maps: DesignMap[] = [];
  const diagFor = (d: Diagnostic, extra: { assignment?: string; step?: string }): DesignDiagnostic => ({
    code: codeOf(d), severity: d.category === 'error' ? 'error' : d.category === 'warning' ? 'warning' : 'info', message: d.message,
    ...(d.hint ? { hint: d.hint } : {}), ...(d.span ? { span: d.span } : {}), ...extra, fixes: fixesByDiag.get(d) ?? [],
  });
  const diagAssignment = new Map<Diagnostic, string>();
  const unmappedAll: string[] = [];
  for (const s of steps) {
    if (s.node.kind !== 'MapDecl') continue;
    const m = s.node;
    const mapAssignments: DesignAssignment[] = [];
    const unmapped: string[] = [];
    const sourceNames = new Set<string>([...(m.source ? [m.source.text] : [])]);
    const members = membersOf(m.body, '', '', s.key, {
      text, fm, containers, assignments, out: mapAssignments, sourceNames,
      diagnostics, diagAssignment, unmapped, diagFor,
    });
    maps.push({
      key: s.key, name: m.name.text, ...(m.source ? { source: m.source.text } : {}), target: m.type.parts.map((p) => p.text).join('.'),
      span: m.span, bodySpan: m.body.span, members, assignments: mapAssignments, unmappedRequired: unmapped,
    });
    unmappedAll.push(...unmapped.map((u) => `${s.key}:${u}`));
  }
  const stepOfDiag = (d: Diagnostic): string | undefined => d.span ? steps.find((s) => s.node.span.start <= d.span!.start && d.span!.end <= s.node.span.end)?.key : undefined;
  const designDiagnostics = diagnostics.map((d) => {
    const a = diagAssignment.get(d); const st = stepOfDiag(d);
    return diagFor(d, { ...(a ? { assignment: a } : {}), ...(st ? { step: st } : {}) });
  });
  const model: DesignModel = {
    file, ...(flow ? { name: flow.name.text } : {}), ...(flow?.description !== undefined ? { description: flow.description } : {}),
    ...(trigger ? { trigger } : {}), steps: steps.map((s) => s.design), policies: flowPolicies, maps, unmappedRequired: unmappedAll,
    diagnostics: designDiagnostics, hasSyntaxErrors: unit.hasSyntaxErrors, eol,
  };
  const errors = diagnostics.filter((d) => d.category === 'error');
  return { text, file, lines, model, flow, flowModel: fm, steps, policies, containers, assignments, fixes, errorCount: errors.length, errors };
}

function triggerOf(t: A.Trigger, slice: (s: Span) => string): DesignTrigger {
  const text = slice(t.span);
  if (t.kind === 'EventTrigger') return { kind: 'event', system: t.system.text, event: t.event.map((e) => e.text).join('.'), text, span: t.span };
  if (t.kind === 'PollTrigger') {
    const entity = t.entity.parts.map((p) => p.text).join('.');
    return { kind: 'poll', system: t.entity.parts[0]?.text, entity, interval: t.every.text, changed: t.changed, key: t.key.map((k) => k.text), text, span: t.span };
  }
  return { kind: 'schedule', ...(t.every ? { interval: t.every.text } : {}), ...(t.cron ? { cron: t.cron.value } : {}), text, span: t.span };
}

const KIND_OF: Record<string, StepKind> = {
  Fetch: 'fetch', Lookup: 'lookup', TableDecl: 'table', Let: 'let', Idempotency: 'idempotency', Require: 'require', SkipWhen: 'skip', MapDecl: 'map', Write: 'write',
};

function short(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function operationOf(fm: FlowModel | undefined, e: A.Expr | undefined): string | undefined {
  if (!e || e.kind !== 'Call') return undefined;
  const r = fm?.resolution.get(e);
  if (r?.kind === 'operation') return `${r.op.system}.${r.op.name}`;
  const parts: string[] = [];
  let c: A.Expr = e.callee;
  while (c.kind === 'Member') { parts.unshift(c.name.text); c = c.object; }
  if (c.kind === 'Ident') parts.unshift(c.name);
  return parts.length >= 3 ? parts.join('.') : undefined;
}

export function stepOf(item: A.FlowItem, text: string, slice: (s: Span) => string, unique: (k: string) => string, fm: FlowModel | undefined,
  declaredBy: Map<string, string>, tableKeys: Map<string, string>): StepInfo {
  const kind: StepKind = KIND_OF[item.kind] ?? 'generic';
  const own = slice(item.span);
  const word = /^[A-Za-z_]+/.exec(own)?.[0] ?? item.kind.toLowerCase();
  let name: string | undefined; let operation: string | undefined; let condition: A.Expr | undefined; let label: string; let file: string | undefined;
  let keyBase: string;
  switch (item.kind) {
    case 'Fetch': case 'Lookup':
      name = item.name.text; operation = operationOf(fm, item.value);
      label = `${name} = ${operation ?? short(slice(item.value.span))}`; keyBase = `${kind}:${name}`; break;
    case 'Let': name = item.name.text; label = `${name} = ${short(slice(item.value.span))}`; keyBase = `let:${name}`; break;
    case 'TableDecl': name = item.name.text; file = item.from?.value; label = `${name}${file ? ` (${file})` : ''}`; keyBase = `table:${name}`; break;
    case 'MapDecl': name = item.name.text; label = `${item.source ? item.source.text + ' -> ' : ''}${name}: ${slice(item.type.span)}`; keyBase = `map:${name}`; break;
    case 'Write': {
      operation = operationOf(fm, item.call); condition = item.when;
      const first = item.call.kind === 'Call' ? item.call.args[0]?.value : undefined;
      name = item.as?.text;
      const id = name ?? (first?.kind === 'Ident' ? first.name : undefined) ?? operation?.split('.').slice(1).join('.') ?? 'write';
      label = `${operation ?? short(slice(item.call.span))}${item.as ? ` as ${item.as.text}` : ''}`; keyBase = `write:${id}`; break;
    }
    case 'SkipWhen': condition = item.condition; label = `skip when ${short(slice(item.condition.span))}`; keyBase = 'skip'; break;
    case 'Require': condition = item.condition; label = `require ${short(slice(item.condition.span))}`; keyBase = 'require'; break;
    case 'Idempotency': label = `idempotency ${short(slice(item.key.span))}`; keyBase = 'idempotency'; break;
    default: label = short(own); keyBase = word || 'statement'; break;
  }
  // Unnamed steps: `<kind>#<hash of their text>` (so the key does not move when another step is added or removed).
  const key = (kind === 'skip' || kind === 'require' || kind === 'idempotency' || kind === 'generic')
    ? unique(`${keyBase}#${hash(own.replace(/\s+/g, ' '))}`) : unique(keyBase);
  // Dependencies: the steps the checker resolved this step's names to.
  const deps: string[] = [];
  const add = (k: string | undefined) => { if (k && k !== key && !deps.includes(k)) deps.push(k); };
  if (item.kind === 'MapDecl' && item.source) add(declaredBy.get(item.source.text));
  if (fm) {
    walkAny(item as A.Node, (n) => {
      if (n.kind !== 'Ident' && n.kind !== 'Index') return;
      const r = fm.resolution.get(n);
      if (r?.kind === 'local' && r.decl !== 'event' && r.decl !== 'param' && r.decl !== 'item') add(declaredBy.get(r.name));
      else if (r?.kind === 'table') add(tableKeys.get(r.name));
    });
  }
  const design: DesignStep = {
    key, kind, word, label, ...(name ? { name } : {}), text: own, span: item.span, deps,
    ...(operation ? { operation } : {}), ...(condition ? { condition: slice(condition.span), conditionSpan: condition.span } : {}),
    ...(file ? { file } : {}), policies: [],
  };
  return { key, node: item, design };
}

/**
 * A walk that also goes through nodes of kinds this version of the AST does not list (a statement
 * the language gained after this module): their object-valued properties are visited as children.
 */
export function walkAny(node: A.Node, enter: (n: A.Node) => boolean | void): void {
  if (!node || typeof node !== 'object') return;
  if (enter(node) === false) return;
  const keys = (A.childKeys as Record<string, readonly string[] | undefined>)[node.kind]
    ?? Object.keys(node).filter((k) => k !== 'span');
  for (const key of keys) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) { for (const c of child) if (c && typeof c === 'object' && 'kind' in c) walkAny(c as A.Node, enter); }
    else if (child && typeof child === 'object' && 'kind' in (child as object)) walkAny(child as A.Node, enter);
  }
}

/** FNV-1a, 6 hex digits: short keys for unnamed steps. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}

interface MemberCtx {
  readonly text: string;
  readonly fm: FlowModel | undefined;
  readonly containers: ContainerInfo[];
  readonly assignments: AssignmentInfo[];
  readonly out: DesignAssignment[];
  readonly sourceNames: Set<string>;
  readonly diagnostics: readonly Diagnostic[];
  readonly diagAssignment: Map<Diagnostic, string>;
  readonly unmapped: string[];
  readonly diagFor: (d: Diagnostic, extra: { assignment?: string; step?: string }) => DesignDiagnostic;
}

function membersOf(obj: A.ObjectExpr, idPrefix: string, targetPrefix: string, map: string, c: MemberCtx, items: ReadonlyMap<string, string> = new Map()): DesignMember[] {
  c.containers.push({ map, id: idPrefix, targetPrefix, node: obj });
  // FLOW3003 (required fields never assigned) is reported on the object.
  for (const d of c.diagnostics) {
    if (d.code === 3003 && d.span && d.span.start === obj.span.start && d.span.end === obj.span.end) {
      const f = /Required field '([^']+)'/.exec(d.message)?.[1];
      if (f && !c.unmapped.includes(targetPrefix + f)) c.unmapped.push(targetPrefix + f);
    }
  }
  const out: DesignMember[] = [];
  let whenN = 0;
  const targetType = c.fm?.objectTarget.get(obj);
  for (const m of obj.members) {
    if (!m || m.kind === 'Missing') continue;
    if (m.kind === 'WhenBlock') {
      const id = `${idPrefix}when#${++whenN}`;
      const w: DesignWhen = {
        kind: 'when', id, condition: c.text.slice(m.condition.span.start, m.condition.span.end), span: m.span, conditionSpan: m.condition.span,
        then: membersOf(m.then, `${id}/`, targetPrefix, map, c, items),
        ...(m.else ? { else: membersOf(m.else, `${id}:else/`, targetPrefix, map, c, items) } : {}),
      };
      out.push(w);
      continue;
    }
    const field = m.name.text;
    const id = idPrefix + field, target = targetPrefix + field;
    c.assignments.push({ map, id, target, node: m, container: obj });
    const fieldType = fieldTypeOf(targetType, field);
    const index = c.out.length;
    c.out.push(undefined as unknown as DesignAssignment); // keeps source order: parents before children
    let children: DesignMember[] | undefined; let each: DesignAssignment['each'];
    if (m.value.kind === 'ObjectExpr') children = membersOf(m.value, `${id}.`, `${target}.`, map, c, items);
    else if (m.value.kind === 'Each') {
      const e = m.value;
      each = { source: c.text.slice(e.source.span.start, e.source.span.end), item: e.item.text, ...(e.where ? { where: c.text.slice(e.where.span.start, e.where.span.end) } : {}), skipInvalid: e.skipInvalid };
      const src = sourcesOf(e.source, c, items)[0];
      const inner = new Map(items); if (src) inner.set(e.item.text, `${src}[]`);
      children = membersOf(e.body, `${id}[].`, `${target}[].`, map, c, inner);
    }
    // The innermost assignment holding a diagnostic owns it (children were visited first above).
    const mine = c.diagnostics.filter((d) => d.span && d.span.start >= m.span.start && d.span.end <= m.span.end && !c.diagAssignment.has(d));
    for (const d of mine) c.diagAssignment.set(d, id);
    const a: DesignAssignment = {
      kind: 'assignment', id, target, field, expr: c.text.slice(m.value.span.start, m.value.span.end), span: m.span, exprSpan: m.value.span,
      ...(fieldType ? { type: typeToString(fieldType) } : {}), sources: sourcesOf(m.value, c, items),
      ...(children ? { children } : {}), ...(each ? { each } : {}),
      diagnostics: mine.map((d) => c.diagFor(d, { assignment: id })),
    };
    c.out[index] = a;
    out.push(a);
  }
  return out;
}

function fieldTypeOf(t: Type | undefined, field: string): Type | undefined {
  if (!t) return undefined;
  if (t.kind === 'entity' || t.kind === 'object') return t.fields.get(field)?.type;
  return undefined;
}

/** The source paths an expression reads: member chains rooted at a flow-level name (`order.items[].sku`). */
function sourcesOf(e: A.Expr, c: MemberCtx, outer: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  const items = new Map<string, string>(outer); // each item / lambda param → the path of the list it walks
  const pathOf = (x: A.Expr): string | undefined => {
    if (x.kind === 'Ident') {
      if (items.has(x.name)) return items.get(x.name);
      const r = c.fm?.resolution.get(x);
      return r?.kind === 'local' && r.decl !== 'param' && r.decl !== 'item' ? x.name : undefined;
    }
    if (x.kind === 'Member') { const p = pathOf(x.object); return p ? `${p}.${x.name.text}` : undefined; }
    return undefined;
  };
  walkAny(e as A.Node, (n) => {
    if (n.kind === 'Each') { const p = pathOf(n.source); if (p) items.set(n.item.text, `${p}[]`); }
    if (n.kind === 'Call' && n.args.length >= 2 && n.args[1]!.value.kind === 'Lambda') {
      const p = pathOf(n.args[0]!.value); if (p) items.set((n.args[1]!.value as A.Lambda).param.text, `${p}[]`);
    }
    if (n.kind === 'Member' || n.kind === 'Ident') {
      const p = pathOf(n as A.Expr);
      if (p) { out.add(p); return false; }
    }
    return undefined;
  });
  return [...out];
}

/** As compiler/lsp/documents/workspace.ts: a recovered tree's features need names and types, not policies. */
function withoutPolicies(ast: A.FlowFile): A.FlowFile {
  return {
    ...ast,
    flows: ast.flows.map((f) => f && {
      ...f,
      items: f.items.filter((i) => i?.kind !== 'Policy').map((i) => (i && (i.kind === 'Fetch' || i.kind === 'Lookup' || i.kind === 'Write') ? { ...i, policies: [] } : i)),
    }),
  };
}
